import { z } from 'zod';
import { defineOperation } from '../src/contract/operation.js';
import { idArg } from '../src/contract/limits.js';

const Output = z.object({
  id: z.string(),
  target: z.string(),
  round: z.number().describe('The round that had been deployed'),
  deployment: z.number(),
  files: z.array(z.object({ path: z.string(), action: z.enum(['restored', 'removed']) })).describe('restored: put back byte for byte; removed: a file accept had added'),
  drift: z.array(z.string()).describe('Deployed files changed after accept that force overrode (their content is kept in the proposal)'),
  status: z.string().describe('The proposal status now (pending)'),
});

export const proposalRollbackTool = defineOperation({
  name: 'proposal_rollback',
  title: 'Roll back an accepted proposal',
  description:
    'Undoes proposal_accept: restores every file the accept replaced or deleted byte for byte from the backup in the ' +
    'proposal and removes the files it added, all or nothing. Refuses when a deployed file changed since accept ' +
    '(unless force; the changed content is kept in the proposal). The proposal returns to pending and can be accepted ' +
    'again or rejected.',
  input: z.strictObject({
    id: idArg().describe('Proposal id of an accepted proposal'),
    force: z.boolean().default(false).describe('Roll back even though deployed files changed since accept'),
  }),
  output: Output,
  effect: 'destructive',
  idempotent: false,
  openWorld: false,
  mode: 'instant',
  async handler(input, ctx) {
    const [{ findProposal }, { rollbackProposal }] = await Promise.all([import('../src/engine/proposals/list.js'), import('../src/engine/proposals/deploy.js')]);
    const dir = await findProposal(ctx.engine.roots.proposals.value, input.id);
    const r = await rollbackProposal(dir, input.id, { force: input.force, onStep: ctx.progress, signal: ctx.signal });
    return { id: input.id, target: r.target, round: r.round, deployment: r.deployment, files: r.files, drift: r.drift, status: r.meta.status };
  },
  summarize(out) {
    return `Rolled back round ${out.round} of ${out.id} in ${out.target}:\n${out.files.map((f) => `  ${f.action.padEnd(8)} ${f.path}`).join('\n')}\nThe proposal is ${out.status} again.`;
  },
});
