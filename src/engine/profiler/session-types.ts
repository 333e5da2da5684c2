import type { HarnessHost } from '../runtime/host.js';
import type { ProbeObserver } from './probe-hooks.js';
import type { ChatProvider } from '../llm/types.js';
import type { FailureReport, TCP } from '../profiles/schema.js';
import type { SandboxMode } from '../sandbox/types.js';
import type { Logger } from '../util/log.js';
import type { ConcurrencyEvent, WindowStats } from './scheduler.js';
import type { ProbeGenerator } from './types.js';

/** The options, defaults and results of a profiling session (see profile.ts for the cache flow). */

export const DEFAULT_INSTANCES = 3;
export const DEFAULT_MAX_CONSECUTIVE_INFRA_SKIPS = 8;
export { DEFAULT_HARNESS } from '../agent/adapters/harnesses.js';

/** `total` is undefined for a message that is not about probe runs (e.g. waiting for another run). */
export type ProgressCallback = (done: number, total: number | undefined, message: string) => void;

/** Options shared by every job of a session. */
export interface ProfileSessionOptions {
  /** Primitive ids to profile (default: every primitive with a generator). */
  primitives?: readonly string[];
  /** Primitive ids to leave out. */
  skip?: readonly string[];
  /** Instances per level. Default 3. */
  instances?: number;
  /** Ignore the cache (the cache flow in profile.ts). */
  force?: boolean;
  /**
   * Probe runs at once across all jobs, and the ceiling of each route's adaptive window.
   * Default: none across jobs; each route's window starts at, and adapts up to, its
   * maxConcurrency (8 when the route sets none).
   */
  concurrency?: number;
  /** Per-probe agent budget. Default 120000 ms. */
  timeoutMs?: number;
  /** Agent turns per probe. Default 25. */
  maxSteps?: number;
  /** Seed of the instances; default: the resumed partial's, else random. */
  profileSeed?: number;
  llm: ChatProvider;
  /** A CLI harness's mode, binary lookup and native config (default: managed, PATH). */
  hostFor?: (harness: string) => HarnessHost;
  profilesDir: string;
  logsDir: string;
  tmpRoot: string;
  sandbox: { mode: SandboxMode };
  signal?: AbortSignal;
  /** Once per finished probe run: `<primitive> <level> <i>/<n> pass|fail|skip`. */
  onProgress?: ProgressCallback;
  log?: Logger;
  /** Sees each probe instance just before the agent does (see probe-hooks.ts). */
  onProbe?: ProbeObserver;
  /** Generators to use (default: the registry in generators/index.ts). */
  generators?: readonly ProbeGenerator[];
  /** Extra attempts after an infrastructure failure. Default 2. */
  infraRetries?: number;
  /** Backoff before the first infra retry (doubles). Default 2000 ms. */
  infraBackoffMs?: number;
  /** Every change of the adaptive concurrency and every start/finish of a probe run. */
  onConcurrency?: (ev: ConcurrencyEvent) => void;
  /** A job stops (vendor down) after this many infra skips in a row. Default 8. */
  maxConsecutiveInfraSkips?: number;
  /**
   * When another process or run is profiling the same model and harness: 'wait' (default) for
   * it and reuse what it leaves in the cache, or 'fail' that job at once naming the other run.
   */
  ifRunning?: 'wait' | 'fail';
  /** This session's run id, recorded in the profile locks so that others can name it. */
  runId?: string;
}

export interface ProfileJob {
  model: string;
  /** Only bare-agent in this release. */
  harness?: string;
}

export interface ProfileModelOptions extends ProfileSessionOptions, ProfileJob {}

export interface ProfileStats {
  /** Probe instances finished in this session (re-runs included). */
  probeRuns: number;
  passed: number;
  failed: number;
  skipped: number;
  infraSkips: number;
  /** Agent runs started (≥ probeRuns: infra retries add attempts). */
  attempts: number;
  infraRetries: number;
  /** Instances added by inversion re-runs. */
  reruns: number;
  llmCalls: number;
  /** LLM calls that needed more than one attempt (rate limits, 5xx…). */
  retriedCalls: number;
  durationMs: number;
}

export interface ProfileModelResult {
  model: string;
  harness: string;
  tcp: TCP;
  /** The complete profile was already cached: nothing ran. */
  cached: boolean;
  /** A partial profile was resumed. */
  resumed: boolean;
  /** Primitives profiled in this session, in completion order. */
  profiled: string[];
  /** Primitives carried over from an earlier (partial or complete) profile. */
  kept: string[];
  profileSeed: number | null;
  latestPath?: string;
  versionPath?: string;
  failureReportsPath?: string;
  /** This session's failure reports, keyed `<primitiveId>/<level>` (the sidecar's `reports`). */
  failureReports: Record<string, FailureReport[]>;
  stats: ProfileStats;
  /** Adaptive concurrency per route (shared by the session's jobs on the same route). */
  concurrency: WindowStats[];
}

export type ProfileManyEntry =
  | { model: string; harness: string; ok: true; result: ProfileModelResult }
  | { model: string; harness: string; ok: false; error: unknown; message: string };

export interface ProfileManyResult {
  jobs: ProfileManyEntry[];
  concurrency: WindowStats[];
}

export function emptyStats(): ProfileStats {
  return { probeRuns: 0, passed: 0, failed: 0, skipped: 0, infraSkips: 0, attempts: 0, infraRetries: 0, reruns: 0, llmCalls: 0, retriedCalls: 0, durationMs: 0 };
}
