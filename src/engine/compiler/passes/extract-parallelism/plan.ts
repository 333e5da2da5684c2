import { z } from 'zod';
import { WorkflowStepSchema } from '../../types.js';

/**
 * What the compiler model answers (spec §4.9, schema "pass3_parallel_plan"): a decomposition of
 * the skill's workflow and the groups of steps it believes can run in parallel. Raw model output:
 * `normalizePlan` decides what of it survives.
 */
export const ParallelGroupSchema = z.object({
  type: z.enum(['dlp', 'ilp', 'tlp']).default('tlp'),
  stepIds: z.array(z.string()).min(1),
  reason: z.string().default(''),
  mechanism: z.string().default(''),
});

export const ParallelPlanSchema = z.object({
  hasParallelism: z.boolean(),
  reasoning: z.string().default(''),
  steps: z.array(WorkflowStepSchema).default([]),
  parallelGroups: z.array(ParallelGroupSchema).default([]),
});

export type ParallelGroup = z.output<typeof ParallelGroupSchema>;
export type ParallelPlan = z.output<typeof ParallelPlanSchema>;
/** A plan as a model may send it (defaults not applied yet). */
export type ParallelPlanInput = z.input<typeof ParallelPlanSchema>;
