import { z } from 'zod';
import { defineOperation } from '../src/contract/operation.js';
import { idArg } from '../src/contract/limits.js';

/** Patch characters returned inline; the whole diff is behind the resource. */
const PATCH_CAP = 2000;

const Output = z.object({
  id: z.string(),
  round: z.number(),
  against: z.enum(['original', 'deployed']),
  baseDir: z.string().describe('The folder diffed against: the proposal’s original/ or the skill folder as it is now'),
  files: z.array(z.object({ path: z.string(), change: z.enum(['added', 'modified', 'deleted']), added: z.number(), removed: z.number(), binary: z.boolean() })),
  patch: z.string().describe('Unified diff (a/ = base, b/ = round), cut at the size cap'),
  truncated: z.boolean(),
  patchChars: z.number().describe('Size of the whole diff'),
  resource: z.string().describe('The whole diff'),
  problems: z.array(z.string()).optional().describe('Entries left out (symlinks, special files)'),
});

export const proposalDiffTool = defineOperation({
  name: 'proposal_diff',
  title: 'Diff a proposal round',
  description:
    'The unified diff of one round of a proposal (default: its best round) against the original skill as it was ' +
    'when the proposal was made (against "original"), or against the skill folder as it is now (against ' +
    '"deployed" — what proposal_accept would change if nothing else changed). Lists added, modified and deleted files; ' +
    `the patch is cut at ${PATCH_CAP} characters, the whole diff is at the returned resource.`,
  input: z.strictObject({
    id: idArg().describe('Proposal id (proposals_list shows them)'),
    round: z.number().int().min(0).max(10_000).optional().describe('Round to diff (default: the best round)'),
    against: z.enum(['original', 'deployed']).default('original').describe('original (default): the skill when the proposal was made; deployed: the skill folder now'),
  }),
  output: Output,
  effect: 'read',
  idempotent: true,
  openWorld: false,
  mode: 'instant',
  async handler(input, ctx) {
    const [{ findProposal }, { diffProposal }, { proposalDiffUri }] = await Promise.all([
      import('../src/engine/proposals/list.js'),
      import('../src/engine/proposals/diff.js'),
      import('../src/engine/proposals/paths.js'),
    ]);
    const dir = await findProposal(ctx.engine.roots.proposals.value, input.id);
    const d = await diffProposal(dir, input.id, { round: input.round, against: input.against });
    const truncated = d.patch.length > PATCH_CAP;
    return {
      id: input.id,
      round: d.round,
      against: d.against,
      baseDir: d.baseDir,
      files: d.files,
      patch: truncated ? `${d.patch.slice(0, PATCH_CAP)}\n… (cut; read the resource for the rest)\n` : d.patch,
      truncated,
      patchChars: d.patch.length,
      resource: proposalDiffUri(input.id, d.round, d.against),
      ...(d.problems.length > 0 ? { problems: d.problems } : {}),
    };
  },
  summarize(out) {
    if (out.files.length === 0) return `Round ${out.round} of ${out.id} is identical to the ${out.against === 'original' ? 'original skill' : 'deployed skill'}.`;
    const head = `Round ${out.round} vs ${out.against}: ${out.files.map((f) => `${f.change} ${f.path}${f.binary ? ' (binary)' : ` (+${f.added} −${f.removed})`}`).join(', ')}`;
    return `${head}\n\n${out.patch}${out.truncated ? `\nWhole diff: ${out.resource}` : ''}`;
  },
});
