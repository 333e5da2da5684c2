import { extractStructured } from '../../../llm/structured.js';
import { throwIfAborted } from '../../../util/abort.js';
import type { PassContext, PassOutput } from '../../types.js';
import { normalizePlan } from './normalize.js';
import { planRequest } from './prompt.js';
import { renderParallelHints } from './render.js';
import { passReport } from './report.js';

/**
 * Pass 3, extract-parallelism (spec §4.9): one structured call decomposes the skill's workflow,
 * normalisation keeps only the parallel groups that hold, and SKILL.md gets a hints section when
 * any remain (`workflow-dag.md` is rendered from the same DAG by the variant writer, with
 * `renderWorkflowDag` in ./render.ts). Every failure is visible: a provider error, a cancellation
 * or an answer still invalid after the repair turn fails the pass (the reference turned the last
 * into "no parallelism"); only the model's own "no parallelism", or a plan with no viable group,
 * yields an empty DAG.
 */
export async function run(ctx: PassContext): Promise<PassOutput> {
  throwIfAborted(ctx.signal);
  ctx.progress('decomposing the workflow');
  const { value: plan } = await extractStructured(ctx.llm, planRequest(ctx.compilerModel, ctx.skillContent), { signal: ctx.signal });
  const normalized = normalizePlan(plan);
  for (const note of normalized.notes) ctx.log.debug(`extract-parallelism: ${note}`);
  const hints = renderParallelHints(normalized.dag);
  return {
    artifacts: { dag: normalized.dag },
    ...(hints ? { skillPatch: { kind: 'append' as const, content: hints } } : {}),
    report: passReport(plan, normalized),
  };
}
