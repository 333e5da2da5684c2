import { z } from 'zod';
import { AnyRunEnvelopeSchema, envelopeVerdict, summarizeEnvelope, toEnvelope, waitSecondsSchema } from '../src/contract/invoke.js';
import { defineOperation } from '../src/contract/operation.js';
import { idArg } from '../src/contract/limits.js';
import { RUN_ID_EXAMPLE } from '../src/engine/runs/record.js';

export const runStatusTool = defineOperation({
  name: 'run_status',
  title: 'Run status (long-poll)',
  description:
    'Get the state of a run by runId, waiting up to waitSeconds for it to finish (it returns as soon as the run ends) and sending progress notifications meanwhile. Call it repeatedly after a long operation returned a runId instead of its result. When the run has succeeded the reply contains its result; when it failed, the error and a hint. Ending this call never cancels the run — use run_cancel for that.',
  input: z.strictObject({
    runId: idArg().describe(`The id a long operation returned, e.g. ${RUN_ID_EXAMPLE}.`),
    waitSeconds: waitSecondsSchema,
  }),
  output: AnyRunEnvelopeSchema,
  effect: 'read',
  idempotent: true,
  openWorld: false,
  mode: 'instant',
  async handler(input, ctx) {
    const rec = await ctx.engine.runs.wait(input.runId, {
      timeoutMs: input.waitSeconds * 1000,
      signal: ctx.signal,
      onChange: (r) => ctx.progress(r.progress.done, r.progress.total ?? undefined, r.progress.message ?? undefined),
    });
    return toEnvelope(rec);
  },
  summarize: (out) => summarizeEnvelope(undefined, out),
  // A run that failed is an error here too; a finished run is judged by its own operation.
  verdict: (out, find) => envelopeVerdict(out, find(out.operation), find),
});
