import type { StructuredRequest } from '../../../llm/structured.js';
import { ParallelPlanSchema, type ParallelPlan } from './plan.js';

/**
 * The one structured request of pass 3. The definitions and the conservatism rules are the
 * spec's (§4.9); the wording is ours.
 */

export const PLAN_SCHEMA_NAME = 'pass3_parallel_plan';
export const PLAN_MAX_TOKENS = 4000;

const SYSTEM = [
  'You analyse agent skills: instruction files (SKILL.md) that an LLM agent follows to do a job.',
  'Your task is to find the places where the workflow a skill describes can safely run in parallel.',
  'You never rewrite the skill; you only describe its workflow and the parallelism in it.',
].join(' ');

const INSTRUCTIONS = `Decompose the workflow of the skill below into steps, then say which steps, if any, can run in parallel.

Three kinds of parallelism count:
- DLP (data-level): one step applies the same operation to many independent items (files, URLs, records, pages). It becomes a parallel primitive inside a single command or script, such as \`xargs -P\`, GNU parallel, Python's multiprocessing.Pool or JavaScript's Promise.all. A DLP group names exactly one step: the step that iterates over the items.
- ILP (instruction-level): two or more steps that each take a single tool call and need nothing from each other. The agent issues them together in one turn, as a batch of tool calls.
- TLP (thread-level): two or more sub-tasks that each need several turns of reasoning and tool use, with no data passing between them. Each one can be handed to its own sub-agent.

Be conservative:
- A missed opportunity costs little; a wrong hint breaks the skill. When in doubt, leave a group out.
- Put steps in one group only if they can all start from inputs that are available at the same time, and their results can be merged afterwards.
- If the workflow is a chain in which every step needs the one before, answer hasParallelism = false and give no groups.
- Describe the workflow with the 2 to 6 steps that matter; do not split it into trivial actions.
- For a collection of similar items, prefer one DLP step over an ILP group of per-item steps. For branches that are one tool call each, prefer ILP over TLP.

How to fill in the answer:
- steps: every step of the workflow. id: short, unique, snake_case. description: one sentence. primitives: the capabilities the step relies on, as short ids, or [] when unsure. dependsOn: the ids of the steps whose output this step needs.
- parallelGroups: for each group, type ("dlp", "ilp" or "tlp"), stepIds (ids from steps), reason (one sentence: why these can run at the same time), mechanism (leave empty to use the usual mechanism of the type).
- hasParallelism: true only if you give at least one group.
- reasoning: two or three sentences explaining your verdict.

The skill, between the markers:
<skill>
`;

export function planRequest(model: string, skillContent: string): StructuredRequest<ParallelPlan> {
  return {
    model,
    schema: ParallelPlanSchema,
    name: PLAN_SCHEMA_NAME,
    description: "The skill's workflow steps and the groups of steps that can run in parallel",
    system: SYSTEM,
    prompt: `${INSTRUCTIONS}${skillContent}\n</skill>`,
    maxTokens: PLAN_MAX_TOKENS,
  };
}
