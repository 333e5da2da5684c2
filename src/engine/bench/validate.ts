import { DEFAULT_HARNESS } from '../agent/adapters/harnesses.js';
import { assertRunnableAdapter } from '../agent/adapters/registry.js';
import type { Skill, SkillMode } from '../skills/types.js';
import { resolveTaskSkills, type LoadedTask } from '../tasks/load.js';
import { CancelledError, UsageError, errorMessage } from '../util/errors.js';
import { silentLogger, type Logger } from '../util/log.js';
import { aotVariants, type AotVariants } from './aot-compiled.js';
import { jitOptimizedRounds, type JitOptimizedRounds } from './jit-optimized.js';
import { getCondition, isAotCondition, JIT_OPTIMIZED, type ConditionDefinition } from './conditions.js';
import type { RunBenchOptions, SkippedCell } from './bench-options.js';
import { JIT_BOOST_CONDITION, jitBoostAdapterProblem, jitBoostOptionsMissing } from './jit-boost.js';

/**
 * Step 1 of a bench: check the options and the tasks before anything is written. Bad options are
 * UsageErrors; tasks that cannot run (Docker-only, no eval criteria, skills that do not load) are
 * dropped with a warning and a skipped cell per condition, as the reference drops them.
 */

export interface RunnableTask {
  task: LoadedTask;
  skills: Skill[];
}

export interface ValidatedBench {
  log: Logger;
  runsPerTask: number;
  concurrency: number;
  maxOutages: number;
  skillMode: SkillMode;
  asyncJudge: boolean;
  /** Requested condition names, deduplicated, in the order given. */
  conditionNames: string[];
  conditions: ConditionDefinition[];
  /** Adapters asked for, deduplicated; undefined when a resume takes its sessions' own. */
  adapters?: string[];
  tasks: RunnableTask[];
  judge?: { llm: RunBenchOptions['llm']; model: string };
  /** Set when an aot-compiled condition is requested: one per bench, so each variant is resolved once. */
  aot?: AotVariants;
  /** Set when jit-optimized is requested: one per bench, so each skill's round is looked up once. */
  jit?: JitOptimizedRounds;
  skipped: SkippedCell[];
  warnings: string[];
  warn: (message: string) => void;
  /** Checks each adapter can run the conditions, and runs the caller's preflight once per pair. */
  checkPairs: (pairs: Array<{ model: string; adapter: string }>) => Promise<void>;
}

const DEFAULT_MAX_OUTAGES = 3;

function positiveInt(name: string, v: number | undefined, dflt: number): number {
  const n = v ?? dflt;
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${name} must be a positive integer (got ${String(v)}).`);
  return n;
}

export async function validateBench(opts: RunBenchOptions): Promise<ValidatedBench> {
  const log = opts.log ?? silentLogger;
  if (opts.signal?.aborted) throw new CancelledError(opts.signal.reason);
  const adapters = opts.adapters ? [...new Set(opts.adapters)] : opts.resumeSessionId ? undefined : [DEFAULT_HARNESS];
  if (adapters?.length === 0) throw new UsageError('No adapter given.', `Name at least one harness, e.g. ${DEFAULT_HARNESS}.`);
  const runsPerTask = positiveInt('runsPerTask', opts.runsPerTask, 1);
  const concurrency = positiveInt('concurrency', opts.concurrency, 1);
  const maxOutages = positiveInt('maxConsecutiveOutages', opts.maxConsecutiveOutages, DEFAULT_MAX_OUTAGES);
  const asyncJudge = opts.asyncJudge === true;
  const warnings: string[] = [];
  const warn = (m: string) => {
    warnings.push(m);
    log.warn(m);
  };

  const conditionNames = [...new Set(opts.conditions)];
  if (conditionNames.length === 0) throw new UsageError('No bench conditions given.', 'Use e.g. ["no-skill", "original"].');
  const conditions = conditionNames.map(getCondition);
  if (conditionNames.includes('custom-skill') && !opts.customSkill) {
    throw new UsageError('The custom-skill condition needs a skill.', 'Give the skill to benchmark (a folder with SKILL.md), or drop the custom-skill condition.');
  }
  const wantsAot = conditionNames.some(isAotCondition);
  if (wantsAot && !opts.aot) throw new UsageError('The aot-compiled conditions need the proposals folder holding compiled variants.', 'Start the bench through startBench, or pass `aot`.');
  const wantsJit = conditionNames.includes(JIT_OPTIMIZED);
  if (wantsJit && !opts.jit) throw new UsageError('The jit-optimized condition needs the proposals folder.', 'Start the bench through startBench, or pass `jit`.');
  const wantsJitBoost = conditionNames.includes(JIT_BOOST_CONDITION);
  if (wantsJitBoost && !opts.jitBoost) throw jitBoostOptionsMissing();
  if (opts.customSkill && !conditionNames.includes('custom-skill')) warn('A custom skill was given but the custom-skill condition is not requested; the skill is not used.');

  const skipped: SkippedCell[] = [];
  const tasks = await runnableTasks(opts.tasks, conditionNames, skipped, warn);
  if (tasks.length === 0) throw new UsageError('No runnable tasks to benchmark.', warnings.length > 0 ? warnings.join(' ') : 'Give at least one task with eval criteria.');

  const needsJudge = tasks.some(({ task }) => task.eval.some((c) => c.method === 'llm-judge'));
  if ((needsJudge || asyncJudge) && !opts.judgeModel) {
    throw new UsageError(
      asyncJudge ? 'The async judge needs a judge model.' : 'Some tasks have llm-judge criteria but no judge model was given.',
      'Pass a judge model (e.g. openrouter/anthropic/claude-sonnet-4.6) so llm-judge criteria are scored instead of zeroed.',
    );
  }
  const checked = new Set<string>();
  const checkPairs = async (pairs: Array<{ model: string; adapter: string }>) => {
    for (const adapter of new Set(pairs.map((p) => p.adapter))) {
      assertRunnableAdapter(adapter);
      const unsupported = wantsJitBoost ? jitBoostAdapterProblem(adapter) : undefined;
      if (unsupported) throw unsupported;
    }
    for (const { model, adapter } of pairs) {
      const key = `${model}\u0000${adapter}`;
      if (!opts.preflight || checked.has(key)) continue;
      checked.add(key);
      await opts.preflight(model, adapter);
    }
  };
  // A resume without adapters checks its sessions' pairs once they are read back.
  if (adapters) await checkPairs(opts.models.flatMap((model) => adapters.map((adapter) => ({ model, adapter }))));
  if (opts.judgeModel) await opts.preflight?.(opts.judgeModel);

  return {
    log,
    runsPerTask,
    concurrency,
    maxOutages,
    skillMode: opts.skillMode ?? 'inject',
    asyncJudge,
    conditionNames,
    conditions,
    ...(adapters ? { adapters } : {}),
    tasks,
    ...(opts.judgeModel ? { judge: { llm: opts.llm, model: opts.judgeModel } } : {}),
    ...(wantsAot && opts.aot ? { aot: aotVariants(opts.aot) } : {}),
    ...(wantsJit && opts.jit ? { jit: jitOptimizedRounds(opts.jit) } : {}),
    skipped,
    warnings,
    warn,
    checkPairs,
  };
}

async function runnableTasks(all: LoadedTask[], conditionNames: string[], skipped: SkippedCell[], warn: (m: string) => void): Promise<RunnableTask[]> {
  const seenIds = new Set<string>();
  for (const t of all) {
    if (seenIds.has(t.id)) throw new UsageError(`Task "${t.id}" is listed twice.`);
    seenIds.add(t.id);
  }
  const skipAll = (taskId: string, reason: string) => {
    for (const c of conditionNames) skipped.push({ taskId, condition: c, reason });
  };
  const tasks: RunnableTask[] = [];
  for (const task of all) {
    if (task.hostReady === false) {
      warn(`Task ${task.id} needs Docker (hostReady: false); skipped.`);
      skipAll(task.id, 'Docker-only task (hostReady: false)');
      continue;
    }
    if (task.eval.length === 0) {
      warn(`Task ${task.id} has no eval criteria; skipped.`);
      skipAll(task.id, 'no eval criteria');
      continue;
    }
    try {
      tasks.push({ task, skills: await resolveTaskSkills(task) });
    } catch (err) {
      // As the reference: a task whose skills do not load is dropped (every condition), so all
      // conditions are compared on the same task set.
      warn(`Task ${task.id} dropped: ${errorMessage(err)}`);
      skipAll(task.id, `skill did not load: ${errorMessage(err)}`);
    }
  }
  return tasks;
}
