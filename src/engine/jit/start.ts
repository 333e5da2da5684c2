import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { sandboxMode } from '../config/sandbox.js';
import { skillDiff } from '../compiler/diff.js';
import type { Engine } from '../engine.js';
import type { ChatProvider } from '../llm/types.js';
import { ORIGINAL_DIR, proposalKeyDir, proposalSkillName, roundDirName } from '../proposals/paths.js';
import { createProposal } from '../proposals/storage.js';
import { resolveSkill } from '../skills/load.js';
import type { SkillMode } from '../skills/types.js';
import { tasksDir } from '../tasks/load.js';
import { UsageError } from '../util/errors.js';
import type { Logger } from '../util/log.js';
import { acquireOptimizeLock } from './lock.js';
import { latestSessionWithSkill, loadLogEvidences, type LogRef } from './log-source.js';
import { runOptimizeLoop, type LoopResult, type LoopSource } from './loop.js';
import { DEFAULT_OPTIMIZER_TIMEOUT_MS } from './optimizer.js';
import { DEFAULT_SELECTION } from './select-best-round.js';
import { DEFAULT_SYNTHETIC_TASK_TIMEOUT_MS, DEFAULT_TASK_GEN_TIMEOUT_MS, generateTasks } from './task-gen.js';
import { resolveRealTasks } from './task-source.js';
import { diffSkillTrees } from './workspace.js';

/**
 * jit_optimize as the operation asks for it: skill and source resolved, models checked for a
 * route before anything is written, the judge chosen (not the optimizer when avoidable — fix of
 * §10 item 20), the per-skill lock taken, the proposal created, the loop run, and the best
 * round's diff against the original computed for the result. The proposal is never applied.
 */

/** Synthetic source: tasks generated when not given (train, held-out test). */
export const DEFAULT_TRAIN_COUNT = 3;
export const DEFAULT_TEST_COUNT = 1;

export interface StartJitOptimizeOptions {
  skill: string;
  source: 'real' | 'synthetic' | 'log';
  tasks?: string[];
  trainCount?: number;
  testCount?: number;
  testTasks?: string[];
  logs?: LogRef[];
  latestSession?: boolean;
  targetModel: string;
  adapter: string;
  skillMode?: SkillMode;
  optimizerModel: string;
  judgeModel?: string;
  rounds?: number;
  runsPerTask?: number;
  convergence?: number;
  minImprovement?: number;
  taskConcurrency?: number;
  baseline?: boolean;
  keepAllRounds?: boolean;
  taskTimeoutMs?: number;
  optimizerTimeoutMs?: number;
  taskGenTimeoutMs?: number;
  llm: ChatProvider;
  signal?: AbortSignal;
  runId?: string;
  onProgress?: (done: number, total: number | undefined, message: string) => void;
  log?: Logger;
}

export interface FileDiff {
  file: string;
  status: 'added' | 'modified' | 'removed';
  patch: string;
}

export interface StartJitOptimizeResult extends LoopResult {
  proposalId: string;
  proposalDir: string;
  skillName: string;
  judgeModel: string;
  /** Why that judge (the default rules). */
  judgeNote: string;
  /** The best round against the original, file by file. */
  changes: FileDiff[];
  source: 'real' | 'synthetic' | 'log';
}

/** The judge of llm-judge criteria: asked for, else the target when it is not the optimizer, else the optimizer (with a warning). */
export function chooseJudge(judgeModel: string | undefined, targetModel: string, optimizerModel: string): { model: string; note: string; warning?: string } {
  if (judgeModel) return { model: judgeModel, note: 'judgeModel as given' };
  if (targetModel !== optimizerModel) return { model: targetModel, note: 'the target model (default: a model other than the optimizer)' };
  return { model: optimizerModel, note: 'the optimizer model (it is also the target)', warning: 'the optimizer model also judges its own work (target = optimizer and no judgeModel given)' };
}

async function textOf(file: string): Promise<string> {
  return fsp.readFile(file, 'utf8').catch(() => '');
}

async function bestRoundChanges(proposalDir: string, bestRound: number): Promise<FileDiff[]> {
  const before = path.join(proposalDir, ORIGINAL_DIR);
  const after = path.join(proposalDir, roundDirName(bestRound));
  if (bestRound === 0) return [];
  const d = await diffSkillTrees(before, after);
  const out: FileDiff[] = [];
  for (const [status, files] of [['added', d.added], ['modified', d.modified], ['removed', d.removed]] as const) {
    for (const file of files) {
      const a = status === 'added' ? '' : await textOf(path.join(before, file));
      const b = status === 'removed' ? '' : await textOf(path.join(after, file));
      out.push({ file, status, patch: skillDiff(a, b, file).patch });
    }
  }
  return out;
}

export async function startJitOptimize(engine: Engine, o: StartJitOptimizeOptions): Promise<StartJitOptimizeResult> {
  for (const m of [o.targetModel, o.optimizerModel, ...(o.judgeModel ? [o.judgeModel] : [])]) engine.llm.resolve(m);
  const dataRoot = engine.roots.data.value;
  const skill = await resolveSkill(o.skill, dataRoot);
  if (path.basename(skill.skillMdPath) !== 'SKILL.md') throw new UsageError(`"${o.skill}" is a single-file skill; jit_optimize needs a skill folder with SKILL.md.`, 'Put the file in a folder as SKILL.md and pass the folder.');
  const skillName = proposalSkillName(skill.dir);
  const judge = chooseJudge(o.judgeModel, o.targetModel, o.optimizerModel);
  const warnings: string[] = judge.warning ? [judge.warning] : [];
  // MCP progress must increase with every notification: one step per message (rounds, task runs, optimizer passes).
  let step = 0;
  const progress = (msg: string) => o.onProgress?.(++step, undefined, msg);

  // Resolve the source before anything is written: a bad ref is refused without a proposal.
  let source: LoopSource;
  if (o.source === 'log') {
    if (o.rounds !== undefined && o.rounds !== 1) throw new UsageError('The log source runs one optimizer pass (nothing is evaluated, so there is nothing to iterate on).', 'Leave rounds out for source log, or use source real with tasks.');
    const refs: LogRef[] = [...(o.logs ?? [])];
    if (o.latestSession) refs.push({ path: await latestSessionWithSkill([skill.name, skillName]) });
    if (refs.length === 0) throw new UsageError('The log source needs transcripts.', 'Pass logs (transcript paths) or latestSession: true.');
    const loaded = await loadLogEvidences(refs, o.signal ? { signal: o.signal } : {});
    warnings.push(...loaded.warnings);
    source = { kind: 'log', evidences: loaded.evidences };
  } else if (o.source === 'synthetic') {
    const trainCount = o.trainCount ?? DEFAULT_TRAIN_COUNT;
    const testCount = o.testCount ?? DEFAULT_TEST_COUNT;
    const gen = {
      skillDir: skill.dir,
      model: o.optimizerModel,
      llm: o.llm,
      tmpRoot: engine.tmpDir().value,
      sandbox: { mode: sandboxMode(engine), network: false },
      timeoutMs: o.taskGenTimeoutMs ?? DEFAULT_TASK_GEN_TIMEOUT_MS,
      taskTimeoutMs: o.taskTimeoutMs ?? DEFAULT_SYNTHETIC_TASK_TIMEOUT_MS,
      ...(o.signal ? { signal: o.signal } : {}),
      ...(o.log ? { log: o.log } : {}),
    };
    source = {
      kind: 'synthetic',
      generate: (proposalDir) => generateTasks({ ...gen, proposalDir, trainCount, testCount }),
      regenerate: (proposalDir, round, priorPrompts, firstIndex) =>
        generateTasks({ ...gen, proposalDir, trainCount, testCount: 0, label: `run-regen-round-${round}`, priorPrompts, firstIndex }),
    };
  } else {
    if (!o.tasks || o.tasks.length === 0) throw new UsageError('The real source needs tasks.', `Pass tasks: ids under ${tasksDir(dataRoot)} or paths to task folders.`);
    const real = await resolveRealTasks(o.tasks, o.testTasks, dataRoot);
    warnings.push(...real.warnings);
    source = { kind: 'tasks', label: 'real', train: real.train, test: real.test };
  }

  const key = { harness: o.adapter, targetModel: o.targetModel, skillName };
  const proposalsDir = engine.roots.proposals.value;
  const lock = await acquireOptimizeLock(proposalKeyDir(proposalsDir, key), key, o.runId);
  try {
    const created = await createProposal(proposalsDir, { ...key, skillDir: skill.dir, optimizerModel: o.optimizerModel, judgeModel: judge.model, source: o.source });
    progress(`proposal ${created.id}`);
    const result = await runOptimizeLoop({
      proposalDir: created.dir,
      skillDir: skill.dir,
      source,
      target: { model: o.targetModel, adapter: o.adapter, skillMode: o.skillMode ?? 'inject', ...(o.taskTimeoutMs ? { timeoutMs: o.taskTimeoutMs } : {}) },
      optimizerModel: o.optimizerModel,
      judgeModel: judge.model,
      llm: o.llm,
      rounds: o.rounds ?? (o.source === 'log' ? 1 : 3),
      runsPerTask: o.runsPerTask ?? 1,
      taskConcurrency: o.taskConcurrency ?? 1,
      baseline: o.baseline ?? false,
      keepAllRounds: o.keepAllRounds ?? true,
      optimizerTimeoutMs: o.optimizerTimeoutMs ?? DEFAULT_OPTIMIZER_TIMEOUT_MS,
      convergence: o.convergence ?? DEFAULT_SELECTION.convergence,
      minImprovement: o.minImprovement ?? DEFAULT_SELECTION.minImprovement,
      perTaskRegressionTolerance: DEFAULT_SELECTION.perTaskRegressionTolerance,
      minCostReductionRatio: DEFAULT_SELECTION.minCostReductionRatio,
      scoreEquivalenceBand: o.minImprovement ?? DEFAULT_SELECTION.minImprovement,
      tmpRoot: engine.tmpDir().value,
      sandbox: { mode: sandboxMode(engine), network: false },
      ...(o.signal ? { signal: o.signal } : {}),
      ...(o.log ? { log: o.log } : {}),
      onProgress: progress,
    });
    return {
      ...result,
      warnings: [...warnings, ...result.warnings],
      proposalId: created.id,
      proposalDir: created.dir,
      skillName,
      judgeModel: judge.model,
      judgeNote: judge.note,
      changes: await bestRoundChanges(created.dir, result.bestRound),
      source: o.source,
    };
  } finally {
    await lock.release();
  }
}
