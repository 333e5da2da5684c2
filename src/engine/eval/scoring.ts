import { mean } from '../util/mean.js';
import type { EvalCriterion } from '../tasks/criteria.js';
import { renderRubric } from './judge-inputs.js';
import type { EvalResult } from './types.js';

/**
 * The three score aggregations of spec runtime §3.6, each reproduced where it is used:
 *  1. taskScore            — a single task run (run_task): every criterion passes; unweighted mean.
 *  2. computeWeightedScore — a bench condition result (also after merging deferred judge results).
 *  3. evidenceScore        — jit-optimize evidence: leaf criteria with normalized weights.
 */

export type EvalMethod = EvalCriterion['method'];

// ---------------------------------------------------------------------------------------------
// 1. run_task

export interface TaskScore {
  overallPass: boolean;
  overallScore: number;
  /** Some criterion could not be graded (its result carries infraError): the score is not trustworthy. */
  tainted: boolean;
}

/** overallPass = every result passes (and there is at least one); overallScore = unweighted mean (0 when none). */
export function taskScore(results: readonly EvalResult[]): TaskScore {
  if (results.length === 0) return { overallPass: false, overallScore: 0, tainted: false };
  return {
    overallPass: results.every((r) => r.pass),
    overallScore: results.reduce((s, r) => s + r.score, 0) / results.length,
    tainted: results.some((r) => !!r.infraError),
  };
}

// ---------------------------------------------------------------------------------------------
// 2. bench condition

/** One evaluated criterion as a bench condition records it. */
export interface ScoreDetail {
  method: EvalMethod;
  score: number;
  weight?: number;
  id?: string;
}

export interface GradingWeights {
  automated: number;
  llmJudge: number;
}

export interface WeightedScore {
  score: number;
  pass: boolean;
  /** Mean of script / file-check / custom entries; undefined when there are none. */
  automatedScore?: number;
  /** Mean of llm-judge entries; undefined when there are none. */
  llmJudgeScore?: number;
}

/**
 * - any entry has a weight ⇒ weighted mean Σw·s / Σw, entries without a weight count 1/N;
 * - else gradingWeights ⇒ automated mean and llm-judge mean combined by the two weights
 *   (normalized by their sum; one group missing ⇒ the other group's mean);
 * - else the flat mean. pass = score ≥ 0.5. An empty list scores 0.
 */
export function computeWeightedScore(details: readonly ScoreDetail[], gradingWeights?: GradingWeights): WeightedScore {
  const automatedScore = mean(details.filter((d) => d.method !== 'llm-judge').map((d) => d.score)) ?? undefined;
  const llmJudgeScore = mean(details.filter((d) => d.method === 'llm-judge').map((d) => d.score)) ?? undefined;
  const groups = { ...(automatedScore !== undefined ? { automatedScore } : {}), ...(llmJudgeScore !== undefined ? { llmJudgeScore } : {}) };
  if (details.length === 0) return { score: 0, pass: false, ...groups };

  let score: number;
  if (details.some((d) => d.weight !== undefined)) {
    const n = details.length;
    const ws = details.map((d) => d.weight ?? 1 / n);
    const sumW = ws.reduce((s, w) => s + w, 0);
    score = sumW > 0 ? details.reduce((s, d, i) => s + d.score * ws[i]!, 0) / sumW : mean(details.map((d) => d.score))!;
  } else if (gradingWeights) {
    if (automatedScore === undefined) score = llmJudgeScore!;
    else if (llmJudgeScore === undefined) score = automatedScore;
    else {
      const sumW = gradingWeights.automated + gradingWeights.llmJudge;
      score = sumW > 0 ? (automatedScore * gradingWeights.automated + llmJudgeScore * gradingWeights.llmJudge) / sumW : (automatedScore + llmJudgeScore) / 2;
    }
  } else {
    score = mean(details.map((d) => d.score))!;
  }
  return { score, pass: score >= 0.5, ...groups };
}

/** EvalResults as bench details (method, score, weight, id). */
export function toScoreDetails(results: readonly EvalResult[]): ScoreDetail[] {
  return results.map((r) => ({
    method: r.criterion.method,
    score: r.score,
    ...(r.criterion.weight !== undefined ? { weight: r.criterion.weight } : {}),
    ...(r.criterion.id !== undefined ? { id: r.criterion.id } : {}),
  }));
}

// ---------------------------------------------------------------------------------------------
// 3. jit-optimize evidence

/** spec runtime §5.4 EvidenceCriterion. */
export interface EvidenceCriterion {
  id: string;
  name?: string;
  method: EvalMethod;
  description?: string;
  /** Normalized: the weights of one evidence sum to 1. */
  weight: number;
  score: number;
  passed: boolean;
  /** Omitted when fully passed. */
  details?: string;
  infraError?: string;
}

/** A checkpoint leaf passes at this score (a criterion without checkpoints uses its own `pass`). */
export const LEAF_PASS_SCORE = 0.999;

/**
 * Flattens EvalResults into leaf criteria: one per checkpoint (inner weight = cp.weight, or, when
 * no sibling has a weight, 1/count; siblings of weighted checkpoints without one get 0), else one
 * per result; weight = outer (criterion.weight ?? 1) × inner, normalized to Σ = 1.
 */
export function buildEvidenceCriteria(results: readonly EvalResult[]): EvidenceCriterion[] {
  const leaves: EvidenceCriterion[] = [];
  for (const r of results) {
    const c = r.criterion;
    const outer = c.weight ?? 1;
    const cps = r.checkpoints ?? [];
    if (cps.length > 0) {
      const anyWeighted = cps.some((cp) => cp.weight !== undefined);
      for (const cp of cps) {
        const inner = cp.weight ?? (anyWeighted ? 0 : 1 / cps.length);
        const passed = cp.score >= LEAF_PASS_SCORE;
        const leaf: EvidenceCriterion = { id: `${c.id ?? c.method}/${cp.name}`, name: cp.name, method: c.method, weight: outer * inner, score: cp.score, passed };
        if (cp.description !== undefined) leaf.description = cp.description;
        if (!passed && cp.reason !== undefined) leaf.details = cp.reason;
        if (r.infraError) leaf.infraError = r.infraError;
        leaves.push(leaf);
      }
    } else {
      const leaf: EvidenceCriterion = { id: c.id ?? `${c.method}/${c.name ?? 'criterion'}`, method: c.method, weight: outer, score: r.score, passed: r.pass };
      if (c.name !== undefined) leaf.name = c.name;
      const description = describeCriterion(c);
      if (description !== undefined) leaf.description = description;
      if (!(r.pass && r.score >= LEAF_PASS_SCORE)) leaf.details = r.details;
      if (r.infraError) leaf.infraError = r.infraError;
      leaves.push(leaf);
    }
  }
  const total = leaves.reduce((s, l) => s + l.weight, 0);
  if (!(total > 0)) return [];
  return leaves.map((l) => ({ ...l, weight: l.weight / total }));
}

function describeCriterion(c: EvalCriterion): string | undefined {
  switch (c.method) {
    case 'llm-judge':
      return renderRubric(c.rubric);
    case 'script':
      return `script: ${c.command}`;
    case 'file-check':
      return `file-check ${c.mode}: ${c.path}`;
    default:
      return undefined;
  }
}

export interface EvidenceScore {
  criteria: EvidenceCriterion[];
  /** Σ score·(w/Σw) over criteria without infraError; null when there are none. */
  score: number | null;
  /** Some criterion carries infraError. */
  tainted: boolean;
  /** Every criterion passed (false for a tainted or empty evidence). */
  passed: boolean;
}

export function evidenceRunScore(criteria: readonly EvidenceCriterion[]): number | null {
  const clean = criteria.filter((c) => !c.infraError);
  const sumW = clean.reduce((s, c) => s + c.weight, 0);
  if (clean.length === 0 || !(sumW > 0)) return null;
  return clean.reduce((s, c) => s + c.score * (c.weight / sumW), 0);
}

export function evidenceScore(results: readonly EvalResult[]): EvidenceScore {
  const criteria = buildEvidenceCriteria(results);
  const tainted = criteria.some((c) => !!c.infraError);
  return { criteria, score: evidenceRunScore(criteria), tainted, passed: !tainted && criteria.length > 0 && criteria.every((c) => c.passed) };
}
