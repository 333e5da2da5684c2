/**
 * One queue of probe runs for a whole profiling session (every job × primitive × level ×
 * instance, plus re-runs added while it runs), bounded by a global concurrency limit and by an
 * adaptive window per LLM route (AIMD, like TCP congestion control):
 *
 * - multiplicative decrease: a call that needed retries or failed with a retryable error
 *   (429, 5xx, timeouts — the vendor is pushing back) halves the route's window, minimum 1.
 *   Only calls that *started* after the previous decrease can decrease it again, so one burst
 *   of 429s sent under the old window halves it once, not once per request;
 * - additive increase: after `growAfter` consecutive clean calls (one attempt each) the window
 *   grows by one, up to the global limit.
 *
 * The window bounds how many probe runs of that route may be running; each run is one agent,
 * whose LLM calls are sequential, so it also bounds the calls in flight. Runs already going when
 * the window shrinks finish normally (nothing is pre-empted). Dispatch is FIFO among the runs
 * whose route has room, so a throttled route never blocks another model's runs; re-runs go to the
 * front of the queue.
 */

export const DEFAULT_GROW_AFTER = 8;

export type ConcurrencyReason = 'decrease' | 'increase';

export interface ConcurrencyEvent {
  /** The route (or model) the window belongs to. */
  key: string;
  limit: number;
  /** Probe runs of that route running right now. */
  running: number;
  reason: ConcurrencyReason | 'start' | 'finish';
  /** ms since the scheduler was created. */
  atMs: number;
}

export interface WindowStats {
  key: string;
  initial: number;
  min: number;
  final: number;
  decreases: number;
  increases: number;
  /** Every change of the limit, in order. */
  trace: Array<{ atMs: number; limit: number; reason: ConcurrencyReason }>;
  /** Clean calls (one attempt), calls that were retried or failed with a retryable error. */
  cleanCalls: number;
  congestedCalls: number;
}

export interface SchedulerOptions {
  concurrency: number;
  /** Clean calls in a row before a window grows by one. Default 8. */
  growAfter?: number;
  onConcurrency?: (ev: ConcurrencyEvent) => void;
}

interface Task {
  key: string;
  group: string;
  run: () => Promise<void>;
}

export class AimdWindow {
  limit: number;
  running = 0;
  private clean = 0;
  private lastDecreaseAt = -Infinity;
  readonly stats: WindowStats;

  constructor(
    readonly key: string,
    private readonly max: number,
    private readonly growAfter: number,
    private readonly now: () => number,
    private readonly changed: (w: AimdWindow, reason: ConcurrencyReason) => void,
  ) {
    this.limit = max;
    this.stats = { key, initial: max, min: max, final: max, decreases: 0, increases: 0, trace: [], cleanCalls: 0, congestedCalls: 0 };
  }

  /** A call (started at `startedAt`, scheduler clock) needed retries or failed retryably. */
  congestion(startedAt: number): void {
    this.stats.congestedCalls++;
    this.clean = 0;
    if (startedAt < this.lastDecreaseAt) return;
    const next = Math.max(1, Math.floor(this.limit / 2));
    this.lastDecreaseAt = this.now();
    if (next === this.limit) return;
    this.limit = next;
    this.stats.decreases++;
    this.record('decrease');
  }

  /** A call that succeeded at its first attempt. */
  cleanCall(): void {
    this.stats.cleanCalls++;
    this.clean++;
    if (this.clean < this.growAfter || this.limit >= this.max) return;
    this.clean = 0;
    this.limit++;
    this.stats.increases++;
    this.record('increase');
  }

  private record(reason: ConcurrencyReason): void {
    this.stats.min = Math.min(this.stats.min, this.limit);
    this.stats.final = this.limit;
    this.stats.trace.push({ atMs: this.now(), limit: this.limit, reason });
    this.changed(this, reason);
  }
}

export class ProbeScheduler {
  private readonly queue: Task[] = [];
  private readonly windows = new Map<string, AimdWindow>();
  private running = 0;
  private failure: { err: unknown } | undefined;
  private idleWaiters: Array<{ resolve: () => void; reject: (err: unknown) => void }> = [];
  private readonly started = Date.now();
  readonly concurrency: number;
  private readonly growAfter: number;

  constructor(private readonly opts: SchedulerOptions) {
    this.concurrency = Math.max(1, Math.floor(opts.concurrency));
    this.growAfter = Math.max(1, Math.floor(opts.growAfter ?? DEFAULT_GROW_AFTER));
  }

  /** Scheduler clock (ms since creation). */
  now(): number {
    return Date.now() - this.started;
  }

  window(key: string): AimdWindow {
    let w = this.windows.get(key);
    if (!w) {
      w = new AimdWindow(key, this.concurrency, this.growAfter, () => this.now(), (win, reason) => {
        this.emit(win, reason);
        if (reason === 'increase') this.pump();
      });
      this.windows.set(key, w);
    }
    return w;
  }

  windowStats(): WindowStats[] {
    return [...this.windows.values()].map((w) => ({ ...w.stats, final: w.limit, trace: [...w.stats.trace] }));
  }

  /**
   * Queue a run; `group` lets a whole job's queued runs be dropped at once. `front` puts it
   * ahead of everything queued (re-runs, so the primitive they complete is checkpointed soon).
   */
  submit(key: string, group: string, run: () => Promise<void>, opts: { front?: boolean } = {}): void {
    if (this.failure) return;
    this.window(key);
    const task = { key, group, run };
    if (opts.front) this.queue.unshift(task);
    else this.queue.push(task);
    this.pump();
  }

  /** Remove queued (not yet started) runs of a group; returns how many were dropped. */
  drop(group: string): number {
    let n = 0;
    for (let i = this.queue.length - 1; i >= 0; i--) {
      if (this.queue[i]!.group === group) {
        this.queue.splice(i, 1);
        n++;
      }
    }
    this.settleIfIdle();
    return n;
  }

  /** Stop dispatching; whenIdle rejects with `err` once the running runs have ended. */
  fail(err: unknown): void {
    this.failure ??= { err };
    this.queue.length = 0;
    this.settleIfIdle();
  }

  /** Resolves when nothing is queued or running (rejects after `fail`). */
  whenIdle(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.idleWaiters.push({ resolve, reject });
      this.settleIfIdle();
    });
  }

  get pending(): number {
    return this.queue.length + this.running;
  }

  private pump(): void {
    while (!this.failure && this.running < this.concurrency) {
      const i = this.queue.findIndex((t) => {
        const w = this.window(t.key);
        return w.running < w.limit;
      });
      if (i < 0) return;
      const task = this.queue.splice(i, 1)[0]!;
      const w = this.window(task.key);
      this.running++;
      w.running++;
      this.emit(w, 'start');
      void (async () => {
        try {
          await task.run();
        } catch (err) {
          this.fail(err);
        } finally {
          this.running--;
          w.running--;
          this.emit(w, 'finish');
          this.pump();
          this.settleIfIdle();
        }
      })();
    }
  }

  private settleIfIdle(): void {
    if (this.running > 0) return;
    if (!this.failure && this.queue.length > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) {
      if (this.failure) w.reject(this.failure.err);
      else w.resolve();
    }
  }

  private emit(w: AimdWindow, reason: ConcurrencyEvent['reason']): void {
    this.opts.onConcurrency?.({ key: w.key, limit: w.limit, running: w.running, reason, atMs: this.now() });
  }
}
