import { errorMessage } from './errors.js';

/** `fn` over `items` with at most `limit` in flight; results keep the input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Counting semaphore: at most `size` holders; waiters are served first come, first served. */
export class Semaphore {
  private held = 0;
  private readonly waiters: Array<() => void> = [];
  constructor(private readonly size: number) {}

  async acquire(): Promise<void> {
    if (this.held < this.size) {
      this.held++;
      return;
    }
    await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /** Hands the permit to the oldest waiter, if any. */
  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.held = Math.max(0, this.held - 1);
  }
}

/** A folder that did not load, with the reason. */
export interface LoadProblem {
  dir: string;
  error: string;
}

/**
 * Loads every folder in `dirs` (at most `limit` at once): what loads is kept in order, what
 * throws becomes a problem entry instead of failing the whole listing.
 */
export async function loadEach<T>(dirs: readonly string[], limit: number, load: (dir: string) => Promise<T>): Promise<{ loaded: T[]; problems: LoadProblem[] }> {
  const results = await mapLimit(dirs, limit, async (dir): Promise<{ ok: true; item: T } | { ok: false; problem: LoadProblem }> => {
    try {
      return { ok: true, item: await load(dir) };
    } catch (err) {
      return { ok: false, problem: { dir, error: errorMessage(err) } };
    }
  });
  const out: { loaded: T[]; problems: LoadProblem[] } = { loaded: [], problems: [] };
  for (const r of results) {
    if (r.ok) out.loaded.push(r.item);
    else out.problems.push(r.problem);
  }
  return out;
}
