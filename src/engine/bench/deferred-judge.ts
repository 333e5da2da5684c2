import { DEFERRED_PLACEHOLDER, readManifest, runDeferredJudge, type DeferredResultRow } from '../eval/index.js';
import { SkvmError } from '../util/errors.js';
import type { Logger } from '../util/log.js';
import { scoreFromDetails } from './conditions.js';
import type { RunBenchOptions } from './bench-options.js';
import { cellKey, writeProgress } from './progress.js';
import type { SessionState } from './session-state.js';
import { isEvaluable, type ConditionResult, type ProgressEntry } from './types.js';

/**
 * The async judge of a bench (spec §3.8, with §10 #25 fixed): judge what the session's manifest
 * holds and has no result yet, merge each judged row into its own repetition's progress entry,
 * and rewrite progress.json with the judged scores.
 */

export async function judgeDeferred(s: SessionState, opts: RunBenchOptions, concurrency: number, log: Logger, resumeId: string): Promise<void> {
  const manifest = await readManifest(s.manifestDir);
  if (manifest.length === 0 && !s.progress.entries.some((e) => e.result.judgePending)) return;
  const summary = await runDeferredJudge({
    manifestDir: s.manifestDir,
    llm: opts.llm,
    model: opts.judgeModel!,
    concurrency: opts.judgeConcurrency ?? concurrency,
    ...(opts.signal ? { signal: opts.signal } : {}),
    onProgress: (p) => log.debug(`async judge ${s.id}: ${p.done}/${p.total} ${p.id} → ${p.row.score.toFixed(2)}`),
  });
  log.info(`async judge ${s.id}: ${summary.judged} judged, ${summary.skipped} already judged, ${summary.infraErrors} infra errors`);
  if (summary.judged > 0 && summary.infraErrors === summary.judged) {
    const first = summary.results.find((r) => r.infraError)?.infraError ?? 'unknown error';
    throw new SkvmError(`The judge model ${opts.judgeModel} failed on every deferred judgement (${summary.judged}): ${first}`, {
      code: 'bench_judge_failed',
      hint: `Fix the judge route or model, then resume bench session ${resumeId}: finished runs are kept and only the judgements are redone.`,
    });
  }
  const changed = mergeDeferredResults(s.progress.entries, summary.results);
  if (changed > 0 || s.progress.entries.some((e) => e.result.judgePending !== undefined)) {
    for (const e of s.progress.entries) refreshPending(e.result);
    await s.lock(() => writeProgress(s.dir, s.progress));
  }
}

function refreshPending(r: ConditionResult): void {
  const pending = r.evalDetails.some((d) => d.method === 'llm-judge' && d.details === DEFERRED_PLACEHOLDER);
  if (pending) r.judgePending = true;
  else delete r.judgePending;
}

/**
 * Merge judged rows into progress entries (one entry = one repetition): found by task, condition
 * and repetition; rows for non-ok runs skipped; the criterion slot by criterionId, else by
 * index; score/pass recomputed with the bench aggregation. Returns the number of entries changed.
 */
export function mergeDeferredResults(entries: ProgressEntry[], rows: DeferredResultRow[]): number {
  const byCell = new Map(entries.map((e) => [cellKey(e.taskId, e.condition, e.runIndex ?? 0), e]));
  const touched = new Set<ProgressEntry>();
  for (const row of rows) {
    const ctx = row.context;
    const entry = byCell.get(cellKey(ctx.taskId, ctx.condition, ctx.runIndex ?? 0));
    if (!entry || !isEvaluable(entry.result)) continue;
    const details = entry.result.evalDetails;
    let slot = ctx.criterionId !== undefined ? details.findIndex((d) => d.id === ctx.criterionId) : -1;
    if (slot < 0) slot = ctx.criterionIndex;
    const d = details[slot];
    if (!d || d.method !== 'llm-judge') continue;
    d.score = row.score;
    d.details = row.details;
    if (row.infraError) d.infraError = row.infraError;
    else delete d.infraError;
    touched.add(entry);
  }
  for (const e of touched) {
    const r = e.result;
    delete r.automatedScore;
    delete r.llmJudgeScore;
    Object.assign(r, scoreFromDetails(r.evalDetails, r.gradingWeights));
    refreshPending(r);
  }
  return touched.size;
}
