import { z } from 'zod';
import { defineOperation, OK } from '../src/contract/operation.js';
import { HARNESS_HELP, harnessSchema } from '../src/contract/harness.js';
import { modelArg } from '../src/contract/limits.js';

const Target = z.object({
  kind: z.enum(['runtime-logs', 'boost-state', 'bench-session']).describe('runtime-logs: the runtime conversation logs of the model and harness; boost-state: a skill’s jit-boost solidification state; bench-session: a bench session folder (includeBenchLogs)'),
  path: z.string(),
  skillId: z.string().optional(),
});

export const cleanJitTool = defineOperation({
  name: 'clean_jit',
  title: 'Delete jit-boost state and runtime logs of a model and harness',
  description:
    'Deletes what jit-boost learned for one target model and harness: the solidification state (promoted candidates, hit and fallback counts) of every skill benchmarked under the jit-boost condition with them, and their runtime conversation logs; with includeBenchLogs also their bench sessions. Candidates (boost-candidates.json), profiles and compiled variants are kept. Use it to make the next jit-boost bench start cold. Run with dryRun first: it lists what would go without deleting anything. Returns each target (kind and path), what was deleted, and anything refused or skipped.',
  input: z.strictObject({
    model: modelArg().describe('Target model id, <provider>/<model-id>.'),
    adapter: harnessSchema().describe(HARNESS_HELP),
    dryRun: z.boolean().default(false).describe('List the targets, delete nothing.'),
    includeBenchLogs: z.boolean().default(false).describe('Also delete the bench sessions of this model and harness.'),
  }),
  output: z.object({
    dryRun: z.boolean(),
    targets: z.array(Target).describe('What is (or with dryRun would be) deleted'),
    deleted: z.number(),
    failed: z.array(z.object({ path: z.string(), error: z.string() })),
    notes: z.array(z.string()).describe('Paths refused (outside the logs or proposals root) and files skipped'),
  }),
  effect: 'destructive',
  idempotent: true,
  openWorld: false,
  mode: 'instant',
  async handler(input, ctx) {
    const { planCleanJit, executeCleanJit } = await import('../src/engine/jit/boost/clean.js');
    const plan = await planCleanJit({
      logsRoot: ctx.engine.roots.logs.value,
      proposalsRoot: ctx.engine.roots.proposals.value,
      model: input.model,
      adapter: input.adapter,
      includeBenchLogs: input.includeBenchLogs,
    });
    if (input.dryRun) return { dryRun: true, targets: plan.targets, deleted: 0, failed: [], notes: plan.notes };
    const done = await executeCleanJit(plan);
    return { dryRun: false, targets: plan.targets, deleted: done.deleted.length, failed: done.failed.map((f) => ({ path: f.target.path, error: f.error })), notes: plan.notes };
  },
  summarize(out) {
    if (out.targets.length === 0) return ['Nothing to delete for this model and harness.', ...out.notes].join('\n');
    const lines = out.targets.map((t) => `  ${t.kind.padEnd(13)} ${t.path}`);
    const head = out.dryRun ? `Would delete ${out.targets.length} item(s) (dry run, nothing deleted):` : `Deleted ${out.deleted} of ${out.targets.length} item(s):`;
    return [head, ...lines, ...out.failed.map((f) => `  FAILED ${f.path}: ${f.error}`), ...out.notes.map((n) => `  note: ${n}`)].join('\n');
  },
  verdict(out) {
    if (out.failed.length === 0) return OK;
    return { kind: 'failed', message: `${out.failed.length} of ${out.targets.length} item(s) could not be deleted: ${out.failed.map((f) => `${f.path} (${f.error})`).join('; ')}`, hint: 'Check the permissions of those paths, then run clean_jit again.' };
  },
});
