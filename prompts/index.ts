import type { AnyPrompt } from '../src/contract/prompt.js';
import { explainProfileForSkillPrompt } from './explain_profile_for_skill.js';
import { optimizeSkillFromSessionPrompt } from './optimize_skill_from_session.js';
import { reviewProposalsPrompt } from './review_proposals.js';

/** The single registry of prompts the MCP server offers (hosts show them as slash commands), in this order. */
export const prompts: readonly AnyPrompt[] = [optimizeSkillFromSessionPrompt, reviewProposalsPrompt, explainProfileForSkillPrompt];
