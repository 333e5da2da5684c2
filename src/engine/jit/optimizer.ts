import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { RunResult } from '../agent/types.js';
import type { ChatProvider, TokenUsage } from '../llm/types.js';
import { runAgent, stageWorkDir } from '../runtime/run-agent.js';
import type { SandboxMode } from '../sandbox/types.js';
import { writeJsonAtomic } from '../util/fs.js';
import type { Logger } from '../util/log.js';
import { readSubmission, submissionRecord, type Submission } from './submission.js';
import type { Evidence, HistoryEntry } from './types.js';
import { copySkillTree, diffSkillTrees, OPTIMIZE_DIR, restoreHiddenFiles, SUBMISSION_FILE, writeOptimizeDir, type WorkspaceDiff } from './workspace.js';

/**
 * One optimizer pass (spec runtime §5.5): the skill is copied into a fresh work directory with
 * `.optimize/` beside it, OUR bare agent runs there through the runtime (its file tools are
 * confined to that directory by the sandbox), and what it left is read back: the submission and
 * the real diff (the filesystem is the truth; declared-vs-actual mismatches are warnings). The
 * record dir keeps the prompt, the submission, the diff, the `.optimize/` it saw and its output.
 * The skill's LICENSE.txt and _meta.json are hidden from the agent and put back afterwards.
 */

export const DEFAULT_OPTIMIZER_TIMEOUT_MS = 600_000;
export const OPTIMIZER_MAX_STEPS = 60;

export function buildOptimizerPrompt(evidenceCount: number, historyCount: number): string {
  return [
    'You improve an agent skill. Your current directory IS the skill: whatever you leave in its files (outside `.optimize/`) is your proposal. There is nothing else to submit besides `.optimize/submission.json`.',
    '',
    `The skill was used in ${evidenceCount} recorded run(s)${historyCount > 0 ? `, and ${historyCount} earlier optimization round(s) are on record` : ''}. The evidence is under \`.optimize/\`.`,
    '',
    '## Read first',
    '1. `.optimize/PER_TASK_SUMMARY.md` — every task, worst first, with its status and where its runs are.',
    '2. `.optimize/README.md` — the layout and the rules.',
    '3. For each FAILING or MARGINAL task, its `tasks/<task>/run-<n>.md`: which criteria failed, why, and what the agent did.',
    historyCount > 0 ? '4. `.optimize/history.md` — what earlier rounds changed and whether it helped. Do not repeat a diagnosis that already failed to improve the score.' : '',
    '',
    '## How to work',
    '- Aim at FAILING and MARGINAL tasks; a PASSING task must not get worse.',
    '- A failure that repeats across runs of a task points at the skill; a one-off failure may be noise.',
    '- Before editing, state the root cause as a cause-and-effect: which instruction (or missing one) in the skill led the agent to the failing behaviour.',
    '',
    '## Before you edit, check all four',
    '1. Generality: name a different task that would also benefit from the change. If you cannot, the change is too specific.',
    '2. Rewrite in place: change the passage that misled the agent rather than appending a new section.',
    '3. Budget: add about 50 lines at most in total.',
    '4. No trade-offs: go through every PASSING task and make sure the change cannot hurt it.',
    '',
    '## Then write `.optimize/submission.json` (shapes in `.optimize/submission.template.json`)',
    '- After editing: `rootCause`, `reasoning`, `confidence` (0–1), `changedFiles`, `changes` (file, section, description, generality, linesDelta).',
    '- If the skill is not at fault (the failures come from the model, the task or chance): `{"noChanges": true, "rootCause": ..., "reasoning": ...}` and edit nothing.',
    '- If runs failed for infrastructure reasons (tools missing, provider errors, a broken grader): `{"infraBlocked": true, "blockedEvidenceIds": [...], "blockedReason": ...}` and edit nothing.',
    '',
    '## Hard rules',
    '- Never write task-specific content (a task\'s answer, file names or numbers) into the skill.',
    '- Every task must end at least as well as before (no regressions for gains elsewhere).',
    '- Keep the skill\'s purpose and scope.',
    '- Keep it concise.',
    '- Diagnose before you edit.',
    '- Do not change anything under `.optimize/` except `submission.json`.',
  ]
    .filter((l, i, all) => l !== '' || all[i - 1] !== '')
    .join('\n');
}

export interface OptimizerOptions {
  skillDir: string;
  evidences: readonly Evidence[];
  history: readonly HistoryEntry[];
  /** `<proposal>/round-<r>-optimizer/` */
  recordDir: string;
  model: string;
  llm: ChatProvider;
  tmpRoot: string;
  timeoutMs: number;
  sandbox: { mode: SandboxMode; network: boolean };
  signal?: AbortSignal;
  log?: Logger;
}

export interface OptimizerResult {
  changed: boolean;
  /** The edited skill copy (without `.optimize/`); the caller persists it and calls `discard`. */
  workspaceDir: string;
  discard(): Promise<void>;
  submission: Submission;
  diff: WorkspaceDiff;
  /** added ∪ modified */
  actualChangedFiles: string[];
  warnings: string[];
  tokens: TokenUsage;
  costUsd: number;
  runStatus: RunResult['runStatus'];
}

function transcript(run: RunResult): string {
  const lines: string[] = [];
  for (const s of run.steps) {
    if (s.text) lines.push(`[${s.role}] ${s.text}`);
    for (const c of s.toolCalls) lines.push(`[${s.role}] ${c.name} ${JSON.stringify(c.input).slice(0, 500)}${c.output !== undefined ? ` → ${c.output.slice(0, 500)}` : ''}`);
  }
  lines.push(`[end] runStatus ${run.runStatus}${run.statusDetail ? `: ${run.statusDetail}` : ''}`);
  return lines.join('\n') + '\n';
}

/** Declared vs actual: warnings only (the filesystem decides what changed). */
function mismatchWarnings(s: Submission, diff: WorkspaceDiff & { changed: boolean }): string[] {
  const w: string[] = [];
  if (s.invalid) w.push(s.invalid);
  const actual = new Set([...diff.added, ...diff.modified, ...diff.removed]);
  if ((s.noChanges || s.infraBlocked) && diff.changed) w.push(`the submission says ${s.infraBlocked ? 'infraBlocked' : 'noChanges'} but files changed: ${[...actual].join(', ')}`);
  const undeclared = [...actual].filter((f) => !s.changedFiles.includes(f));
  if (!s.noChanges && !s.infraBlocked && !s.invalid && undeclared.length > 0) w.push(`changed but not declared: ${undeclared.join(', ')}`);
  const phantom = s.changedFiles.filter((f) => !actual.has(f));
  if (phantom.length > 0) w.push(`declared but unchanged: ${phantom.join(', ')}`);
  return w;
}

export async function runOptimizer(o: OptimizerOptions): Promise<OptimizerResult> {
  const prompt = buildOptimizerPrompt(o.evidences.length, o.history.length);
  await fsp.mkdir(o.recordDir, { recursive: true });
  await fsp.writeFile(path.join(o.recordDir, 'prompt.md'), prompt);
  const staged = await stageWorkDir({ tmpRoot: o.tmpRoot, workDirPrefix: 'skvm-jit-optimize-' }, async (ws) => {
    await copySkillTree(o.skillDir, ws);
    await writeOptimizeDir(ws, o.evidences, o.history);
  });
  const ws = staged.workDir;
  try {
    const { run } = await runAgent(
      {
        adapter: 'bare-agent',
        model: o.model,
        llm: o.llm,
        prompt,
        maxSteps: OPTIMIZER_MAX_STEPS,
        timeoutMs: o.timeoutMs,
        web: false,
        sandbox: o.sandbox,
        tmpRoot: o.tmpRoot,
        workDirPrefix: 'skvm-jit-optimize-',
        keepWorkDir: true,
        staged,
        ...(o.signal ? { signal: o.signal } : {}),
        ...(o.log ? { log: o.log } : {}),
      },
      {},
    );
    await fsp.writeFile(path.join(o.recordDir, 'stdout.log'), transcript(run));
    const optimizeDir = path.join(ws, OPTIMIZE_DIR);
    const submission = await readSubmission(path.join(optimizeDir, SUBMISSION_FILE));
    const diff = await diffSkillTrees(o.skillDir, ws);
    const warnings = mismatchWarnings(submission, diff);
    await writeJsonAtomic(path.join(o.recordDir, SUBMISSION_FILE), submissionRecord(submission));
    await writeJsonAtomic(path.join(o.recordDir, 'diff.json'), { added: diff.added, modified: diff.modified, removed: diff.removed, changed: diff.changed, warnings });
    await fsp.cp(optimizeDir, path.join(o.recordDir, 'optimize-context'), { recursive: true, verbatimSymlinks: true }).catch(() => undefined);
    await fsp.rm(optimizeDir, { recursive: true, force: true });
    await restoreHiddenFiles(o.skillDir, ws);
    if (warnings.length > 0) o.log?.warn(`optimizer: ${warnings.join('; ')}`);
    return {
      // The filesystem decides; the loop looks at infraBlocked first.
      changed: diff.changed,
      workspaceDir: ws,
      discard: staged.discard,
      submission,
      diff: { added: diff.added, modified: diff.modified, removed: diff.removed },
      actualChangedFiles: [...diff.added, ...diff.modified],
      warnings,
      tokens: run.tokens,
      costUsd: run.cost ?? 0,
      runStatus: run.runStatus,
    };
  } catch (err) {
    await staged.discard().catch(() => undefined);
    throw err;
  }
}
