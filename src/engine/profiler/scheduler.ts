/**
 * One queue of probe runs for a whole profiling session (every job × primitive × level ×
 * instance, plus re-runs added while it runs), bounded by an adaptive window per LLM route
 * (AIMD, like TCP congestion control) and, when one is given, by a global limit:
 *
 * - a window starts at its route's limit (the route's maxConcurrency, or the concurrency the
 *   caller asked for if lower) and never exceeds it;
 * - additive increase: every clean call (one attempt) adds 1/window, so a full window of clean
 *   calls — about one round trip — grows it by one, steadily, whatever came before;
 * - multiplicative decrease: a call that the vendor pushed back on (429, 5xx, timeouts) shrinks
 *   it by 1/8 per retry it needed — a call that got through on its first retry after honouring
 *   retry-after costs 1/8, one that needed four retries or failed halves it. Only calls that
 *   *started* after the previous decrease can decrease it again, so the window shrinks at most
 *   once per round trip however many calls of the same burst were pushed back. Random 429s
 *   therefore cost a few percent of the window, while a vendor at capacity (most calls retried,
 *   many times) drives it down within a few round trips.
 *
 * The window bounds the agent part of the probe runs of that route: a run holds its slot from
 * start until it calls `release` (the session does so once the agent is done, before grading)
 * or ends. Each agent's LLM calls are sequential, so the window also bounds the calls in flight.
 * Runs already going when the window shrinks finish normally (nothing is pre-empted). Dispatch
 * is FIFO among the runs whose route has room, so a throttled route never blocks another
 * model's runs; re-runs go to the front of the queue. The next runs of each route (a window's
 * worth) are told to prepare while they wait, so that a freed slot goes straight to the model.
 */

export type ConcurrencyReason = 'decrease' | 'increase';

export interface ConcurrencyEvent {
  /** The route (or model) the window belongs to. */
  key: string;
  limit: number;
  /** Probe runs of that route holding a slot right now. */
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
  /** Every change of the (whole-number) limit, in order. */
  trace: Array<{ atMs: number; limit: number; reason: ConcurrencyReason }>;
  /** Clean calls (one attempt), calls that were retried or failed with a retryable error. */
  cleanCalls: number;
  congestedCalls: number;
}

export interface SchedulerOptions {
  /** Slots across all routes; default: only the per-route windows bound the runs. */
  concurrency?: number;
  onConcurrency?: (ev: ConcurrencyEvent) => void;
}

/** Share of the window one retry of a pushed-back call takes away (at most half per decrease). */
const DECREASE_PER_RETRY = 1 / 8;

export interface TaskHooks {
  /** Puts it ahead of everything queued. */
  front?: boolean;
  /** Called (once at most) when the run is among the next to start on its route: work that needs no slot can begin. */
  prepare?: () => void;
  /** Called when a run that may have prepared is dropped without running. */
  discard?: () => void;
}

interface Task extends TaskHooks {
  key: string;
  group: string;
  run: (release: () => void) => Promise<void>;
  prepared?: boolean;
}

export class AimdWindow {
  /** The window as a real number; whole slots are its floor. */
  private level: number;
  running = 0;
  private lastDecreaseAt = -Infinity;
  readonly stats: WindowStats;

  constructor(
    readonly key: string,
    readonly max: number,
    private readonly now: () => number,
    private readonly changed: (w: AimdWindow, reason: ConcurrencyReason) => void,
  ) {
    this.level = max;
    this.stats = { key, initial: max, min: max, final: max, decreases: 0, increases: 0, trace: [], cleanCalls: 0, congestedCalls: 0 };
  }

  /** Runs of this route that may hold a slot at once. */
  get limit(): number {
    return Math.max(1, Math.floor(this.level + 1e-9));
  }

  /**
   * A call (started at `startedAt`, scheduler clock) needed `attempts` attempts, or failed
   * retryably (`attempts` Infinity): the vendor is pushing back.
   */
  congestion(startedAt: number, attempts: number): void {
    this.stats.congestedCalls++;
    if (startedAt < this.lastDecreaseAt) return;
    this.lastDecreaseAt = this.now();
    const retries = Math.max(1, attempts - 1);
    this.set(Math.max(1, this.level * Math.max(0.5, 1 - DECREASE_PER_RETRY * retries)), 'decrease');
  }

  /** A call that succeeded at its first attempt. */
  cleanCall(): void {
    this.stats.cleanCalls++;
    this.set(Math.min(this.max, this.level + 1 / this.level), 'increase');
  }

  private set(level: number, reason: ConcurrencyReason): void {
    const before = this.limit;
    this.level = level;
    if (this.limit === before) return;
    if (reason === 'decrease') this.stats.decreases++;
    else this.stats.increases++;
    this.stats.min = Math.min(this.stats.min, this.limit);
    this.stats.final = this.limit;
    this.stats.trace.push({ atMs: this.now(), limit: this.limit, reason });
    this.changed(this, reason);
  }
}

export class ProbeScheduler {
  private readonly queue: Task[] = [];
  private readonly windows = new Map<string, AimdWindow>();
  /** Runs holding a slot. */
  private running = 0;
  /** Runs started and not yet ended (some may have released their slot). */
  private active = 0;
  private failure: { err: unknown } | undefined;
  /** A prepareNext turn is scheduled. */
  private preparing: NodeJS.Immediate | undefined;
  private idleWaiters: Array<{ resolve: () => void; reject: (err: unknown) => void }> = [];
  private readonly started = Date.now();
  readonly concurrency: number;

  constructor(private readonly opts: SchedulerOptions = {}) {
    this.concurrency = opts.concurrency === undefined ? Infinity : Math.max(1, Math.floor(opts.concurrency));
  }

  /** Scheduler clock (ms since creation). */
  now(): number {
    return Date.now() - this.started;
  }

  /** The window of a route; `max` (default: the global limit) sets its ceiling when it is first seen. */
  window(key: string, max?: number): AimdWindow {
    let w = this.windows.get(key);
    if (!w) {
      const ceiling = Math.max(1, Math.floor(Math.min(max ?? this.concurrency, this.concurrency)));
      if (!Number.isFinite(ceiling)) throw new Error(`the window of ${key} needs a limit`);
      w = new AimdWindow(key, ceiling, () => this.now(), (win, reason) => {
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
   * Queue a run on a route whose window exists (`window(key, max)`); `group` lets a whole job's
   * queued runs be dropped at once. `front` puts it ahead of everything queued (re-runs, so the
   * primitive they complete is checkpointed soon). The run receives `release`, which frees its
   * slot before it ends.
   */
  submit(key: string, group: string, run: (release: () => void) => Promise<void>, hooks: TaskHooks = {}): void {
    if (this.failure) return;
    this.window(key);
    const task: Task = { ...hooks, key, group, run };
    if (hooks.front) this.queue.unshift(task);
    else this.queue.push(task);
    this.pump();
  }

  /** Remove queued (not yet started) runs of a group; returns how many were dropped. */
  drop(group: string): number {
    let n = 0;
    for (let i = this.queue.length - 1; i >= 0; i--) {
      if (this.queue[i]!.group === group) {
        const [task] = this.queue.splice(i, 1);
        if (task!.prepared) task!.discard?.();
        n++;
      }
    }
    this.settleIfIdle();
    return n;
  }

  /** Stop dispatching; whenIdle rejects with `err` once the started runs have ended. */
  fail(err: unknown): void {
    this.failure ??= { err };
    for (const task of this.queue.splice(0)) if (task.prepared) task.discard?.();
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
    return this.queue.length + this.active;
  }

  private pump(): void {
    this.dispatch();
    this.schedulePrepare();
  }

  /**
   * Generating and staging a probe is CPU work (tens of ms for a long log), done on the event
   * loop. One probe per turn, after the current microtasks: a run just dispatched reaches its
   * LLM request first, and a reply that arrives meanwhile waits for one probe, not a window's.
   */
  private schedulePrepare(): void {
    this.preparing ??= setImmediate(() => {
      this.preparing = undefined;
      if (this.prepareNext()) this.schedulePrepare();
    });
  }

  /** Lets the next queued run that is among the next of its route (as many as its window) prepare; false when there is none. */
  private prepareNext(): boolean {
    if (this.failure) return false;
    const ahead = new Map<string, number>();
    for (const task of this.queue) {
      const w = this.window(task.key);
      const n = ahead.get(task.key) ?? 0;
      if (n >= w.limit) continue;
      ahead.set(task.key, n + 1);
      if (!task.prepared) {
        task.prepared = true;
        task.prepare?.();
        return true;
      }
    }
    return false;
  }

  private dispatch(): void {
    while (!this.failure && this.running < this.concurrency) {
      const i = this.queue.findIndex((t) => {
        const w = this.window(t.key);
        return w.running < w.limit;
      });
      if (i < 0) return;
      const task = this.queue.splice(i, 1)[0]!;
      const w = this.window(task.key);
      this.running++;
      this.active++;
      w.running++;
      this.emit(w, 'start');
      let held = true;
      const release = () => {
        if (!held) return;
        held = false;
        this.running--;
        w.running--;
        this.emit(w, 'finish');
        this.pump();
      };
      void (async () => {
        try {
          await task.run(release);
        } catch (err) {
          this.fail(err);
        } finally {
          release();
          this.active--;
          this.settleIfIdle();
        }
      })();
    }
  }

  private settleIfIdle(): void {
    if (this.active > 0) return;
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
