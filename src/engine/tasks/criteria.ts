import { z } from 'zod';

/**
 * Evaluation criteria of task.json (spec runtime §3.2, MUST compat): a union on `method`,
 * frozen at four methods. Objects are loose so fields we do not model survive a round trip.
 */

const Common = {
  id: z.string().optional(),
  name: z.string().optional(),
  weight: z.number().min(0).optional(),
};

export const ScriptCriterionSchema = z.looseObject({
  ...Common,
  method: z.literal('script'),
  command: z.string().min(1),
  expectedExitCode: z.number().int().default(0),
  expectedOutput: z.string().optional(),
});

export const FileCheckCriterionSchema = z.looseObject({
  ...Common,
  method: z.literal('file-check'),
  /** Required by the reference even when `glob` is given. */
  path: z.string(),
  glob: z.string().optional(),
  mode: z.enum(['exact', 'contains', 'regex', 'json-schema']),
  expected: z.string(),
});

export const LlmJudgeCriterionSchema = z.looseObject({
  ...Common,
  method: z.literal('llm-judge'),
  /** A rubric text, or a record score → description. */
  rubric: z.union([z.string(), z.record(z.string(), z.string())]),
  maxScore: z.number().positive().default(1),
});

export const CustomCriterionSchema = z.looseObject({
  ...Common,
  method: z.literal('custom'),
  evaluatorId: z.string().min(1),
  /** Evaluator-specific; hydrated at load time (e.g. python-grade reads the sibling grade.py). */
  payload: z.unknown().optional(),
});

export const EvalCriterionSchema = z.discriminatedUnion('method', [
  ScriptCriterionSchema,
  FileCheckCriterionSchema,
  LlmJudgeCriterionSchema,
  CustomCriterionSchema,
]);

export type ScriptCriterion = z.output<typeof ScriptCriterionSchema>;
export type FileCheckCriterion = z.output<typeof FileCheckCriterionSchema>;
export type LlmJudgeCriterion = z.output<typeof LlmJudgeCriterionSchema>;
export type CustomCriterion = z.output<typeof CustomCriterionSchema>;
export type EvalCriterion = z.output<typeof EvalCriterionSchema>;
export const EVAL_METHODS = ['script', 'file-check', 'llm-judge', 'custom'] as const;
