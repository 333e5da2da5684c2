import { randomInt } from 'node:crypto';
import * as path from 'node:path';
import { assertRunnableAdapter } from '../agent/adapters/registry.js';
import { safeModelName } from '../config/paths.js';
import { addUsage, emptyUsage, type ChatProvider, type TokenUsage } from '../llm/types.js';
import { ALL_PRIMITIVE_IDS, PROBE_LEVELS, primitiveIndex, type Level, type ProbeLevel } from '../primitives/catalog.js';
import {
  findProfile,
  listVersionNames,
  loadFailureReports,
  loadPartialProfile,
  profileDirPath,
  saveFailureReports,
  savePartialProfile,
  saveProfile,
  sanitizeTimestamp,
} from '../profiles/store.js';
import { TCP_VERSION, TcpSchema, type FailureReport, type PrimitiveProfileDetail, type TCP, type TcpInput } from '../profiles/schema.js';
import type { SandboxMode } from '../sandbox/types.js';
import { closestMatches } from '../util/closest.js';
import { CancelledError, SkvmError, UsageError, errorMessage } from '../util/errors.js';
import { silentLogger, type Logger } from '../util/log.js';
import { detectInversions, effectiveCount, highestPassingLevel, levelPasses, levelsToRerun, resolveInversion, type Inversion } from './calibrate.js';
import { classifyError, instanceLogPaths, isCongested, runInstance, DEFAULT_INFRA_BACKOFF_MS, DEFAULT_INFRA_RETRIES, DEFAULT_MAX_STEPS, DEFAULT_PROBE_TIMEOUT_MS, type InstanceResult } from './runner.js';
import { ProbeScheduler, type ConcurrencyEvent, type WindowStats } from './scheduler.js';
import { instanceSeed } from './toolkit.js';
import type { ProbeObserver } from './probe-hooks.js';
import type { ProbeGenerator, ProbeInstance } from './types.js';

/**
 * Profiling sessions (spec §2.9–2.10 with §9.2 fixed): plan each (model, harness) job against
 * the profile cache, run every probe of every job through ONE adaptive queue, calibrate
 * inversions, checkpoint after each primitive, and save the TCP.
 *
 * Cache flow per job:
 * - no `force`: a partial latest.json is **resumed** (its finished primitives kept, pending
 *   ones run, the recorded profile seed reused, a fresh `profiledAt`); else a complete profile
 *   that covers the requested primitives is returned as is (no work); one that lacks some of
 *   them gets only those profiled and merged in (the reference silently did nothing);
 * - `force` + `primitives`: only those are re-profiled, every other primitive is kept from the
 *   current complete profile (else the partial one);
 * - `force` alone: a full re-profile.
 * Partial checkpoints (savePartialProfile) follow every finished primitive; the final save
 * archives v_<stamp>.json and replaces latest.json. A crashed or cancelled forced re-run leaves
 * a partial latest.json, which never hides the previous complete profile from readers (the
 * store falls back to the newest complete archive) and is the resume point of the next run.
 *
 * Seeds: every instance comes from `instanceSeed(profileSeed, primitive, level, index)`; the
 * profile seed is recorded in the TCP (`profileSeed`, and `seed` on each level result) so a
 * profile can be replayed exactly. Inversion re-runs use the next indices (n … 2n−1): fresh
 * instances, still reproducible.
 *
 * Cost: tokens and USD are summed per instance (every attempt) → level (`costUsd`, loose
 * `tokens`) → primitive (loose `costUsd`, `tokens`) → profile (`cost.totalUsd`,
 * `cost.totalTokens`). A call whose price is unknown adds its tokens but no dollars and sets a
 * loose `costIncomplete` flag on the level / primitive and `cost.incomplete` on the profile:
 * the USD figures are then lower bounds, never a silent 0.
 */

export const DEFAULT_INSTANCES = 3;
export const DEFAULT_CONCURRENCY = 4;
export const DEFAULT_MAX_CONSECUTIVE_INFRA_SKIPS = 8;
export const DEFAULT_HARNESS = 'bare-agent';

export type ProgressCallback = (done: number, total: number, message: string) => void;

/** Options shared by every job of a session. */
export interface ProfileSessionOptions {
  /** Primitive ids to profile (default: every primitive with a generator). */
  primitives?: readonly string[];
  /** Primitive ids to leave out. */
  skip?: readonly string[];
  /** Instances per level. Default 3. */
  instances?: number;
  /** Ignore the cache (see the module comment). */
  force?: boolean;
  /** Probe runs at once, across all jobs. Default 4. */
  concurrency?: number;
  /** Per-probe agent budget. Default 120000 ms. */
  timeoutMs?: number;
  /** Agent turns per probe. Default 25. */
  maxSteps?: number;
  /** Seed of the instances; default: the resumed partial's, else random. */
  profileSeed?: number;
  llm: ChatProvider;
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
  /** Clean LLM calls before the adaptive window grows by one. Default 8. */
  growAfter?: number;
  /** Every change of the adaptive concurrency and every start/finish of a probe run. */
  onConcurrency?: (ev: ConcurrencyEvent) => void;
  /** A job stops (vendor down) after this many infra skips in a row. Default 8. */
  maxConsecutiveInfraSkips?: number;
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

// ── generators ────────────────────────────────────────────────────────────────

/** The ordered generator registry (`generators/index.ts` exports `GENERATORS`), loaded on first use. */
export async function loadProbeGenerators(): Promise<readonly ProbeGenerator[]> {
  let mod: { GENERATORS?: unknown };
  try {
    mod = (await import('./generators/index.js')) as { GENERATORS?: unknown };
  } catch (err) {
    throw new SkvmError(`The probe generator registry could not be loaded: ${errorMessage(err)}`, {
      code: 'generators_unavailable',
      hint: 'src/engine/profiler/generators/index.ts must export GENERATORS (the probe generators in catalog order).',
    });
  }
  if (!Array.isArray(mod.GENERATORS)) {
    throw new SkvmError('The probe generator registry does not export a GENERATORS array.', { code: 'generators_unavailable' });
  }
  return mod.GENERATORS as ProbeGenerator[];
}

function byCatalogOrder(a: string, b: string): number {
  const ia = primitiveIndex(a);
  const ib = primitiveIndex(b);
  return (ia < 0 ? 1e6 : ia) - (ib < 0 ? 1e6 : ib) || a.localeCompare(b);
}

/** Check requested ids against the catalog and the generators; UsageError naming close ids. */
export function resolvePrimitives(generators: readonly ProbeGenerator[], primitives?: readonly string[], skip?: readonly string[]): string[] {
  const genIds = generators.map((g) => g.primitiveId);
  const known = new Set([...ALL_PRIMITIVE_IDS, ...genIds]);
  const check = (ids: readonly string[] | undefined, what: string) => {
    const unknown = (ids ?? []).filter((id) => !known.has(id));
    if (unknown.length === 0) return;
    const parts = unknown.map((id) => {
      const near = closestMatches(id, known, 3);
      return near.length ? `"${id}" (did you mean ${near.join(', ')}?)` : `"${id}"`;
    });
    throw new UsageError(`Unknown primitive id${unknown.length > 1 ? 's' : ''} in ${what}: ${parts.join(', ')}.`, `Primitive ids look like gen.code.python or tool.file.read; the catalog has ${ALL_PRIMITIVE_IDS.length} (primitives_list shows them).`);
  };
  check(primitives, 'primitives');
  check(skip, 'skip');
  if (genIds.length === 0) throw new SkvmError('No probe generators are registered.', { code: 'generators_unavailable', hint: 'src/engine/profiler/generators/index.ts lists them (GENERATORS).' });
  const wanted = primitives && primitives.length > 0 ? [...new Set(primitives)] : [...new Set(genIds)];
  const noGen = wanted.filter((id) => !genIds.includes(id));
  if (noGen.length > 0) {
    throw new UsageError(`No probe generator is available for ${noGen.join(', ')}.`, `Generators available: ${genIds.join(', ') || 'none'}.`);
  }
  const skipSet = new Set(skip ?? []);
  const out = wanted.filter((id) => !skipSet.has(id)).sort(byCatalogOrder);
  if (out.length === 0) throw new UsageError('Nothing to profile: every requested primitive is skipped.', 'Drop some ids from skip.');
  return out;
}

// ── per-job state ─────────────────────────────────────────────────────────────

interface LevelState {
  original: InstanceResult[];
  rerun: InstanceResult[];
}

interface PrimState {
  job: JobState;
  gen: ProbeGenerator;
  id: string;
  levels: Record<ProbeLevel, LevelState>;
  outstanding: number;
  phase: 'initial' | 'rerun' | 'done';
  inversions: Inversion[];
  rerunLevels: ProbeLevel[];
}

interface JobState {
  model: string;
  harness: string;
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
  remaining: number;
  ctl: AbortController;
  signal: AbortSignal;
  saveChain: Promise<unknown>;
  error?: unknown;
  done: boolean;
  consecutiveInfraSkips: number;
  stats: ProfileStats;
  result?: ProfileModelResult;
  hadSidecar: boolean;
  logDir: string;
}

function emptyStats(): ProfileStats {
  return { probeRuns: 0, passed: 0, failed: 0, skipped: 0, infraSkips: 0, attempts: 0, infraRetries: 0, reruns: 0, llmCalls: 0, retriedCalls: 0, durationMs: 0 };
}

interface LevelResultOut {
  level: ProbeLevel;
  passed: boolean;
  passCount: number;
  totalCount: number;
  skipCount: number;
  durationMs: number;
  costUsd: number;
  testDescription: string;
  failureDetails: string[];
  failureArtifacts: Array<{ convLog: string; evalScript: string }>;
  [loose: string]: unknown;
}

function tallyOf(list: readonly InstanceResult[]) {
  const skipCount = list.filter((r) => r.skipped).length;
  return { passCount: list.filter((r) => !r.skipped && r.passed).length, totalCount: list.length, skipCount };
}

function sumCost(list: readonly InstanceResult[]) {
  let tokens = emptyUsage();
  let costUsd = 0;
  let incomplete = false;
  for (const r of list) {
    tokens = addUsage(tokens, r.tokens);
    costUsd += r.costUsd;
    incomplete ||= r.costIncomplete;
  }
  return { tokens, costUsd, incomplete };
}

function detailCost(d: PrimitiveProfileDetail): { usd: number; tokens: TokenUsage; incomplete: boolean } {
  const loose = d as PrimitiveProfileDetail & { costUsd?: unknown; tokens?: unknown; costIncomplete?: unknown };
  const usd = typeof loose.costUsd === 'number' ? loose.costUsd : d.levelResults.reduce((n, l) => n + (l.costUsd ?? 0), 0);
  const t = loose.tokens as Partial<TokenUsage> | undefined;
  const tokens = t && typeof t === 'object' ? { input: t.input ?? 0, output: t.output ?? 0, cacheRead: t.cacheRead ?? 0, cacheWrite: t.cacheWrite ?? 0 } : emptyUsage();
  return { usd, tokens, incomplete: loose.costIncomplete === true };
}

function seedOf(tcp: TCP): number | undefined {
  const top = (tcp as TCP & { profileSeed?: unknown }).profileSeed;
  if (typeof top === 'number' && Number.isInteger(top)) return top;
  for (const d of tcp.details) {
    for (const l of d.levelResults) {
      const s = (l as { seed?: unknown }).seed;
      if (typeof s === 'number' && Number.isInteger(s)) return s;
    }
  }
  return undefined;
}

// ── the session ───────────────────────────────────────────────────────────────

/** Profile one model+harness (see the module comment); auth/route/request errors reject. */
export async function profileModel(opts: ProfileModelOptions): Promise<ProfileModelResult> {
  const { model, harness, ...shared } = opts;
  const out = await profileMany([{ model, ...(harness !== undefined ? { harness } : {}) }], shared);
  const entry = out.jobs[0]!;
  if (!entry.ok) throw entry.error;
  return entry.result;
}

/**
 * Profile several (model, harness) jobs in one session: one queue, one concurrency limit and an
 * adaptive window per LLM route. A job whose errors cannot be fixed by retrying (auth, no
 * route, bad request, vendor down) stops alone — its partial checkpoint stays — and is reported
 * with ok:false; the others go on. Cancellation stops everything and rejects with CancelledError.
 */
export async function profileMany(jobsIn: readonly ProfileJob[], opts: ProfileSessionOptions): Promise<ProfileManyResult> {
  const log = opts.log ?? silentLogger;
  const instances = Math.max(1, Math.floor(opts.instances ?? DEFAULT_INSTANCES));
  if (jobsIn.length === 0) throw new UsageError('Nothing to profile: no model given.');
  const generators = opts.generators ?? (await loadProbeGenerators());
  const genById = new Map(generators.map((g) => [g.primitiveId, g]));
  const target = resolvePrimitives(generators, opts.primitives, opts.skip);
  const explicitPrimitives = opts.primitives !== undefined && opts.primitives.length > 0;
  const sessionSeed = opts.profileSeed ?? randomInt(0, 0x7fffffff);
  const multi = jobsIn.length > 1;

  // Validate every job before any work.
  const seen = new Set<string>();
  const jobs = jobsIn.map((j) => {
    const harness = j.harness ?? DEFAULT_HARNESS;
    assertRunnableAdapter(harness);
    profileDirPath(opts.profilesDir, harness, j.model); // throws UsageError on unusable names
    const key = `${harness}::${j.model}`;
    if (seen.has(key)) throw new UsageError(`${j.model} on ${harness} is listed twice.`);
    seen.add(key);
    return { model: j.model, harness, key };
  });

  /** Per job, in the given order: its final entry (cached, or failed before any work) or its running state. */
  const slots: Array<{ entry?: ProfileManyEntry; state?: JobState }> = [];
  const states: JobState[] = [];
  const scheduler = new ProbeScheduler({
    concurrency: opts.concurrency ?? DEFAULT_CONCURRENCY,
    ...(opts.growAfter !== undefined ? { growAfter: opts.growAfter } : {}),
    ...(opts.onConcurrency ? { onConcurrency: opts.onConcurrency } : {}),
  });

  for (const j of jobs) {
    try {
      const planned = await planJob(j, opts, target, explicitPrimitives, sessionSeed, log);
      if (planned.kind === 'cached') {
        slots.push({ entry: { model: j.model, harness: j.harness, ok: true, result: planned.result } });
        continue;
      }
      const routeKey = routeKeyOf(opts.llm, j.model);
      const ctl = new AbortController();
      const state: JobState = {
        ...j,
        routeKey,
        profileSeed: planned.seed,
        profiledAt: new Date().toISOString(),
        startedAt: Date.now(),
        priorDurationMs: planned.priorDurationMs,
        resumed: planned.resumed,
        kept: planned.kept,
        keptCaps: planned.keptCaps,
        keptReports: planned.keptReports,
        finished: [],
        reports: {},
        pending: [],
        remaining: 0,
        ctl,
        signal: opts.signal ? AbortSignal.any([opts.signal, ctl.signal]) : ctl.signal,
        saveChain: Promise.resolve(),
        done: false,
        consecutiveInfraSkips: 0,
        stats: emptyStats(),
        hadSidecar: planned.hadSidecar,
        logDir: path.join(opts.logsDir, 'profile', j.harness, safeModelName(j.model)),
      };
      for (const id of planned.pending) {
        state.pending.push({
          job: state,
          gen: genById.get(id)!,
          id,
          levels: { L1: { original: [], rerun: [] }, L2: { original: [], rerun: [] }, L3: { original: [], rerun: [] } },
          outstanding: 0,
          phase: 'initial',
          inversions: [],
          rerunLevels: [],
        });
      }
      state.remaining = state.pending.length;
      states.push(state);
      slots.push({ state });
      if (planned.resumed) log.info(`${j.model} (${j.harness}): resuming a partial profile — ${planned.kept.length} primitive(s) kept, ${planned.pending.length} to run`);
    } catch (err) {
      if (err instanceof UsageError || err instanceof CancelledError) throw err;
      slots.push({ entry: { model: j.model, harness: j.harness, ok: false, error: err, message: errorMessage(err) } });
    }
  }

  let done = 0;
  let total = 0;
  for (const s of states) total += s.pending.length * PROBE_LEVELS.length * instances;

  const finishJob = async (s: JobState): Promise<void> => {
    if (s.done) return;
    s.done = true;
    await s.saveChain;
    const tcp = buildTcp(s, false);
    const profiledAt = await freeProfiledAt(opts.profilesDir, s);
    tcp.profiledAt = profiledAt;
    const saved = await saveProfile(opts.profilesDir, tcp);
    const reports = { ...s.keptReports, ...s.reports };
    let failureReportsPath: string | undefined;
    if (Object.keys(reports).length > 0 || s.hadSidecar) {
      failureReportsPath = await saveFailureReports(opts.profilesDir, s.harness, s.model, { profiledAt, reports });
    }
    s.stats.durationMs = Date.now() - s.startedAt;
    const parsed = TcpSchema.parse(tcp);
    s.result = {
      model: s.model,
      harness: s.harness,
      tcp: parsed,
      cached: false,
      resumed: s.resumed,
      profiled: s.finished.map((d) => d.primitiveId),
      kept: s.kept.map((d) => d.primitiveId),
      profileSeed: s.profileSeed,
      latestPath: saved.latestPath,
      versionPath: saved.versionPath,
      ...(failureReportsPath ? { failureReportsPath } : {}),
      failureReports: s.reports,
      stats: s.stats,
      concurrency: [],
    };
    log.info(
      `${s.model} (${s.harness}): profile saved — ${Object.entries(parsed.capabilities)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')}`,
    );
  };

  const failJob = (s: JobState, err: unknown): void => {
    if (s.error !== undefined || s.done) return;
    s.error = err;
    s.done = true;
    scheduler.drop(s.key);
    s.ctl.abort(err);
    log.error(`${s.model} (${s.harness}): profiling stopped: ${errorMessage(err)}`);
  };

  const submit = (p: PrimState, level: ProbeLevel, index: number, rerun: boolean): void => {
    p.outstanding++;
    const s = p.job;
    scheduler.submit(
      s.routeKey,
      s.key,
      async () => {
        if (s.error !== undefined) return;
        const result = await runOne(p, level, index, rerun);
        if (result === undefined) return;
        await recordInstance(p, level, rerun, result);
      },
      { front: rerun },
    );
  };

  const runOne = async (p: PrimState, level: ProbeLevel, index: number, rerun: boolean): Promise<InstanceResult | undefined> => {
    const s = p.job;
    const seed = instanceSeed(s.profileSeed, p.id, level, index);
    let instance: ProbeInstance;
    try {
      instance = p.gen.generate(level, seed);
    } catch (err) {
      log.error(`${p.id} ${level}: the generator failed for seed ${seed}: ${errorMessage(err)}`);
      return emptyInstance(index, seed, `skipped (generator error): ${errorMessage(err)}`);
    }
    const window = scheduler.window(s.routeKey);
    try {
      const r = await runInstance(instance, {
        model: s.model,
        llm: opts.llm,
        tmpRoot: opts.tmpRoot,
        sandbox: opts.sandbox,
        timeoutMs: opts.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS,
        maxSteps: opts.maxSteps ?? DEFAULT_MAX_STEPS,
        index,
        logs: instanceLogPaths(path.join(s.logDir, p.id, level), index),
        adapter: s.harness,
        ...(opts.onProbe ? { onProbe: opts.onProbe } : {}),
        signal: s.signal,
        log,
        infraRetries: opts.infraRetries ?? DEFAULT_INFRA_RETRIES,
        infraBackoffMs: opts.infraBackoffMs ?? DEFAULT_INFRA_BACKOFF_MS,
        onCall: (rec) => {
          const startedAt = rec.startedAt - (Date.now() - scheduler.now());
          if (isCongested(rec)) window.congestion(startedAt);
          else if (rec.ok) window.cleanCall();
        },
      });
      if (rerun) s.stats.reruns++;
      return r;
    } catch (err) {
      const cls = classifyError(err, opts.signal);
      if (cls === 'cancelled') {
        if (opts.signal?.aborted) throw err instanceof CancelledError ? err : new CancelledError(opts.signal.reason);
        return undefined; // this job was stopped
      }
      failJob(s, err);
      return undefined;
    }
  };

  const recordInstance = async (p: PrimState, level: ProbeLevel, rerun: boolean, r: InstanceResult): Promise<void> => {
    const s = p.job;
    if (s.error !== undefined) return;
    const lv = p.levels[level];
    (rerun ? lv.rerun : lv.original).push(r);
    p.outstanding--;
    const st = s.stats;
    st.probeRuns++;
    st.attempts += r.attempts;
    st.infraRetries += r.attempts - 1;
    st.llmCalls += r.llmCalls;
    st.retriedCalls += r.retriedCalls;
    if (r.skipped) st.skipped++;
    else if (r.passed) st.passed++;
    else st.failed++;
    if (r.infra) {
      st.infraSkips++;
      s.consecutiveInfraSkips++;
    } else s.consecutiveInfraSkips = 0;

    done++;
    const status = r.skipped ? (r.infra ? 'skip (infra)' : 'skip') : r.passed ? 'pass' : 'fail';
    const k = rerun ? r.instance - instances + 1 : r.instance + 1;
    const msg = `${multi ? `${s.model}: ` : ''}${p.id} ${level} ${k}/${instances} ${status}${rerun ? ' (re-run)' : ''}`;
    try {
      opts.onProgress?.(done, total, msg);
    } catch (err) {
      log.warn(`progress callback failed: ${errorMessage(err)}`);
    }

    const limit = opts.maxConsecutiveInfraSkips ?? DEFAULT_MAX_CONSECUTIVE_INFRA_SKIPS;
    if (limit > 0 && s.consecutiveInfraSkips >= limit) {
      failJob(
        s,
        new SkvmError(`${s.consecutiveInfraSkips} probe runs in a row of ${s.model} could not run because of infrastructure failures (last: ${r.details}).`, {
          code: 'profile_infra',
          hint: 'The vendor or this machine is failing; the finished primitives are saved as a partial profile — run the profile again later to resume.',
        }),
      );
      return;
    }
    if (p.outstanding > 0) return;

    if (p.phase === 'initial') {
      const outcomes = PROBE_LEVELS.map((l) => {
        const t = tallyOf(p.levels[l].original);
        return { level: l, passed: levelPasses(t), effective: effectiveCount(t) };
      });
      const inv = detectInversions(p.id, outcomes);
      if (inv.length > 0) {
        p.phase = 'rerun';
        p.inversions = inv;
        p.rerunLevels = levelsToRerun(inv);
        log.info(`${s.model} ${p.id}: inversion (${inv.map((i) => i.description).join('; ')}); re-running ${p.rerunLevels.join(', ')} with ${instances} fresh instance(s) each`);
        total += p.rerunLevels.length * instances;
        // Submitted last-first: each goes to the front of the queue, so they run in level/index order.
        for (const l of [...p.rerunLevels].reverse()) for (let i = instances - 1; i >= 0; i--) submit(p, l, instances + i, true);
        return;
      }
    }
    p.phase = 'done';
    const detail = buildDetail(p, instances, s);
    s.finished.push(detail);
    for (const l of PROBE_LEVELS) {
      const failed = [...p.levels[l].original, ...p.levels[l].rerun].filter((x) => x.failureReport);
      if (failed.length > 0) s.reports[`${p.id}/${l}`] = failed.map((x) => x.failureReport!);
    }
    s.remaining--;
    // The running level table, for the run log: every primitive finished so far and its level.
    log.info(
      `${s.model} (${s.harness}) ${p.id} → ${detail.highestLevel} [${detail.levelResults.map((r) => `${r.level} ${r.passCount}/${r.totalCount - (r.skipCount ?? 0)}`).join(', ')}]; ` +
        `so far: ${[...s.kept, ...s.finished].map((d) => `${d.primitiveId}=${d.highestLevel}`).join(' ')} (${s.remaining} to go)`,
    );
    // Checkpoint (serialised per job, so checkpoints land in order).
    const partial = buildTcp(s, true);
    s.saveChain = s.saveChain
      .then(() => savePartialProfile(opts.profilesDir, partial))
      .catch((err: unknown) => log.warn(`${s.model}: could not save the partial profile: ${errorMessage(err)}`));
    await s.saveChain;
    if (s.remaining === 0 && s.error === undefined) {
      try {
        await finishJob(s);
      } catch (err) {
        s.done = false;
        failJob(s, err);
      }
    }
  };

  const emptyInstance = (index: number, seed: number, details: string): InstanceResult => ({
    instance: index,
    seed,
    passed: false,
    skipped: true,
    details,
    durationMs: 0,
    tokens: emptyUsage(),
    costUsd: 0,
    costIncomplete: false,
    attempts: 1,
    llmCalls: 0,
    retriedCalls: 0,
  });

  // Queue everything: job by job, primitive by primitive (catalog order), level by level.
  for (const s of states) {
    for (const p of s.pending) for (const l of PROBE_LEVELS) for (let i = 0; i < instances; i++) submit(p, l, i, false);
  }
  try {
    for (const s of states) {
      if (s.pending.length > 0) continue;
      try {
        await finishJob(s);
      } catch (err) {
        s.done = false;
        failJob(s, err);
      }
    }
    await scheduler.whenIdle();
  } catch (err) {
    scheduler.fail(err);
    for (const s of states) s.ctl.abort(err);
    await scheduler.whenIdle().catch(() => undefined);
    await Promise.all(states.map((s) => s.saveChain));
    if (opts.signal?.aborted || err instanceof CancelledError) throw err instanceof CancelledError ? err : new CancelledError(opts.signal?.reason);
    throw err;
  }
  await Promise.all(states.map((s) => s.saveChain));

  const concurrency = scheduler.windowStats();
  const out: ProfileManyEntry[] = slots.map(({ entry, state: s }) => {
    if (entry) return entry;
    if (s!.result) {
      s!.result.concurrency = concurrency.filter((w) => w.key === s!.routeKey);
      return { model: s!.model, harness: s!.harness, ok: true, result: s!.result };
    }
    const error = s!.error ?? new SkvmError(`Profiling ${s!.model} did not finish.`);
    return { model: s!.model, harness: s!.harness, ok: false, error, message: errorMessage(error) };
  });
  return { jobs: out, concurrency };
}

// ── planning ──────────────────────────────────────────────────────────────────

type Plan =
  | { kind: 'cached'; result: ProfileModelResult }
  | {
      kind: 'run';
      pending: string[];
      kept: PrimitiveProfileDetail[];
      keptCaps: Record<string, Level>;
      keptReports: Record<string, FailureReport[]>;
      seed: number;
      resumed: boolean;
      priorDurationMs: number;
      hadSidecar: boolean;
    };

async function planJob(
  j: { model: string; harness: string },
  opts: ProfileSessionOptions,
  target: readonly string[],
  explicitPrimitives: boolean,
  sessionSeed: number,
  log: Logger,
): Promise<Plan> {
  const complete = await safely(() => findProfile(opts.profilesDir, j.harness, j.model), log, j);
  const partial = await safely(() => loadPartialProfile(opts.profilesDir, j.harness, j.model), log, j);
  const sidecar = await safely(() => loadFailureReports(opts.profilesDir, j.harness, j.model), log, j);
  const hadSidecar = sidecar !== null && sidecar !== undefined;

  const keep = (base: TCP | undefined, except: ReadonlySet<string>) => {
    const kept = (base?.details ?? []).filter((d) => !except.has(d.primitiveId) && base!.capabilities[d.primitiveId] !== undefined);
    const keptCaps: Record<string, Level> = {};
    for (const d of kept) keptCaps[d.primitiveId] = base!.capabilities[d.primitiveId]!;
    const keptReports: Record<string, FailureReport[]> = {};
    // Reports of kept primitives survive when the sidecar belongs to the profile they come from.
    if (sidecar && base && sidecar.profiledAt === base.profiledAt) {
      const ids = new Set(kept.map((d) => d.primitiveId));
      for (const [k, v] of Object.entries(sidecar.reports)) if (ids.has(k.split('/')[0]!)) keptReports[k] = v;
    }
    return { kept, keptCaps, keptReports };
  };
  const targetSet = new Set(target);
  const seedFrom = (tcp: TCP | undefined) => opts.profileSeed ?? (tcp ? seedOf(tcp) : undefined) ?? sessionSeed;

  if (!opts.force) {
    if (partial) {
      const finished = new Set(partial.details.map((d) => d.primitiveId).filter((id) => partial.capabilities[id] !== undefined));
      const k = keep(partial, new Set());
      return {
        kind: 'run',
        pending: target.filter((id) => !finished.has(id)),
        ...k,
        seed: seedFrom(partial),
        resumed: true,
        priorDurationMs: partial.cost.durationMs,
        hadSidecar,
      };
    }
    if (complete) {
      const missing = target.filter((id) => complete.tcp.capabilities[id] === undefined || !complete.tcp.details.some((d) => d.primitiveId === id));
      if (missing.length === 0 || !explicitPrimitives) {
        if (missing.length > 0) log.info(`${j.model} (${j.harness}): using the cached profile (${complete.file}); it lacks ${missing.join(', ')} — pass primitives (or force) to profile them`);
        return {
          kind: 'cached',
          result: {
            model: j.model,
            harness: j.harness,
            tcp: complete.tcp,
            cached: true,
            resumed: false,
            profiled: [],
            kept: complete.tcp.details.map((d) => d.primitiveId),
            profileSeed: seedOf(complete.tcp) ?? null,
            latestPath: complete.path,
            failureReports: {},
            stats: emptyStats(),
            concurrency: [],
          },
        };
      }
      return { kind: 'run', pending: missing, ...keep(complete.tcp, new Set()), seed: seedFrom(undefined), resumed: false, priorDurationMs: 0, hadSidecar };
    }
    return { kind: 'run', pending: [...target], kept: [], keptCaps: {}, keptReports: {}, seed: seedFrom(undefined), resumed: false, priorDurationMs: 0, hadSidecar };
  }
  if (explicitPrimitives) {
    const base = complete?.tcp ?? partial ?? undefined;
    return { kind: 'run', pending: [...target], ...keep(base, targetSet), seed: seedFrom(undefined), resumed: false, priorDurationMs: 0, hadSidecar };
  }
  return { kind: 'run', pending: [...target], kept: [], keptCaps: {}, keptReports: {}, seed: seedFrom(undefined), resumed: false, priorDurationMs: 0, hadSidecar };
}

/** A cache read that fails (an unreadable file) is logged and treated as absent; bad names still throw. */
async function safely<T>(fn: () => Promise<T>, log: Logger, j: { model: string; harness: string }): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof UsageError) throw err;
    log.warn(`${j.model} (${j.harness}): ignoring an unreadable cached profile: ${errorMessage(err)}`);
    return undefined;
  }
}

interface RouteResolver {
  resolve?: (model: string) => { route: { match: string; kind?: string; baseUrl?: string } };
}

/** The adaptive window is per LLM route (per model when the provider cannot say). Route errors surface here, before any work. */
function routeKeyOf(llm: ChatProvider, model: string): string {
  const r = llm as ChatProvider & RouteResolver;
  if (typeof r.resolve !== 'function') return `model:${model}`;
  const { route } = r.resolve(model);
  return `route:${route.kind ?? ''}|${route.match}|${route.baseUrl ?? ''}`;
}

/** profiledAt whose archive stamp is not taken yet (stamps have one-second resolution). */
async function freeProfiledAt(profilesDir: string, s: JobState): Promise<string> {
  const taken = new Set(await listVersionNames(profilesDir, s.harness, s.model).catch(() => [] as string[]));
  let t = Date.parse(s.profiledAt);
  let at = s.profiledAt;
  while (taken.has(sanitizeTimestamp(at))) {
    t += 1000;
    at = new Date(t).toISOString();
  }
  return at;
}

// ── building the TCP ──────────────────────────────────────────────────────────

function buildDetail(p: PrimState, instances: number, s: JobState): PrimitiveProfileDetail {
  const primLogDir = path.join(s.logDir, p.id);
  const levelResults: LevelResultOut[] = [];
  const noteParts: string[] = [];
  const resolvedOutcomes: Array<{ level: ProbeLevel; passed: boolean; effective: number }> = [];
  let tokens = emptyUsage();
  let costUsd = 0;
  let costIncomplete = false;
  let durationMs = 0;

  for (const level of PROBE_LEVELS) {
    const lv = p.levels[level];
    const all = [...lv.original, ...lv.rerun].sort((a, b) => a.instance - b.instance);
    const orig = tallyOf(lv.original);
    const rer = tallyOf(lv.rerun);
    const wasRerun = p.rerunLevels.includes(level);
    const passed = wasRerun ? resolveInversion(orig, rer) : levelPasses(orig);
    const combined = tallyOf(all);
    const cost = sumCost(all);
    tokens = addUsage(tokens, cost.tokens);
    costUsd += cost.costUsd;
    costIncomplete ||= cost.incomplete;
    const levelDuration = all.reduce((n, r) => n + r.durationMs, 0);
    durationMs += levelDuration;
    const failed = all.filter((r) => !r.skipped && !r.passed);
    const skips = all.filter((r) => r.skipped);
    const infraSkips = skips.filter((r) => r.infra);
    const result: LevelResultOut = {
      level,
      passed,
      passCount: combined.passCount,
      totalCount: combined.totalCount,
      skipCount: combined.skipCount,
      durationMs: levelDuration,
      costUsd: cost.costUsd,
      testDescription: p.gen.descriptions[level] ?? '',
      failureDetails: failed.map((r) => r.details),
      failureArtifacts: failed.map((r) => {
        const paths = instanceLogPaths(path.join(primLogDir, level), r.instance);
        return { convLog: paths.convLog, evalScript: paths.evalScript };
      }),
      // Loose fields (the TCP schema keeps unknown keys):
      seed: s.profileSeed,
      instanceSeeds: all.map((r) => r.seed),
      tokens: cost.tokens,
    };
    if (cost.incomplete) result.costIncomplete = true;
    if (skips.length > 0) result.skipDetails = skips.map((r) => r.details);
    if (infraSkips.length > 0) result.infraSkipCount = infraSkips.length;
    if (wasRerun) {
      result.decidedBy = 'majority';
      result.rerun = { ...rer, seeds: lv.rerun.map((r) => r.seed) };
      noteParts.push(`${level} ${orig.passCount}/${effectiveCount(orig)} + re-run ${rer.passCount}/${effectiveCount(rer)} → ${passed ? 'passed' : 'failed'}`);
    }
    if (combined.totalCount > 0 && combined.totalCount === combined.skipCount && infraSkips.length > 0) {
      result.inconclusive = true;
    }
    levelResults.push(result);
    resolvedOutcomes.push({ level, passed, effective: effectiveCount(combined) });
  }

  const highestLevel = highestPassingLevel(levelResults);
  const notes: string[] = [];
  if (p.rerunLevels.length > 0) {
    let note =
      `Inversion (${p.inversions.map((i) => i.description).join('; ')}): re-ran ${p.rerunLevels.join(', ')} with ${instances} fresh instance(s) each ` +
      `(instances ${instances}–${2 * instances - 1}) and decided each by majority of original + re-run: ${noteParts.join('; ')}. Recorded ${highestLevel}.`;
    const still = detectInversions(p.id, resolvedOutcomes);
    if (still.length > 0) note += ` The inversion persists after the re-run (${still.map((i) => i.description).join('; ')}); the highest passing level is recorded (reference rule).`;
    notes.push(note);
  }
  const inconclusive = levelResults.filter((l) => l.inconclusive === true).map((l) => l.level);
  if (inconclusive.length > 0) {
    notes.push(`${inconclusive.join(', ')}: every instance was skipped because of infrastructure failures, so the level could not be measured; profile again (force + primitives) to measure it.`);
  }

  const detail: PrimitiveProfileDetail & Record<string, unknown> = {
    primitiveId: p.id,
    highestLevel,
    levelResults: levelResults as PrimitiveProfileDetail['levelResults'],
    ...(notes.length > 0 ? { calibrationNote: notes.join(' ') } : {}),
    convLogDir: primLogDir,
    costUsd,
    tokens,
    durationMs,
  };
  if (costIncomplete) detail.costIncomplete = true;
  return detail;
}

function buildTcp(s: JobState, isPartial: boolean): TcpInput {
  const newIds = new Set(s.finished.map((d) => d.primitiveId));
  const kept = s.kept.filter((d) => !newIds.has(d.primitiveId));
  const details = [...kept, ...s.finished];
  const capabilities: Record<string, Level> = {};
  for (const d of kept) capabilities[d.primitiveId] = s.keptCaps[d.primitiveId] ?? d.highestLevel;
  for (const d of s.finished) capabilities[d.primitiveId] = d.highestLevel;
  let totalUsd = 0;
  let totalTokens = emptyUsage();
  let incomplete = false;
  for (const d of details) {
    const c = detailCost(d);
    totalUsd += c.usd;
    totalTokens = addUsage(totalTokens, c.tokens);
    incomplete ||= c.incomplete;
  }
  const cost: Record<string, unknown> = { totalUsd, totalTokens, durationMs: s.priorDurationMs + (Date.now() - s.startedAt) };
  if (incomplete) cost.incomplete = true;
  return {
    version: TCP_VERSION,
    model: s.model,
    harness: s.harness,
    profiledAt: s.profiledAt,
    capabilities,
    details,
    cost: cost as TcpInput['cost'],
    isPartial,
    profileSeed: s.profileSeed,
  } as TcpInput;
}
