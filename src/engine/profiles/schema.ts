import { z } from 'zod';
import { LEVELS, PROBE_LEVELS } from '../primitives/catalog.js';

/**
 * On-disk schemas of the profiler (reference-compatible): the Target Capability Profile
 * (latest.json, v_<stamp>.json) and the failure-reports.json sidecar.
 *
 * Readers are tolerant and lossless: every object is loose (unknown keys survive a
 * parse → serialize round trip) and fields that older files lack get the reference's
 * defaults. The only keys a parse may add are these documented defaults:
 *   TCP.isPartial = false; levelResults[].skipCount = 0, testDescription = "",
 *   failureDetails = [], costUsd = 0; totalTokens.cacheRead/cacheWrite = 0.
 */

export const LevelSchema = z.enum(LEVELS);
export const ProbeLevelSchema = z.enum(PROBE_LEVELS);

export const TokenUsageSchema = z.looseObject({
  input: z.number(),
  output: z.number(),
  cacheRead: z.number().default(0),
  cacheWrite: z.number().default(0),
});
export type TokenUsage = z.output<typeof TokenUsageSchema>;

export const FailureArtifactSchema = z.looseObject({
  convLog: z.string(),
  evalScript: z.string(),
});

export const LevelResultSchema = z.looseObject({
  level: ProbeLevelSchema,
  passed: z.boolean(),
  /** Passes among non-skipped instances. */
  passCount: z.number(),
  /** Instances run, including skipped ones. */
  totalCount: z.number(),
  skipCount: z.number().default(0),
  durationMs: z.number(),
  costUsd: z.number().default(0),
  testDescription: z.string().default(''),
  failureDetails: z.array(z.string()).default([]),
  /** Absolute paths on the machine that profiled; never follow them. */
  failureArtifacts: z.array(FailureArtifactSchema).optional(),
});
export type LevelResult = z.output<typeof LevelResultSchema>;

export const PrimitiveProfileDetailSchema = z.looseObject({
  primitiveId: z.string(),
  highestLevel: LevelSchema,
  levelResults: z.array(LevelResultSchema),
  calibrationNote: z.string().optional(),
  convLogDir: z.string().optional(),
});
export type PrimitiveProfileDetail = z.output<typeof PrimitiveProfileDetailSchema>;

export const TcpCostSchema = z.looseObject({
  totalUsd: z.number(),
  totalTokens: TokenUsageSchema,
  durationMs: z.number(),
});

export const TCP_VERSION = '1.0';

export const TcpSchema = z.looseObject({
  version: z.literal(TCP_VERSION),
  /** Full CLI id with provider prefix, e.g. "openrouter/qwen/qwen3.5-35b-a3b" (older files omit the prefix). */
  model: z.string().min(1),
  harness: z.string().min(1),
  /** ISO-8601, one per profiling run. */
  profiledAt: z.string().min(1),
  /** Insertion order = completion order; keys are not checked against the catalog. */
  capabilities: z.record(z.string(), LevelSchema),
  details: z.array(PrimitiveProfileDetailSchema),
  cost: TcpCostSchema,
  isPartial: z.boolean().default(false),
});
/** A parsed Target Capability Profile (defaults applied). */
export type TCP = z.output<typeof TcpSchema>;
/** What a writer may pass (defaults optional). */
export type TcpInput = z.input<typeof TcpSchema>;

// ── failure-reports.json ────────────────────────────────────────────────────────

export const FailureToolCallSchema = z.looseObject({
  name: z.string(),
  /** JSON.stringify(input), first 300 chars. */
  input: z.string(),
  /** First 500 chars. */
  output: z.string().optional(),
  exitCode: z.number().optional(),
});

export const FailureStepSchema = z.looseObject({
  index: z.number(),
  role: z.string(),
  /** First 500 chars. */
  text: z.string().optional(),
  toolCalls: z.array(FailureToolCallSchema),
});

export const ToolCallSummarySchema = z.looseObject({
  totalCalls: z.number(),
  byTool: z.record(z.string(), z.number()),
  errors: z.array(
    z.looseObject({
      step: z.number(),
      tool: z.string(),
      exitCode: z.number(),
      output: z.string().optional(),
    }),
  ),
});

export const FileChangesSchema = z.looseObject({
  created: z.array(z.string()),
  modified: z.array(z.string()),
  deleted: z.array(z.string()),
});

export const AdapterErrorSchema = z.looseObject({
  exitCode: z.number().nullable(),
  stderr: z.string(),
  diagnosis: z.unknown().optional(),
});

export const FailureReportSchema = z.looseObject({
  primitiveId: z.string(),
  level: z.string(),
  /** 0-based instance index. */
  instance: z.number(),
  evalDetails: z.string(),
  /** The agent's full final text. */
  agentText: z.string(),
  adapterError: AdapterErrorSchema.optional(),
  steps: z.array(FailureStepSchema),
  toolCallSummary: ToolCallSummarySchema,
  fileChanges: FileChangesSchema,
  durationMs: z.number(),
});
export type FailureReport = z.output<typeof FailureReportSchema>;

/** failure-reports.json: reports of one profiling run keyed "<primitiveId>/<level>". */
export const FailureReportsFileSchema = z.looseObject({
  profiledAt: z.string(),
  reports: z.record(z.string(), z.array(FailureReportSchema)),
});
export type FailureReportsFile = z.output<typeof FailureReportsFileSchema>;

/** First few zod issues as one line, for "skipped: invalid" reasons and error messages. */
export function describeIssues(err: z.ZodError, max = 3): string {
  const parts = err.issues.slice(0, max).map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
  if (err.issues.length > max) parts.push(`… ${err.issues.length - max} more`);
  return parts.join('; ');
}
