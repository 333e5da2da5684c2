import * as path from 'node:path';
import type { HarnessHost } from '../runtime/index.js';
import { SkvmError, UsageError } from '../util/errors.js';
import { readJsonFile, writeJsonAtomic } from '../util/fs.js';
import type { RunBenchOptions } from './bench-options.js';
import { createMutex, readProgress, writeProgress } from './progress.js';
import { assertSessionId, claimSessionDir, pairTag, parentTag } from './session-id.js';
import { resolveSessionDir } from './sessions.js';
import type { ValidatedBench } from './validate.js';
import {
  AnyBenchMetadataSchema,
  MultiAdapterMetadataSchema,
  type AnyBenchMetadata,
  type BenchMetadata,
  type BenchProgress,
  type MultiAdapterMetadata,
  type MultiModelMetadata,
  type PairSession,
  type ParentMetadataCommon,
} from './types.js';
import { DEFAULT_JIT_RUNS } from './jit-boost.js';

/**
 * Step 2 of a bench: the session directories it writes to — new ones (metadata.json and an empty
 * progress.json per model × adapter, plus a parent when there is more than one pair), or resumed
 * ones read back from disk (each session's model and adapter from its own files) with the cells
 * lost to vendor outages dropped so they are redone.
 */

/** One (model, adapter) session while the bench runs. */
export interface SessionState {
  model: string;
  adapter: string;
  /** How progress lines and summaries name the pair: the model, or "<model> on <adapter>" when adapters vary. */
  label: string;
  /** This pair's harness host (CLI harnesses). */
  harness?: HarnessHost;
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
  /** Set when several adapters are benchmarked (a `multi-adapter` parent). */
  severalAdapters: boolean;
}

interface Pair {
  model: string;
  adapter: string;
}

export async function openSessions(opts: RunBenchOptions, v: ValidatedBench): Promise<{ parent?: ParentSession; sessions: SessionState[] }> {
  const { conditionNames: conditions, runsPerTask, skillMode, asyncJudge, concurrency } = v;
  const taskIds = v.tasks.map((t) => t.task.id);
  const models = [...new Set(opts.models)];
  if (opts.resumeSessionId) return resumeSessions(opts, v, models);
  const adapters = v.adapters ?? [];
  if (models.length === 0) throw new UsageError('No model given.', 'Name at least one model as <provider>/<model-id>.');
  if (adapters.length === 0) throw new UsageError('No adapter given.', 'Name at least one harness.');
  const pairs: Pair[] = models.flatMap((model) => adapters.map((adapter) => ({ model, adapter })));
  const severalAdapters = adapters.length > 1;

  // One clock reading for every session of this bench: a parent and its sessions share their timestamp.
  const now = new Date();
  const startedAt = now.toISOString();
  const common: ParentMetadataCommon = {
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
  if (pairs.length > 1) {
    const claimed = await claimSessionDir(opts.logsRoot, parentTag(models, adapters, conditions), now);
    parent = { id: claimed.id, dir: claimed.dir, startedAt, severalAdapters };
  }
  const sessions: SessionState[] = [];
  for (const { model, adapter } of pairs) {
    const claimed = await claimSessionDir(opts.logsRoot, pairTag(model, adapter, conditions, severalAdapters), now);
    const meta: BenchMetadata = {
      sessionId: claimed.id,
      type: 'single',
      model,
      adapter,
      ...common,
      runsPerTask,
      skillMode,
      timeoutMs: opts.timeoutMs ?? null,
      customSkill: opts.customSkill?.dir ?? null,
      ...(parent ? { parentSessionId: parent.id } : {}),
    };
    await writeJsonAtomic(path.join(claimed.dir, 'metadata.json'), meta);
    const progress: BenchProgress = { sessionId: claimed.id, model, adapter, startedAt, entries: [] };
    await writeProgress(claimed.dir, progress);
    sessions.push(newState(opts, { model, adapter }, severalAdapters, claimed.id, claimed.dir, progress));
  }
  if (parent) await writeJsonAtomic(path.join(parent.dir, 'metadata.json'), parentMetadata(parent.id, models, adapters, sessions, common));
  return { ...(parent ? { parent } : {}), sessions };
}

/** The reference's `multi-model` parent for one adapter; a `multi-adapter` one (ours may cross models) otherwise. */
function parentMetadata(
  sessionId: string,
  models: string[],
  adapters: string[],
  sessions: SessionState[],
  common: ParentMetadataCommon,
): MultiModelMetadata | MultiAdapterMetadata {
  if (adapters.length === 1) {
    return { sessionId, type: 'multi-model', models, adapter: adapters[0]!, ...common, sessions: Object.fromEntries(sessions.map((s) => [s.model, s.id])) };
  }
  const pairs: PairSession[] = sessions.map((s) => ({ model: s.model, adapter: s.adapter, sessionId: s.id }));
  return { sessionId, type: 'multi-adapter', adapters, ...(models.length === 1 ? { model: models[0]! } : {}), models, ...common, sessions: pairs };
}

function newState(opts: RunBenchOptions, { model, adapter }: Pair, severalAdapters: boolean, id: string, dir: string, progress: BenchProgress): SessionState {
  const harness = opts.harness?.(adapter);
  return {
    model,
    adapter,
    label: severalAdapters ? `${model} on ${adapter}` : model,
    ...(harness ? { harness } : {}),
    id,
    dir,
    manifestDir: path.join(dir, 'deferred-evals'),
    progress,
    lock: createMutex(),
    resumedCells: 0,
    ranCells: 0,
  };
}

async function loadMetadata(logsRoot: string, id: string) {
  const dir = await resolveSessionDir(logsRoot, id); // validates the id; NotFoundError with the closest ids
  const raw = await readJsonFile(path.join(dir, 'metadata.json')).catch(() => undefined);
  const parsed = raw === undefined ? undefined : AnyBenchMetadataSchema.safeParse(raw);
  return { dir, raw, meta: parsed?.success ? parsed.data : undefined };
}

/** One session, its model and adapter read from its progress.json (else metadata.json); `expected` is what its parent recorded. */
async function resumeOne(opts: RunBenchOptions, id: string, expected: Partial<Pair>): Promise<Pair & { id: string; dir: string; progress: BenchProgress }> {
  const { dir, meta } = await loadMetadata(opts.logsRoot, id);
  const progress = (await readProgress(dir)) ?? undefined;
  const model = progress?.model ?? meta?.model;
  const adapter = progress?.adapter ?? meta?.adapter;
  if (!model || !adapter) throw new SkvmError(`Bench session ${id} names no model and adapter (neither progress.json nor metadata.json does); it cannot be resumed.`);
  if (expected.model !== undefined && expected.model !== model) throw new SkvmError(`Bench session ${id} benchmarks ${model}, but its parent session lists it for ${expected.model}.`);
  if (expected.adapter !== undefined && expected.adapter !== adapter) throw new SkvmError(`Bench session ${id} ran adapter ${adapter}, but its parent session lists it for ${expected.adapter}.`);
  const p: BenchProgress = progress ?? { sessionId: id, model, adapter, startedAt: meta?.startedAt ?? new Date().toISOString(), entries: [] };
  // Cells lost to vendor outages are redone.
  p.entries = p.entries.filter((e) => e.result.infraFailure !== true);
  return { model, adapter, id, dir, progress: p };
}

/** The sessions a parent's metadata.json names, in the order it lists them. */
function childSessions(id: string, raw: unknown, meta: AnyBenchMetadata): Array<Partial<Pair> & { sessionId: string }> {
  if (meta.type === 'multi-model') {
    const children = (meta as { sessions?: Record<string, string> }).sessions;
    if (!children) throw new SkvmError(`Multi-model session ${id} does not list its per-model sessions; resume each model's session instead.`);
    return (meta.models ?? []).map((model) => {
      const sessionId = children[model];
      if (!sessionId) throw new SkvmError(`Multi-model session ${id} has no session for ${model}.`);
      return { model, ...(meta.adapter ? { adapter: meta.adapter } : {}), sessionId };
    });
  }
  const parsed = MultiAdapterMetadataSchema.safeParse(raw);
  if (!parsed.success || !parsed.data.sessions) throw new SkvmError(`Multi-adapter session ${id} does not list its sessions per model and adapter; resume each session instead.`);
  return parsed.data.sessions;
}

const sameSet = (a: string[], b: string[]) => [...new Set(a)].sort().join('\n') === [...new Set(b)].sort().join('\n');

async function resumeSessions(opts: RunBenchOptions, v: ValidatedBench, models: string[]): Promise<{ parent?: ParentSession; sessions: SessionState[] }> {
  const { conditionNames: conditions, runsPerTask, warn } = v;
  const id = opts.resumeSessionId!;
  assertSessionId(id);
  const { dir, raw, meta } = await loadMetadata(opts.logsRoot, id);
  if (meta?.conditions && [...meta.conditions].sort().join(',') !== [...conditions].sort().join(',')) {
    warn(`Session ${id} was started with conditions ${meta.conditions.join(', ')}; resuming with ${conditions.join(', ')}.`);
  }
  const metaRuns = (meta as { runsPerTask?: unknown } | undefined)?.runsPerTask;
  if (typeof metaRuns === 'number' && metaRuns !== runsPerTask) warn(`Session ${id} was started with runsPerTask ${metaRuns}; resuming with ${runsPerTask}.`);

  const isParent = meta?.type === 'multi-model' || meta?.type === 'multi-adapter';
  if (meta && !isParent && meta.type !== 'single') throw new UsageError(`Session ${id} is a "${meta.type}" session; only bench sessions started here can be resumed.`);
  const resumed = [];
  if (!isParent) resumed.push(await resumeOne(opts, id, {}));
  else {
    for (const c of childSessions(id, raw, meta)) {
      assertSessionId(c.sessionId);
      resumed.push(await resumeOne(opts, c.sessionId, c));
    }
  }

  // Models and adapters named with a resume must be the session's own.
  const resumedModels = [...new Set(resumed.map((r) => r.model))];
  const resumedAdapters = [...new Set(resumed.map((r) => r.adapter))];
  if (models.length > 0 && !sameSet(models, resumedModels)) {
    throw new UsageError(`Session ${id} benchmarks ${resumedModels.join(', ')}; the models given differ.`, 'Resume it without models, or with the same ones.');
  }
  if (v.adapters && !sameSet(v.adapters, resumedAdapters)) {
    throw new UsageError(`Session ${id} ran on ${resumedAdapters.join(', ')}; the adapters given differ.`, 'Resume it without naming adapters, or with the same ones.');
  }
  const severalAdapters = resumedAdapters.length > 1;
  const sessions = resumed.map((r) => newState(opts, r, severalAdapters, r.id, r.dir, r.progress));
  if (!isParent) return { sessions };
  return { parent: { id, dir, startedAt: meta.startedAt ?? new Date().toISOString(), severalAdapters }, sessions };
}
