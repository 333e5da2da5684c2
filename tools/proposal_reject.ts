import { z } from 'zod';
import { defineOperation } from '../src/contract/operation.js';
import { idArg } from '../src/contract/limits.js';

const Output = z.object({
  id: z.string(),
  status: z.string(),
  changed: z.boolean().describe('false when it was already rejected'),
});

export const proposalRejectTool = defineOperation({
  name: 'proposal_reject',
  title: 'Reject a proposal',
  description:
    'Marks a proposal rejected (no file changes; calling it again changes nothing). A rejected proposal is never used ' +
    'by bench’s jit-optimized condition. An accepted proposal is refused: proposal_rollback it first, so its files ' +
    'do not stay deployed.',
  input: z.strictObject({ id: idArg().describe('Proposal id (proposals_list shows them)') }),
  output: Output,
  effect: 'write',
  idempotent: true,
  openWorld: false,
  mode: 'instant',
  async handler(input, ctx) {
    const [{ findProposal }, { rejectProposal }] = await Promise.all([import('../src/engine/proposals/list.js'), import('../src/engine/proposals/deploy.js')]);
    const dir = await findProposal(ctx.engine.roots.proposals.value, input.id);
    const r = await rejectProposal(dir, input.id);
    return { id: input.id, status: r.meta.status, changed: r.changed };
  },
  summarize(out) {
    return out.changed ? `Rejected ${out.id}.` : `${out.id} was already rejected.`;
  },
});
