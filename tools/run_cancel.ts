import { z } from 'zod';
import { AnyRunEnvelopeSchema, summarizeEnvelope, toEnvelope } from '../src/contract/invoke.js';
import { defineOperation } from '../src/contract/operation.js';
import { idArg, textArg } from '../src/contract/limits.js';

export const runCancelTool = defineOperation({
  name: 'run_cancel',
  title: 'Cancel a run',
  description:
    'Stop a queued or running run by runId. In-flight LLM calls and subprocesses are aborted within about two seconds; work already saved (such as a partial profile) is kept and a later run resumes from it. Cancelling a run that already ended changes nothing and returns its final state.',
  input: z.strictObject({
    runId: idArg().describe('The run to stop.'),
    reason: textArg(200).optional().describe('Recorded in the run log.'),
  }),
  output: AnyRunEnvelopeSchema,
  effect: 'write',
  idempotent: true,
  openWorld: false,
  mode: 'instant',
  async handler(input, ctx) {
    return toEnvelope(await ctx.engine.runs.cancel(input.runId, input.reason ?? 'cancelled on request'));
  },
  summarize: (out) => summarizeEnvelope(undefined, out),
});
