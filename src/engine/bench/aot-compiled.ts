import { ALL_PASSES } from '../compiler/registry.js';
import { toPassTag } from '../compiler/pass-tag.js';
import { findVariant, loadVariantSkill } from '../compiler/variants.js';
import { variantUri } from '../compiler/paths.js';
import { variantSkillName } from '../compiler/compile.js';
import type { Skill } from '../skills/types.js';
import { SkvmError, UsageError, errorMessage, isAbortError } from '../util/errors.js';

/**
 * The `aot-compiled` bench conditions (spec runtime §4.5): the task's own skills, each replaced by
 * its compiled variant for the cell's (harness, model) — the published one under
 * `<proposals>/aot-compile/`, or one compiled on demand. Bundle files of the variant are staged
 * except compiler output (variants.ts `isCompilerFile`).
 *
 * Names: `aot-compiled` = passes 1, 2, 3. `aot-compiled-p<…>` picks passes in two spellings:
 * - the reference's digits, one pass per digit: `aot-compiled-p12` = [1, 2], `-p123` = [1, 2, 3];
 * - our pass tags, which also reach numbers ≥ 10: `aot-compiled-p1p2` = [1, 2], `-p1p12` = [1, 12].
 * A single `p` group is read as digits, several groups as a tag. Every number must be a
 * registered pass.
 */

export const AOT_CONDITION_PREFIX = 'aot-compiled';
const AOT_NAME = /^aot-compiled(?:-p(\d+)((?:p\d+)*))?$/;
const DEFAULT_PASSES = [1, 2, 3];

/** The passes an `aot-compiled…` condition name asks for, or undefined when the name is not one. */
export function aotConditionPasses(name: string): number[] | undefined {
  const m = AOT_NAME.exec(name);
  if (!m) return undefined;
  if (m[1] === undefined) return DEFAULT_PASSES;
  const numbers = m[2] ? [m[1], ...m[2].split('p').slice(1)].map(Number) : [...m[1]].map(Number);
  const known = new Set(ALL_PASSES.map((p) => p.number));
  const unknown = numbers.filter((n) => !known.has(n));
  if (unknown.length > 0) {
    throw new UsageError(
      `Bench condition "${name}" names pass${unknown.length > 1 ? 'es' : ''} ${unknown.join(', ')}, which do${unknown.length > 1 ? '' : 'es'} not exist.`,
      `Passes: ${ALL_PASSES.map((p) => `${p.number} (${p.id})`).join(', ')}. Write e.g. aot-compiled-p12 or aot-compiled-p1p2 for passes 1 and 2.`,
    );
  }
  return [...new Set(numbers)].sort((a, b) => a - b);
}

/** Builds a missing variant and publishes it; resolves with its folder, rejects when nothing was published. */
export type CompileVariant = (req: { skill: Skill; skillName: string; model: string; harness: string; passes: number[]; signal?: AbortSignal }) => Promise<{ variantDir: string }>;

/** What the AOT conditions need from the bench's caller. */
export interface AotOptions {
  proposalsRoot: string;
  /** Compiles variants that are not published yet; without it such cells fail and say how to compile. */
  compile?: CompileVariant;
  /** Recorded in metadata.json. */
  compilerModel?: string;
}

/** Skills already resolved for one bench, so cells of the same skill never compile it twice. */
export interface AotVariants {
  compiledSkill(skill: Skill, passes: number[], target: { model: string; harness: string; signal?: AbortSignal }): Promise<Skill>;
}

function compilerFailed(message: string, cause?: unknown, hint?: string): SkvmError {
  return new SkvmError(`compiler failed: ${message}`, { code: 'compiler_failed', ...(hint ? { hint } : {}), ...(cause !== undefined ? { cause } : {}) });
}

export function aotVariants(opts: AotOptions): AotVariants {
  const resolved = new Map<string, Promise<Skill>>();

  const resolve = async (skill: Skill, skillName: string, passes: number[], target: { model: string; harness: string; signal?: AbortSignal }): Promise<Skill> => {
    const key = { harness: target.harness, model: target.model, skillName, passTag: toPassTag(passes) };
    const cached = await findVariant(opts.proposalsRoot, key);
    if (cached) return loadVariantSkill(cached);
    const uri = variantUri(key);
    if (!opts.compile) {
      throw compilerFailed(`no variant ${uri} is published and no compiler model was given to build one`, undefined, 'Pass compilerModel to compile variants on demand, or compile the skill first (compile).');
    }
    try {
      await opts.compile({ skill, skillName, model: target.model, harness: target.harness, passes, ...(target.signal ? { signal: target.signal } : {}) });
    } catch (err) {
      if (target.signal?.aborted || isAbortError(err)) throw err;
      throw compilerFailed(errorMessage(err), err, err instanceof SkvmError ? err.hint : undefined);
    }
    const built = await findVariant(opts.proposalsRoot, key);
    if (!built) throw compilerFailed(`the compile finished but ${uri} is not there`);
    return loadVariantSkill(built);
  };

  return {
    compiledSkill(skill, passes, target) {
      const skillName = variantSkillName(skill);
      const memoKey = JSON.stringify([target.harness, target.model, skillName, passes]);
      let p = resolved.get(memoKey);
      if (!p) {
        p = resolve(skill, skillName, passes, target);
        resolved.set(memoKey, p);
        // A cancelled lookup is not an answer: the next cell (of a resumed bench) tries again.
        p.catch((err: unknown) => {
          if (isAbortError(err) || target.signal?.aborted) resolved.delete(memoKey);
        });
      }
      return p;
    },
  };
}
