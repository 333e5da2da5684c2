import { variantSkillName } from '../compiler/compile.js';
import { lookupJitRound, type JitOptimizedSelection } from '../proposals/lookup.js';
import { loadSkill } from '../skills/load.js';
import type { Skill } from '../skills/types.js';
import { SkvmError } from '../util/errors.js';

/**
 * The `jit-optimized` bench condition's source: the task's own skills, each replaced by the
 * round a jit-optimize proposal settled on for the cell's (harness, model) (proposals/lookup.ts).
 * Resolved once per bench and skill, so every cell of a bench uses the same round even if a
 * proposal is accepted meanwhile.
 */

export interface JitOptimizedOptions {
  proposalsRoot: string;
  /** accepted (default): only deployed rounds; best-completed: also the best round of a finished pending proposal. */
  use: JitOptimizedSelection;
}

export interface JitOptimizedRounds {
  optimizedSkill(skill: Skill, target: { model: string; harness: string }): Promise<Skill>;
}

export function jitOptimizedRounds(opts: JitOptimizedOptions): JitOptimizedRounds {
  const resolved = new Map<string, Promise<Skill>>();
  const resolve = async (skillName: string, target: { model: string; harness: string }): Promise<Skill> => {
    const found = await lookupJitRound(opts.proposalsRoot, { harness: target.harness, targetModel: target.model, skillName }, opts.use);
    if (!found.found) throw new SkvmError(`jit-optimized: ${found.reason}`, { code: 'no_proposal', hint: 'proposals_list shows the proposals that exist.' });
    return loadSkill(found.roundDir);
  };
  return {
    optimizedSkill(skill, target) {
      const skillName = variantSkillName(skill);
      const key = JSON.stringify([target.harness, target.model, skillName]);
      let p = resolved.get(key);
      if (!p) {
        p = resolve(skillName, target);
        resolved.set(key, p);
      }
      return p;
    },
  };
}
