import * as path from 'node:path';
import { z } from 'zod';
import { definePrompt } from '../src/contract/prompt.js';
import { looksLikePath } from '../src/engine/skills/load.js';
import { completeSkill } from './complete.js';

export const optimizeSkillFromSessionPrompt = definePrompt({
  name: 'optimize_skill_from_session',
  title: 'Optimize a skill from a session',
  description:
    'A skill went wrong in a recent agent session: find that session (or use the transcript you give), run jit_optimize on it, show the proposed change, and apply it only after you say yes.',
  args: z.strictObject({
    skill: z.string().trim().min(1).describe('Skill name (as the agent loaded it) or the path of its folder'),
    transcript: z.string().trim().min(1).optional().describe('Path of the session transcript to learn from; default: the latest session that loaded the skill'),
    targetModel: z.string().trim().min(1).optional().describe('Model the skill should work better on (e.g. anthropic/claude-sonnet-4.6); default: the model of that session'),
  }),
  complete: { skill: completeSkill },
  render({ skill, transcript, targetModel }) {
    const isPath = looksLikePath(skill);
    // The name the agent loaded it by is its folder's name.
    const name = isPath ? path.basename(path.resolve(skill)) : skill;
    const evidence = transcript
      ? `   Use the transcript at \`${transcript}\`.`
      : [
          `   Call \`transcripts_list\` and take the newest session whose loaded skills include "${name}" (prefer sessions of this project).`,
          '   Tell me which one you chose: its time, project and first prompt.',
          '   If no session loaded the skill, ask me for a transcript path. If the session in question is this conversation and its',
          '   transcript is not listed yet, write a short report instead: a JSON file `{"task": "…", "outcome": "fail" or "partial",',
          '   "issues": ["…"], "skill_feedback": "…"}` with facts only — no secrets, keys or personal data.',
        ].join('\n');
    const folder = isPath
      ? `   The skill folder is \`${skill}\`.`
      : [
          `   Find the folder the agent loaded "${name}" from. Claude Code: \`./.claude/skills/${name}/\`, then \`~/.claude/skills/${name}/\`,`,
          `   then its plugins' \`skills/${name}/\`. Codex: \`.agents/skills/${name}/\` from here up to the repository root, then`,
          `   \`~/.agents/skills/${name}/\`. If you cannot tell which one, ask me rather than guess.`,
        ].join('\n');
    const target = targetModel ? `target model \`${targetModel}\`` : 'the target model the session used (the transcript names it; ask me if it does not)';
    return [
      `The skill "${name}" did not work well in an agent session. Use the skvm MCP server to propose a better version of it, and let me decide whether to apply it.`,
      '',
      '1. Evidence.',
      evidence,
      '2. The skill folder.',
      folder,
      `3. Call \`jit_optimize\` with that skill folder, source \`log\`, the transcript (or report) path, and ${target}.`,
      '   It is a run: if the reply has no result yet, call `run_status` with its runId until it finishes, and tell me how far it got.',
      '   If it fails because another optimization of the same skill is running, tell me and stop.',
      '4. When it is done, tell me the proposal id, the best round and why it was chosen, the root cause it found, the files it',
      '   changed and what it cost. Call `proposal_show` for the summary and `proposal_diff` for the best round against the skill',
      '   as it is deployed now, and show me the diff.',
      '5. Ask me whether to apply it. Only after I answer yes, call `proposal_accept` with the proposal id, then tell me exactly',
      '   which files changed. If I say no, call `proposal_reject` with the id.',
      '6. Tell me how to undo it: `proposal_rollback` with the same id restores the skill folder exactly as it was before the',
      '   accept, from the backup the proposal keeps.',
      '',
      'Do not edit the skill files yourself, and never call `proposal_accept` without my explicit yes.',
    ].join('\n');
  },
});
