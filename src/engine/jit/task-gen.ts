import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { getCustomEvaluator } from '../eval/registry.js';
import { emptyUsage, addUsage, type ChatProvider } from '../llm/types.js';
import { runAgent, stageWorkDir } from '../runtime/run-agent.js';
import type { SandboxMode } from '../sandbox/types.js';
import { walkContained } from '../skills/walk.js';
import { FIXTURES_DIR, loadTask, TASK_FILE, type LoadedTask } from '../tasks/load.js';
import { errorMessage, SkvmError } from '../util/errors.js';
import type { Logger } from '../util/log.js';
import type { SpendSlice } from './types.js';
import { copySkillTree } from './workspace.js';

/**
 * The `synthetic` task source (spec runtime §5.2): our bare agent writes tasks for the skill
 * in a scratch workspace (`skill/` = a copy of the skill, `tasks-out/task-<k>/`), following a
 * protocol document; each task is validated (fixture caps, schema, id = folder, allowed graders,
 * evaluator payloads) and the accepted ones are copied to `<proposal>/task-gen/<label>/tasks/`
 * (numbered task-0… across attempts) and loaded from there. A short yield is retried up to 3 times asking only for the shortfall
 * and listing the prompts already accepted, so the set stays diverse.
 */

export const DEFAULT_TASK_GEN_TIMEOUT_MS = 900_000;
export const DEFAULT_SYNTHETIC_TASK_TIMEOUT_MS = 300_000;
const SYNTHETIC_MAX_STEPS = 30;
const TASK_GEN_MAX_STEPS = 80;
const MAX_RETRIES = 3;
const FIXTURE_CAPS = { files: 20, fileBytes: 64 * 1024, totalBytes: 512 * 1024 };
const ALLOWED_METHODS = new Set(['llm-judge', 'file-check', 'custom']);
const ALLOWED_EVALUATORS = new Set(['python-grade', 'junit-grade']);
const TASK_DIR = /^task-(\d+)$/;

export interface TaskGenOptions {
  skillDir: string;
  trainCount: number;
  testCount: number;
  proposalDir: string;
  model: string;
  llm: ChatProvider;
  tmpRoot: string;
  sandbox: { mode: SandboxMode; network: boolean };
  timeoutMs: number;
  /** Default timeoutMs of a generated task. */
  taskTimeoutMs: number;
  /** Run label (default `run-0`; a regeneration passes `run-regen-round-<r>`); retries append `-retry-<n>`. */
  label?: string;
  /** Prompts of tasks that exist already (the diversity section); a regeneration passes every earlier task's. */
  priorPrompts?: readonly string[];
  /** Number of the first new task (a regeneration continues after the existing ones so ids stay unique). */
  firstIndex?: number;
  signal?: AbortSignal;
  log?: Logger;
}

export interface GeneratedTasks {
  train: LoadedTask[];
  test: LoadedTask[];
  warnings: string[];
  /** The generating agent's spend (the reference's setupCost). */
  spend: SpendSlice;
}

export function buildTaskGenPrompt(count: number, taskTimeoutMs: number, priorPrompts: readonly string[], retry: boolean): string {
  const lines = [
    ...(retry ? ['RETRY: the previous attempt produced no usable task. Follow the layout below exactly; every task needs a valid task.json.', ''] : []),
    `Write ${count} evaluation task(s) for the skill in ./skill/ (read ./skill/SKILL.md and its files first). Each task must be something an agent using this skill should be able to do, and must check that it was done well.`,
    '',
    '## Layout',
    `Create ./tasks-out/task-0/ … ./tasks-out/task-${count - 1}/. Each holds:`,
    '- `task.json` with: `id` (exactly the folder name, e.g. "task-0"), `name`, `prompt` (what the agent is asked), `category`, `difficulty` ("easy" | "medium" | "hard"), `eval` (at least one criterion), and optionally `timeoutMs` and `maxSteps`.',
    '- optionally `fixtures/`: input files copied into the agent\'s working directory before it starts (relative paths, regular files only).',
    '- optionally `grade.py` beside task.json, for a `python-grade` criterion.',
    '',
    '## Criteria (`eval`)',
    '- `{"method": "file-check", "path": "out.txt", "mode": "exact" | "contains" | "regex" | "json-schema", "expected": "..."}`',
    '- `{"method": "llm-judge", "rubric": "what a good result looks like"}`',
    '- `{"method": "custom", "evaluatorId": "python-grade"}` with grade.py defining `grade(transcript, workspace_path)` returning a list of `{"name", "score", "reason"}`; or `{"method": "custom", "evaluatorId": "junit-grade"}` with its test files under `fixtures/`.',
    '- No `script` criteria. Optional `weight` on any criterion.',
    '',
    '## Limits',
    `- Prompts must be self-contained: no external URLs, APIs, databases or credentials.`,
    `- fixtures/: at most ${FIXTURE_CAPS.files} files, ${FIXTURE_CAPS.fileBytes / 1024} KB each, ${FIXTURE_CAPS.totalBytes / 1024} KB in all.`,
    `- Defaults when omitted: timeoutMs ${taskTimeoutMs}, maxSteps ${SYNTHETIC_MAX_STEPS}.`,
    '- Write only under ./tasks-out/. Do not change ./skill/.',
  ];
  if (priorPrompts.length > 0) {
    lines.push('', '## Diversity', 'These tasks exist already; write different ones (other inputs, other parts of the skill):', ...priorPrompts.map((p) => `- ${p.replace(/\s+/g, ' ').slice(0, 300)}`));
  }
  return lines.join('\n');
}

/** Fixture tree checks: caps, regular files, nothing leading outside. */
async function checkFixtures(taskDir: string): Promise<string | undefined> {
  const dir = path.join(taskDir, FIXTURES_DIR);
  const st = await fsp.lstat(dir).catch(() => null);
  if (!st) return undefined;
  if (!st.isDirectory()) return `${FIXTURES_DIR} is not a folder`;
  const walked = await walkContained(dir, { maxFiles: FIXTURE_CAPS.files + 1 });
  if (walked.notes.length > 0) return `fixtures: ${walked.notes[0]}`;
  if (walked.files.length > FIXTURE_CAPS.files) return `more than ${FIXTURE_CAPS.files} fixture files`;
  let total = 0;
  for (const f of walked.files) {
    const size = (await fsp.stat(f.source)).size;
    if (size > FIXTURE_CAPS.fileBytes) return `fixture ${f.rel} is over ${FIXTURE_CAPS.fileBytes / 1024} KB`;
    total += size;
  }
  if (total > FIXTURE_CAPS.totalBytes) return `fixtures are over ${FIXTURE_CAPS.totalBytes / 1024} KB in all`;
  return undefined;
}

/** One generated task folder: the reason it is refused, or undefined. */
async function checkTaskDir(dir: string): Promise<string | undefined> {
  const fixtures = await checkFixtures(dir);
  if (fixtures) return fixtures;
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(await fsp.readFile(path.join(dir, TASK_FILE), 'utf8')) as Record<string, unknown>;
  } catch (err) {
    return `${TASK_FILE}: ${errorMessage(err)}`;
  }
  for (const key of ['skill', 'fixtures', 'hostReady', 'origin', 'gradingWeights']) if (raw && typeof raw === 'object' && key in raw) return `${TASK_FILE} may not set "${key}"`;
  if (!Array.isArray(raw.eval) || raw.eval.length === 0) return 'no eval criteria';
  return undefined;
}

/** Validates and loads the task folders of `outDir` (numeric order; beyond `want` dropped). */
export async function loadGeneratedTasks(outDir: string, want: number, taskTimeoutMs: number): Promise<{ tasks: LoadedTask[]; dirs: string[]; rejected: string[] }> {
  const names = (await fsp.readdir(outDir).catch(() => [] as string[])).filter((n) => TASK_DIR.test(n)).sort((a, b) => Number(TASK_DIR.exec(a)![1]) - Number(TASK_DIR.exec(b)![1]));
  const tasks: LoadedTask[] = [];
  const dirs: string[] = [];
  const rejected: string[] = [];
  for (const name of names) {
    if (tasks.length >= want) {
      rejected.push(`${name}: exceeds requested count`);
      continue;
    }
    const dir = path.join(outDir, name);
    const why = await checkTaskDir(dir);
    if (why) {
      rejected.push(`${name}: ${why}`);
      continue;
    }
    try {
      const raw = JSON.parse(await fsp.readFile(path.join(dir, TASK_FILE), 'utf8')) as Record<string, unknown>;
      const task = await loadTask(dir, { lookupEvaluator: getCustomEvaluator });
      const bad = task.eval.find((c) => !ALLOWED_METHODS.has(c.method) || (c.method === 'custom' && !ALLOWED_EVALUATORS.has(c.evaluatorId)));
      if (bad) throw new Error(`criterion ${bad.method}${bad.method === 'custom' ? `/${bad.evaluatorId}` : ''} is not allowed`);
      if (raw.timeoutMs === undefined) task.timeoutMs = taskTimeoutMs;
      if (raw.maxSteps === undefined) task.maxSteps = SYNTHETIC_MAX_STEPS;
      tasks.push(task);
      dirs.push(dir);
    } catch (err) {
      rejected.push(`${name}: ${errorMessage(err)}`);
    }
  }
  return { tasks, dirs, rejected };
}

/** Copies accepted task folders to `<dest>/task-<k>` (k continues the numbering across attempts) and loads them from there. */
async function adopt(dirs: readonly string[], dest: string, firstIndex: number, taskTimeoutMs: number): Promise<LoadedTask[]> {
  const out: LoadedTask[] = [];
  for (const [i, dir] of dirs.entries()) {
    const id = `task-${firstIndex + i}`;
    const target = path.join(dest, id);
    await fsp.cp(dir, target, { recursive: true, verbatimSymlinks: true });
    const file = path.join(target, TASK_FILE);
    const raw = JSON.parse(await fsp.readFile(file, 'utf8')) as Record<string, unknown>;
    await fsp.writeFile(file, JSON.stringify({ ...raw, id, timeoutMs: raw.timeoutMs ?? taskTimeoutMs, maxSteps: raw.maxSteps ?? SYNTHETIC_MAX_STEPS }, null, 2));
    out.push(await loadTask(target, { lookupEvaluator: getCustomEvaluator }));
  }
  return out;
}

export async function generateTasks(o: TaskGenOptions): Promise<GeneratedTasks> {
  const want = o.trainCount + o.testCount;
  const accepted: LoadedTask[] = [];
  const warnings: string[] = [];
  let spend: SpendSlice = { tokens: emptyUsage(), costUsd: 0 };
  const genRoot = path.join(o.proposalDir, 'task-gen');
  const base = o.label ?? 'run-0';
  const first = o.firstIndex ?? 0;
  for (let attempt = 0; attempt <= MAX_RETRIES && accepted.length < want; attempt++) {
    const label = attempt === 0 ? base : `${base}-retry-${attempt}`;
    const need = want - accepted.length;
    const staged = await stageWorkDir({ tmpRoot: o.tmpRoot, workDirPrefix: 'skvm-jit-taskgen-' }, async (ws) => {
      await fsp.mkdir(path.join(ws, 'skill'));
      await copySkillTree(o.skillDir, path.join(ws, 'skill'));
      await fsp.mkdir(path.join(ws, 'tasks-out'));
    });
    try {
      const prompt = buildTaskGenPrompt(need, o.taskTimeoutMs, [...(o.priorPrompts ?? []), ...accepted.map((t) => t.prompt)], attempt > 0 && accepted.length === 0);
      const { run } = await runAgent(
        { adapter: 'bare-agent', model: o.model, llm: o.llm, prompt, maxSteps: TASK_GEN_MAX_STEPS, timeoutMs: o.timeoutMs, web: false, sandbox: o.sandbox, tmpRoot: o.tmpRoot, workDirPrefix: 'skvm-jit-taskgen-', keepWorkDir: true, staged, ...(o.signal ? { signal: o.signal } : {}), ...(o.log ? { log: o.log } : {}) },
        {},
      );
      spend = { tokens: addUsage(spend.tokens, run.tokens), costUsd: spend.costUsd + (run.cost ?? 0) };
      const loaded = await loadGeneratedTasks(path.join(staged.workDir, 'tasks-out'), need, o.taskTimeoutMs);
      warnings.push(...loaded.rejected.map((r) => `task generation ${label}: ${r}`));
      const runDir = path.join(genRoot, label);
      await fsp.mkdir(runDir, { recursive: true });
      await fsp.writeFile(path.join(runDir, 'agent-stdout.log'), `${run.text}\n[runStatus ${run.runStatus}${run.statusDetail ? `: ${run.statusDetail}` : ''}]\n`);
      accepted.push(...(await adopt(loaded.dirs, path.join(runDir, 'tasks'), first + accepted.length, o.taskTimeoutMs)));
    } catch (err) {
      if (o.signal?.aborted) throw err;
      const failed = path.join(genRoot, `${label}-failed`);
      await fsp.mkdir(failed, { recursive: true });
      await fsp.writeFile(path.join(failed, 'error.txt'), errorMessage(err) + '\n');
      warnings.push(`task generation ${label} failed: ${errorMessage(err)}`);
    } finally {
      await staged.discard().catch(() => undefined);
    }
  }
  if (accepted.length === 0) throw new SkvmError(`Task generation produced no usable task after ${MAX_RETRIES + 1} attempts (${warnings.slice(-3).join('; ')}).`, { hint: 'Use source "real" with tasks you wrote, or a stronger optimizer model.' });
  if (accepted.length < want) warnings.push(`task generation produced ${accepted.length} of ${want} tasks; continuing with those`);
  const train = accepted.slice(0, o.trainCount);
  const test = accepted.slice(o.trainCount);
  return { train, test, warnings, spend };
}
