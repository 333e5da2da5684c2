import { describe, expect, it } from 'vitest';
import { BUILTIN_PRICES, costFor, priceFor } from './pricing.js';

const usage = (input: number, output: number, cacheRead = 0, cacheWrite = 0) => ({ input, output, cacheRead, cacheWrite });

describe('priceFor', () => {
  it('has the spec table', () => {
    expect(BUILTIN_PRICES['claude-sonnet-4.6']).toEqual({ input: 3, output: 15 });
    expect(BUILTIN_PRICES['glm-5.1']).toEqual({ input: 0.5, output: 1.5 });
    expect(Object.keys(BUILTIN_PRICES)).toHaveLength(9);
  });
  it('finds built-in prices by backend id and vendor-prefixed forms', () => {
    expect(priceFor('anthropic/claude-sonnet-4.6')).toEqual({ input: 3, output: 15 });
    expect(priceFor('openrouter/anthropic/claude-sonnet-4.6')).toEqual({ input: 3, output: 15 });
    expect(priceFor('openrouter/qwen/qwen3-30b')).toEqual({ input: 0.2, output: 0.6 });
    expect(priceFor('claude-opus-4.6')).toEqual({ input: 15, output: 75 });
    expect(priceFor('openrouter/qwen/qwen3-30b-a3b')).toBeUndefined();
  });
  it('config pricing overrides and extends, by full id, backend id or glob; exact keys beat globs', () => {
    const overrides = {
      'self/*': { input: 0, output: 0 },
      'anthropic/claude-sonnet-4.6': { input: 2, output: 10 },
      'qwen/qwen3-30b': { input: 0.1, output: 0.3 },
      '*qwen3-30b': { input: 9, output: 9 },
    };
    expect(priceFor('self/qwen3-7b', overrides)).toEqual({ input: 0, output: 0 });
    expect(priceFor('anthropic/claude-sonnet-4.6', overrides)).toEqual({ input: 2, output: 10 });
    expect(priceFor('openrouter/qwen/qwen3-30b', overrides)).toEqual({ input: 0.1, output: 0.3 });
    expect(priceFor('other/qwen3-30b', overrides)).toEqual({ input: 9, output: 9 });
  });
});

describe('costFor', () => {
  it('vendor cost wins', () => {
    expect(costFor('anthropic/claude-sonnet-4.6', usage(1000, 1000), 0.0123)).toEqual({ costUsd: 0.0123, source: 'vendor' });
    expect(costFor('unknown/model', usage(1000, 1000), 0)).toEqual({ costUsd: 0, source: 'vendor' });
  });
  it('table cost: input, output, cache read at 0.1× input, cache write at input price', () => {
    const r = costFor('anthropic/claude-sonnet-4.6', usage(1_000_000, 100_000, 500_000, 200_000));
    expect(r.source).toBe('table');
    // 3 + 1.5 + 0.5×0.3 + 0.2×3
    expect(r.costUsd).toBeCloseTo(3 + 1.5 + 0.15 + 0.6, 10);
  });
  it('explicit cache prices are used when configured', () => {
    const r = costFor('x/m', usage(0, 0, 1_000_000, 1_000_000), null, { 'x/m': { input: 1, output: 2, cacheRead: 0.05, cacheWrite: 1.25 } });
    expect(r.costUsd).toBeCloseTo(1.3, 10);
  });
  it('an unknown model is null/unknown, never a silent $0', () => {
    expect(costFor('self/mystery-model', usage(1000, 1000))).toEqual({ costUsd: null, source: 'unknown' });
  });
  it('ignores a non-finite vendor cost', () => {
    expect(costFor('self/mystery-model', usage(1, 1), Number.NaN).source).toBe('unknown');
  });
});
