import { z } from 'zod';

/**
 * jit-boost on-disk formats (spec runtime §6.1 — MUST compat field names). Both files live in
 * `<proposals>/jit-boost/<skillId>/` and know nothing of the model or harness that made them.
 * Objects are loose so fields written by the reference (or a later version) survive a rewrite.
 */

export const ParamTypeSchema = z.enum(['string', 'number']);

/** The reference's legacy form is the bare type; the full form adds a description and a one-group regex. */
export const BoostParamSchema = z.union([
  ParamTypeSchema,
  z.looseObject({ type: ParamTypeSchema, description: z.string(), extractPattern: z.string().optional() }),
]);
export type BoostParam = z.output<typeof BoostParamSchema>;

export const BoostCandidateSchema = z.looseObject({
  /** The candidate's key: kebab-case purpose. */
  purposeId: z.string().min(1),
  /** A task prompt containing any of these (case-insensitive) lets a promoted candidate run. */
  keywords: z.array(z.string().min(1)).min(1),
  /** Regex (matched case-insensitively) a monitored tool call's content must match. */
  codeSignature: z.string().min(1),
  /** Code with `${param}` placeholders; empty until Phase 2 fills it. */
  functionTemplate: z.string(),
  params: z.record(z.string(), BoostParamSchema),
  materializationType: z.enum(['shell', 'python']),
  monitoredTools: z.array(z.string()).optional(),
});
export type BoostCandidate = z.output<typeof BoostCandidateSchema>;

export const MonitorStateSchema = z.looseObject({
  candidateId: z.string(),
  hitCount: z.number().int().nonnegative(),
  consecutiveMatches: z.number().int().nonnegative(),
  promoted: z.boolean(),
  /** Failed executions; never reset, so a re-promoted candidate is demoted on its next failure. */
  fallbackCount: z.number().int().nonnegative(),
});
export type MonitorState = z.output<typeof MonitorStateSchema>;

export const BoostCandidatesFileSchema = z.looseObject({ candidates: z.array(BoostCandidateSchema) });
export type BoostCandidatesFile = z.output<typeof BoostCandidatesFileSchema>;

export const SolidificationEntrySchema = z.looseObject({
  candidate: BoostCandidateSchema,
  state: MonitorStateSchema,
  promotedAt: z.string().optional(),
});
export type SolidificationEntry = z.output<typeof SolidificationEntrySchema>;

export const SolidificationStateSchema = z.looseObject({
  skillId: z.string(),
  entries: z.array(SolidificationEntrySchema),
  updatedAt: z.string(),
});
export type SolidificationState = z.output<typeof SolidificationStateSchema>;

/** Introspection of a solidifier (spec §6.1 BoostStats). */
export interface BoostStats {
  totalCandidates: number;
  promotedCount: number;
  totalHits: number;
  totalFallbacks: number;
  candidates: Array<{ purposeId: string; promoted: boolean; hitCount: number; consecutiveMatches: number; fallbackCount: number }>;
}

export function freshMonitorState(candidateId: string): MonitorState {
  return { candidateId, hitCount: 0, consecutiveMatches: 0, promoted: false, fallbackCount: 0 };
}

/** The candidate's signature as a case-insensitive regex, or undefined when it does not compile. */
export function signatureRegex(candidate: Pick<BoostCandidate, 'codeSignature'>): RegExp | undefined {
  try {
    return new RegExp(candidate.codeSignature, 'i');
  } catch {
    return undefined;
  }
}

/** A param's extractPattern as a regex, or undefined (none given, or it does not compile). */
export function extractRegex(param: BoostParam): RegExp | undefined {
  if (typeof param === 'string' || param.extractPattern === undefined) return undefined;
  try {
    return new RegExp(param.extractPattern, 'i');
  } catch {
    return undefined;
  }
}

export function paramType(param: BoostParam): 'string' | 'number' {
  return typeof param === 'string' ? param : param.type;
}

/**
 * Candidates whose regexes all compile (signature and every extractPattern); the others are
 * dropped, as the spec drops generated candidates with bad regexes. `requireTemplate` also drops
 * candidates with an empty functionTemplate (after Phase 2).
 */
export function usableCandidates(candidates: readonly BoostCandidate[], opts: { requireTemplate?: boolean } = {}): BoostCandidate[] {
  return candidates.filter((c) => {
    if (!signatureRegex(c)) return false;
    if (opts.requireTemplate && c.functionTemplate.trim() === '') return false;
    return Object.values(c.params).every((p) => typeof p === 'string' || p.extractPattern === undefined || extractRegex(p) !== undefined);
  });
}
