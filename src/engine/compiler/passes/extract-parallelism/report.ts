import type { PassReport, WorkflowDAG } from '../../types.js';
import type { NormalizedPlan } from './normalize.js';
import type { ParallelPlan } from './plan.js';

/** The pass's line in the compile result: the groups kept, or why there are none. */

const DETAIL_CHARS = 100;

export function passReport(plan: ParallelPlan, { dag, notes, cycle }: NormalizedPlan): PassReport {
  const facts = { groups: dag.parallelism.map((g) => ({ type: g.type, steps: g.steps })) };
  if (dag.parallelism.length > 0) return { summary: groupsSummary(dag), facts };
  const detail = plan.hasParallelism ? `no group of the plan was kept (${notes.join('; ')})` : plan.reasoning.replace(/\s+/g, ' ').trim();
  const summary = detail ? `no parallelism: ${detail.slice(0, DETAIL_CHARS)}` : 'no parallelism';
  if (!cycle) return { summary, facts };
  return { summary, facts, warning: `The workflow the model described has a dependency cycle (${cycle.join(' → ')}); no hints were added.` };
}

function groupsSummary(dag: WorkflowDAG): string {
  const n = dag.parallelism.length;
  return `${n} parallel group${n === 1 ? '' : 's'} (${dag.parallelism.map((g) => g.type.toUpperCase()).join(', ')})`;
}
