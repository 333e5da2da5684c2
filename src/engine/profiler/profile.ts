import { randomInt } from 'node:crypto';
import { assertSupportedAdapter } from '../agent/registry.js';
import { profileDirPath } from '../profiles/store.js';
import { CancelledError, SkvmError, UsageError, errorMessage } from '../util/errors.js';
import { silentLogger } from '../util/log.js';
import { newJobState, routeKeyOf, type JobState } from './job.js';
import { planJob } from './plan.js';
import { ProbeScheduler } from './scheduler.js';
import { loadProbeGenerators, resolvePrimitives } from './select.js';
import { ProfilingSession } from './session.js';
import { DEFAULT_CONCURRENCY, DEFAULT_HARNESS, DEFAULT_INSTANCES, type ProfileJob, type ProfileManyEntry, type ProfileManyResult, type ProfileModelOptions, type ProfileModelResult, type ProfileSessionOptions } from './session-types.js';

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

export { loadProbeGenerators, resolvePrimitives } from './select.js';
export {
  DEFAULT_CONCURRENCY,
  DEFAULT_HARNESS,
  DEFAULT_INSTANCES,
  DEFAULT_MAX_CONSECUTIVE_INFRA_SKIPS,
  type ProfileJob,
  type ProfileManyEntry,
  type ProfileManyResult,
  type ProfileModelOptions,
  type ProfileModelResult,
  type ProfileSessionOptions,
  type ProfileStats,
  type ProgressCallback,
} from './session-types.js';

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
    assertSupportedAdapter(harness);
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
      const state = newJobState(j, planned, { routeKey: routeKeyOf(opts.llm, j.model), generators: genById, logsDir: opts.logsDir, ...(opts.signal ? { signal: opts.signal } : {}) });
      states.push(state);
      slots.push({ state });
      if (planned.resumed) log.info(`${j.model} (${j.harness}): resuming a partial profile — ${planned.kept.length} primitive(s) kept, ${planned.pending.length} to run`);
    } catch (err) {
      if (err instanceof UsageError || err instanceof CancelledError) throw err;
      slots.push({ entry: { model: j.model, harness: j.harness, ok: false, error: err, message: errorMessage(err) } });
    }
  }

  const session = new ProfilingSession(opts, scheduler, instances, log, multi);
  await session.run(states);

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
