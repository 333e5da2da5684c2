import * as path from 'node:path';
import { SkvmError, UsageError } from '../util/errors.js';
import { readJsonFile, writeJsonAtomic } from '../util/fs.js';
import type { RunBenchOptions } from './bench-options.js';
import { createMutex, readProgress, writeProgress } from './progress.js';
import { assertSessionId, claimSessionDir, conditionTag, shortModel } from './session-id.js';
import { resolveSessionDir } from './sessions.js';
import type { ValidatedBench } from './validate.js';
import { AnyBenchMetadataSchema, type BenchMetadata, type BenchProgress, type MultiModelMetadata } from './types.js';
import { DEFAULT_JIT_RUNS } from './jit-boost.js';

/**
 * Step 2 of a bench: the session directories it writes to — new ones (metadata.json and an empty
 * progress.json per model, plus a multi-model parent), or resumed ones read back from disk with
 * the cells lost to vendor outages dropped so they are redone.
 */

/** One model's session while the bench runs. */
export interface SessionState {
  model: string;
  id: string;
  dir: string;
  manifestDir: string;
  progress: BenchProgress;
  lock: <T>(fn: () => Promise<T>) => Promise<T>;
  resumedCells: number;
  ranCells: number;
}

export interface ParentSession {
  id: string;
  dir: string;
  startedAt: string;
}

export async function openSessions(opts: RunBenchOptions, v: ValidatedBench): Promise<{ parent?: ParentSession; sessions: SessionState[] }> {
  const { conditionNames: conditions, runsPerTask, skillMode, asyncJudge, concurrency, warn } = v;
  const taskIds = v.tasks.map((t) => t.task.id);
  const models = [...new Set(opts.models)];
  if (opts.resumeSessionId) return resumeSessions(opts, models, conditions, runsPerTask, warn);
  if (models.length === 0) throw new UsageError('No model given.', 'Name at least one model as <provider>/<model-id>.');

  // One clock reading for every session of this bench: a multi-model bench's ids share their timestamp.
  const now = new Date();
  const startedAt = now.toISOString();
  const common = {
    adapter: opts.adapter,
    conditions,
    tasks: opts.taskFilter === undefined ? taskIds : opts.taskFilter,
    source: opts.source ?? null,
    concurrency,
    // Meaningless without jit-boost, but always written (the reference's shape).
    jitRuns: opts.jitBoost?.runs ?? DEFAULT_JIT_RUNS,
    maxSteps: opts.maxSteps,
    timeoutMult: 1,
    judgeModel: opts.judgeModel ?? null,
    compilerModel: opts.aot?.compilerModel ?? null,
    asyncJudge,
    startedAt,
  };
  let parent: ParentSession | undefined;
  if (models.length > 1) {
    const claimed = await claimSessionDir(opts.logsRoot, `${models.length}m-${conditionTag(conditions)}`, now);
    parent = { id: claimed.id, dir: claimed.dir, startedAt };
  }
  const sessions: SessionState[] = [];
  for (const model of models) {
    const claimed = await claimSessionDir(opts.logsRoot, `${shortModel(model)}-${conditionTag(conditions)}`, now);
    const meta: BenchMetadata = {
      sessionId: claimed.id,
      type: 'single',
      model,
      ...common,
      runsPerTask,
      skillMode,
      timeoutMs: opts.timeoutMs ?? null,
      customSkill: opts.customSkill?.dir ?? null,
      ...(parent ? { parentSessionId: parent.id } : {}),
    };
    await writeJsonAtomic(path.join(claimed.dir, 'metadata.json'), meta);
    const progress: BenchProgress = { sessionId: claimed.id, model, adapter: opts.adapter, startedAt, entries: [] };
    await writeProgress(claimed.dir, progress);
    sessions.push(newState(model, claimed.id, claimed.dir, progress));
  }
  if (parent) {
    const meta: MultiModelMetadata = {
      sessionId: parent.id,
      type: 'multi-model',
      models,
      ...common,
      sessions: Object.fromEntries(sessions.map((s) => [s.model, s.id])),
    };
    await writeJsonAtomic(path.join(parent.dir, 'metadata.json'), meta);
  }
  return { ...(parent ? { parent } : {}), sessions };
}

function newState(model: string, id: string, dir: string, progress: BenchProgress): SessionState {
  return { model, id, dir, manifestDir: path.join(dir, 'deferred-evals'), progress, lock: createMutex(), resumedCells: 0, ranCells: 0 };
}

async function loadMetadata(logsRoot: string, id: string) {
  const dir = await resolveSessionDir(logsRoot, id); // validates the id; NotFoundError with the closest ids
  const raw = await readJsonFile(path.join(dir, 'metadata.json')).catch(() => undefined);
  const parsed = raw === undefined ? undefined : AnyBenchMetadataSchema.safeParse(raw);
  return { dir, meta: parsed?.success ? parsed.data : undefined };
}

async function resumeOne(logsRoot: string, id: string, model: string | undefined, adapter: string): Promise<SessionState> {
  const { dir, meta } = await loadMetadata(logsRoot, id);
  const progress = (await readProgress(dir)) ?? undefined;
  const sessionModel = progress?.model ?? meta?.model;
  if (!sessionModel) throw new SkvmError(`Bench session ${id} has neither progress.json nor a model in metadata.json; it cannot be resumed.`);
  if (model !== undefined && model !== sessionModel) {
    throw new UsageError(`Bench session ${id} benchmarks ${sessionModel}, not ${model}.`, 'Resume it without naming a model, or with the same one.');
  }
  const p: BenchProgress = progress ?? { sessionId: id, model: sessionModel, adapter, startedAt: meta?.startedAt ?? new Date().toISOString(), entries: [] };
  if (p.adapter !== adapter) throw new UsageError(`Bench session ${id} ran adapter ${p.adapter}, not ${adapter}.`);
  // Cells lost to vendor outages are redone.
  p.entries = p.entries.filter((e) => e.result.infraFailure !== true);
  return newState(sessionModel, id, dir, p);
}

async function resumeSessions(
  opts: RunBenchOptions,
  models: string[],
  conditions: string[],
  runsPerTask: number,
  warn: (m: string) => void,
): Promise<{ parent?: ParentSession; sessions: SessionState[] }> {
  const id = opts.resumeSessionId!;
  assertSessionId(id);
  const { dir, meta } = await loadMetadata(opts.logsRoot, id);
  if (meta?.conditions && [...meta.conditions].sort().join(',') !== [...conditions].sort().join(',')) {
    warn(`Session ${id} was started with conditions ${meta.conditions.join(', ')}; resuming with ${conditions.join(', ')}.`);
  }
  const metaRuns = (meta as { runsPerTask?: unknown } | undefined)?.runsPerTask;
  if (typeof metaRuns === 'number' && metaRuns !== runsPerTask) warn(`Session ${id} was started with runsPerTask ${metaRuns}; resuming with ${runsPerTask}.`);

  if (meta?.type === 'multi-model') {
    const children = (meta as { sessions?: Record<string, string> }).sessions;
    const metaModels = meta.models ?? [];
    if (!children) throw new SkvmError(`Multi-model session ${id} does not list its per-model sessions; resume each model's session instead.`);
    if (models.length > 0 && [...models].sort().join('\n') !== [...metaModels].sort().join('\n')) {
      throw new UsageError(`Session ${id} benchmarks ${metaModels.join(', ')}; the models given differ.`, 'Resume it without models, or with the same ones.');
    }
    const sessions: SessionState[] = [];
    for (const m of metaModels) {
      const child = children[m];
      if (!child) throw new SkvmError(`Multi-model session ${id} has no session for ${m}.`);
      assertSessionId(child);
      sessions.push(await resumeOne(opts.logsRoot, child, m, opts.adapter));
    }
    return { parent: { id, dir, startedAt: meta.startedAt ?? new Date().toISOString() }, sessions };
  }
  if (meta && meta.type !== 'single') throw new UsageError(`Session ${id} is a "${meta.type}" session; only bench sessions started here can be resumed.`);
  if (models.length > 1) throw new UsageError(`Session ${id} benchmarks one model; several were given.`);
  return { sessions: [await resumeOne(opts.logsRoot, id, models[0], opts.adapter)] };
}
