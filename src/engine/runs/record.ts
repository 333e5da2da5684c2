import { z } from 'zod';

/** Lifecycle of a run. `interrupted` = its process died or shut down mid-way; resumable. */
export const RUN_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const TERMINAL: ReadonlySet<RunStatus> = new Set(['succeeded', 'failed', 'cancelled', 'interrupted']);

/** Run ids are minted by us and validated before they touch the filesystem. */
/** run-<date>-<time with ms>-<random>; ids sort in creation order. */
export const RUN_ID_PATTERN = /^run-\d{8}-\d{9}-[0-9a-f]{4}$/;
export const RUN_ID_EXAMPLE = 'run-20261124-021438123-a1b2';

const TokensSchema = z.object({ input: z.number(), output: z.number(), cacheRead: z.number(), cacheWrite: z.number() });

export const RunProgressSchema = z.object({
  done: z.number(),
  total: z.number().nullable(),
  message: z.string().nullable(),
  updatedAt: z.string(),
});
export type RunProgress = z.output<typeof RunProgressSchema>;

export const RunUsageSchema = z.object({
  calls: z.number(),
  retries: z.number(),
  failedCalls: z.number(),
  tokens: TokensSchema,
  /** Sum of known costs; `costComplete` is false when some call's cost was unknown. */
  costUsd: z.number(),
  costComplete: z.boolean(),
});
export type RunUsage = z.output<typeof RunUsageSchema>;

export const RunErrorSchema = z.object({ message: z.string(), hint: z.string().optional(), code: z.string() });

export const RunRecordSchema = z.object({
  id: z.string().regex(RUN_ID_PATTERN),
  operation: z.string(),
  label: z.string(),
  /** The validated input with secret-named fields removed. */
  input: z.record(z.string(), z.unknown()),
  status: z.enum(RUN_STATUSES),
  progress: RunProgressSchema,
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  heartbeatAt: z.string(),
  result: z.unknown().nullable(),
  resultSummary: z.string().nullable(),
  error: RunErrorSchema.nullable(),
  usage: RunUsageSchema,
  owner: z.object({ pid: z.number(), host: z.string(), instance: z.string() }),
});
export type RunRecord = z.output<typeof RunRecordSchema>;

export const RunEventSchema = z.object({
  ts: z.string(),
  type: z.enum(['created', 'status', 'progress', 'log', 'error', 'cancel-requested']),
  status: z.enum(RUN_STATUSES).optional(),
  done: z.number().optional(),
  total: z.number().nullable().optional(),
  message: z.string().optional(),
  level: z.string().optional(),
});
export type RunEvent = z.output<typeof RunEventSchema>;

export function emptyRunUsage(): RunUsage {
  return { calls: 0, retries: 0, failedCalls: 0, tokens: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 }, costUsd: 0, costComplete: true };
}
