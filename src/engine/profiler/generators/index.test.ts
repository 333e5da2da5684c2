import { describe, expect, it } from 'vitest';
import { ALL_PRIMITIVE_IDS, PROBE_LEVELS } from '../../primitives/catalog.js';
import { loadProbeGenerators } from '../select.js';
import { GENERATORS, generatorFor } from './index.js';
import { GENERATOR_MODULES } from './modules.js';

describe('generator registry', () => {
  it('has exactly one generator per catalog primitive, in catalog order', () => {
    expect(GENERATORS.map((g) => g.primitiveId)).toEqual([...ALL_PRIMITIVE_IDS]);
    for (const id of ALL_PRIMITIVE_IDS) expect(generatorFor(id)?.primitiveId).toBe(id);
  });

  it('lists each module under the primitive id its generator has', () => {
    expect(GENERATOR_MODULES.map(([id]) => id)).toEqual([...ALL_PRIMITIVE_IDS]);
    expect(GENERATORS.map((g) => g.primitiveId)).toEqual(GENERATOR_MODULES.map(([id]) => id));
  });

  it('a profile gets generators that load on demand and then generate what the loaded ones do', async () => {
    const lazy = await loadProbeGenerators();
    expect(lazy.map((g) => g.primitiveId)).toEqual([...ALL_PRIMITIVE_IDS]);
    const [first] = lazy;
    expect(() => first!.generate('L1', 7)).toThrow(/before ready\(\) loaded it/);
    await first!.ready!();
    const [a, b] = [first!.generate('L2', 7), GENERATORS[0]!.generate('L2', 7)];
    expect({ prompt: a.prompt, files: a.setupFiles, reference: a.reference }).toEqual({ prompt: b.prompt, files: b.setupFiles, reference: b.reference });
    expect(first!.descriptions).toEqual(GENERATORS[0]!.descriptions);
  });

  it('describes every level and records the seed on each instance', () => {
    for (const g of GENERATORS) {
      for (const level of PROBE_LEVELS) {
        expect(g.descriptions[level].length, `${g.primitiveId} ${level}`).toBeGreaterThan(10);
        const inst = g.generate(level, 123);
        expect(inst).toMatchObject({ primitiveId: g.primitiveId, level, seed: 123 });
        expect(inst.reference.turns.at(-1)?.text, `${g.primitiveId} ${level} final answer`).toBeTruthy();
      }
    }
  });

  it('never puts a probe marker in a prompt', () => {
    for (const g of GENERATORS) {
      for (const level of PROBE_LEVELS) {
        const p = g.generate(level, 5).prompt.toLowerCase();
        for (const marker of ['probe', 'primitive', 'skvm', 'near-miss', 'reference solution', g.primitiveId]) expect(p, `${g.primitiveId} ${level}`).not.toContain(marker);
      }
    }
  });
});
