import * as path from 'node:path';
import type { ChatProvider, TokenUsage } from '../llm/types.js';
import type { EvalCriterion } from '../tasks/criteria.js';
import { CancelledError } from '../util/errors.js';
import { renderRubric } from './judge-inputs.js';
import { judgeWithLlm } from './llm-judge.js';
import type { JudgeInputs } from './types.js';
import { appendJsonLine, readJsonLines } from '../util/jsonl.js';

/**
 * Deferred ("async") LLM judging (spec runtime §3.8). During a bench run, llm-judge criteria only
 * record their inputs in `<dir>/manifest.jsonl`; `runDeferredJudge` judges them later and
 * appends one row per entry to `<dir>/results.jsonl`. Unlike the reference, a second run resumes:
 * entries that already have a result are not judged again (rows with `infraError` are retried
 * unless `rejudgeInfraErrors: false`), and the latest row per id wins when reading.
 */

export const MANIFEST_FILE = 'manifest.jsonl';
export const RESULTS_FILE = 'results.jsonl';

export interface DeferredContext {
  sessionId: string;
  taskId: string;
  condition: string;
  criterionIndex: number;
  criterionId?: string;
  /** Repetition index when a task runs more than once; makes the entry id unique (suffix `-run<k>`). */
  runIndex?: number;
}

export interface ManifestEntry {
  id: string;
  createdAt: string;
  context: DeferredContext;
  criterion: { method: 'llm-judge'; rubric: string; maxScore: number };
  inputs: JudgeInputs;
}

export interface DeferredResultRow {
  id: string;
  context: DeferredContext;
  pass: boolean;
  score: number;
  details: string;
  criterion: ManifestEntry['criterion'];
  evaluatedAt: string;
  infraError?: string;
}

/** `<sessionId>-<taskId>-<condition>-crit<i>` (plus `-run<k>` when a runIndex is given). */
export function deferredEntryId(ctx: DeferredContext): string {
  const base = `${ctx.sessionId}-${ctx.taskId}-${ctx.condition}-crit${ctx.criterionIndex}`;
  return ctx.runIndex === undefined ? base : `${base}-run${ctx.runIndex}`;
}

export function buildManifestEntry(opts: {
  sessionId: string;
  taskId: string;
  condition: string;
  criterionIndex: number;
  criterion: EvalCriterion;
  inputs: JudgeInputs;
  runIndex?: number;
  now?: Date;
}): ManifestEntry {
  const c = opts.criterion;
  if (c.method !== 'llm-judge') throw new Error(`only llm-judge criteria can be deferred (criterion ${opts.criterionIndex} is ${c.method})`);
  const context: DeferredContext = { sessionId: opts.sessionId, taskId: opts.taskId, condition: opts.condition, criterionIndex: opts.criterionIndex };
  if (c.id !== undefined) context.criterionId = c.id;
  if (opts.runIndex !== undefined) context.runIndex = opts.runIndex;
  return {
    id: deferredEntryId(context),
    createdAt: (opts.now ?? new Date()).toISOString(),
    context,
    criterion: { method: 'llm-judge', rubric: renderRubric(c.rubric), maxScore: c.maxScore ?? 1 },
    inputs: { trace: opts.inputs.trace, finalOutput: opts.inputs.finalOutput, workDirFiles: opts.inputs.workDirFiles },
  };
}

export async function appendManifestEntry(manifestDir: string, entry: ManifestEntry): Promise<void> {
  await appendJsonLine(path.join(manifestDir, MANIFEST_FILE), entry);
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** Manifest entries in file order, one per id (the first one written). */
export async function readManifest(manifestDir: string): Promise<ManifestEntry[]> {
  const seen = new Set<string>();
  const out: ManifestEntry[] = [];
  for (const v of await readJsonLines(path.join(manifestDir, MANIFEST_FILE))) {
    if (!isObject(v) || typeof v.id !== 'string' || !isObject(v.criterion) || !isObject(v.inputs) || !isObject(v.context)) continue;
    if (seen.has(v.id)) continue;
    seen.add(v.id);
    out.push(v as unknown as ManifestEntry);
  }
  return out;
}

/** Result rows, one per id: the latest row written wins (a resumed run's retry replaces an infra failure). */
export async function readDeferredResults(manifestDir: string): Promise<DeferredResultRow[]> {
  const byId = new Map<string, DeferredResultRow>();
  for (const v of await readJsonLines(path.join(manifestDir, RESULTS_FILE))) {
    if (!isObject(v) || typeof v.id !== 'string' || typeof v.score !== 'number') continue;
    byId.set(v.id, v as unknown as DeferredResultRow);
  }
  return [...byId.values()];
}

export interface DeferredJudgeProgress {
  done: number;
  total: number;
  id: string;
  row: DeferredResultRow;
}

export interface RunDeferredJudgeOptions {
  manifestDir: string;
  llm: ChatProvider;
  model: string;
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (p: DeferredJudgeProgress) => void;
  onUsage?: (usage: TokenUsage, costUsd: number | null) => void;
  /** Judge entries whose previous result was an infra error again (default true). */
  rejudgeInfraErrors?: boolean;
}

export interface DeferredJudgeSummary {
  /** Entries in the manifest. */
  total: number;
  /** Judged in this call. */
  judged: number;
  /** Skipped because they already had a result. */
  skipped: number;
  /** Judged in this call with an infra error. */
  infraErrors: number;
  /** Every current row (old and new), one per id. */
  results: DeferredResultRow[];
}

export async function runDeferredJudge(opts: RunDeferredJudgeOptions): Promise<DeferredJudgeSummary> {
  const entries = await readManifest(opts.manifestDir);
  const previous = new Map((await readDeferredResults(opts.manifestDir)).map((r) => [r.id, r]));
  const retryInfra = opts.rejudgeInfraErrors ?? true;
  const todo = entries.filter((e) => {
    const prev = previous.get(e.id);
    return !prev || (retryInfra && !!prev.infraError);
  });
  const resultsFile = path.join(opts.manifestDir, RESULTS_FILE);
  const concurrency = Math.max(1, Math.floor(opts.concurrency ?? 4));
  let done = 0;
  let infraErrors = 0;
  let next = 0;

  const judgeOne = async (entry: ManifestEntry): Promise<void> => {
    const verdict = await judgeWithLlm({
      llm: opts.llm,
      model: opts.model,
      rubric: entry.criterion.rubric,
      maxScore: entry.criterion.maxScore,
      inputs: entry.inputs,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    if (verdict.usage && opts.onUsage) opts.onUsage(verdict.usage, verdict.costUsd ?? null);
    const row: DeferredResultRow = {
      id: entry.id,
      context: entry.context,
      pass: verdict.pass,
      score: verdict.score,
      details: verdict.details,
      criterion: entry.criterion,
      evaluatedAt: new Date().toISOString(),
      ...(verdict.infraError ? { infraError: verdict.infraError } : {}),
    };
    if (row.infraError) infraErrors++;
    await appendJsonLine(resultsFile, row);
    previous.set(row.id, row);
    done++;
    opts.onProgress?.({ done, total: todo.length, id: row.id, row });
  };

  let failure: unknown;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < todo.length) {
      if (opts.signal?.aborted) {
        failure ??= new CancelledError('deferred judging cancelled');
        return;
      }
      const entry = todo[next++]!;
      try {
        await judgeOne(entry);
      } catch (err) {
        failure ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(todo.length, 1)) }, () => worker()));
  if (failure !== undefined) throw failure;

  const order = new Map(entries.map((e, i) => [e.id, i]));
  const results = [...previous.values()].sort((a, b) => (order.get(a.id) ?? Infinity) - (order.get(b.id) ?? Infinity));
  return { total: entries.length, judged: todo.length, skipped: entries.length - todo.length, infraErrors, results };
}
