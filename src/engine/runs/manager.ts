import { randomBytes } from 'node:crypto';
import * as os from 'node:os';
import type { LimitFunction } from 'p-limit';
import { sleep } from '../util/abort.js';
import { describeError, SkvmError } from '../util/errors.js';
import { teeLogger, type Logger } from '../util/log.js';
import { redact, redactValue } from '../util/redact.js';
import type { UsageRecord } from '../llm/types.js';
import { emptyRunUsage, TERMINAL, type RunRecord, type RunStatus } from './record.js';
import { RunStore } from './store.js';
import { pidAlive } from '../util/process.js';

export interface RunWorkContext {
  runId: string;
  progress(done: number, total?: number, message?: string): void;
  signal: AbortSignal;
  log: Logger;
  onUsage(rec: UsageRecord): void;
}

export interface StartRunOptions<O> {
  operation: string;
  label: string;
  input: Record<string, unknown>;
  work: (ctx: RunWorkContext) => Promise<O>;
  summarize?: (output: O) => string;
}

export interface WaitOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** Called whenever the run's progress or status changes while waiting. */
  onChange?: (rec: RunRecord) => void;
}

export interface ListRunsOptions {
  status?: RunStatus[];
  operation?: string;
  limit?: number;
}

interface ActiveRun {
  record: RunRecord;
  controller: AbortController;
  stop?: 'cancel' | 'shutdown';
  settled: boolean;
  done?: Promise<void>;
  writeTimer?: NodeJS.Timeout;
  lastHeartbeat: number;
}

const PROGRESS_WRITE_MS = 200;
const HEARTBEAT_MS = 5_000;
const TICK_MS = 500;
/** A run whose owner stopped heart-beating this long ago is treated as dead. */
const STALE_MS = 120_000;
const POLL_MS = 250;

/**
 * Runs long operations in the background of this process, persists their state through
 * RunStore so any process sees them, and lets callers wait on, inspect or cancel them.
 */
export class RunManager {
  readonly store: RunStore;
  readonly instance = randomBytes(6).toString('hex');
  private readonly host = os.hostname();
  private readonly active = new Map<string, ActiveRun>();
  private readonly listeners = new Map<string, Set<(rec: RunRecord) => void>>();
  /** Set by init(): p-limit loads with the first run, not with the server. */
  private limit?: LimitFunction;
  private ticker?: NodeJS.Timeout;
  private initialized?: Promise<void>;

  constructor(
    dir: string,
    private readonly log: Logger,
    private readonly maxConcurrent = 4,
  ) {
    this.store = new RunStore(dir);
  }

  /**
   * Create the directory and mark runs whose process died as interrupted. Idempotent. Only the
   * runs marked live are read: every CLI command that starts a run comes through here, and the
   * records kept grow with each one. (A record left unfinished without a marker, by a version
   * before the markers, is reconciled when get or list reads it.)
   */
  init(): Promise<void> {
    this.initialized ??= (async () => {
      const { default: pLimit } = await import('p-limit');
      this.limit = pLimit(this.maxConcurrent);
      await this.store.init();
      for (const id of await this.store.liveIds()) {
        const rec = await this.store.read(id);
        if (!rec || TERMINAL.has(rec.status)) await this.store.clearLive(id);
        else await this.reconcile(rec);
      }
    })();
    return this.initialized;
  }

  async start<O>(opts: StartRunOptions<O>): Promise<RunRecord> {
    await this.init();
    const now = new Date().toISOString();
    const record: RunRecord = {
      id: RunStore.newId(),
      operation: opts.operation,
      label: redact(opts.label),
      input: redactValue(opts.input),
      status: 'queued',
      progress: { done: 0, total: null, message: null, updatedAt: now },
      createdAt: now,
      startedAt: null,
      endedAt: null,
      heartbeatAt: now,
      result: null,
      resultSummary: null,
      error: null,
      usage: emptyRunUsage(),
      owner: { pid: process.pid, host: this.host, instance: this.instance },
    };
    const run: ActiveRun = { record, controller: new AbortController(), settled: false, lastHeartbeat: Date.now() };
    this.active.set(record.id, run);
    await Promise.all([this.store.markLive(record.id), this.store.write(record)]);
    await this.store.appendEvent(record.id, { type: 'created', status: 'queued', message: record.label });
    this.ensureTicker();
    run.done = this.limit!(() => this.execute(run, opts));
    return structuredClone(record);
  }

  private async execute<O>(run: ActiveRun, opts: StartRunOptions<O>): Promise<void> {
    if (run.settled) return;
    const id = run.record.id;
    if (run.controller.signal.aborted) return this.settle(run, run.stop === 'shutdown' ? 'interrupted' : 'cancelled', {});
    run.record.status = 'running';
    run.record.startedAt = new Date().toISOString();
    await this.persist(run);
    await this.store.appendEvent(id, { type: 'status', status: 'running' });
    this.notify(run.record);

    const log = teeLogger(this.log.child(id), (level, msg) => {
      void this.store.appendEvent(id, { type: 'log', level, message: msg }).catch(() => {});
    });
    const ctx: RunWorkContext = {
      runId: id,
      signal: run.controller.signal,
      log,
      progress: (done, total, message) => this.onProgress(run, done, total, message),
      onUsage: (rec) => this.onUsage(run, rec),
    };
    try {
      const output = await opts.work(ctx);
      if (run.controller.signal.aborted) {
        await this.settle(run, run.stop === 'shutdown' ? 'interrupted' : 'cancelled', {});
        return;
      }
      await this.settle(run, 'succeeded', {
        result: output,
        resultSummary: opts.summarize ? safeSummary(opts.summarize, output) : null,
      });
    } catch (err) {
      if (run.controller.signal.aborted) {
        await this.settle(run, run.stop === 'shutdown' ? 'interrupted' : 'cancelled', {});
      } else {
        const e = err instanceof SkvmError ? { message: err.message, hint: err.hint, code: err.code } : { message: describeError(err), code: 'error' };
        await this.settle(run, 'failed', { error: { ...e, message: redact(e.message) } });
      }
    }
  }

  private async settle(
    run: ActiveRun,
    status: RunStatus,
    fields: { result?: unknown; resultSummary?: string | null; error?: RunRecord['error'] },
  ): Promise<void> {
    if (run.settled) return;
    run.settled = true;
    if (run.writeTimer) clearTimeout(run.writeTimer);
    const rec = run.record;
    rec.status = status;
    rec.endedAt = new Date().toISOString();
    rec.heartbeatAt = rec.endedAt;
    if (fields.result !== undefined) rec.result = redactValue(fields.result);
    if (fields.resultSummary !== undefined) rec.resultSummary = fields.resultSummary && redact(fields.resultSummary);
    if (fields.error) rec.error = fields.error;
    if (status === 'cancelled' && !rec.error) rec.error = { message: 'Cancelled on request.', code: 'cancelled' };
    if (status === 'interrupted' && !rec.error) {
      rec.error = {
        message: 'The server stopped while this run was in progress.',
        hint: 'Start the operation again; work already saved (e.g. a partial profile) is resumed.',
        code: 'interrupted',
      };
    }
    await this.store.write(rec);
    await this.store.appendEvent(rec.id, { type: 'status', status, ...(rec.error ? { message: rec.error.message } : {}) });
    await Promise.all([this.store.clearCancel(rec.id), this.store.clearLive(rec.id)]);
    this.store.release(rec.id);
    this.active.delete(rec.id);
    this.notify(rec);
    if (this.active.size === 0) this.stopTicker();
  }

  private onProgress(run: ActiveRun, done: number, total?: number, message?: string): void {
    if (run.settled) return;
    const p = run.record.progress;
    const changedMessage = message !== undefined && message !== p.message;
    p.done = done;
    if (total !== undefined) p.total = total;
    if (message !== undefined) p.message = redact(message);
    p.updatedAt = new Date().toISOString();
    this.notify(run.record);
    void this.store
      .appendEvent(run.record.id, { type: 'progress', done, total: p.total, ...(changedMessage ? { message: p.message ?? '' } : {}) })
      .catch(() => {});
    this.schedulePersist(run);
  }

  private onUsage(run: ActiveRun, rec: UsageRecord): void {
    const u = run.record.usage;
    u.calls += 1;
    u.retries += Math.max(0, rec.attempts - 1);
    if (!rec.ok) u.failedCalls += 1;
    u.tokens.input += rec.usage.input;
    u.tokens.output += rec.usage.output;
    u.tokens.cacheRead += rec.usage.cacheRead;
    u.tokens.cacheWrite += rec.usage.cacheWrite;
    if (rec.costUsd === null) u.costComplete = false;
    else u.costUsd += rec.costUsd;
    this.schedulePersist(run);
  }

  private schedulePersist(run: ActiveRun): void {
    if (run.writeTimer || run.settled) return;
    run.writeTimer = setTimeout(() => {
      run.writeTimer = undefined;
      if (!run.settled) void this.persist(run).catch((err) => this.log.warn(`could not save run ${run.record.id}: ${describeError(err)}`));
    }, PROGRESS_WRITE_MS);
  }

  private async persist(run: ActiveRun): Promise<void> {
    run.record.heartbeatAt = new Date().toISOString();
    run.lastHeartbeat = Date.now();
    await this.store.write(run.record);
  }

  /** Record of a run: live state if it runs here, else the file (dead owners reconciled). */
  async get(id: string): Promise<RunRecord> {
    await this.init();
    const run = this.active.get(id);
    if (run) return structuredClone(run.record);
    return this.reconcile(await this.store.require(id));
  }

  async list(opts: ListRunsOptions = {}): Promise<RunRecord[]> {
    await this.init();
    const limit = opts.limit ?? 20;
    const out: RunRecord[] = [];
    for (const id of await this.store.ids()) {
      const live = this.active.get(id);
      const rec = live ? structuredClone(live.record) : await this.store.read(id).then((r) => r && this.reconcile(r));
      if (!rec) continue;
      if (opts.status && !opts.status.includes(rec.status)) continue;
      if (opts.operation && rec.operation !== opts.operation) continue;
      out.push(rec);
      if (out.length >= limit) break;
    }
    return out;
  }

  /**
   * Wait until the run ends or `timeoutMs` passes (or the caller's signal aborts — which
   * ends the wait, never the run). Returns the latest record either way.
   */
  async wait(id: string, opts: WaitOptions): Promise<RunRecord> {
    let rec = await this.get(id);
    if (TERMINAL.has(rec.status) || opts.timeoutMs <= 0 || opts.signal?.aborted) return rec;
    // An infinite timeout means "until the run ends" (the CLI); no timer is set then.
    const deadline = Date.now() + opts.timeoutMs;
    if (this.active.has(id)) {
      return new Promise<RunRecord>((resolve) => {
        const listeners = this.listeners.get(id) ?? new Set();
        this.listeners.set(id, listeners);
        // The record a run ended with is the one just saved: no need to read it back.
        const finish = (ended?: RunRecord) => {
          clearTimeout(timer);
          listeners.delete(onChange);
          opts.signal?.removeEventListener('abort', onAbort);
          const live = this.active.get(id);
          resolve(ended ? structuredClone(ended) : live ? structuredClone(live.record) : this.get(id));
        };
        const onAbort = () => finish();
        const onChange = (r: RunRecord) => {
          opts.onChange?.(structuredClone(r));
          if (TERMINAL.has(r.status)) finish(r);
        };
        const timer = Number.isFinite(deadline) ? setTimeout(finish, Math.max(0, deadline - Date.now())) : undefined;
        listeners.add(onChange);
        opts.signal?.addEventListener('abort', onAbort, { once: true });
      });
    }
    // Owned by another process: poll its file.
    let lastKey = changeKey(rec);
    while (Date.now() < deadline && !opts.signal?.aborted) {
      try {
        await sleep(Math.min(POLL_MS, Math.max(0, deadline - Date.now())), opts.signal);
      } catch {
        break;
      }
      rec = await this.get(id);
      const key = changeKey(rec);
      if (key !== lastKey) {
        lastKey = key;
        opts.onChange?.(rec);
      }
      if (TERMINAL.has(rec.status)) break;
    }
    return rec;
  }

  /**
   * Cancel a run. Runs of this process are aborted at once; runs of another live process get
   * a cancel request that its ticker picks up within a second; runs of a dead process are
   * marked cancelled. Waits briefly for the run to settle and returns its record.
   */
  async cancel(id: string, reason = 'cancelled on request'): Promise<RunRecord> {
    await this.init();
    const run = this.active.get(id);
    if (run) {
      run.stop ??= 'cancel';
      await this.store.appendEvent(id, { type: 'cancel-requested', message: reason });
      if (run.record.status === 'queued') {
        run.controller.abort(reason);
        await this.settle(run, 'cancelled', { error: { message: `Cancelled before it started: ${reason}.`, code: 'cancelled' } });
      } else {
        run.controller.abort(reason);
        await Promise.race([run.done, sleep(2_000)]);
      }
      return this.get(id);
    }
    const rec = await this.get(id);
    if (TERMINAL.has(rec.status)) return rec;
    await this.store.requestCancel(id, reason);
    await this.store.appendEvent(id, { type: 'cancel-requested', message: reason });
    return this.wait(id, { timeoutMs: 3_000 });
  }

  /** Abort every run of this process and record it as interrupted (resumable). */
  async shutdown(reason = 'server shutting down'): Promise<void> {
    const runs = [...this.active.values()];
    for (const run of runs) {
      run.stop ??= 'shutdown';
      run.controller.abort(reason);
    }
    await Promise.race([Promise.allSettled(runs.map((r) => r.done)), sleep(2_000)]);
    for (const run of runs) if (!run.settled) await this.settle(run, 'interrupted', {});
    this.stopTicker();
  }

  /** Run ids currently executing in this process. */
  activeIds(): string[] {
    return [...this.active.keys()];
  }

  private notify(rec: RunRecord): void {
    const ls = this.listeners.get(rec.id);
    if (!ls) return;
    for (const l of [...ls]) l(rec);
    if (TERMINAL.has(rec.status)) this.listeners.delete(rec.id);
  }

  /** Heartbeats and cross-process cancel requests for the runs of this process. */
  private ensureTicker(): void {
    if (this.ticker) return;
    this.ticker = setInterval(() => void this.tick(), TICK_MS);
    this.ticker.unref();
  }

  private stopTicker(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
  }

  private async tick(): Promise<void> {
    for (const run of [...this.active.values()]) {
      if (run.settled) continue;
      const reason = await this.store.cancelRequested(run.record.id);
      if (reason !== undefined) {
        run.stop ??= 'cancel';
        if (run.record.status === 'queued') await this.settle(run, 'cancelled', {});
        else run.controller.abort(reason);
        continue;
      }
      if (Date.now() - run.lastHeartbeat >= HEARTBEAT_MS) await this.persist(run).catch(() => {});
    }
  }

  /** A non-terminal record whose owner is gone becomes `interrupted` (and is saved so). */
  private async reconcile(rec: RunRecord): Promise<RunRecord> {
    if (TERMINAL.has(rec.status) || rec.owner.instance === this.instance) return rec;
    const stale = Date.now() - Date.parse(rec.heartbeatAt) > STALE_MS;
    const dead = rec.owner.host === this.host ? !pidAlive(rec.owner.pid) || stale : stale;
    if (!dead) return rec;
    const cancelReason = await this.store.cancelRequested(rec.id);
    const now = new Date().toISOString();
    const updated: RunRecord = {
      ...rec,
      status: cancelReason !== undefined ? 'cancelled' : 'interrupted',
      endedAt: now,
      heartbeatAt: now,
      error:
        cancelReason !== undefined
          ? { message: `Cancelled: ${cancelReason}.`, code: 'cancelled' }
          : {
              message: `The process running this run (pid ${rec.owner.pid}) stopped before it finished.`,
              hint: 'Start the operation again; work already saved (e.g. a partial profile) is resumed.',
              code: 'interrupted',
            },
    };
    await this.store.write(updated);
    this.store.release(rec.id);
    await Promise.all([this.store.clearCancel(rec.id), this.store.clearLive(rec.id)]);
    await this.store.appendEvent(rec.id, { type: 'status', status: updated.status, message: updated.error!.message });
    return updated;
  }
}


function changeKey(rec: RunRecord): string {
  return `${rec.status}|${rec.progress.done}|${rec.progress.total}|${rec.progress.message}`;
}

function safeSummary<O>(fn: (o: O) => string, out: O): string | null {
  try {
    return fn(out);
  } catch {
    return null;
  }
}

