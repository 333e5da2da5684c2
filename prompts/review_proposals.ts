import { z } from 'zod';
import { definePrompt } from '../src/contract/prompt.js';
import { completeSkill } from './complete.js';

/** Proposal states (spec runtime §7.2, plus `failed` for a crashed optimization). */
const STATUSES = ['pending', 'accepted', 'rejected', 'infra-blocked', 'failed'] as const;

export const reviewProposalsPrompt = definePrompt({
  name: 'review_proposals',
  title: 'Review skill proposals',
  description:
    'Go through the skill-improvement proposals jit_optimize made (pending ones by default): summarise each, recommend accept or reject with reasons, and accept only what you approve.',
  args: z.strictObject({
    skill: z.string().trim().min(1).optional().describe('Only proposals for this skill'),
    status: z.enum(STATUSES).optional().describe(`Only proposals in this state: ${STATUSES.join(', ')} (default pending)`),
  }),
  complete: {
    skill: completeSkill,
    status: async (_engine, value) => STATUSES.filter((s) => s.startsWith(value)),
  },
  render({ skill, status }) {
    const state = status ?? 'pending';
    const filter = [skill ? `skill \`${skill}\`` : '', `status \`${state}\``].filter(Boolean).join(' and ');
    return [
      `Review the skill-improvement proposals SkVM has made, with ${filter}.`,
      '',
      `1. Call \`proposals_list\` with ${filter}. If there are none, say so and stop.`,
      '2. Take them newest first (if there are more than five, review five and ask me before going on). For each, call',
      '   `proposal_show` (rounds, scores, root cause, evidence) and `proposal_diff` (the best round against the skill as it is',
      '   deployed now).',
      '3. Summarise each in a few lines: skill and target model; what went wrong (the root cause); what the best round changes;',
      '   how the score moved from round 0 to the best round and how much that is worth (how many tasks and runs; a proposal made',
      '   from a transcript alone was not evaluated at all); what it cost.',
      '4. Recommend accept or reject, with your reasons. Accept a change that is general (it would help other tasks too),',
      '   improves the score beyond noise and regresses no task. Reject one that fits a single task, removes guidance other',
      '   tasks rely on, or gains within noise. Infra-blocked and failed proposals cannot be accepted: say what stopped them.',
      '5. Ask me which to accept. Call `proposal_accept` only for the ones I explicitly approve and `proposal_reject` only for',
      '   the ones I tell you to reject. After an accept, list the files it changed and remind me that `proposal_rollback`',
      '   with the same id undoes it.',
      '',
      'Never accept a proposal without my explicit yes.',
    ].join('\n');
  },
});
