import type { z } from 'zod';
import type { SimPolicy } from './policy.js';

/**
 * Policy types a policy file can name in `"policy": "<type>"`. The registry is the single
 * source of truth for those names; a new type (e.g. the planted-capability target) calls
 * registerPolicyType from its own module and the loader needs no edit.
 */
export interface PolicyType<S extends z.ZodType = z.ZodType> {
  /**
   * Validates the policy file's object minus the keys the loader owns (`policy`, `latency`,
   * `faults`). Use a strict object so a misspelt key is reported, not ignored.
   */
  schema: S;
  build(spec: z.output<S>): SimPolicy;
  /** One line for `sim serve --help` style listings. */
  description?: string;
}

const registry = new Map<string, PolicyType>();

export function registerPolicyType<S extends z.ZodType>(name: string, type: PolicyType<S>): void {
  if (registry.has(name)) throw new Error(`simulator policy type "${name}" is already registered`);
  registry.set(name, type as unknown as PolicyType);
}

export function getPolicyType(name: string): PolicyType | undefined {
  return registry.get(name);
}

export function listPolicyTypes(): Array<{ name: string; description?: string }> {
  return [...registry.entries()].map(([name, t]) => (t.description ? { name, description: t.description } : { name }));
}
