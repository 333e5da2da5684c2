import { z } from 'zod';

/**
 * meta.json of a proposal (MUST compat, spec runtime §7.2). Field names and meanings are the
 * reference's; we add the status `failed` (a crashed optimization, §10 item 19) and a few
 * optional fields the reference ignores. Unknown fields are kept, so reading and writing back
 * a file loses nothing. Legacy (pre-`schemaVersion`) files may lack the round bookkeeping;
 * it defaults to "no rounds, best = 0".
 */
export const PROPOSAL_SCHEMA_VERSION = 1;

export const PROPOSAL_STATUSES = ['pending', 'accepted', 'rejected', 'infra-blocked', 'failed'] as const;
export const ProposalStatusSchema = z.enum(PROPOSAL_STATUSES);
export type ProposalStatus = z.infer<typeof ProposalStatusSchema>;

export const SelectionConfigSchema = z.object({
  minImprovement: z.number(),
  epsilon: z.number(),
  convergenceThreshold: z.number(),
  perTaskRegressionTolerance: z.number().optional(),
  minCostReductionRatio: z.number().optional(),
  scoreEquivalenceBand: z.number().optional(),
});

export const ProposalMetaSchema = z.looseObject({
  /** Absent ⇒ legacy v0. */
  schemaVersion: z.number().int().optional(),
  skillName: z.string(),
  skillDir: z.string(),
  harness: z.string(),
  optimizerModel: z.string(),
  targetModel: z.string(),
  source: z.string(),
  timestamp: z.string(),
  status: ProposalStatusSchema,
  acceptedRound: z.number().int().nullable().default(null),
  bestRound: z.number().int().default(0),
  bestRoundReason: z.string().default(''),
  roundCount: z.number().int().default(0),
  blockedReason: z.string().optional(),
  blockedEvidenceIds: z.array(z.string()).optional(),
  selectionConfig: SelectionConfigSchema.optional(),
  excludedRounds: z.record(z.string(), z.string()).optional(),
  /** Absent ⇒ opencode (reference). Our own optimizer does not set it. */
  optimizerDriver: z.enum(['opencode', 'pi']).optional(),
  // Ours (ignored by the reference):
  /** The model that graded evidence (llm-judge), so a reader knows who judged. */
  judgeModel: z.string().optional(),
  /** Why the optimization crashed (status `failed`). */
  failedReason: z.string().optional(),
});
export type ProposalMeta = z.infer<typeof ProposalMetaSchema>;

/** 0 for legacy proposals written before schemaVersion existed. */
export function proposalSchemaVersion(meta: ProposalMeta): number {
  return meta.schemaVersion ?? 0;
}

/** The reference's directory name for a creation time: UTC `YYYYMMDDTHHMMSSmmmZ`. */
export function proposalTimestamp(at: Date = new Date()): string {
  return at.toISOString().replace(/[-:.]/g, '');
}
