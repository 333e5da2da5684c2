import { z } from 'zod';

/**
 * Bench on-disk formats (spec runtime §4.4, §4.5, §4.7 — MUST compat field names). The zod
 * schemas are for READING files back (ours or the reference's): objects are loose so fields
 * we do not model survive, and optional where older reports lack them.
 *
 * Differences from the reference, all additive:
 * - `ConditionResult.costIncomplete`: some call's price was unknown, so `cost` (a number, as in the
 *   reference: 0 or the known part) is not the whole cost; reports render it "n/a", never $0.
 *   Files written with `cost: null` by earlier versions read back as 0 + costIncomplete.
 * - `EvalDetail.infraError` carries a grader's infrastructure failure.
 * - `ProgressEntry.runIndex` names the repetition (entries of old files get theirs by order).
 * - `summary.delta.customVsBaseline` (custom-skill − no-skill).
 * - `metadata.json` adds `runsPerTask`, `skillMode`, `timeoutMs`, `customSkill`.
 * - parents: `multi-model` metadata lists each model's session (`sessions`); a `multi-adapter` one
 *   may cross several models (`models`, `sessions` per pair); ranking rows name `adapter` too.
 * - jit-boost: `jitRuns[].llmCalls` (model calls of each run) and `jitAvoided` (per hooked run,
 *   the model calls and tokens below the warm-up's).
 */

export const RUN_STATUSES = ['ok', 'timeout', 'adapter-crashed', 'parse-failed', 'tainted'] as const;
export const RunStatusSchema = z.enum(RUN_STATUSES);
export type BenchRunStatus = z.output<typeof RunStatusSchema>;

export const TokenUsageSchema = z.object({
  input: z.number(),
  output: z.number(),
  cacheRead: z.number().default(0),
  cacheWrite: z.number().default(0),
});

export const CheckpointSchema = z.looseObject({
  name: z.string(),
  score: z.number(),
  weight: z.number().optional(),
  description: z.string().optional(),
  reason: z.string().optional(),
});

export const EvalDetailSchema = z.looseObject({
  id: z.string().optional(),
  name: z.string().optional(),
  method: z.string(),
  score: z.number(),
  weight: z.number().optional(),
  details: z.string(),
  checkpoints: z.array(CheckpointSchema).optional(),
  infraError: z.string().optional(),
});
export type EvalDetail = z.output<typeof EvalDetailSchema>;

export const JitRunReportSchema = z.looseObject({
  runIndex: z.number(),
  score: z.number(),
  durationMs: z.number(),
  llmDurationMs: z.number(),
  tokens: TokenUsageSchema,
  promotions: z.number(),
  // ours (additive)
  llmCalls: z.number().optional(),
});

export const GradingWeightsSchema = z.object({ automated: z.number(), llmJudge: z.number() });

const ConditionResultFields = z.looseObject({
  condition: z.string(),
  score: z.number(),
  pass: z.boolean(),
  evalDetails: z.array(EvalDetailSchema),
  automatedScore: z.number().optional(),
  llmJudgeScore: z.number().optional(),
  gradingWeights: GradingWeightsSchema.optional(),
  tokens: TokenUsageSchema,
  /** USD; with costIncomplete, only the part whose price was known (often 0). */
  cost: z.number(),
  /** false ⇒ the harness reported no usage: tokens/cost are not numbers to average. Absent ⇒ available. */
  usageAvailable: z.boolean().optional(),
  durationMs: z.number(),
  llmDurationMs: z.number(),
  steps: z.number(),
  skillId: z.string().optional(),
  skillPath: z.string().optional(),
  skillPaths: z.array(z.string()).optional(),
  skillContentHash: z.string().optional(),
  skillMode: z.enum(['inject', 'discover']).optional(),
  skillLoaded: z.boolean().optional(),
  jitRuns: z.array(JitRunReportSchema).optional(),
  jitPromotions: z.number().optional(),
  runScores: z.array(z.number()).optional(),
  error: z.string().optional(),
  /** Absent (old reports) or `ok` ⇒ evaluable; anything else is excluded from score averages. */
  runStatus: RunStatusSchema.optional(),
  statusDetail: z.string().optional(),
  // ours (additive)
  /** jit-boost: model calls and tokens (input + output) each hooked run needed fewer than the warm-up, on average. */
  jitAvoided: z.object({ llmCalls: z.number(), tokens: z.number() }).optional(),
  /** Some llm-judge criterion still holds the deferred placeholder (async judge not merged yet). */
  judgePending: z.boolean().optional(),
  /** The cell was lost to a vendor outage (not the agent's doing); a resumed session redoes it. */
  infraFailure: z.boolean().optional(),
  /** The work dir, when kept (keepWorkDirs). */
  workDir: z.string().optional(),
  /** Some call's price was unknown: `cost` is not the whole cost (rendered "n/a"). */
  costIncomplete: z.boolean().optional(),
});

/** `cost: null` (written by earlier versions) reads back as the number plus the flag. */
export const ConditionResultSchema = z.preprocess(
  (raw) => (raw !== null && typeof raw === 'object' && (raw as { cost?: unknown }).cost === null ? { ...raw, cost: 0, costIncomplete: true } : raw),
  ConditionResultFields,
);
export type ConditionResult = z.output<typeof ConditionResultFields>;

export const TaskReportSchema = z.looseObject({
  taskId: z.string(),
  taskName: z.string(),
  category: z.string(),
  gradingType: z.string(),
  conditions: z.array(ConditionResultSchema),
});
export type TaskReport = z.output<typeof TaskReportSchema>;

export const ConditionSummarySchema = z.looseObject({
  avgScore: z.number().nullable(),
  passRate: z.number().nullable(),
  /** input + output tokens, over rows with usage telemetry; null when none had any. */
  avgTokens: z.number().nullable(),
  avgCost: z.number().nullable(),
  avgDurationMs: z.number(),
  avgLlmDurationMs: z.number(),
  evaluableCount: z.number().optional(),
  taintedCount: z.number().optional(),
  byStatus: z.record(z.string(), z.number()).optional(),
});
export type ConditionSummary = z.output<typeof ConditionSummarySchema>;

export const BenchDeltaSchema = z.looseObject({
  originalVsBaseline: z.number().nullable(),
  aotVsOriginal: z.number().nullable(),
  jitVsAot: z.number().nullable(),
  customVsBaseline: z.number().nullable().optional(),
});
export type BenchDelta = z.output<typeof BenchDeltaSchema>;

export const BenchSummarySchema = z.looseObject({
  taskCount: z.number(),
  perCondition: z.record(z.string(), ConditionSummarySchema),
  perCategory: z.record(z.string(), z.record(z.string(), z.number())),
  delta: BenchDeltaSchema,
});
export type BenchSummary = z.output<typeof BenchSummarySchema>;

export const BenchReportSchema = z.looseObject({
  sessionId: z.string(),
  model: z.string(),
  adapter: z.string(),
  timestamp: z.string(),
  completedAt: z.string().optional(),
  /** Present only when > 1. */
  runsPerTask: z.number().optional(),
  tasks: z.array(TaskReportSchema),
  summary: BenchSummarySchema,
});
export type BenchReport = z.output<typeof BenchReportSchema>;

export const ProgressEntrySchema = z.looseObject({
  taskId: z.string(),
  condition: z.string(),
  /** 0-based repetition; absent in reference files (assigned by order when read). */
  runIndex: z.number().int().nonnegative().optional(),
  result: ConditionResultSchema,
});
export type ProgressEntry = z.output<typeof ProgressEntrySchema>;

export const BenchProgressSchema = z.looseObject({
  sessionId: z.string(),
  model: z.string(),
  adapter: z.string(),
  startedAt: z.string(),
  entries: z.array(ProgressEntrySchema),
});
export type BenchProgress = z.output<typeof BenchProgressSchema>;

export const BenchMetadataSchema = z.looseObject({
  sessionId: z.string(),
  type: z.literal('single'),
  model: z.string(),
  adapter: z.string(),
  conditions: z.array(z.string()),
  tasks: z.array(z.string()).nullable(),
  source: z.union([z.string(), z.array(z.string())]).nullable(),
  concurrency: z.number(),
  jitRuns: z.number(),
  maxSteps: z.number(),
  timeoutMult: z.number(),
  judgeModel: z.string().nullable(),
  compilerModel: z.string().nullable(),
  asyncJudge: z.boolean(),
  startedAt: z.string(),
  // ours (additive)
  runsPerTask: z.number().optional(),
  skillMode: z.enum(['inject', 'discover']).optional(),
  timeoutMs: z.number().nullable().optional(),
  customSkill: z.string().nullable().optional(),
  parentSessionId: z.string().optional(),
});
export type BenchMetadata = z.output<typeof BenchMetadataSchema>;

/** What every parent (comparison) session's metadata.json records of the bench. */
const ParentMetadataFields = {
  sessionId: z.string(),
  conditions: z.array(z.string()),
  tasks: z.array(z.string()).nullable(),
  source: z.union([z.string(), z.array(z.string())]).nullable(),
  concurrency: z.number(),
  jitRuns: z.number(),
  maxSteps: z.number(),
  timeoutMult: z.number(),
  judgeModel: z.string().nullable(),
  compilerModel: z.string().nullable(),
  asyncJudge: z.boolean(),
  startedAt: z.string(),
};
/** The fields every session of one bench shares in its parent's metadata.json. */
export type ParentMetadataCommon = Omit<z.output<z.ZodObject<typeof ParentMetadataFields>>, 'sessionId'>;

export const MultiModelMetadataSchema = z.looseObject({
  ...ParentMetadataFields,
  type: z.literal('multi-model'),
  models: z.array(z.string()),
  adapter: z.string(),
  /** ours: model → its own session id */
  sessions: z.record(z.string(), z.string()).optional(),
});
export type MultiModelMetadata = z.output<typeof MultiModelMetadataSchema>;

/** One (model, adapter) pair of a parent session and the session that benchmarks it (ours). */
export const PairSessionSchema = z.object({ model: z.string(), adapter: z.string(), sessionId: z.string() });
export type PairSession = z.output<typeof PairSessionSchema>;

/**
 * Several adapters: the reference's `multi-adapter` parent (`adapters`, and its one `model`). Ours
 * may also cross several models (the reference refuses that): `models` lists them, `model` is
 * written only when there is one, and `sessions` names every pair's session.
 */
export const MultiAdapterMetadataSchema = z.looseObject({
  ...ParentMetadataFields,
  type: z.literal('multi-adapter'),
  adapters: z.array(z.string()),
  model: z.string().optional(),
  models: z.array(z.string()).optional(),
  sessions: z.array(PairSessionSchema).optional(),
});
export type MultiAdapterMetadata = z.output<typeof MultiAdapterMetadataSchema>;

/** Any metadata.json under `<logs>/bench/` (custom sessions are listed, not run, here). */
export const AnyBenchMetadataSchema = z.looseObject({
  sessionId: z.string(),
  type: z.string(),
  model: z.string().optional(),
  models: z.array(z.string()).optional(),
  adapter: z.string().optional(),
  adapters: z.array(z.string()).optional(),
  conditions: z.array(z.string()).optional(),
  labels: z.array(z.string()).optional(),
  startedAt: z.string().optional(),
});
export type AnyBenchMetadata = z.output<typeof AnyBenchMetadataSchema>;

export const ModelComparisonSchema = z.looseObject({
  scoreMatrix: z.record(z.string(), z.record(z.string(), z.number())),
  tokenMatrix: z.record(z.string(), z.record(z.string(), z.number())),
  taskMatrix: z.record(z.string(), z.record(z.string(), z.number())),
  /** Ours names the adapter of every row too (the reference's multi-model rows have only the model). */
  ranking: z.array(z.looseObject({ model: z.string(), adapter: z.string().optional(), avgScore: z.number().nullable(), passRate: z.number().nullable() })),
});
export type ModelComparison = z.output<typeof ModelComparisonSchema>;

/** A parent session's report.json: several models (`multi-model`) or several adapters (`multi-adapter`). */
export const MultiModelReportSchema = z.looseObject({
  sessionId: z.string(),
  timestamp: z.string(),
  completedAt: z.string(),
  models: z.array(z.string()),
  /** Set when several adapters were benchmarked. */
  adapters: z.array(z.string()).optional(),
  reports: z.array(BenchReportSchema),
  comparison: ModelComparisonSchema,
});
export type MultiModelReport = z.output<typeof MultiModelReportSchema>;

/** A ranking row as we write it: the (model, adapter) session it ranks. */
export type RankingRow = { model: string; adapter: string; avgScore: number | null; passRate: number | null };
/** The comparison as we write it (a ModelComparison whose rows all name their adapter). */
export type WrittenComparison = Pick<ModelComparison, 'scoreMatrix' | 'tokenMatrix' | 'taskMatrix'> & { ranking: RankingRow[] };
/** A parent report as we write it. */
export type WrittenParentReport = Pick<MultiModelReport, 'sessionId' | 'timestamp' | 'completedAt' | 'models' | 'adapters' | 'reports'> & { comparison: WrittenComparison };

/** A row counts in score/pass averages iff its runStatus is absent (old files) or `ok`. */
export function isEvaluable(r: Pick<ConditionResult, 'runStatus'>): boolean {
  return r.runStatus === undefined || r.runStatus === 'ok';
}

/** Tokens/cost are numbers to average unless the harness said it reported no usage. */
export function hasUsageTelemetry(r: Pick<ConditionResult, 'usageAvailable'>): boolean {
  return r.usageAvailable !== false;
}

export function emptyTokens(): ConditionResult['tokens'] {
  return { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
}
