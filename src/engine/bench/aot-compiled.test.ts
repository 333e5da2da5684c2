import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDirs } from '../../../test/tmp.js';
import { putAotFile, variantMetaJson } from '../../../test/variants.js';
import { loadSkill } from '../skills/load.js';
import type { Skill } from '../skills/types.js';
import { CancelledError, UsageError } from '../util/errors.js';
import { aotConditionPasses, aotVariants, type CompileVariant } from './aot-compiled.js';
import { variantSkillName } from '../compiler/compile.js';

const tmp = tempDirs('skvm-aot-cond-');
let proposals: string;
let skill: Skill;
const target = { model: 'sim/agent-1', harness: 'bare-agent' };

beforeAll(async () => {
  proposals = tmp();
  const skills = tmp();
  await fsp.mkdir(path.join(skills, 'pdf'));
  await fsp.writeFile(path.join(skills, 'pdf/SKILL.md'), '---\nname: pdf\n---\n# PDF\n');
  skill = await loadSkill(path.join(skills, 'pdf'));
  await putAotFile(proposals, 'bare-agent/sim--agent-1/pdf/p1p2p3/SKILL.md', '# PDF compiled\n');
  await putAotFile(proposals, 'bare-agent/sim--agent-1/pdf/p1p2p3/meta.json', variantMetaJson('2026-05-01T00:00:00.000Z', [1, 2, 3]));
  await putAotFile(proposals, 'bare-agent/sim--agent-1/pdf/p1p2p3/ref/notes.md', 'notes\n');
});

describe('aot-compiled condition names', () => {
  it('reads the reference digits and our pass tags', () => {
    expect(aotConditionPasses('aot-compiled')).toEqual([1, 2, 3]);
    expect(aotConditionPasses('aot-compiled-p1')).toEqual([1]);
    expect(aotConditionPasses('aot-compiled-p12')).toEqual([1, 2]);
    expect(aotConditionPasses('aot-compiled-p123')).toEqual([1, 2, 3]);
    expect(aotConditionPasses('aot-compiled-p321')).toEqual([1, 2, 3]);
    expect(aotConditionPasses('aot-compiled-p2p1')).toEqual([1, 2]);
    expect(aotConditionPasses('aot-compiled-p1p2p3')).toEqual([1, 2, 3]);
    expect(aotConditionPasses('aot-compiled-p33')).toEqual([3]);
    for (const n of ['original', 'aot-compiled-', 'aot-compiled-12', 'aot-compiled-p', 'aot-compiledp1', 'aot-compiled-p1-p2', 'aot-compiled-P1']) expect(aotConditionPasses(n), n).toBeUndefined();
  });

  it('refuses passes that do not exist', () => {
    expect(() => aotConditionPasses('aot-compiled-p4')).toThrow(UsageError);
    expect(() => aotConditionPasses('aot-compiled-p10')).toThrow(/names pass 0, which does not exist/);
    expect(() => aotConditionPasses('aot-compiled-p1p10')).toThrow(/pass 10, which does not exist/);
  });

  it('names a skill by its folder, a single-file skill by its file', () => {
    expect(variantSkillName(skill)).toBe('pdf');
    expect(variantSkillName({ ...skill, skillMdPath: '/x/guide.MD', dir: '/x' })).toBe('guide');
  });
});

describe('resolving compiled skills', () => {
  it('uses the published variant without compiling', async () => {
    let calls = 0;
    const v = aotVariants({ proposalsRoot: proposals, compile: async () => (calls++, { variantDir: '' }) });
    const compiled = await v.compiledSkill(skill, [1, 2, 3], target);
    expect(compiled).toMatchObject({ content: '# PDF compiled\n', files: ['ref/notes.md'] });
    expect(calls).toBe(0);
  });

  it('compiles a missing variant once for all cells asking for it', async () => {
    let calls = 0;
    const compile: CompileVariant = async (req) => {
      calls++;
      expect(req).toMatchObject({ skillName: 'pdf', model: 'sim/agent-1', harness: 'bare-agent', passes: [1] });
      await new Promise((r) => setTimeout(r, 20));
      await putAotFile(proposals, 'bare-agent/sim--agent-1/pdf/p1/SKILL.md', '# PDF p1\n');
      return { variantDir: path.join(proposals, 'aot-compile/bare-agent/sim--agent-1/pdf/p1') };
    };
    const v = aotVariants({ proposalsRoot: proposals, compile });
    const [a, b] = await Promise.all([v.compiledSkill(skill, [1], target), v.compiledSkill(skill, [1], target)]);
    expect(a.content).toBe('# PDF p1\n');
    expect(b).toBe(a);
    expect(calls).toBe(1);
  });

  it('fails with "compiler failed" (once per variant), and says how to get one without a compiler', async () => {
    let calls = 0;
    const v = aotVariants({ proposalsRoot: proposals, compile: async () => (calls++, Promise.reject(new Error('pass "rewrite-skill" requires a profile'))) });
    await expect(v.compiledSkill(skill, [2], target)).rejects.toThrow('compiler failed: pass "rewrite-skill" requires a profile');
    await expect(v.compiledSkill(skill, [2], target)).rejects.toThrow(/compiler failed/);
    expect(calls).toBe(1);
    const liar = aotVariants({ proposalsRoot: proposals, compile: async () => ({ variantDir: '/nowhere' }) });
    await expect(liar.compiledSkill(skill, [3], target)).rejects.toThrow(/compile finished but skvm:\/\/variants\/bare-agent\/sim--agent-1\/pdf\/p3 is not there/);
    const none = aotVariants({ proposalsRoot: proposals });
    const err = await none.compiledSkill(skill, [2, 3], target).catch((e: unknown) => e as UsageError);
    expect(err.message).toBe('compiler failed: no variant skvm://variants/bare-agent/sim--agent-1/pdf/p2p3 is published and no compiler model was given to build one');
    expect(err.hint).toMatch(/compilerModel/);
  });

  it('lets cancellation through and forgets it', async () => {
    let calls = 0;
    const ac = new AbortController();
    const v = aotVariants({
      proposalsRoot: proposals,
      compile: async () => {
        calls++;
        if (calls === 1) {
          ac.abort();
          throw new CancelledError();
        }
        throw new Error('second try reached the compiler');
      },
    });
    await expect(v.compiledSkill(skill, [2, 3], { ...target, signal: ac.signal })).rejects.toBeInstanceOf(CancelledError);
    await new Promise((r) => setImmediate(r));
    await expect(v.compiledSkill(skill, [2, 3], target)).rejects.toThrow('compiler failed: second try reached the compiler');
  });
});
