import { z } from 'zod';
import { defineOperation } from '../src/contract/operation.js';
import { idArg, listArg } from '../src/contract/limits.js';
import { RUN_STATUSES } from '../src/engine/runs/record.js';

const RunRow = z.object({
  runId: z.string(),
  operation: z.string(),
  label: z.string(),
  status: z.enum(RUN_STATUSES),
  progress: z.object({ done: z.number(), total: z.number().nullable(), message: z.string().nullable() }),
  createdAt: z.string(),
  endedAt: z.string().nullable(),
  resource: z.string(),
});

export const runsListTool = defineOperation({
  name: 'runs_list',
  title: 'List runs',
  description:
    'List recent long-running operations (profile, bench and run_task runs) started by this server, another server on the same cache, or the skvm CLI — newest first. Use it to find a runId to pass to run_status or run_cancel, or to see what is still running. Returns id, operation, a one-line label, status (queued, running, succeeded, failed, cancelled, interrupted) and progress for each.',
  input: z.strictObject({
    status: listArg(z.enum(RUN_STATUSES), RUN_STATUSES.length).optional().describe('Only runs in these states.'),
    operation: idArg().optional().describe('Only runs of this operation (e.g. "profile").'),
    limit: z.number().int().min(1).max(200).default(20).describe('Most runs to return.'),
  }),
  output: z.object({ runs: z.array(RunRow), count: z.number() }),
  effect: 'read',
  idempotent: true,
  openWorld: false,
  mode: 'instant',
  async handler(input, ctx) {
    const recs = await ctx.engine.runs.list({ status: input.status, operation: input.operation, limit: input.limit });
    const runs = recs.map((r) => ({
      runId: r.id,
      operation: r.operation,
      label: r.label,
      status: r.status,
      progress: { done: r.progress.done, total: r.progress.total, message: r.progress.message },
      createdAt: r.createdAt,
      endedAt: r.endedAt,
      resource: `skvm://runs/${r.id}`,
    }));
    return { runs, count: runs.length };
  },
  summarize(out) {
    if (out.count === 0) return 'No runs.';
    return out.runs
      .map((r) => {
        const p = r.progress.total !== null ? ` ${r.progress.done}/${r.progress.total}` : '';
        return `${r.runId}  ${r.status.padEnd(11)}${p}  ${r.label}`;
      })
      .join('\n');
  },
});
