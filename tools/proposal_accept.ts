import { z } from 'zod';
import { defineOperation } from '../src/contract/operation.js';
import { idArg } from '../src/contract/limits.js';

const Change = z.object({ path: z.string(), change: z.enum(['added', 'modified', 'deleted']) });

const Output = z.object({
  id: z.string(),
  round: z.number(),
  target: z.string().describe('The skill folder written (nothing outside it is touched)'),
  applied: z.boolean().describe('false for dryRun: nothing was written'),
  changes: z.array(Change).describe('Exactly the files changed (or, for dryRun, that would change)'),
  drift: z.array(Change).describe('How the skill differed from the proposal’s original/ before accept (overridden by force)'),
  backupDir: z.string().optional().describe('Where the replaced and deleted files were saved, inside the proposal'),
  deployment: z.number().optional(),
  rollback: z.string().optional().describe('How to undo it'),
});

export const proposalAcceptTool = defineOperation({
  name: 'proposal_accept',
  title: 'Accept a proposal (deploy a round into the skill)',
  description:
    'Deploys a round of a proposal (default: its best round) into the skill folder it was made from: adds, modifies ' +
    'AND deletes files so the skill becomes exactly that round. Writes only inside the skill folder, backs up every ' +
    'file it replaces or deletes inside the proposal, and is all or nothing. Refuses infra-blocked or failed proposals, ' +
    'symlinks or path escapes in the round or the skill, and a skill that changed since the proposal was made (unless ' +
    'force). Use dryRun to see the file list first. The result lists exactly which files changed; proposal_rollback ' +
    'restores the skill byte for byte.',
  input: z.strictObject({
    id: idArg().describe('Proposal id (proposals_list shows them)'),
    round: z.number().int().min(1).max(10_000).optional().describe('Round to deploy (default: the best round)'),
    force: z.boolean().default(false).describe('Deploy even though the skill changed since the proposal was made, or the proposal was rejected'),
    dryRun: z.boolean().default(false).describe('Only list what would change'),
  }),
  output: Output,
  effect: 'destructive',
  idempotent: false,
  openWorld: false,
  mode: 'instant',
  async handler(input, ctx) {
    const [{ findProposal }, { acceptProposal }] = await Promise.all([import('../src/engine/proposals/list.js'), import('../src/engine/proposals/deploy.js')]);
    const dir = await findProposal(ctx.engine.roots.proposals.value, input.id);
    const r = await acceptProposal(dir, input.id, { round: input.round, force: input.force, dryRun: input.dryRun, onStep: ctx.progress, signal: ctx.signal });
    return {
      id: input.id,
      round: r.round,
      target: r.target,
      applied: r.applied,
      changes: r.changes,
      drift: r.drift,
      ...(r.backupDir ? { backupDir: r.backupDir } : {}),
      ...(r.deployment !== undefined ? { deployment: r.deployment } : {}),
      ...(r.applied ? { rollback: `proposal_rollback with id ${input.id} restores the skill as it was.` } : {}),
    };
  },
  summarize(out) {
    const files = out.changes.map((c) => `  ${c.change.padEnd(8)} ${c.path}`).join('\n');
    if (!out.applied) {
      const drift = out.drift.length > 0 ? `\nThe skill changed since the proposal was made (${out.drift.map((d) => `${d.change} ${d.path}`).join(', ')}): accept needs force.` : '';
      return `Dry run — accepting round ${out.round} would change ${out.changes.length} file(s) in ${out.target}:\n${files}${drift}`;
    }
    return `Deployed round ${out.round} of ${out.id} into ${out.target}; ${out.changes.length} file(s) changed:\n${files}\nBackups: ${out.backupDir}\nTo undo: ${out.rollback}`;
  },
});
