import type { EvalCriterion } from '../tasks/criteria.js';
import { CancelledError, errorMessage, isAbortError } from '../util/errors.js';
import { evaluateFileCheck } from './file-check.js';
import { collectJudgeInputs } from './judge-inputs.js';
import { evaluateLlmJudge } from './llm-judge.js';
import { getCustomEvaluator, listCustomEvaluators } from './registry.js';
import { evaluateScript, type EvaluatorOutcome } from './script.js';
import { withEvalSpace } from './space.js';
import type { EvalContext, EvalResult } from './types.js';

/**
 * Evaluates a task's criteria one after the other, in order (spec runtime §3.3). Graders that run
 * code (script, custom) each get a fresh private copy of the work dir; file-check and the LLM
 * judge only read the agent's work dir, which no grader ever writes to.
 */

export const DEFERRED_PLACEHOLDER = 'LLM judge deferred';

export async function evaluateAll(criteria: readonly EvalCriterion[], ctx: EvalContext): Promise<EvalResult[]> {
  const base: EvalContext = { ...ctx };
  delete base.evalSpace;
  const results: EvalResult[] = [];
  for (let i = 0; i < criteria.length; i++) {
    if (ctx.signal?.aborted) throw new CancelledError('evaluation cancelled');
    const criterion = criteria[i]!;
    const outcome = await evaluateCriterion(criterion, i, base);
    results.push({ ...outcome, criterion });
  }
  return results;
}

/** One criterion; unexpected failures of the grading machinery become score 0 with infraError. */
export async function evaluateCriterion(criterion: EvalCriterion, index: number, ctx: EvalContext): Promise<EvaluatorOutcome> {
  try {
    return await dispatch(criterion, index, ctx);
  } catch (err) {
    if (isAbortError(err) || ctx.signal?.aborted) throw err instanceof CancelledError ? err : new CancelledError('evaluation cancelled');
    const msg = `${criterion.method} evaluator failed: ${errorMessage(err)}`;
    return { pass: false, score: 0, details: msg, infraError: msg };
  }
}

async function dispatch(criterion: EvalCriterion, index: number, ctx: EvalContext): Promise<EvaluatorOutcome> {
  switch (criterion.method) {
    case 'script':
      return evaluateScript(criterion, ctx);
    case 'file-check':
      return evaluateFileCheck(criterion, ctx);
    case 'llm-judge': {
      if (ctx.deferJudge) {
        const inputs = await collectJudgeInputs(ctx.runResult, ctx.workDir);
        ctx.deferJudge({ criterionIndex: index, criterion, inputs });
        return { pass: false, score: 0, details: DEFERRED_PLACEHOLDER };
      }
      return evaluateLlmJudge(criterion, ctx);
    }
    case 'custom': {
      const evaluator = getCustomEvaluator(criterion.evaluatorId);
      if (!evaluator) {
        return {
          pass: false,
          score: 0,
          details: `Custom evaluator not found: "${criterion.evaluatorId}" (known: ${listCustomEvaluators().join(', ') || 'none'})`,
        };
      }
      const out = await withEvalSpace(ctx, (_space, inSpace) => evaluator.run(criterion, inSpace));
      return sanitize(out);
    }
    default: {
      const method = (criterion as { method?: unknown }).method;
      return { pass: false, score: 0, details: `Unknown evaluation method ${JSON.stringify(method)}` };
    }
  }
}

/** A third-party evaluator's score is clamped to [0, 1] (NaN ⇒ 0). */
function sanitize(out: EvaluatorOutcome): EvaluatorOutcome {
  const s = Number.isFinite(out.score) ? Math.min(1, Math.max(0, out.score)) : 0;
  return s === out.score ? out : { ...out, score: s };
}
