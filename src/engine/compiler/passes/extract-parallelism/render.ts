import type { WorkflowDAG } from '../../types.js';
import type { ParallelismType } from './normalize.js';

/**
 * The two texts pass 3 produces from a DAG (spec §4.9): the hints section appended to SKILL.md
 * and `workflow-dag.md`. Both exist only when the DAG has at least one step and one group.
 * Layout and labels are the spec's; the sentences are ours. Model-written text is folded onto
 * one line so it cannot start a line of its own (a heading, a fence) in the skill.
 */

const LABEL: Record<ParallelismType, string> = {
  dlp: 'same operation over independent data items',
  ilp: 'independent tool calls batched in one LLM turn',
  tlp: 'independent sub-tasks dispatched to sub-agents',
};

const GUIDANCE: Record<ParallelismType, string> = {
  dlp:
    "Run this step's operation over all items at once with a parallel primitive (`xargs -P`, GNU parallel, Python's `multiprocessing.Pool`, `Promise.all`) instead of a loop, then merge the per-item results before moving on.",
  ilp: 'Issue these tool calls together in a single assistant turn, as one batched tool_use block, then pass each result to the step that consumes it.',
  tlp: 'Once their shared prerequisites are done, start one sub-agent per step, wait for all of them, then merge their results before moving on.',
};

const INTRO =
  '**Parallel execution hints:** Some steps of this workflow can run at the same time. Apply a hint only if your harness supports its mechanism; otherwise run the steps sequentially, as written above.';

const hasContent = (dag: WorkflowDAG) => dag.steps.length > 0 && dag.parallelism.length > 0;

/** One line: whitespace runs (newlines included) become a single space. */
const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

/** The text to append to SKILL.md, or undefined when there is nothing to say. */
export function renderParallelHints(dag: WorkflowDAG): string | undefined {
  if (!hasContent(dag)) return undefined;
  const description = new Map(dag.steps.map((s) => [s.id, oneLine(s.description)]));
  const blocks = dag.parallelism.map((g, i) =>
    [
      `**Group ${i + 1} — ${g.type.toUpperCase()} (${LABEL[g.type]}):**`,
      '',
      ...g.steps.map((id) => `- **${oneLine(id)}**: ${description.get(id) || '(no description)'}`),
      '',
      `Mechanism: ${oneLine(g.mechanism)}`,
      '',
      GUIDANCE[g.type],
    ].join('\n'),
  );
  return `\n\n---\n\n${INTRO}\n\n${blocks.join('\n\n')}\n`;
}

/** `workflow-dag.md`: the DAG as a mermaid flowchart, or undefined when there is nothing to draw. */
export function renderWorkflowDag(dag: WorkflowDAG): string | undefined {
  if (!hasContent(dag)) return undefined;
  const node = (id: string) => id.replace(/[^A-Za-z0-9_]/g, '_');
  const lines = ['## Workflow DAG', '', '```mermaid', 'graph TD'];
  for (const s of dag.steps) lines.push(`  ${node(s.id)}["${(oneLine(s.description) || oneLine(s.id)).replace(/"/g, "'")}"]`);
  for (const s of dag.steps) for (const d of s.dependsOn) lines.push(`  ${node(d)} --> ${node(s.id)}`);
  lines.push('```');
  return lines.join('\n') + '\n';
}
