import { z } from 'zod';
import { defineOperation } from '../src/contract/operation.js';
import { idArg, modelArg } from '../src/contract/limits.js';
import { textTable } from '../src/contract/text-table.js';
import { PROPOSAL_STATUSES } from '../src/engine/proposals/meta.js';

const Row = z.object({
  id: z.string().describe('Proposal id <harness>/<model dir>/<skill>/<timestamp>; pass it to proposal_show, proposal_diff, proposal_accept'),
  status: z.enum(PROPOSAL_STATUSES),
  skill: z.string(),
  harness: z.string(),
  targetModel: z.string(),
  bestRound: z.number(),
  rounds: z.number().describe('Rounds recorded (roundCount; 0 until the optimization finished)'),
  deltaTrain: z.number().nullable().describe('Train score of the best round minus round 0; null when unscored'),
  acceptedRound: z.number().nullable(),
  created: z.string().describe('ISO time the proposal was created'),
  uri: z.string(),
});

const Output = z.object({
  proposalsDir: z.string(),
  total: z.number(),
  returned: z.number(),
  proposals: z.array(Row),
  unreadable: z.number().describe('Proposal folders skipped because meta.json is missing or invalid'),
  hint: z.string().optional(),
});

export const proposalsListTool = defineOperation({
  name: 'proposals_list',
  title: 'List skill-optimization proposals',
  description:
    'Lists the proposals jit_optimize produced (newest first): id, status (pending, accepted, rejected, infra-blocked, ' +
    'failed), skill, harness, target model, best round, Δ train score vs round 0, rounds and creation time. Filter by ' +
    'skill, model (substring), harness or status — e.g. status "pending" for the ones awaiting review. Then ' +
    'proposal_show for the details, proposal_diff for the changes, proposal_accept to deploy one.',
  input: z.strictObject({
    skill: idArg().optional().describe('Only this skill (folder name)'),
    model: modelArg().optional().describe('Case-insensitive substring of the target model id or its directory name'),
    harness: idArg().optional().describe('Only this harness, e.g. "bare-agent"'),
    status: z.enum(PROPOSAL_STATUSES).optional().describe('Only proposals with this status'),
    limit: z.number().int().min(1).max(500).default(20).describe('Maximum rows (default 20; the rest are counted in total)'),
  }),
  output: Output,
  effect: 'read',
  idempotent: true,
  openWorld: false,
  mode: 'instant',
  async handler(input, ctx) {
    const [{ listProposals }, { jitOptimizeRoot, proposalUri }] = await Promise.all([import('../src/engine/proposals/list.js'), import('../src/engine/proposals/paths.js')]);
    const root = ctx.engine.roots.proposals.value;
    const { proposals, unreadable } = await listProposals(root, { skill: input.skill, model: input.model, harness: input.harness, status: input.status });
    const shown = proposals.slice(0, input.limit);
    const out: z.output<typeof Output> = {
      proposalsDir: jitOptimizeRoot(root),
      total: proposals.length,
      returned: shown.length,
      proposals: shown.map((p) => ({
        id: p.id,
        status: p.meta.status,
        skill: p.meta.skillName,
        harness: p.meta.harness,
        targetModel: p.meta.targetModel,
        bestRound: p.meta.bestRound,
        rounds: p.meta.roundCount,
        deltaTrain: p.deltaTrain,
        acceptedRound: p.meta.acceptedRound,
        created: p.createdAt,
        uri: proposalUri(p.id),
      })),
      unreadable,
    };
    if (proposals.length === 0) {
      out.hint = input.skill || input.model || input.harness || input.status ? 'No proposal matches these filters; call proposals_list without filters to see all.' : 'No proposals yet. jit_optimize improves a skill and leaves a proposal to review.';
    } else if (proposals.length > shown.length) out.hint = `${proposals.length - shown.length} more; raise limit or filter.`;
    return out;
  },
  summarize(out) {
    if (out.total === 0) return `No proposals in ${out.proposalsDir}.${out.hint ? ` ${out.hint}` : ''}`;
    const body = out.proposals.map((p) => [
      p.status,
      p.skill,
      p.harness,
      p.targetModel,
      `r-${p.bestRound}`,
      p.deltaTrain === null ? '—' : `${p.deltaTrain >= 0 ? '+' : ''}${p.deltaTrain.toFixed(3)}`,
      `${p.bestRound}/${p.rounds}`,
      p.id,
    ]);
    const tail = [out.returned < out.total ? `(${out.returned} of ${out.total} shown)` : '', out.unreadable > 0 ? `(${out.unreadable} unreadable skipped)` : ''].filter(Boolean).join(' ');
    return `${textTable(['status', 'skill', 'harness', 'target-model', 'best', 'Δtrain', 'rounds', 'id'], body)}${tail ? `\n${tail}` : ''}`;
  },
});
