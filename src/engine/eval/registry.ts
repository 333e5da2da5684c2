import type { EvalCriterion } from '../tasks/criteria.js';
import { errorMessage } from '../util/errors.js';
import { junitGradeEvaluator } from './junit-grade.js';
import { pythonGradeEvaluator } from './python-grade.js';
import type { CustomEvaluator } from './types.js';

/**
 * The custom evaluator registry: the single source of truth for `evaluatorId`s. The built-in
 * python-grade and junit-grade are always present; others may be added at start-up.
 */

const registry = new Map<string, CustomEvaluator>([
  [pythonGradeEvaluator.id, pythonGradeEvaluator],
  [junitGradeEvaluator.id, junitGradeEvaluator],
]);

export const BUILTIN_CUSTOM_EVALUATORS: readonly string[] = [pythonGradeEvaluator.id, junitGradeEvaluator.id];

export function registerCustomEvaluator(evaluator: CustomEvaluator): void {
  registry.set(evaluator.id, evaluator);
}

export function unregisterCustomEvaluator(id: string): boolean {
  return registry.delete(id);
}

export function getCustomEvaluator(id: string): CustomEvaluator | undefined {
  return registry.get(id);
}

export function listCustomEvaluators(): string[] {
  return [...registry.keys()].sort();
}

/**
 * Load-time hydration (spec §3.3): for every `custom` criterion without a payload, ask its
 * evaluator's `loadPayload(taskDir)`; then validate every present payload. Throws
 * `[<evaluatorId>] payload validation failed in <taskDir>: …` on the first invalid one.
 * Unknown evaluator ids are left for evaluation time (which scores them 0 with a reason).
 */
export async function hydrateEvalPayloads(criteria: readonly EvalCriterion[], taskDir: string): Promise<EvalCriterion[]> {
  const out: EvalCriterion[] = [];
  for (const c of criteria) {
    if (c.method !== 'custom') {
      out.push(c);
      continue;
    }
    const ev = registry.get(c.evaluatorId);
    let next = c;
    if (ev && c.payload === undefined && ev.loadPayload) {
      const payload = await ev.loadPayload(taskDir);
      if (payload !== undefined) next = { ...c, payload };
    }
    if (ev?.validatePayload) {
      try {
        ev.validatePayload(next.payload);
      } catch (err) {
        throw new Error(`[${c.evaluatorId}] payload validation failed in ${taskDir}: ${errorMessage(err)}`);
      }
    }
    out.push(next);
  }
  return out;
}
