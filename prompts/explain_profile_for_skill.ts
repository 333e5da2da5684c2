import { z } from 'zod';
import { completeHarness } from '../resources/profiles.js';
import { definePrompt } from '../src/contract/prompt.js';
import { looksLikePath } from '../src/engine/skills/load.js';
import { completeProfiledModel, completeSkill } from './complete.js';

export const explainProfileForSkillPrompt = definePrompt({
  name: 'explain_profile_for_skill',
  title: 'Explain a profile for a skill',
  description:
    "Show a model's capability profile (measuring it first if you agree) and explain which of a skill's required capabilities the model is weak on, what that will do to the skill, and whether compiling the skill for the model would help.",
  args: z.strictObject({
    model: z.string().trim().min(1).describe('Model id with its provider prefix, e.g. openrouter/qwen/qwen3.5-9b'),
    harness: z.string().trim().min(1).optional().describe('Agent harness the model runs in (default: the one it was profiled with, else bare-agent)'),
    skill: z.string().trim().min(1).describe('Skill name of the dataset, or the path of a skill folder'),
  }),
  complete: { model: completeProfiledModel, harness: completeHarness, skill: completeSkill },
  render({ model, harness, skill }) {
    const on = harness ? ` on the \`${harness}\` harness` : '';
    const showArgs = harness ? `model \`${model}\` and harness \`${harness}\`` : `model \`${model}\``;
    const profileFor = harness ? `that model on \`${harness}\`` : 'that model';
    const read = looksLikePath(skill)
      ? `Read the skill's SKILL.md in \`${skill}\``
      : `Read the skill (the resource \`skvm://skills/${skill}\` if it is a dataset skill, otherwise its SKILL.md)`;
    return [
      `Explain what the capability profile of \`${model}\`${on} means for the skill \`${skill}\`.`,
      '',
      `1. Call \`profile_show\` with ${showArgs}. If no profile is cached, tell me that measuring one is a long run that calls the`,
      `   model many times and costs money; only after I agree, call \`profile\` for ${profileFor}, follow it with`,
      '   `run_status` until it finishes, then call `profile_show`.',
      `2. ${read}, and call \`primitives_list\` for what each primitive and level asks of a model.`,
      '3. Work out which primitives the skill needs and at which level: for example, a skill that has the agent write a Python',
      '   script and run it needs gen.code.python and tool.exec. For the exact list, `compile` with `dryRun: true` reports the gaps',
      '   (primitive, level required, level the model has); it calls a compiler model, so ask me before you run it.',
      '4. Explain: a table of the primitives the skill needs, the level it needs and the level the model reached; for each gap,',
      '   how following the skill is likely to fail on this model; and which needs are met.',
      '5. What to do about it: with gaps, `compile` rewrites the skill for this model to work around them (`variants_list` shows',
      '   compiled variants), and `bench` with the conditions `original` and `aot-compiled` measures whether that helps. Without',
      '   gaps, say the skill should work as written. Ask me before starting anything that calls a model.',
    ].join('\n');
  },
});
