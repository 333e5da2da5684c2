import { describe, expect, it } from 'vitest';
import type { EvalCriterion } from '../tasks/criteria.js';
import { buildEvidenceCriteria, computeWeightedScore, evidenceRunScore, evidenceScore, taskScore, toScoreDetails } from './scoring.js';
import type { EvalResult } from './types.js';

const script = (extra: Partial<EvalCriterion> = {}): EvalCriterion => ({ method: 'script', command: 'true', expectedExitCode: 0, ...extra }) as EvalCriterion;
const result = (criterion: EvalCriterion, score: number, pass: boolean, extra: Partial<EvalResult> = {}): EvalResult => ({ criterion, score, pass, details: `d${score}`, ...extra });

describe('1. taskScore (run_task): every result passes; unweighted mean', () => {
  it('hand-computed', () => {
    const rs = [result(script({ weight: 0.9 }), 1, true), result(script(), 0.5, true), result(script(), 0.2, false)];
    const s = taskScore(rs);
    expect(s.overallPass).toBe(false);
    expect(s.overallScore).toBeCloseTo(1.7 / 3, 12); // weights are ignored
    expect(s.tainted).toBe(false);
    expect(taskScore(rs.slice(0, 2))).toEqual({ overallPass: true, overallScore: 0.75, tainted: false });
  });

  it('an infra result counts (as its 0) and taints; no results is not a pass', () => {
    const s = taskScore([result(script(), 1, true), result(script(), 0, false, { infraError: 'no python' })]);
    expect(s).toEqual({ overallPass: false, overallScore: 0.5, tainted: true });
    expect(taskScore([])).toEqual({ overallPass: false, overallScore: 0, tainted: false });
  });
});

describe('2. computeWeightedScore (bench condition)', () => {
  it('weights on every entry: Σw·s / Σw', () => {
    const s = computeWeightedScore([
      { method: 'custom', score: 1, weight: 0.7 },
      { method: 'llm-judge', score: 0.5, weight: 0.3 },
    ]);
    expect(s.score).toBeCloseTo(0.85, 12);
    expect(s.pass).toBe(true);
    expect(s.automatedScore).toBe(1);
    expect(s.llmJudgeScore).toBe(0.5);
  });

  it('a missing weight defaults to 1/N when any entry has one', () => {
    const s = computeWeightedScore([
      { method: 'script', score: 1, weight: 0.5 },
      { method: 'file-check', score: 0 },
      { method: 'script', score: 0.5, weight: 0.2 },
    ]);
    // Σw = 0.5 + 1/3 + 0.2 = 31/30; Σw·s = 0.5 + 0 + 0.1 = 0.6 → 0.6 · 30/31 = 18/31
    expect(s.score).toBeCloseTo(18 / 31, 12);
    expect(s.pass).toBe(true);
    expect(s.llmJudgeScore).toBeUndefined();
    expect(s.automatedScore).toBeCloseTo(0.5, 12);
  });

  it('gradingWeights combine the automated and llm-judge group means', () => {
    const s = computeWeightedScore(
      [
        { method: 'script', score: 1 },
        { method: 'file-check', score: 0 },
        { method: 'llm-judge', score: 0.8 },
      ],
      { automated: 0.6, llmJudge: 0.4 },
    );
    // automated mean 0.5, judge 0.8 → 0.6·0.5 + 0.4·0.8 = 0.62
    expect(s.score).toBeCloseTo(0.62, 12);
    expect(s).toMatchObject({ pass: true, automatedScore: 0.5, llmJudgeScore: 0.8 });
  });

  it('gradingWeights with one group missing use the other group mean', () => {
    const onlyAuto = computeWeightedScore([{ method: 'script', score: 0.4 }, { method: 'custom', score: 0.2 }], { automated: 0.7, llmJudge: 0.3 });
    expect(onlyAuto.score).toBeCloseTo(0.3, 12);
    expect(onlyAuto.pass).toBe(false);
    expect(onlyAuto.llmJudgeScore).toBeUndefined();
    const onlyJudge = computeWeightedScore([{ method: 'llm-judge', score: 0.9 }, { method: 'llm-judge', score: 0.5 }], { automated: 0.7, llmJudge: 0.3 });
    expect(onlyJudge.score).toBeCloseTo(0.7, 12);
    expect(onlyJudge.automatedScore).toBeUndefined();
  });

  it('entry weights take precedence over gradingWeights', () => {
    const s = computeWeightedScore([{ method: 'script', score: 1, weight: 0.25 }, { method: 'llm-judge', score: 0 }], { automated: 0, llmJudge: 1 });
    // weights 0.25 and 1/2 → 0.25 / 0.75
    expect(s.score).toBeCloseTo(1 / 3, 12);
  });

  it('otherwise the flat mean; pass at exactly 0.5; empty is 0', () => {
    expect(computeWeightedScore([{ method: 'script', score: 1 }, { method: 'llm-judge', score: 0 }])).toEqual({ score: 0.5, pass: true, automatedScore: 1, llmJudgeScore: 0 });
    expect(computeWeightedScore([])).toEqual({ score: 0, pass: false });
  });

  it('toScoreDetails maps EvalResults', () => {
    const rs = [result(script({ id: 's', weight: 0.4 }), 1, true), result({ method: 'llm-judge', rubric: 'r', maxScore: 1 }, 0.5, true)];
    expect(toScoreDetails(rs)).toEqual([
      { method: 'script', score: 1, weight: 0.4, id: 's' },
      { method: 'llm-judge', score: 0.5 },
    ]);
  });
});

describe('3. evidenceScore (jit-optimize)', () => {
  const grade: EvalCriterion = { method: 'custom', evaluatorId: 'python-grade', id: 'custom-0', name: 'Automated Grade', weight: 0.7 };
  const judge: EvalCriterion = { method: 'llm-judge', id: 'llm-judge-1', weight: 0.3, rubric: { '1': 'great', '0': 'bad' }, maxScore: 1 };
  const gradeResult = result(grade, 0.75, true, {
    checkpoints: [
      { name: 'a', score: 1, weight: 0.5, description: 'first' },
      { name: 'b', score: 0.5, weight: 0.5, reason: 'half done' },
    ],
  });
  const judgeResult = result(judge, 0.8, true, { details: 'mostly good' });

  it('flattens checkpoints into leaves with weight = outer × inner, normalized', () => {
    const leaves = buildEvidenceCriteria([gradeResult, judgeResult]);
    expect(leaves).toEqual([
      { id: 'custom-0/a', name: 'a', method: 'custom', weight: 0.35, score: 1, passed: true, description: 'first' },
      { id: 'custom-0/b', name: 'b', method: 'custom', weight: 0.35, score: 0.5, passed: false, details: 'half done' },
      { id: 'llm-judge-1', method: 'llm-judge', weight: 0.3, score: 0.8, passed: true, description: 'Score 1: great\nScore 0: bad', details: 'mostly good' },
    ]);
    const s = evidenceScore([gradeResult, judgeResult]);
    // 0.35·1 + 0.35·0.5 + 0.3·0.8 = 0.765
    expect(s.score).toBeCloseTo(0.765, 12);
    expect(s.tainted).toBe(false);
    expect(s.passed).toBe(false);
  });

  it('infra criteria are excluded and the rest re-normalized', () => {
    const broken = result(script({ id: 'net' }), 0, false, { infraError: 'API down' });
    const s = evidenceScore([gradeResult, judgeResult, broken]);
    // raw weights 0.35, 0.35, 0.3, 1 (outer default 1) → /2 = 0.175, 0.175, 0.15, 0.5
    expect(s.criteria.map((c) => c.weight)).toEqual([0.175, 0.175, 0.15, 0.5]);
    expect(s.criteria[3]).toMatchObject({ id: 'net', infraError: 'API down', passed: false, description: 'script: true' });
    // (0.175·1 + 0.175·0.5 + 0.15·0.8) / 0.5 = 0.765
    expect(s.score).toBeCloseTo(0.765, 12);
    expect(s.tainted).toBe(true);
    expect(s.passed).toBe(false);
    expect(evidenceRunScore(buildEvidenceCriteria([broken]))).toBeNull();
  });

  it('unweighted checkpoints split 1/count; a weighted sibling makes the unweighted ones 0', () => {
    const even = buildEvidenceCriteria([result(script(), 0.5, true, { checkpoints: [{ name: 'x', score: 1 }, { name: 'y', score: 0 }] })]);
    expect(even.map((c) => [c.id, c.weight, c.passed])).toEqual([
      ['script/x', 0.5, true],
      ['script/y', 0.5, false],
    ]);
    const mixed = buildEvidenceCriteria([result(script(), 1, true, { checkpoints: [{ name: 'x', score: 1, weight: 1 }, { name: 'y', score: 0 }] })]);
    expect(mixed.map((c) => c.weight)).toEqual([1, 0]);
    expect(evidenceRunScore(mixed)).toBe(1);
  });

  it('leaf passed: checkpoint score ≥ 0.999, else the parent pass; ids and descriptions', () => {
    const leaves = buildEvidenceCriteria([
      result(script(), 1, true, { checkpoints: [{ name: 'near', score: 0.9991 }, { name: 'far', score: 0.998 }] }),
      result({ method: 'file-check', path: 'out.txt', mode: 'contains', expected: 'x', name: 'has x' }, 0.6, true),
      result({ method: 'custom', evaluatorId: 'e' }, 1, true),
    ]);
    expect(leaves.map((c) => [c.id, c.passed, c.details, c.description])).toEqual([
      ['script/near', true, undefined, undefined],
      ['script/far', false, undefined, undefined],
      ['file-check/has x', true, 'd0.6', 'file-check contains: out.txt'],
      ['custom/criterion', true, undefined, undefined],
    ]);
    // weights: 0.5, 0.5, 1, 1 → /3
    expect(leaves.map((c) => c.weight)).toEqual([0.5 / 3, 0.5 / 3, 1 / 3, 1 / 3]);
  });

  it('all-zero weights give no criteria and a null score', () => {
    const s = evidenceScore([result(script({ weight: 0 }), 1, true)]);
    expect(s).toEqual({ criteria: [], score: null, tainted: false, passed: false });
  });
});
