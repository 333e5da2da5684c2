import { describe, expect, it } from 'vitest';
import { CancelledError } from '../util/errors.js';
import { LlmError, type LlmErrorKind } from './errors.js';
import { backoffDelay, withRetry, type RetryEvent } from './retry.js';

const err = (kind: LlmErrorKind, extra: { retryAfterMs?: number } = {}) =>
  new LlmError({ kind, route: 'sim/*', model: 'sim/m', message: `boom ${kind}`, ...extra });

/** Fails with the given errors in order, then returns 'ok'. */
function failing(...errors: LlmError[]) {
  const calls: number[] = [];
  const fn = async (n: number) => {
    calls.push(n);
    const e = errors[n - 1];
    if (e) throw e;
    return 'ok';
  };
  return { fn, calls };
}

describe('backoffDelay', () => {
  it('is full jitter under an exponential cap', () => {
    const o = { baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffDelay(1, o, () => 0.999)).toBe(99);
    expect(backoffDelay(3, o, () => 0.5)).toBe(200);
    expect(backoffDelay(10, o, () => 0.999)).toBe(999);
    expect(backoffDelay(4, o, () => 0)).toBe(0);
  });
});

describe('withRetry', () => {
  it('retries retryable kinds and returns the first success', async () => {
    const { fn, calls } = failing(err('transient'), err('rate_limit'), err('timeout'));
    const events: RetryEvent[] = [];
    await expect(withRetry(fn, { baseDelayMs: 1, maxDelayMs: 2, onRetry: (e) => events.push(e) })).resolves.toBe('ok');
    expect(calls).toEqual([1, 2, 3, 4]);
    expect(events.map((e) => [e.attempt, e.error.kind])).toEqual([
      [1, 'transient'],
      [2, 'rate_limit'],
      [3, 'timeout'],
    ]);
  });

  it.each(['auth', 'bad_request', 'no_route', 'cancelled'] as const)('does not retry %s', async (kind) => {
    const { fn, calls } = failing(err(kind));
    await expect(withRetry(fn, { baseDelayMs: 1 })).rejects.toMatchObject({ kind });
    expect(calls).toEqual([1]);
  });

  it('does not retry errors that are not LlmErrors', async () => {
    let n = 0;
    await expect(
      withRetry(async () => {
        n++;
        throw new TypeError('bug');
      }),
    ).rejects.toThrow(TypeError);
    expect(n).toBe(1);
  });

  it('waits at least retry-after even when backoff would be shorter', async () => {
    const { fn } = failing(err('rate_limit', { retryAfterMs: 300 }));
    const started = Date.now();
    const events: RetryEvent[] = [];
    await withRetry(fn, { baseDelayMs: 1, maxDelayMs: 5, onRetry: (e) => events.push(e) });
    expect(Date.now() - started).toBeGreaterThanOrEqual(295);
    expect(events[0]!.delayMs).toBe(300);
  });

  it('stops after maxAttempts with the attempt count in the message', async () => {
    const { fn, calls } = failing(err('transient'), err('transient'), err('transient'), err('transient'));
    const e = await withRetry(fn, { maxAttempts: 3, baseDelayMs: 1 }).catch((x: unknown) => x);
    expect(calls).toEqual([1, 2, 3]);
    expect(e).toBeInstanceOf(LlmError);
    expect((e as LlmError).message).toMatch(/boom transient .*gave up after 3 attempts/);
    expect((e as LlmError).attempts).toBe(3);
  });

  it('gives up when the next wait would exceed the remaining budget, without waiting', async () => {
    const { fn, calls } = failing(err('rate_limit', { retryAfterMs: 5000 }));
    const started = Date.now();
    const e = await withRetry(fn, { budgetMs: 1000, baseDelayMs: 1 }).catch((x: unknown) => x);
    expect(Date.now() - started).toBeLessThan(500);
    expect(calls).toEqual([1]);
    expect((e as LlmError).kind).toBe('rate_limit');
  });

  it('counts attempt time against the budget', async () => {
    let n = 0;
    const slow = async () => {
      n++;
      await new Promise((r) => setTimeout(r, 120));
      throw err('transient');
    };
    const e = await withRetry(slow, { budgetMs: 300, baseDelayMs: 100, maxDelayMs: 100, random: () => 0.999 }).catch((x: unknown) => x);
    expect((e as LlmError).message).toMatch(/gave up after 2 attempts/);
    expect(n).toBe(2);
  });

  it('an abort during the backoff sleep rejects promptly', async () => {
    const { fn, calls } = failing(err('rate_limit', { retryAfterMs: 10_000 }));
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const started = Date.now();
    await expect(withRetry(fn, { signal: ac.signal })).rejects.toBeInstanceOf(CancelledError);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(calls).toEqual([1]);
  });
});
