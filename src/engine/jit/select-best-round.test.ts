import { describe, expect, it } from 'vitest';
import { pickBestRound, selectionConfig, type SelectionOptions } from './select-best-round.js';
import type { RoundResult } from './types.js';

const OPTS: SelectionOptions = { hasTest: false, trainScoresComparable: true, convergence: 0.95, minImprovement: 0.02, perTaskRegressionTolerance: 0.2, minCostReductionRatio: 0.15, scoreEquivalenceBand: 0.02 };

function round(n: number, train: number | null, o: Partial<RoundResult> & { cost?: number; tokens?: number; durationMs?: number; perTask?: Record<string, number> } = {}): RoundResult {
  const perTask = o.perTask ?? (train === null ? {} : { a: train });
  return {
    round: n,
    isBaseline: n === 0,
    trainScore: train,
    testScore: o.testScore ?? null,
    trainPassed: 0,
    trainTotal: 0,
    testPassed: 0,
    testTotal: 0,
    perTaskTrainScores: perTask,
    perTaskTestScores: o.perTaskTestScores ?? perTask,
    targetAgent: { tokens: { input: o.tokens ?? 100, output: 0, cacheRead: 0, cacheWrite: 0 }, costUsd: o.cost ?? 0, runs: 1, durationMs: o.durationMs ?? 1000 },
    evalJudge: { tokens: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 }, costUsd: 0, calls: 0 },
    optimizer: null,
    historyEntry: null,
  };
}

describe('pickBestRound (spec §5.7)', () => {
  it('1. keeps a baseline already at the convergence threshold', () => {
    const s = pickBestRound([round(0, 0.96), round(1, 1)], OPTS);
    expect(s).toEqual({ bestRound: 0, reason: 'baseline already at convergence threshold (0.960 >= 0.95)', excludedRounds: {} });
  });

  it('2. falls back to round 0 when nothing was scored', () => {
    expect(pickBestRound([round(0, null), round(1, null)], OPTS).reason).toBe('no rounds had evaluatable scores');
  });

  it('6. only the baseline scored', () => {
    const s = pickBestRound([round(0, 0.5), round(1, null)], OPTS);
    expect(s).toMatchObject({ bestRound: 0, reason: 'only baseline scored (0.500)' });
  });

  it('4. the baseline gate: a gain within the noise floor does not win', () => {
    const s = pickBestRound([round(0, 0.5), round(1, 0.51)], OPTS);
    expect(s).toMatchObject({ bestRound: 0, reason: 'no round beat baseline by >= 0.02 on train (noise floor; baseline=0.500)' });
  });

  it('4. the noise-floor reason mentions cost when costs are comparable', () => {
    const s = pickBestRound([round(0, 0.5, { cost: 1 }), round(1, 0.51, { cost: 0.9 })], OPTS);
    expect(s.reason).toBe('no round beat baseline by >= 0.02 on train nor cut target-agent cost by >= 15% at equivalent score (noise floor; baseline=0.500)');
  });

  it('8. a round that beats the baseline wins, with the delta', () => {
    const s = pickBestRound([round(0, 0.5), round(1, 0.8), round(2, 0.6)], OPTS);
    expect(s).toMatchObject({ bestRound: 1, reason: 'round 1 beats baseline by +0.300 on train (0.500 -> 0.800)' });
  });

  it('8. … and says when it also cuts cost', () => {
    const s = pickBestRound([round(0, 0.5, { cost: 1 }), round(1, 0.8, { cost: 0.5 })], OPTS);
    expect(s.reason).toBe('round 1 beats baseline by +0.300 on train (0.500 -> 0.800) AND cuts target-agent cost $1.0000 -> $0.5000 (-50%)');
  });

  it('3/4. a cost cut at an equivalent score passes the gate (the tie form)', () => {
    const s = pickBestRound([round(0, 0.5, { cost: 1 }), round(1, 0.49, { cost: 0.8 })], OPTS);
    expect(s).toMatchObject({ bestRound: 1, reason: 'round 1 ties baseline within ±0.02 train (0.500 vs 0.490) but cuts target-agent cost $1.0000 -> $0.8000 (-20%)' });
  });

  it('3. cost is not comparable once train tasks were regenerated', () => {
    const s = pickBestRound([round(0, 0.5, { cost: 1 }), round(1, 0.49, { cost: 0.5 })], { ...OPTS, trainScoresComparable: false });
    expect(s).toMatchObject({ bestRound: 0, reason: 'no round beat baseline by >= 0.02 on train (noise floor; baseline=0.500)' });
  });

  it('5. a round that regresses one baseline task by more than the tolerance is excluded', () => {
    const s = pickBestRound([round(0, 0.5, { perTask: { a: 0.5, b: 0.5 } }), round(1, 0.7, { perTask: { a: 1, b: 0.2 } })], { ...OPTS });
    expect(s.bestRound).toBe(0);
    expect(s.reason).toBe('all improving rounds regressed on at least one task by > 0.2 (baseline=0.500)');
    expect(s.excludedRounds).toEqual({ '1': "task 'b' regressed from 0.500 to 0.200 (drop=0.300 > tolerance=0.2)" });
  });

  it('5. a round without clean runs for a baseline task is excluded; new tasks are ignored', () => {
    const s = pickBestRound([round(0, 0.5, { perTask: { a: 0.5, b: 0.5 } }), round(1, 0.9, { perTask: { a: 0.9, c: 0 } }), round(2, 0.7, { perTask: { a: 0.8, b: 0.6, z: 0 } })], OPTS);
    expect(s.excludedRounds['1']).toBe("task 'b' has no clean runs in round 1 (baseline=0.500) — cannot verify non-regression");
    expect(s.bestRound).toBe(2);
  });

  it('7. the test score is primary when the test set is separate', () => {
    const s = pickBestRound([round(0, 0.9, { testScore: 0.4, perTaskTestScores: { a: 0.4 } }), round(1, 0.2, { testScore: 0.7, perTask: { a: 0.2 }, perTaskTestScores: { a: 0.7 } })], { ...OPTS, hasTest: true });
    expect(s).toMatchObject({ bestRound: 1, reason: 'round 1 beats baseline by +0.300 on test (0.400 -> 0.700)' });
  });

  it('7. ranks by primary beyond the band, then by cost, then baseline first, then train, tokens, duration, round', () => {
    const base = round(0, 0.5, { cost: 1 });
    // Two rounds within the band of each other, the cheaper wins.
    expect(pickBestRound([base, round(1, 0.8, { cost: 0.9 }), round(2, 0.79, { cost: 0.7 })], OPTS).bestRound).toBe(2);
    // Beyond the band, the higher score wins whatever the cost.
    expect(pickBestRound([base, round(1, 0.8, { cost: 0.9 }), round(2, 0.75, { cost: 0.1 })], OPTS).bestRound).toBe(1);
    // Same score and cost: train score (with a separate test set), then tokens, then duration, then the lower round.
    const t = { ...OPTS, hasTest: true };
    const r = (n: number, train: number, x: { tokens?: number; durationMs?: number } = {}) => round(n, train, { testScore: 0.8, perTaskTestScores: { a: 0.8 }, ...x });
    const b0 = round(0, 0.5, { testScore: 0.5, perTaskTestScores: { a: 0.5 } });
    expect(pickBestRound([b0, r(1, 0.6), r(2, 0.7)], t).bestRound).toBe(2);
    expect(pickBestRound([b0, r(1, 0.7, { tokens: 500 }), r(2, 0.7, { tokens: 200 })], t).bestRound).toBe(2);
    expect(pickBestRound([b0, r(1, 0.7, { durationMs: 900 }), r(2, 0.7, { durationMs: 800 })], t).bestRound).toBe(2);
    expect(pickBestRound([b0, r(1, 0.7), r(2, 0.7)], t).bestRound).toBe(1);
  });

  it('7/8. the baseline wins a tie it is part of', () => {
    // Round 1 passes the gate on cost (0.6 ≤ 0.85) but round 2 is at the baseline's cost: the baseline ranks above round 2,
    // and round 1 (cheaper) ranks above both.
    const s = pickBestRound([round(0, 0.5, { cost: 1 }), round(1, 0.5, { cost: 0.6 })], OPTS);
    expect(s.bestRound).toBe(1);
    const noCost = pickBestRound([round(0, 0.5), round(1, 0.52, { cost: 0 }), round(2, 0.51)], { ...OPTS, minImprovement: 0.02, scoreEquivalenceBand: 0.05 });
    expect(noCost).toMatchObject({ bestRound: 0, reason: 'baseline train score 0.500 wins tiebreak at equivalence band' });
  });

  it('8. without a baseline score the highest round wins', () => {
    const s = pickBestRound([round(0, null), round(1, 0.3), round(2, 0.6)], OPTS);
    expect(s).toMatchObject({ bestRound: 2, reason: 'highest train score 0.600 (no baseline reference)' });
  });

  it('persists the selection config with the fixed epsilon', () => {
    expect(selectionConfig(OPTS)).toEqual({ minImprovement: 0.02, epsilon: 0.005, convergenceThreshold: 0.95, perTaskRegressionTolerance: 0.2, minCostReductionRatio: 0.15, scoreEquivalenceBand: 0.02 });
  });
});
