import { sleep } from '../util/abort.js';
import { LlmError } from './errors.js';

/**
 * Our own retry loop (the SDKs run with maxRetries 0) so every route kind gets the same policy:
 * only retryable LlmErrors, full-jitter exponential backoff, at least the vendor's retry-after,
 * a total time budget, and sleeps that end the moment the caller aborts.
 */
export interface RetryOptions {
  /** Attempts including the first. */
  maxAttempts: number;
  /** Total time for all attempts and waits; no wait starts that would end past it. */
  budgetMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { maxAttempts: 5, budgetMs: 120_000, baseDelayMs: 500, maxDelayMs: 30_000 };

export interface RetryEvent {
  /** The attempt that just failed (1-based). */
  attempt: number;
  delayMs: number;
  error: LlmError;
}

export interface WithRetryOptions extends Partial<RetryOptions> {
  signal?: AbortSignal;
  onRetry?: (ev: RetryEvent) => void;
  /** Injected for deterministic tests; defaults to Math.random. */
  random?: () => number;
}

/** Full jitter: uniform in [0, min(max, base·2^(attempt-1))). */
export function backoffDelay(attempt: number, o: Pick<RetryOptions, 'baseDelayMs' | 'maxDelayMs'>, random: () => number = Math.random): number {
  const cap = Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * cap);
}

/**
 * Runs `attempt(n)` (n = 1, 2, …) until it succeeds, throws something not retryable, or the
 * attempts/budget run out — then the last LlmError is thrown with the attempt count in its message.
 * An abort during a wait rejects with CancelledError (from util/abort `sleep`).
 */
export async function withRetry<T>(attempt: (n: number) => Promise<T>, opts: WithRetryOptions = {}): Promise<T> {
  const o: RetryOptions = {
    maxAttempts: opts.maxAttempts ?? DEFAULT_RETRY.maxAttempts,
    budgetMs: opts.budgetMs ?? DEFAULT_RETRY.budgetMs,
    baseDelayMs: opts.baseDelayMs ?? DEFAULT_RETRY.baseDelayMs,
    maxDelayMs: opts.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs,
  };
  const random = opts.random ?? Math.random;
  const started = Date.now();
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      if (!(err instanceof LlmError) || !err.retryable) throw err;
      if (n >= o.maxAttempts) throw err.afterAttempts(n);
      const delayMs = Math.max(err.retryAfterMs ?? 0, backoffDelay(n, o, random));
      const remaining = o.budgetMs - (Date.now() - started);
      if (delayMs > remaining) throw err.afterAttempts(n);
      opts.onRetry?.({ attempt: n, delayMs, error: err });
      await sleep(delayMs, opts.signal);
    }
  }
}
