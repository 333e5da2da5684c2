import { mean } from '../util/mean.js';
import { hasUsageTelemetry, isEvaluable, type ConditionResult, type EvalDetail } from './types.js';

/**
 * Repetitions of one task × condition cell → one ConditionResult (spec runtime §4.4,
 * `averageConditionResults`, reproduced exactly):
 * - any non-ok repetition taints the aggregate (order-independent): first non-ok runStatus,
 *   score 0, pass false, no eval details, statusDetail "k/n runs evaluable; first taint: …";
 * - otherwise score = mean, pass = mean ≥ 0.5, eval details averaged per criterion;
 * - tokens/cost averaged over repetitions WITH usage telemetry (usageAvailable = any had it);
 * - durations and steps averaged over all repetitions; runScores = every repetition's score.
 */
export function averageConditionResults(runs: ConditionResult[]): ConditionResult {
  if (runs.length === 0) throw new Error('averageConditionResults needs at least one run');
  const n = runs.length;
  // Every list below is non-empty (runs is; evaluable is when allOk; withUsage where used).
  const avg = (xs: number[]) => mean(xs) ?? 0;

  const evaluable = runs.filter(isEvaluable);
  const firstTaint = runs.find((r) => !isEvaluable(r));
  const allOk = firstTaint === undefined;
  const score = allOk ? avg(evaluable.map((r) => r.score)) : 0;

  const withUsage = runs.filter(hasUsageTelemetry);
  const usageRuns = withUsage.length > 0 ? withUsage : runs;
  const costIncomplete = withUsage.some((r) => r.costIncomplete === true);

  const out: ConditionResult = {
    ...runs[0]!,
    score,
    pass: allOk && score >= 0.5,
    evalDetails: allOk ? averageEvalDetails(runs) : [],
    tokens: {
      input: Math.round(avg(usageRuns.map((r) => r.tokens.input))),
      output: Math.round(avg(usageRuns.map((r) => r.tokens.output))),
      cacheRead: Math.round(avg(usageRuns.map((r) => r.tokens.cacheRead))),
      cacheWrite: Math.round(avg(usageRuns.map((r) => r.tokens.cacheWrite))),
    },
    cost: withUsage.length === 0 ? 0 : avg(withUsage.map((r) => r.cost)),
    usageAvailable: withUsage.length > 0,
    durationMs: avg(runs.map((r) => r.durationMs)),
    llmDurationMs: avg(runs.map((r) => r.llmDurationMs)),
    steps: Math.round(avg(runs.map((r) => r.steps))),
    runScores: runs.map((r) => r.score),
    runStatus: allOk ? 'ok' : firstTaint.runStatus,
  };
  delete out.statusDetail;
  delete out.error;
  if (costIncomplete) out.costIncomplete = true;
  else delete out.costIncomplete;
  if (!allOk) {
    const k = `${evaluable.length}/${n} runs evaluable`;
    out.statusDetail = firstTaint.statusDetail ? `${k}; first taint: ${firstTaint.statusDetail}` : k;
    if (firstTaint.error) out.error = firstTaint.error;
  } else {
    // Scores components are means of the repetitions' components where every repetition has one.
    for (const key of ['automatedScore', 'llmJudgeScore'] as const) {
      const vals = runs.map((r) => r[key]);
      if (vals.every((v): v is number => typeof v === 'number')) out[key] = avg(vals);
      else delete out[key];
    }
  }
  return out;
}

/**
 * Per-criterion average over repetitions: keyed by criterion `id`, positional for entries
 * without one. The first repetition's checkpoints are kept as representative; a criterion
 * missing from some repetitions says so in its details.
 */
export function averageEvalDetails(runs: Array<{ evalDetails: EvalDetail[] }>): EvalDetail[] {
  const buckets = new Map<string, { sum: number; count: number; first: EvalDetail }>();
  const order: string[] = [];
  for (const run of runs) {
    run.evalDetails.forEach((d, i) => {
      const key = d.id !== undefined ? `id:${d.id}` : `pos:${i}`;
      const b = buckets.get(key);
      if (b) {
        b.sum += d.score;
        b.count += 1;
      } else {
        buckets.set(key, { sum: d.score, count: 1, first: d });
        order.push(key);
      }
    });
  }
  return order.map((key) => {
    const b = buckets.get(key)!;
    return {
      ...b.first,
      score: b.sum / b.count,
      details: b.count < runs.length ? `${b.first.details} (averaged over ${b.count}/${runs.length} runs)` : b.first.details,
    };
  });
}

/** Group a cell's repetitions (in runIndex order) into the report row. One repetition is kept as is. */
export function aggregateRuns(runs: ConditionResult[]): ConditionResult {
  return runs.length === 1 ? runs[0]! : averageConditionResults(runs);
}
