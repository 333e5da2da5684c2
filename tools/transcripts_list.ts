import { z } from 'zod';
import { defineOperation } from '../src/contract/operation.js';
import { idArg, pathArg } from '../src/contract/limits.js';
import { textTable } from '../src/contract/text-table.js';
import { discoverTranscripts } from '../src/engine/transcripts/index.js';

const HARNESSES = ['claude-code', 'codex'] as const;

const SessionRow = z.object({
  path: z.string().describe('Transcript file; pass it to jit_optimize as a log source'),
  harness: z.enum(HARNESSES),
  sessionId: z.string().optional(),
  modifiedAt: z.string().describe('Last write (ISO 8601)'),
  project: z.string().optional().describe("The session's working directory"),
  firstPrompt: z.string().optional().describe('First user prompt, at most 200 characters'),
  sizeBytes: z.number(),
  skillsLoaded: z.array(z.string()).describe('Skills the session shows being loaded'),
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
  }),
  output: z.object({ sessions: z.array(SessionRow), count: z.number(), hint: z.string().optional() }),
  effect: 'read',
  idempotent: true,
  openWorld: false,
  mode: 'instant',
  async handler(input, ctx) {
    const sessions = await discoverTranscripts({ harness: input.harness, project: input.project, skill: input.skill, limit: input.limit, signal: ctx.signal });
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
