import { copySkillBundle } from '../../compiler/bundle-copy.js';
import type { ChatProvider } from '../../llm/types.js';
import { runAgent } from '../../runtime/run-agent.js';
import { openForRead } from '../../sandbox/index.js';
import type { SandboxMode } from '../../sandbox/types.js';
import type { Skill } from '../../skills/types.js';
import { errorMessage } from '../../util/errors.js';
import type { Logger } from '../../util/log.js';
import { signatureRegex, usableCandidates, type BoostCandidate } from './schema.js';
import { BOOST_CANDIDATES_FILE, parseCandidatesText } from './storage.js';
import type { CodeSnippet } from './snippets.js';

/**
 * Phase 2 (templates) and the doc-based fallback of candidate generation (spec runtime §6.2),
 * done by OUR bare-agent loop through the runtime — no external CLI. The agent works in a fresh
 * copy of the skill (file tools and commands confined there, sandboxed as every agent run) and
 * writes `boost-candidates.json` in it; the file is read back before the copy is removed.
 *
 * Provider errors and cancellation propagate (as from any agent run). A run that writes no
 * usable file: Phase 2 returns the candidates it was given unchanged, the fallback returns [].
 */

export const DEFAULT_GENERATION_TIMEOUT_MS = 180_000;
const GENERATION_MAX_STEPS = 20;

export interface GeneratorAgentOptions {
  llm: ChatProvider;
  model: string;
  tmpRoot: string;
  sandbox: { mode: SandboxMode; network: boolean };
  /** Default 180 s (spec: candidate generation). */
  timeoutMs?: number;
  signal?: AbortSignal;
  log?: Logger;
  /** Where this agent's conversation log goes (optional). */
  convLogPath?: string;
}

/** The candidates file the agent wrote, validated; undefined when it wrote none or an invalid one. */
async function runGeneratorAgent(skill: Skill, prompt: string, opts: GeneratorAgentOptions): Promise<BoostCandidate[] | undefined> {
  let written: BoostCandidate[] | undefined;
  const { run } = await runAgent(
    {
      adapter: 'bare-agent',
      model: opts.model,
      llm: opts.llm,
      prompt,
      maxSteps: GENERATION_MAX_STEPS,
      timeoutMs: opts.timeoutMs ?? DEFAULT_GENERATION_TIMEOUT_MS,
      web: false,
      sandbox: opts.sandbox,
      tmpRoot: opts.tmpRoot,
      workDirPrefix: 'skvm-boost-gen-',
      ...(opts.convLogPath ? { convLogPath: opts.convLogPath } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.log ? { log: opts.log } : {}),
    },
    {
      prepare: async (workDir) => void (await copySkillBundle(skill, workDir)),
      inspect: async ({ workDir }) => {
        let text: string;
        try {
          const { handle } = await openForRead(workDir, BOOST_CANDIDATES_FILE);
          try {
            text = await handle.readFile('utf8');
          } finally {
            await handle.close();
          }
        } catch (err) {
          opts.log?.warn(`jit-boost: the generating agent left no readable ${BOOST_CANDIDATES_FILE}: ${errorMessage(err)}`);
          return;
        }
        try {
          written = parseCandidatesText(text, `${BOOST_CANDIDATES_FILE} written by the generating agent`);
        } catch (err) {
          opts.log?.warn(`jit-boost: ${errorMessage(err)}`);
        }
      },
    },
  );
  if (run.runStatus !== 'ok') opts.log?.warn(`jit-boost: the generating agent ended with ${run.runStatus}${run.statusDetail ? ` (${run.statusDetail})` : ''}`);
  return written;
}

const TEMPLATE_RULES = [
  'Rules for every functionTemplate:',
  '- It is run as one `sh -c` script in the task\'s working directory; if Python is clearer, call it from the',
  '  script with a quoted heredoc (python3 - <<\'PY\' … PY) and pass values in through environment variables.',
  '- It must do the whole operation on its own for ANY task of this kind: no values from one particular task,',
  '  no files it does not create or receive as a parameter, no network.',
  '- Write ${name} where parameter `name` goes, once per use, with NO quotes around it: it is replaced by a',
  '  value that is already quoted as a single shell word.',
  '- Print the result the task asks for on stdout; exit non-zero when the operation did not succeed.',
  '- Keep purposeId, keywords, codeSignature, params, materializationType and monitoredTools as they are.',
].join('\n');

/** Phase 2: the agent writes a template for each candidate; candidates left without one, or with bad regexes, are dropped. */
export async function generateTemplates(skill: Skill, candidates: readonly BoostCandidate[], snippets: readonly CodeSnippet[], opts: GeneratorAgentOptions): Promise<BoostCandidate[]> {
  if (candidates.length === 0) return [];
  const listing = candidates.map((c) => {
    const example = bestSnippet(c, snippets);
    return [
      `## ${c.purposeId}`,
      '```json',
      JSON.stringify(c, null, 2),
      '```',
      ...(example ? ['Code the agent actually ran for it:', '```', example.code, '```'] : []),
    ].join('\n');
  });
  const prompt = [
    'This folder holds a skill (SKILL.md and its files). The operations below recur when agents use it.',
    `Write ${BOOST_CANDIDATES_FILE} in this folder: a JSON object {"candidates": [...]} with every candidate below,`,
    'each given a working functionTemplate.',
    '',
    TEMPLATE_RULES,
    '',
    ...listing,
  ].join('\n');
  const written = await runGeneratorAgent(skill, prompt, opts);
  if (!written) return [...candidates];
  return usableCandidates(written, { requireTemplate: true });
}

/** The doc-based fallback: the agent reads the skill and writes complete candidates itself. */
export async function generateCandidatesFromSkill(skill: Skill, opts: GeneratorAgentOptions): Promise<BoostCandidate[]> {
  const prompt = [
    'This folder holds a skill (SKILL.md and its files). Read it, then find the concrete operations an agent',
    'following it performs again and again (a conversion, an extraction, a check) that a fixed script could do.',
    `Write ${BOOST_CANDIDATES_FILE} in this folder: a JSON object {"candidates": [...]}, each candidate with`,
    '- purposeId: short kebab-case name; keywords: words of a task prompt asking for it;',
    '- codeSignature: a loose regular expression (key commands joined by [\\s\\S]*?) recognising code that does it;',
    '- params: {name: {type: "string"|"number", description, extractPattern}} where extractPattern is a regex',
    '  with one capture group finding the value in a task prompt;',
    '- functionTemplate: the script; materializationType: "shell"; monitoredTools: ["execute_command", "write_file"].',
    'Write an empty list when the skill has no such operation.',
    '',
    TEMPLATE_RULES,
  ].join('\n');
  const written = await runGeneratorAgent(skill, prompt, opts);
  return written ? usableCandidates(written, { requireTemplate: true }) : [];
}

/** The longest snippet the candidate's signature recognises. */
function bestSnippet(candidate: BoostCandidate, snippets: readonly CodeSnippet[]): CodeSnippet | undefined {
  const re = signatureRegex(candidate);
  if (!re) return undefined;
  return snippets.filter((s) => re.test(s.code)).sort((a, b) => b.code.length - a.code.length)[0];
}
