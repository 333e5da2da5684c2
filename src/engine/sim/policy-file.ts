import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { closestMatches } from '../util/closest.js';
import { UsageError, errorMessage } from '../util/errors.js';
import { describeZodIssues } from './json-path.js';
import type { SimPolicy } from './policy.js';
import { getPolicyType, listPolicyTypes } from './policy-registry.js';
import { withFaults } from './policies/faults.js';
import { withLatency, type LatencySpec } from './policies/latency.js';
// Registers "echo" and "scripted"; other policy types register from their own modules.
import './policies/builtin-types.js';

/**
 * Policy files for `skvm sim serve --policy FILE`:
 *   { "policy": "<type>", …type fields…, "latency"?: {…}, "faults"?: {…} }
 * The loader owns `policy`, `latency` and `faults`; the named type validates the rest.
 */

const ms = z.number().nonnegative();
const LATENCY_FORMS: Array<[string, z.ZodType<LatencySpec & { seed?: number }>]> = [
  ['fixedMs', z.strictObject({ fixedMs: ms, seed: z.number().int().optional() })],
  ['minMs', z.strictObject({ minMs: ms, maxMs: ms, seed: z.number().int().optional() })],
  ['meanMs', z.strictObject({ meanMs: ms, jitterMs: ms, seed: z.number().int().optional() })],
];

/** The form is chosen by its leading key so errors name the bad field, not "no union member matched". */
const LatencySchema = z.unknown().transform((value, ctx) => {
  const form = typeof value === 'object' && value !== null ? LATENCY_FORMS.find(([key]) => key in value) : undefined;
  if (!form) {
    ctx.issues.push({ code: 'custom', message: 'expected {"fixedMs"}, {"minMs","maxMs"} or {"meanMs","jitterMs"}', input: value });
    return z.NEVER;
  }
  const parsed = form[1].safeParse(value);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.issues.push({ code: 'custom', message: issue.message, path: issue.path, input: value });
    return z.NEVER;
  }
  return parsed.data;
});

const probability = z.number().min(0).max(1);
const FaultsSchema = z
  .strictObject({
    rateLimit: probability.optional(),
    serverError: probability.optional(),
    malformed: probability.optional(),
    hang: probability.optional(),
    disconnect: probability.optional(),
    retryAfterSeconds: z.number().nonnegative().optional(),
    seed: z.number().int().optional(),
    maxConsecutive: z.number().int().nonnegative().optional(),
  })
  .refine((f) => (f.rateLimit ?? 0) + (f.serverError ?? 0) + (f.malformed ?? 0) + (f.hang ?? 0) + (f.disconnect ?? 0) <= 1 + 1e-9, {
    message: 'fault probabilities must sum to at most 1',
  });

const EnvelopeSchema = z.looseObject({
  policy: z.string().min(1),
  latency: LatencySchema.optional(),
  faults: FaultsSchema.optional(),
});

const LOADER_KEYS = new Set(['policy', 'latency', 'faults']);

function invalid(detail: string): UsageError {
  return new UsageError(`Invalid simulator policy: ${detail}`, 'See the policy file format in src/engine/sim/policy-file.ts.');
}

/** Build a policy from an already-parsed policy file object; throws UsageError naming the JSON path. */
export function policyFromSpec(spec: unknown): SimPolicy {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) throw invalid('$: expected an object like {"policy": "echo"}');
  const envelope = EnvelopeSchema.safeParse(spec);
  if (!envelope.success) throw invalid(describeZodIssues(envelope.error));
  const { policy: typeName, latency, faults } = envelope.data;
  const type = getPolicyType(typeName);
  if (!type) {
    const known = listPolicyTypes().map((t) => t.name);
    const near = closestMatches(typeName, known);
    const suggestion = near.length > 0 ? ` (did you mean ${near.join(', ')}?)` : '';
    throw invalid(`$.policy: unknown policy type "${typeName}"${suggestion}; known: ${known.join(', ')}`);
  }
  const rest = Object.fromEntries(Object.entries(spec).filter(([key]) => !LOADER_KEYS.has(key)));
  const typed = type.schema.safeParse(rest);
  if (!typed.success) throw invalid(describeZodIssues(typed.error));

  let policy = type.build(typed.data);
  if (faults) policy = withFaults(policy, faults);
  if (latency) {
    const { seed, ...form } = latency;
    policy = withLatency(policy, form as LatencySpec, seed);
  }
  return policy;
}

export async function loadPolicyFile(path: string): Promise<SimPolicy> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(`Cannot read simulator policy file ${path}: ${errorMessage(err)}`);
  }
  let spec: unknown;
  try {
    spec = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`Simulator policy file ${path} is not valid JSON: ${errorMessage(err)}`);
  }
  try {
    return policyFromSpec(spec);
  } catch (err) {
    if (err instanceof UsageError) throw new UsageError(`${path}: ${err.message}`, err.hint);
    throw err;
  }
}
