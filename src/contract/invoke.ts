import { z } from 'zod';
import type { Engine } from '../engine/engine.js';
import { TERMINAL, RUN_STATUSES, type RunRecord } from '../engine/runs/record.js';
import { OK, type AnyOperation, type OpContext, type TextStyle, type Verdict } from './operation.js';

/**
 * Executes an operation for either front end. Instant operations run inline; run operations
 * become runs: started, then waited on for a bounded time, returning the run envelope (with
 * the result inside when the run finished in time).
 */

export const WAIT_DEFAULT_SECONDS = 25;
export const WAIT_MAX_SECONDS = 50;

export const waitSecondsSchema = z
  .number()
  .min(0)
  .max(WAIT_MAX_SECONDS)
  .default(WAIT_DEFAULT_SECONDS)
  .describe(`Seconds to wait for the run to finish before returning its handle (0–${WAIT_MAX_SECONDS}). The run continues either way.`);

const ProgressOut = z.object({ done: z.number(), total: z.number().nullable(), message: z.string().nullable() });
const UsageOut = z.object({
  calls: z.number(),
  retries: z.number(),
  inputTokens: z.number(),
  outputTokens: z.number(),
  costUsd: z.number().nullable().describe('null when some call had no known price'),
});
const ErrorOut = z.object({ message: z.string(), hint: z.string().optional(), code: z.string() });

function envelopeShape<R extends z.ZodType>(result: R) {
  return z.object({
    runId: z.string(),
    operation: z.string(),
    status: z.enum(RUN_STATUSES),
    progress: ProgressOut,
    resource: z.string().describe('MCP resource with the full run record'),
    result: result.optional().describe('present when the run succeeded'),
    summary: z.string().optional().describe('short human-readable result, present when the run succeeded'),
    error: ErrorOut.optional(),
    usage: UsageOut,
    next: z.string().describe('what to do next'),
  });
}

/** Envelope of any run (run_status, run_cancel): the result's shape depends on the operation. */
export const AnyRunEnvelopeSchema = envelopeShape(z.record(z.string(), z.unknown()));
export type RunEnvelope = z.output<typeof AnyRunEnvelopeSchema>;

const inputCache = new WeakMap<AnyOperation, z.ZodObject>();
const outputCache = new WeakMap<AnyOperation, z.ZodObject>();

/** The input schema a front end exposes: run operations also take `waitSeconds`. */
export function exposedInput(op: AnyOperation): z.ZodObject {
  let s = inputCache.get(op);
  if (!s) {
    s = op.mode === 'run' ? (op.input as z.ZodObject).extend({ waitSeconds: waitSecondsSchema }) : (op.input as z.ZodObject);
    inputCache.set(op, s);
  }
  return s;
}

export function exposedOutput(op: AnyOperation): z.ZodObject {
  let s = outputCache.get(op);
  if (!s) {
    s = op.mode === 'run' ? envelopeShape(op.output as z.ZodObject) : (op.output as z.ZodObject);
    outputCache.set(op, s);
  }
  return s;
}

export interface InvokeOptions {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number | undefined, message: string | undefined) => void;
  /** Run operations: how long to wait (ms); overrides `waitSeconds`. The CLI waits forever. */
  waitMs?: number;
}

export async function invoke(op: AnyOperation, engine: Engine, input: Record<string, unknown>, opts: InvokeOptions = {}): Promise<unknown> {
  const signal = opts.signal ?? new AbortController().signal;
  if (op.mode === 'instant') {
    const ctx: OpContext = {
      progress: (d, t, m) => opts.onProgress?.(d, t, m),
      signal,
      log: engine.log.child(op.name),
      engine,
      llm: engine.llm,
    };
    return op.handler(input, ctx);
  }
  const { waitSeconds, ...opInput } = input as { waitSeconds?: number };
  const started = await engine.runs.start({
    operation: op.name,
    label: op.label(opInput),
    input: opInput,
    summarize: (o) => op.summarize(o),
    work: (rctx) =>
      op.handler(opInput, {
        progress: rctx.progress,
        signal: rctx.signal,
        log: rctx.log,
        engine,
        llm: engine.llm.withUsage(rctx.onUsage),
        runId: rctx.runId,
      }),
  });
  const waitMs = opts.waitMs ?? (waitSeconds ?? WAIT_DEFAULT_SECONDS) * 1000;
  const rec = await engine.runs.wait(started.id, {
    timeoutMs: waitMs,
    signal,
    onChange: (r) => opts.onProgress?.(r.progress.done, r.progress.total ?? undefined, r.progress.message ?? undefined),
  });
  return toEnvelope(rec);
}

export function toEnvelope(rec: RunRecord): RunEnvelope {
  const u = rec.usage;
  const env: RunEnvelope = {
    runId: rec.id,
    operation: rec.operation,
    status: rec.status,
    progress: { done: rec.progress.done, total: rec.progress.total, message: rec.progress.message },
    resource: `skvm://runs/${rec.id}`,
    usage: {
      calls: u.calls,
      retries: u.retries,
      inputTokens: u.tokens.input + u.tokens.cacheRead + u.tokens.cacheWrite,
      outputTokens: u.tokens.output,
      costUsd: u.costComplete ? round6(u.costUsd) : null,
    },
    next: nextStep(rec),
  };
  if (rec.status === 'succeeded' && rec.result && typeof rec.result === 'object') env.result = rec.result as Record<string, unknown>;
  if (rec.status === 'succeeded' && rec.resultSummary) env.summary = rec.resultSummary;
  if (rec.error) env.error = rec.error;
  return env;
}

function nextStep(rec: RunRecord): string {
  switch (rec.status) {
    case 'succeeded':
      return 'Done; the result is included.';
    case 'failed':
      return rec.error?.hint ?? 'The run failed; see error and the run log resource.';
    case 'cancelled':
      return 'The run was cancelled.';
    case 'interrupted':
      return rec.error?.hint ?? 'Start the operation again to resume.';
    default:
      return `Still ${rec.status}. Call run_status with runId "${rec.id}" to wait for it, or run_cancel to stop it.`;
  }
}

/**
 * Text for a person: the operation's own summary when done (or the one stored with the run when
 * the operation is not at hand), else the run's state and what to do next.
 */
export function summarizeEnvelope(op: AnyOperation | undefined, env: RunEnvelope, style?: TextStyle): string {
  const p = env.progress;
  const cost = env.usage.costUsd === null ? 'cost unknown' : `$${env.usage.costUsd.toFixed(4)}`;
  const usage = env.usage.calls > 0 ? ` (${env.usage.calls} LLM calls, ${env.usage.inputTokens}+${env.usage.outputTokens} tokens, ${cost})` : '';
  if (env.status === 'succeeded' && env.result) {
    const body = (op ? safe(() => op.summarize(env.result, style)) : undefined) ?? env.summary;
    return `${body ?? `Run ${env.runId} succeeded.`}\n[run ${env.runId} succeeded${usage}]`;
  }
  const progress = p.total !== null ? `${p.done}/${p.total}` : `${p.done}`;
  const head = `Run ${env.runId} (${env.operation}) is ${env.status}${TERMINAL.has(env.status) ? '' : ` at ${progress}${p.message ? ` — ${p.message}` : ''}`}${usage}.`;
  const err = env.error ? `\nError: ${env.error.message}${env.error.hint ? `\nHint: ${env.error.hint}` : ''}` : '';
  return `${head}${err}\n${env.next}`;
}

/** Runs that ended without a result. */
const ENDED_WITHOUT_RESULT = new Set(['failed', 'cancelled', 'interrupted']);

/** The verdict on what an operation returned (a run envelope for run operations). */
export function verdictOf(op: AnyOperation, output: unknown, operations: readonly AnyOperation[]): Verdict {
  const find = (name: string) => operations.find((o) => o.name === name);
  if (op.mode === 'run') return envelopeVerdict(output as RunEnvelope, op, find);
  return op.verdict?.(output, find) ?? OK;
}

/**
 * A run that failed, was cancelled or interrupted is a failure; a run still going is a handle,
 * not an error; a finished run is judged by its operation's own verdict.
 */
export function envelopeVerdict(env: RunEnvelope, op: AnyOperation | undefined, find: (name: string) => AnyOperation | undefined): Verdict {
  if (ENDED_WITHOUT_RESULT.has(env.status)) {
    const message = `Run ${env.runId} (${env.operation}) ${env.status}${env.error ? `: ${env.error.message}` : '.'}`;
    const hint = env.error?.hint ?? (env.status === 'cancelled' ? undefined : env.next);
    return { kind: 'failed', message, ...(hint ? { hint } : {}) };
  }
  if (env.status === 'succeeded' && env.result) return op?.verdict?.(env.result, find) ?? OK;
  return OK;
}

function safe<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

function round6(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
