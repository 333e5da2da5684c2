import { z } from 'zod';
import { defineOperation } from '../src/contract/operation.js';
import { detailArg } from '../src/contract/detail.js';
import { idArg, pathArg } from '../src/contract/limits.js';
import { textTable } from '../src/contract/text-table.js';
import { discoverTranscripts } from '../src/engine/transcripts/index.js';
import { shorten } from '../src/engine/util/shorten.js';

const HARNESSES = ['claude-code', 'codex'] as const;
/** Ten default rows stay within the result budget with prompts this short. */
const SUMMARY_PROMPT_CHARS = 80;

const SessionRow = z.object({
  path: z.string().describe('Transcript file; pass it to jit_optimize as a log source'),
  harness: z.enum(HARNESSES),
  sessionId: z.string().optional().describe('detail "full": the harness\'s session id'),
  modifiedAt: z.string().describe('Last write (ISO 8601)'),
  project: z.string().optional().describe("The session's working directory"),
  firstPrompt: z.string().optional().describe(`First user prompt: at most ${SUMMARY_PROMPT_CHARS} characters, 200 with detail "full"`),
  sizeBytes: z.number(),
  skillsLoaded: z.array(z.string()).describe('Skills the start of the session shows being loaded (the `skill` filter searches the whole session)'),
});

export const transcriptsListTool = defineOperation({
  name: 'transcripts_list',
  title: 'List recent agent sessions',
  description:
    'Lists recent Claude Code and Codex sessions on this machine (their transcript files under ~/.claude/projects and ~/.codex/sessions), newest first: path, harness, time, project directory, first prompt, size and the skills each session loaded. Use it to find "my last session" (optionally in one project, or one that used a given skill) before optimizing a skill from a transcript.',
  input: z.strictObject({
    harness: z.enum(HARNESSES).optional().describe('Only sessions of this harness'),
    project: pathArg().optional().describe('Only sessions whose working directory is this directory or inside it'),
    skill: idArg().optional().describe('Only sessions that loaded this skill (by name)'),
    limit: z.number().int().min(1).max(100).default(10).describe('Most sessions to return (default 10)'),
    detail: detailArg('each session\'s id and its first prompt up to 200 characters'),
  }),
  output: z.object({ sessions: z.array(SessionRow), count: z.number(), hint: z.string().optional() }),
  effect: 'read',
  idempotent: true,
  openWorld: false,
  mode: 'instant',
  async handler(input, ctx) {
    const found = await discoverTranscripts({ harness: input.harness, project: input.project, skill: input.skill, limit: input.limit, signal: ctx.signal });
    const sessions = input.detail === 'full' ? found : found.map(({ sessionId: _id, ...s }) => (s.firstPrompt ? { ...s, firstPrompt: shorten(s.firstPrompt, SUMMARY_PROMPT_CHARS) } : s));
    const out: { sessions: typeof sessions; count: number; hint?: string } = { sessions, count: sessions.length };
    if (sessions.length === 0) {
      out.hint =
        input.harness || input.project || input.skill
          ? 'No session matches these filters; call transcripts_list without filters to see all.'
          : 'No Claude Code or Codex sessions found in this home directory (~/.claude/projects, ~/.codex/sessions).';
    }
    return out;
  },
  summarize(out) {
    if (out.count === 0) return `No sessions. ${out.hint ?? ''}`.trim();
    const rows = out.sessions.map((s) => [s.modifiedAt, s.harness, s.project ?? '?', s.skillsLoaded.join(',') || '-', (s.firstPrompt ?? '').replace(/\s+/g, ' ').slice(0, 60), s.path]);
    return textTable(['modified', 'harness', 'project', 'skills', 'first prompt', 'path'], rows);
  },
});
