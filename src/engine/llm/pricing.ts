import type { Price } from '../config/schema.js';
import { backendModel, matchesGlob } from './routes.js';
import type { TokenUsage } from './types.js';

/**
 * Cost of one call. The vendor's own figure wins; else the price table (built-in, extended and
 * overridden by config `pricing`); else null with source 'unknown' — never a silent $0
 * (spec §10.28), so reports can say "n/a".
 */

/** USD per 1M tokens, keyed by backend model id (spec §1.10). */
export const BUILTIN_PRICES: Readonly<Record<string, Price>> = Object.freeze({
  'claude-sonnet-4.6': { input: 3, output: 15 },
  'claude-opus-4.6': { input: 15, output: 75 },
  'claude-haiku-4.5': { input: 0.8, output: 4 },
  'gpt-5.5': { input: 5, output: 30 },
  'gpt-5.4': { input: 2.5, output: 10 },
  'gemini-2.5-pro': { input: 1.25, output: 10 },
  'deepseek-v3.2': { input: 0.27, output: 1.1 },
  'qwen3-30b': { input: 0.2, output: 0.6 },
  'glm-5.1': { input: 0.5, output: 1.5 },
});

export type CostSource = 'vendor' | 'table' | 'unknown';
export interface CostResult {
  costUsd: number | null;
  source: CostSource;
}

/**
 * Price for a full model id. Config keys (full id or backend id, `*` globs allowed; exact keys
 * before globs) win over the built-in table, which is looked up by backend id and then by the
 * last path segment so vendor-prefixed forms (`anthropic/claude-sonnet-4.6`,
 * `openrouter/anthropic/claude-sonnet-4.6`) find the same entry.
 */
export function priceFor(model: string, overrides: Readonly<Record<string, Price>> = {}): Price | undefined {
  const backend = backendModel(model);
  const candidates = backend === model ? [model] : [model, backend];
  for (const c of candidates) if (Object.hasOwn(overrides, c)) return overrides[c];
  for (const c of candidates) {
    for (const [key, price] of Object.entries(overrides)) if (key.includes('*') && matchesGlob(key, c)) return price;
  }
  const last = model.slice(model.lastIndexOf('/') + 1);
  for (const c of [backend, last]) if (Object.hasOwn(BUILTIN_PRICES, c)) return BUILTIN_PRICES[c];
  return undefined;
}

export function costFromPrice(price: Price, usage: TokenUsage): number {
  const cacheRead = price.cacheRead ?? price.input * 0.1;
  const cacheWrite = price.cacheWrite ?? price.input;
  return (usage.input * price.input + usage.output * price.output + usage.cacheRead * cacheRead + usage.cacheWrite * cacheWrite) / 1_000_000;
}

export function costFor(
  model: string,
  usage: TokenUsage,
  vendorCost?: number | null,
  overrides?: Readonly<Record<string, Price>>,
): CostResult {
  if (typeof vendorCost === 'number' && Number.isFinite(vendorCost) && vendorCost >= 0) return { costUsd: vendorCost, source: 'vendor' };
  const price = priceFor(model, overrides);
  if (!price) return { costUsd: null, source: 'unknown' };
  return { costUsd: costFromPrice(price, usage), source: 'table' };
}
