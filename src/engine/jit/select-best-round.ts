import type { RoundResult, SelectionConfig } from './types.js';

/**
 * Best-round selection (spec runtime §5.7, reproduced step by step; the reasons are the
 * reference's wording). Only a round that beats the baseline by more than the noise floor — or
 * matches it while cutting the target agent's cost — and regresses no baseline task by more than
 * the tolerance can win; otherwise the original skill (round 0) stays.
 */

export const SELECTION_EPSILON = 0.005;

export interface SelectionOptions {
  /** The test set is separate from the train set: the test score is the primary score. */
  hasTest: boolean;
  /** False once the train set was regenerated (train scores of different rounds measure different tasks). */
  trainScoresComparable: boolean;
  convergence: number;
  minImprovement: number;
  perTaskRegressionTolerance: number;
  minCostReductionRatio: number;
  scoreEquivalenceBand: number;
}

export const DEFAULT_SELECTION = {
  convergence: 0.95,
  minImprovement: 0.02,
  perTaskRegressionTolerance: 0.2,
  minCostReductionRatio: 0.15,
} as const;

export interface Selection {
  bestRound: number;
  reason: string;
  /** Rounds that cleared the baseline gate but were excluded by the per-task check, with why. */
  excludedRounds: Record<string, string>;
}

export function selectionConfig(o: SelectionOptions): SelectionConfig {
  return {
    minImprovement: o.minImprovement,
    epsilon: SELECTION_EPSILON,
    convergenceThreshold: o.convergence,
    perTaskRegressionTolerance: o.perTaskRegressionTolerance,
    minCostReductionRatio: o.minCostReductionRatio,
    scoreEquivalenceBand: o.scoreEquivalenceBand,
  };
}

const f3 = (x: number) => x.toFixed(3);
const usd = (x: number) => `$${x.toFixed(4)}`;

export function pickBestRound(rounds: readonly RoundResult[], o: SelectionOptions): Selection {
  const label = o.hasTest ? 'test' : 'train';
  const primary = (r: RoundResult) => (o.hasTest ? r.testScore : r.trainScore);
  const perTask = (r: RoundResult) => (o.hasTest ? r.perTaskTestScores : r.perTaskTrainScores);
  const excludedRounds: Record<string, string> = {};
  const baseline = rounds.find((r) => r.isBaseline);
  const basePrimary = baseline ? primary(baseline) : null;

  // 1. Convergence short-circuit.
  if (baseline && basePrimary !== null && basePrimary >= o.convergence) {
    return { bestRound: baseline.round, reason: `baseline already at convergence threshold (${f3(basePrimary)} >= ${o.convergence})`, excludedRounds };
  }

  // 2. Only rounds with a primary score compete.
  const scored = rounds.filter((r) => primary(r) !== null);
  if (scored.length === 0) return { bestRound: 0, reason: 'no rounds had evaluatable scores', excludedRounds };

  // 3. Cost is comparable only on the same tasks, against a baseline that cost something.
  const baselineCost = baseline?.targetAgent.costUsd ?? 0;
  const costComparable = o.trainScoresComparable && baselineCost > 0;
  const costCutsBaseline = (r: RoundResult) => costComparable && r.targetAgent.costUsd > 0 && r.targetAgent.costUsd <= baselineCost * (1 - o.minCostReductionRatio);

  // 4. Baseline gate.
  const floor = basePrimary ?? Number.NEGATIVE_INFINITY;
  const gated = scored.filter((r) => {
    if (r === baseline) return true;
    const p = primary(r)!;
    return p >= floor + o.minImprovement || (p >= floor - o.scoreEquivalenceBand && costCutsBaseline(r));
  });

  // 5. Per-task monotonicity against the baseline's tasks (new tasks are ignored).
  const baseTasks = baseline ? perTask(baseline) : {};
  const survivors = gated.filter((r) => {
    if (r === baseline || Object.keys(baseTasks).length === 0) return true;
    const scores = perTask(r);
    for (const [task, before] of Object.entries(baseTasks)) {
      const after = scores[task];
      if (after === undefined) {
        excludedRounds[String(r.round)] = `task '${task}' has no clean runs in round ${r.round} (baseline=${f3(before)}) — cannot verify non-regression`;
        return false;
      }
      const drop = before - after;
      if (drop > o.perTaskRegressionTolerance) {
        excludedRounds[String(r.round)] = `task '${task}' regressed from ${f3(before)} to ${f3(after)} (drop=${f3(drop)} > tolerance=${o.perTaskRegressionTolerance})`;
        return false;
      }
    }
    return true;
  });

  // 6. Nothing but the baseline survived.
  const challengers = survivors.filter((r) => r !== baseline);
  if (baseline && challengers.length === 0) {
    const base = basePrimary === null ? 'n/a' : f3(basePrimary);
    let reason: string;
    if (scored.length === 1 && scored[0] === baseline) reason = `only baseline scored (${base})`;
    else if (gated.length > 1) reason = `all improving rounds regressed on at least one task by > ${o.perTaskRegressionTolerance} (baseline=${base})`;
    else {
      const costClause = costComparable ? ` nor cut target-agent cost by >= ${Math.round(o.minCostReductionRatio * 100)}% at equivalent score` : '';
      reason = `no round beat baseline by >= ${o.minImprovement} on ${label}${costClause} (noise floor; baseline=${base})`;
    }
    return { bestRound: baseline.round, reason, excludedRounds };
  }

  // 7. Rank the survivors.
  const tokens = (r: RoundResult) => r.targetAgent.tokens.input + r.targetAgent.tokens.output;
  const ranked = [...survivors].sort((a, b) => {
    const pa = primary(a)!;
    const pb = primary(b)!;
    if (Math.abs(pa - pb) > o.scoreEquivalenceBand) return pb - pa;
    const ca = a.targetAgent.costUsd;
    const cb = b.targetAgent.costUsd;
    if (costComparable && ca > 0 && cb > 0 && ca !== cb) return ca - cb;
    // Equivalent score and cost: the baseline wins the tie (no change beats an unproven one).
    if (a === baseline || b === baseline) return a === baseline ? -1 : 1;
    if (o.hasTest && o.trainScoresComparable && a.trainScore !== null && b.trainScore !== null && Math.abs(a.trainScore - b.trainScore) >= SELECTION_EPSILON) return b.trainScore - a.trainScore;
    if (tokens(a) !== tokens(b)) return tokens(a) - tokens(b);
    if (a.targetAgent.durationMs !== b.targetAgent.durationMs) return a.targetAgent.durationMs - b.targetAgent.durationMs;
    return a.round - b.round;
  });
  const winner = ranked[0]!;
  const wp = primary(winner)!;

  // 8. Why the winner won.
  if (!baseline || basePrimary === null) {
    return { bestRound: winner.round, reason: `highest ${label} score ${f3(wp)} (no baseline reference)`, excludedRounds };
  }
  if (winner === baseline) {
    return { bestRound: winner.round, reason: `baseline ${label} score ${f3(wp)} wins tiebreak at equivalence band`, excludedRounds };
  }
  const cost = () => {
    const a = baselineCost;
    const b = winner.targetAgent.costUsd;
    return `cuts target-agent cost ${usd(a)} -> ${usd(b)} (-${Math.round(((a - b) / a) * 100)}%)`;
  };
  if (wp >= basePrimary + o.minImprovement) {
    const d = wp - basePrimary;
    return {
      bestRound: winner.round,
      reason: `round ${winner.round} beats baseline by +${f3(d)} on ${label} (${f3(basePrimary)} -> ${f3(wp)})${costCutsBaseline(winner) ? ` AND ${cost()}` : ''}`,
      excludedRounds,
    };
  }
  return {
    bestRound: winner.round,
    reason: `round ${winner.round} ties baseline within ±${o.scoreEquivalenceBand} ${label} (${f3(basePrimary)} vs ${f3(wp)}) but ${cost()}`,
    excludedRounds,
  };
}
