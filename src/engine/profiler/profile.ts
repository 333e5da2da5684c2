import { randomInt } from 'node:crypto';
import { assertRunnableAdapter } from '../agent/adapters/registry.js';
import { profileDirPath } from '../profiles/store.js';
import { needsRoute } from '../runtime/host.js';
import { anySignal } from '../util/abort.js';
import { CancelledError, SkvmError, UsageError, errorMessage } from '../util/errors.js';
import type { HeldLock } from '../util/lock.js';
import { silentLogger, type Logger } from '../util/log.js';
import { newJobState, routeOf, type JobIdentity, type JobState } from './job.js';
import { describeHolder, profileRunningError, tryJobLock, waitForJobLock } from './job-lock.js';
import { planJob } from './plan.js';
import { ProbeScheduler } from './scheduler.js';
import { loadProbeGenerators, resolvePrimitives } from './select.js';
import { ProfilingSession } from './session.js';
import type { ProbeGenerator } from './types.js';
import { DEFAULT_HARNESS, DEFAULT_INSTANCES, type ProfileJob, type ProfileManyEntry, type ProfileManyResult, type ProfileModelOptions, type ProfileModelResult, type ProfileSessionOptions } from './session-types.js';

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
 *
 * One profiling per job at a time (job-lock.ts): the jobs whose lock is free run at once; a job
 * another process (or run) is profiling either waits — alongside the others' work — and is then
 * planned without `force` against the profile the other run left, so a finished profile is
 * reused and an interrupted one resumed; or, with `ifRunning: 'fail'`, is reported as running
 * there (ok:false, code profile_running).
 */
export async function profileMany(jobsIn: readonly ProfileJob[], opts: ProfileSessionOptions): Promise<ProfileManyResult> {
  const log = opts.log ?? silentLogger;
  if (jobsIn.length === 0) throw new UsageError('Nothing to profile: no model given.');
  const generators = opts.generators ?? (await loadProbeGenerators());
  const target = resolvePrimitives(generators, opts.primitives, opts.skip);
  const jobs = validateJobs(jobsIn, opts.profilesDir);
  const ctx: BatchContext = {
    opts,
    log,
    target,
    generators: new Map(generators.map((g) => [g.primitiveId, g])),
    sessionSeed: opts.profileSeed ?? randomInt(0, 0x7fffffff),
    multi: jobs.length > 1,
    ran: [],
    scheduler: new ProbeScheduler({
      ...(opts.concurrency !== undefined ? { concurrency: opts.concurrency } : {}),
      ...(opts.onConcurrency ? { onConcurrency: opts.onConcurrency } : {}),
    }),
  };

  const entries = new Map<string, ProfileManyEntry>();
  const free: HeldJob[] = [];
  const busy: JobIdentity[] = [];
  try {
    for (const j of jobs) {
      const claim = await tryJobLock(opts.profilesDir, j, opts.runId);
      if (claim.acquired) free.push({ job: j, lock: claim.lock });
      else if (opts.ifRunning === 'fail') entries.set(j.key, failedEntry(j, profileRunningError(j, claim.owner)));
      else busy.push(j);
    }
  } catch (err) {
    await releaseAll(free);
    throw err;
  }

  // Jobs another process holds are waited for while the free ones run.
  const stopWaiting = new AbortController();
  const waitSignal = anySignal([opts.signal, stopWaiting.signal]);
  const waited = Promise.allSettled(
    busy.map(async (j): Promise<HeldJob> => {
      const lock = await waitForJobLock(opts.profilesDir, j, opts.runId, {
        signal: waitSignal,
        onBusy: (owner) => {
          const msg = `waiting for ${describeHolder(owner)}, which is profiling ${j.model} on ${j.harness}`;
          log.info(msg);
          reportProgress(opts, msg);
        },
      });
      log.info(`${j.model} (${j.harness}): the other profiling run ended; using what it left in the cache`);
      return { job: j, lock };
    }),
  );
  try {
    await runBatch(free.map((h) => h.job), ctx, entries);
  } catch (err) {
    stopWaiting.abort(err);
    throw err;
  } finally {
    await releaseAll(free);
    // On failure, release whatever the waits got before they stopped.
    if (stopWaiting.signal.aborted) await releaseAll((await waited).flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])));
  }
  const after = await waited;
  const rejected = after.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  const second = after.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  try {
    if (rejected) throw rejected.reason;
    await runBatch(second.map((h) => h.job), { ...ctx, opts: { ...opts, force: false } }, entries);
  } finally {
    await releaseAll(second);
  }

  const concurrency = ctx.scheduler.windowStats();
  for (const s of ctx.ran) if (s.result) s.result.concurrency = concurrency.filter((w) => w.key === s.routeKey);
  return { jobs: jobs.map((j) => entries.get(j.key)!), concurrency };
}

interface HeldJob {
  job: JobIdentity;
  lock: HeldLock;
}

interface BatchContext {
  opts: ProfileSessionOptions;
  log: Logger;
  target: readonly string[];
  generators: ReadonlyMap<string, ProbeGenerator>;
  sessionSeed: number;
  multi: boolean;
  scheduler: ProbeScheduler;
  /** Every job that ran in a batch (for the route windows of its result). */
  ran: JobState[];
}

/** Every job checked before any work: a supported harness, a usable cache name, no duplicates. */
function validateJobs(jobsIn: readonly ProfileJob[], profilesDir: string): JobIdentity[] {
  const seen = new Set<string>();
  return jobsIn.map((j) => {
    const harness = j.harness ?? DEFAULT_HARNESS;
    assertRunnableAdapter(harness);
    profileDirPath(profilesDir, harness, j.model); // throws UsageError on unusable names
    const key = `${harness}::${j.model}`;
    if (seen.has(key)) throw new UsageError(`${j.model} on ${harness} is listed twice.`);
    seen.add(key);
    return { model: j.model, harness, key };
  });
}

/** Plans the jobs (whose locks are held) against the cache and runs the ones with work in one session. */
async function runBatch(jobs: readonly JobIdentity[], ctx: BatchContext, entries: Map<string, ProfileManyEntry>): Promise<void> {
  if (jobs.length === 0) return;
  const { opts, log } = ctx;
  const explicitPrimitives = opts.primitives !== undefined && opts.primitives.length > 0;
  const states: JobState[] = [];
  const capped = new Set<string>();
  for (const j of jobs) {
    try {
      const planned = await planJob(j, opts, ctx.target, explicitPrimitives, ctx.sessionSeed, log);
      if (planned.kind === 'cached') {
        entries.set(j.key, { model: j.model, harness: j.harness, ok: true, result: planned.result });
        continue;
      }
      const ownLogin = opts.hostFor ? !needsRoute(opts.hostFor(j.harness), j.harness) : false;
      const route = routeOf(opts.llm, j.model, ownLogin, opts.concurrency);
      if (opts.concurrency !== undefined && opts.concurrency > route.limit && !capped.has(route.key)) {
        capped.add(route.key);
        log.warn(`${j.model}: at most ${route.limit} probe runs at once, not ${opts.concurrency} — its route allows ${route.limit} requests in flight (raise the route's maxConcurrency in skvm.config.json to go higher)`);
      }
      ctx.scheduler.window(route.key, route.limit);
      const state = newJobState(j, planned, { routeKey: route.key, generators: ctx.generators, logsDir: opts.logsDir, ...(opts.signal ? { signal: opts.signal } : {}) });
      states.push(state);
      if (planned.resumed) log.info(`${j.model} (${j.harness}): resuming a partial profile — ${planned.kept.length} primitive(s) kept, ${planned.pending.length} to run`);
    } catch (err) {
      if (err instanceof UsageError || err instanceof CancelledError) throw err;
      entries.set(j.key, failedEntry(j, err));
    }
  }
  const instances = Math.max(1, Math.floor(opts.instances ?? DEFAULT_INSTANCES));
  ctx.ran.push(...states);
  await new ProfilingSession(opts, ctx.scheduler, instances, log, ctx.multi).run(states);
  for (const s of states) {
    if (s.result) entries.set(s.key, { model: s.model, harness: s.harness, ok: true, result: s.result });
    else entries.set(s.key, failedEntry(s, s.error ?? new SkvmError(`Profiling ${s.model} did not finish.`)));
  }
}

/** A progress message outside the probe count (total unknown); a throwing callback is only logged. */
function reportProgress(opts: ProfileSessionOptions, message: string): void {
  try {
    opts.onProgress?.(0, undefined, message);
  } catch (err) {
    opts.log?.warn(`progress callback failed: ${errorMessage(err)}`);
  }
}

function failedEntry(j: { model: string; harness: string }, error: unknown): ProfileManyEntry {
  return { model: j.model, harness: j.harness, ok: false, error, message: errorMessage(error) };
}

async function releaseAll(held: readonly HeldJob[]): Promise<void> {
  await Promise.all(held.map((h) => h.lock.release().catch(() => undefined)));
}
