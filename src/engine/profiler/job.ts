import { profileLogDir } from '../config/paths.js';
import { DEFAULT_ROUTE_CONCURRENCY } from '../llm/client.js';
import type { ChatProvider, RouteLimit } from '../llm/types.js';
import type { Level, ProbeLevel } from '../primitives/catalog.js';
import type { FailureReport, PrimitiveProfileDetail } from '../profiles/schema.js';
import type { Inversion } from './calibrate.js';
import type { Plan } from './plan.js';
import type { InstanceResult } from './runner.js';
import { emptyStats, type ProfileModelResult, type ProfileStats } from './session-types.js';
import type { ProbeGenerator } from './types.js';

/**
 * The running state of one (model, harness) job of a profiling session, and of each of its
 * pending primitives: results per level as they come in, the calibration phase, the
 * checkpoint chain, and what the job reports at the end.
 */

export interface LevelState {
  original: InstanceResult[];
  rerun: InstanceResult[];
}

export interface PrimState {
  job: JobState;
  gen: ProbeGenerator;
  id: string;
  levels: Record<ProbeLevel, LevelState>;
  /** Probe runs submitted and not yet recorded. */
  outstanding: number;
  phase: 'initial' | 'rerun' | 'done';
  inversions: Inversion[];
  rerunLevels: ProbeLevel[];
}

export interface JobState {
  model: string;
  harness: string;
  /** `<harness>::<model>`: the scheduler group of the job's runs. */
  key: string;
  routeKey: string;
  profileSeed: number;
  profiledAt: string;
  startedAt: number;
  priorDurationMs: number;
  resumed: boolean;
  kept: PrimitiveProfileDetail[];
  keptCaps: Record<string, Level>;
  keptReports: Record<string, FailureReport[]>;
  finished: PrimitiveProfileDetail[];
  reports: Record<string, FailureReport[]>;
  pending: PrimState[];
  /** Pending primitives not finished yet. */
  remaining: number;
  ctl: AbortController;
  signal: AbortSignal;
  /** Partial checkpoints of this job, one after the other. */
  saveChain: Promise<unknown>;
  error?: unknown;
  done: boolean;
  consecutiveInfraSkips: number;
  stats: ProfileStats;
  result?: ProfileModelResult;
  hadSidecar: boolean;
  logDir: string;
}

export interface JobIdentity {
  model: string;
  harness: string;
  key: string;
}

/** A job about to run its plan's pending primitives. */
export function newJobState(
  j: JobIdentity,
  plan: Extract<Plan, { kind: 'run' }>,
  ctx: { routeKey: string; generators: ReadonlyMap<string, ProbeGenerator>; logsDir: string; signal?: AbortSignal },
): JobState {
  const ctl = new AbortController();
  const state: JobState = {
    ...j,
    routeKey: ctx.routeKey,
    profileSeed: plan.seed,
    profiledAt: new Date().toISOString(),
    startedAt: Date.now(),
    priorDurationMs: plan.priorDurationMs,
    resumed: plan.resumed,
    kept: plan.kept,
    keptCaps: plan.keptCaps,
    keptReports: plan.keptReports,
    finished: [],
    reports: {},
    pending: [],
    remaining: 0,
    ctl,
    signal: ctx.signal ? AbortSignal.any([ctx.signal, ctl.signal]) : ctl.signal,
    saveChain: Promise.resolve(),
    done: false,
    consecutiveInfraSkips: 0,
    stats: emptyStats(),
    hadSidecar: plan.hadSidecar,
    logDir: profileLogDir(ctx.logsDir, j.harness, j.model),
  };
  for (const id of plan.pending) {
    state.pending.push({
      job: state,
      gen: ctx.generators.get(id)!,
      id,
      levels: { L1: { original: [], rerun: [] }, L2: { original: [], rerun: [] }, L3: { original: [], rerun: [] } },
      outstanding: 0,
      phase: 'initial',
      inversions: [],
      rerunLevels: [],
    });
  }
  state.remaining = state.pending.length;
  return state;
}

/**
 * The adaptive window of a model's runs: one per LLM route, whose ceiling is the route's
 * maxConcurrency; one per model when the harness uses its own login or the provider knows no
 * routes, whose ceiling is the concurrency asked for (8 when none). Route errors surface here,
 * before any work.
 */
export function routeOf(llm: ChatProvider, model: string, ownLogin: boolean, requested?: number): RouteLimit {
  if (ownLogin || !llm.routeLimit) return { key: `model:${model}`, limit: requested ?? DEFAULT_ROUTE_CONCURRENCY };
  const r = llm.routeLimit(model);
  return { key: `route:${r.key}`, limit: r.limit };
}
