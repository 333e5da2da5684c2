import * as path from 'node:path';
import { emptyUsage } from '../llm/types.js';
import { PROBE_LEVELS, type ProbeLevel } from '../primitives/catalog.js';
import { saveFailureReports, savePartialProfile, saveProfile } from '../profiles/store.js';
import { CancelledError, SkvmError, errorMessage } from '../util/errors.js';
import { Semaphore } from '../util/async.js';
import type { Logger } from '../util/log.js';
import { buildDetail, buildTcp, freeProfiledAt, tallyOf } from './assemble.js';
import { detectInversions, effectiveCount, levelPasses, levelsToRerun } from './calibrate.js';
import type { JobState, PrimState } from './job.js';
import { classifyError, discardPreparation, instanceLogPaths, isCongested, prepareProbe, runInstance, type Preparation, DEFAULT_INFRA_BACKOFF_MS, DEFAULT_INFRA_RETRIES, DEFAULT_MAX_STEPS, DEFAULT_PROBE_TIMEOUT_MS, type InstanceResult } from './runner.js';
import type { ProbeScheduler } from './scheduler.js';
import { DEFAULT_MAX_CONSECUTIVE_INFRA_SKIPS, type ProfileSessionOptions } from './session-types.js';
import { instanceSeed } from './toolkit.js';
import type { ProbeInstance } from './types.js';

/** A probe run made ready ahead of its slot: its instance and preparation, or the skip a failing generator makes. */
type Staged = { instance: ProbeInstance; preparation: Promise<Preparation> } | { result: InstanceResult };

/**
 * Probes graded at once at most, whatever the concurrency (checks may start sandboxed commands).
 * Twice the concurrency below that: a probe frees its model slot only once it may be graded, so
 * a run of slow checks (a sandboxed python each) must not keep the next probes off the model.
 */
const MAX_GRADING = 16;

/**
 * One profiling session at work: every probe run of every job through one scheduler queue.
 * The life of a primitive: its instances are submitted level by level; each result is recorded
 * (stats, progress, the job's infra-skip streak); when the last one is in, an inversion sends
 * fresh instances of the inverted levels to the front of the queue, else the primitive's detail
 * is built and the job checkpointed; the job's last primitive saves the profile. A job that
 * cannot go on is failed alone (its queued runs dropped, its running ones aborted).
 * A probe is generated and prepared (work dir, setup files, local server) while it waits for a
 * scheduler slot, holds the slot while its agent talks to the model, and frees it for grading
 * (check, failure report, logs): the engine's work overlaps the LLM calls of other probes.
 */
export class ProfilingSession {
  private done = 0;
  private total = 0;
  /**
   * Probes being graded at once. A probe frees its scheduler slot when its agent is done, once
   * it holds one of these, so checks and reports overlap the next probes' LLM calls without
   * piling up faster than they finish.
   */
  private readonly grading: Semaphore;
  /**
   * Setting up a probe is event-loop work. When several runs start at once (the first window of
   * a profile: as many as the concurrency), each sets up only once the run two before it talks to
   * the model, and queued runs set up ahead only once the session's first two do: all at once,
   * the eight first set-ups and the next eight ahead held back the first requests by ~40 ms, and
   * the first two requests decide when the last round ends (their slots carry the extra calls).
   * `burst`: the runs started in this event-loop turn, each settling once it talks (or ends).
   */
  private burst: Array<Promise<void>> | undefined;
  /** The session's first two runs, each settling once it talks to the model (or ends). */
  private readonly opening: Array<Promise<void>> = [];
  /** Prepared probes being cleaned up because their runs were dropped. */
  private readonly discarding = new Set<Promise<void>>();

  constructor(
    private readonly opts: ProfileSessionOptions,
    private readonly scheduler: ProbeScheduler,
    private readonly instances: number,
    private readonly log: Logger,
    /** Progress messages name the model when the session has several jobs. */
    private readonly multi: boolean,
  ) {
    this.grading = new Semaphore(Math.max(2, Math.min(2 * scheduler.concurrency, MAX_GRADING)));
  }

  /** Runs every job to its end (saved or failed); rejects on cancellation or an unexpected error. */
  async run(jobs: readonly JobState[]): Promise<void> {
    for (const s of jobs) this.total += s.pending.length * PROBE_LEVELS.length * this.instances;
    // Queue everything: job by job, primitive by primitive (catalog order), level by level.
    for (const s of jobs) {
      for (const p of s.pending) for (const l of PROBE_LEVELS) for (let i = 0; i < this.instances; i++) this.submit(p, l, i, false);
    }
    try {
      for (const s of jobs) if (s.pending.length === 0) await this.finishJob(s);
      await this.scheduler.whenIdle();
    } catch (err) {
      this.scheduler.fail(err);
      for (const s of jobs) s.ctl.abort(err);
      await this.scheduler.whenIdle().catch(() => undefined);
      await Promise.all([...jobs.map((s) => s.saveChain), ...this.discarding]);
      if (this.opts.signal?.aborted || err instanceof CancelledError) throw err instanceof CancelledError ? err : new CancelledError(this.opts.signal?.reason);
      throw err;
    }
    await Promise.all([...jobs.map((s) => s.saveChain), ...this.discarding]);
  }

  private submit(p: PrimState, level: ProbeLevel, index: number, rerun: boolean): void {
    p.outstanding++;
    const s = p.job;
    let staged: Staged | undefined;
    const stage = (): Staged => (staged ??= this.stage(p, level, index));
    let dropped = false;
    const discard = () => {
      dropped = true;
      if (!staged || !('preparation' in staged)) return;
      const done = discardPreparation(staged.preparation);
      this.discarding.add(done);
      void done.finally(() => this.discarding.delete(done));
    };
    this.scheduler.submit(
      s.routeKey,
      s.key,
      async (release) => {
        if (s.error !== undefined) return discard();
        let talking!: () => void;
        const talks = new Promise<void>((resolve) => (talking = resolve));
        const before = this.startTogether(talks, staged !== undefined);
        try {
          if (before) await before;
          await p.gen.ready?.();
          if (s.error !== undefined) return discard();
          const st = stage();
          const result = 'result' in st ? st.result : await this.runOne(p, level, index, rerun, st, release, talking);
          if (result !== undefined) await this.record(p, level, rerun, result);
        } finally {
          talking();
        }
      },
      // Queued runs set up ahead only once the first two are talking to the model (see opening).
      { front: rerun, prepare: () => void Promise.all(this.opening).then(() => p.gen.ready?.()).then(() => dropped || stage(), () => undefined), discard },
    );
  }

  /** The instance of a probe run, its preparation started (or the skip a failing generator makes). */
  private stage(p: PrimState, level: ProbeLevel, index: number): Staged {
    const seed = instanceSeed(p.job.profileSeed, p.id, level, index);
    let instance: ProbeInstance;
    try {
      instance = p.gen.generate(level, seed);
    } catch (err) {
      this.log.error(`${p.id} ${level}: the generator failed for seed ${seed}: ${errorMessage(err)}`);
      return { result: generatorErrorResult(index, seed, `skipped (generator error): ${errorMessage(err)}`) };
    }
    const preparation = prepareProbe(instance, { tmpRoot: this.opts.tmpRoot, ...(this.opts.onProbe ? { onProbe: this.opts.onProbe } : {}) });
    return { instance, preparation };
  }

  /** Registers a starting run (`talks` settles once it talks to the model); what it must wait for before setting up, if anything. */
  private startTogether(talks: Promise<void>, prepared: boolean): Promise<void> | undefined {
    if (!this.burst) {
      this.burst = [];
      setImmediate(() => (this.burst = undefined));
    }
    const before = prepared ? undefined : this.burst[this.burst.length - 2];
    this.burst.push(talks);
    if (this.opening.length < 2) this.opening.push(talks);
    return before;
  }

  /** One instance through the runner (its slot freed for grading); undefined when its job was stopped meanwhile. */
  private async runOne(
    p: PrimState,
    level: ProbeLevel,
    index: number,
    rerun: boolean,
    st: { instance: ProbeInstance; preparation: Promise<Preparation> },
    release: () => void,
    talking: () => void,
  ): Promise<InstanceResult | undefined> {
    const s = p.job;
    const opts = this.opts;
    const instance = st.instance;
    const window = this.scheduler.window(s.routeKey);
    let grading = false;
    try {
      const r = await runInstance(instance, {
        model: s.model,
        llm: opts.llm,
        tmpRoot: opts.tmpRoot,
        sandbox: opts.sandbox,
        timeoutMs: opts.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS,
        maxSteps: opts.maxSteps ?? DEFAULT_MAX_STEPS,
        index,
        prepared: st.preparation,
        logs: instanceLogPaths(path.join(s.logDir, p.id, level), index),
        adapter: s.harness,
        ...(opts.hostFor ? { harness: opts.hostFor(s.harness) } : {}),
        ...(opts.onProbe ? { onProbe: opts.onProbe } : {}),
        signal: s.signal,
        log: this.log,
        infraRetries: opts.infraRetries ?? DEFAULT_INFRA_RETRIES,
        infraBackoffMs: opts.infraBackoffMs ?? DEFAULT_INFRA_BACKOFF_MS,
        onCall: (rec) => {
          const startedAt = rec.startedAt - (Date.now() - this.scheduler.now());
          if (isCongested(rec)) window.congestion(startedAt, rec.ok ? rec.attempts : Infinity);
          else if (rec.ok) window.cleanCall();
        },
        // Set-up waiting on this run starts once its request is on its way, not while the client builds it.
        onCallStart: () => void setImmediate(talking),
        onAgentDone: async () => {
          await this.grading.acquire();
          grading = true;
          release();
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
      this.failJob(s, err);
      return undefined;
    } finally {
      if (grading) this.grading.release();
    }
  }

  private async record(p: PrimState, level: ProbeLevel, rerun: boolean, r: InstanceResult): Promise<void> {
    const s = p.job;
    if (s.error !== undefined) return;
    const lv = p.levels[level];
    (rerun ? lv.rerun : lv.original).push(r);
    p.outstanding--;
    this.count(s, r);
    this.reportProgress(p, level, rerun, r);

    const limit = this.opts.maxConsecutiveInfraSkips ?? DEFAULT_MAX_CONSECUTIVE_INFRA_SKIPS;
    if (limit > 0 && s.consecutiveInfraSkips >= limit) {
      this.failJob(
        s,
        new SkvmError(`${s.consecutiveInfraSkips} probe runs in a row of ${s.model} could not run because of infrastructure failures (last: ${r.details}).`, {
          code: 'profile_infra',
          hint: 'The vendor or this machine is failing; the finished primitives are saved as a partial profile — run the profile again later to resume.',
        }),
      );
      return;
    }
    if (p.outstanding > 0) return;
    if (p.phase === 'initial' && this.startReruns(p)) return;
    await this.finishPrimitive(p);
  }

  private count(s: JobState, r: InstanceResult): void {
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
  }

  private reportProgress(p: PrimState, level: ProbeLevel, rerun: boolean, r: InstanceResult): void {
    this.done++;
    const status = r.skipped ? (r.infra ? 'skip (infra)' : 'skip') : r.passed ? 'pass' : 'fail';
    const k = rerun ? r.instance - this.instances + 1 : r.instance + 1;
    const msg = `${this.multi ? `${p.job.model}: ` : ''}${p.id} ${level} ${k}/${this.instances} ${status}${rerun ? ' (re-run)' : ''}`;
    try {
      this.opts.onProgress?.(this.done, this.total, msg);
    } catch (err) {
      this.log.warn(`progress callback failed: ${errorMessage(err)}`);
    }
  }

  /** After the first round: re-runs the levels of an inversion with fresh instances; false when there is none. */
  private startReruns(p: PrimState): boolean {
    const outcomes = PROBE_LEVELS.map((l) => {
      const t = tallyOf(p.levels[l].original);
      return { level: l, passed: levelPasses(t), effective: effectiveCount(t) };
    });
    const inv = detectInversions(p.id, outcomes);
    if (inv.length === 0) return false;
    const n = this.instances;
    p.phase = 'rerun';
    p.inversions = inv;
    p.rerunLevels = levelsToRerun(inv);
    this.log.info(`${p.job.model} ${p.id}: inversion (${inv.map((i) => i.description).join('; ')}); re-running ${p.rerunLevels.join(', ')} with ${n} fresh instance(s) each`);
    this.total += p.rerunLevels.length * n;
    // Submitted last-first: each goes to the front of the queue, so they run in level/index order.
    for (const l of [...p.rerunLevels].reverse()) for (let i = n - 1; i >= 0; i--) this.submit(p, l, n + i, true);
    return true;
  }

  /** Records the primitive's detail and failure reports, checkpoints the job, and saves it after its last primitive. */
  private async finishPrimitive(p: PrimState): Promise<void> {
    const s = p.job;
    p.phase = 'done';
    const detail = buildDetail(p, this.instances, s);
    s.finished.push(detail);
    for (const l of PROBE_LEVELS) {
      const failed = [...p.levels[l].original, ...p.levels[l].rerun].filter((x) => x.failureReport);
      if (failed.length > 0) s.reports[`${p.id}/${l}`] = failed.map((x) => x.failureReport!);
    }
    s.remaining--;
    // The running level table, for the run log: every primitive finished so far and its level.
    this.log.info(
      `${s.model} (${s.harness}) ${p.id} → ${detail.highestLevel} [${detail.levelResults.map((r) => `${r.level} ${r.passCount}/${r.totalCount - (r.skipCount ?? 0)}`).join(', ')}]; ` +
        `so far: ${[...s.kept, ...s.finished].map((d) => `${d.primitiveId}=${d.highestLevel}`).join(' ')} (${s.remaining} to go)`,
    );
    // The last primitive's results go straight into the complete profile.
    if (s.remaining === 0 && s.error === undefined) await this.finishJob(s);
    else await this.checkpoint(s);
  }

  /** A partial save, serialised per job so checkpoints land in order; a failed one is only logged. */
  private async checkpoint(s: JobState): Promise<void> {
    const partial = buildTcp(s, true);
    s.saveChain = s.saveChain
      .then(() => savePartialProfile(this.opts.profilesDir, partial))
      .catch((err: unknown) => this.log.warn(`${s.model}: could not save the partial profile: ${errorMessage(err)}`));
    await s.saveChain;
  }

  /** Saves the complete profile (and the failure-report sidecar); a failure to save fails the job. */
  private async finishJob(s: JobState): Promise<void> {
    if (s.done) return;
    s.done = true;
    try {
      await this.saveJob(s);
    } catch (err) {
      s.done = false;
      this.failJob(s, err);
    }
  }

  private async saveJob(s: JobState): Promise<void> {
    const opts = this.opts;
    await s.saveChain;
    const tcp = buildTcp(s, false);
    const profiledAt = await freeProfiledAt(opts.profilesDir, s);
    tcp.profiledAt = profiledAt;
    const reports = { ...s.keptReports, ...s.reports };
    const [saved, failureReportsPath] = await Promise.all([
      saveProfile(opts.profilesDir, tcp),
      Object.keys(reports).length > 0 || s.hadSidecar ? saveFailureReports(opts.profilesDir, s.harness, s.model, { profiledAt, reports }) : undefined,
    ]);
    s.stats.durationMs = Date.now() - s.startedAt;
    const parsed = saved.profile;
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
    this.log.info(
      `${s.model} (${s.harness}): profile saved — ${Object.entries(parsed.capabilities)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')}`,
    );
  }

  /** Stops one job: its queued runs are dropped and its running ones aborted; the others go on. */
  private failJob(s: JobState, err: unknown): void {
    if (s.error !== undefined || s.done) return;
    s.error = err;
    s.done = true;
    this.scheduler.drop(s.key);
    s.ctl.abort(err);
    this.log.error(`${s.model} (${s.harness}): profiling stopped: ${errorMessage(err)}`);
  }
}

/** An instance that never ran because its generator threw: a skip with the reason. */
function generatorErrorResult(index: number, seed: number, details: string): InstanceResult {
  return {
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
  };
}
