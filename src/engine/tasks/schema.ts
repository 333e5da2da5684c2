import { z } from 'zod';
import { EvalCriterionSchema } from './criteria.js';

/**
 * task.json (spec runtime §3.1, MUST compat). Defaults are the reference's. The object is loose:
 * fields we do not model are kept. `eval` must have at least one criterion for bench and
 * run_task with evaluation; a task without `eval` still loads (execute-only runs).
 */
export const TaskOriginSchema = z.looseObject({
  source: z.string(),
  repo: z.string().optional(),
  url: z.string().optional(),
  file: z.string().optional(),
  importedAt: z.string().optional(),
  notes: z.string().optional(),
});

export const TaskFileSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string().optional(),
  category: z.string().default('general'),
  gradingType: z.enum(['automated', 'llm_judge', 'hybrid']).default('automated'),
  prompt: z.string().min(1),
  timeoutMs: z.number().int().positive().default(120_000),
  maxSteps: z.number().int().positive().default(30),
  eval: z.array(EvalCriterionSchema).default([]),
  /** Inline text fixtures: relative path → content. */
  fixtures: z.record(z.string(), z.string()).optional(),
  gradingWeights: z.object({ automated: z.number().min(0), llmJudge: z.number().min(0) }).optional(),
  /** Skill directory path(s), relative to the task directory or absolute; null = a no-skill task. */
  skill: z.union([z.string(), z.array(z.string()), z.null()]).optional(),
  origin: TaskOriginSchema.optional(),
  hostReady: z.boolean().default(true),
  difficulty: z.enum(['easy', 'medium', 'hard']).optional(),
});

export type TaskFile = z.output<typeof TaskFileSchema>;
