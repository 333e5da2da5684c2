import { describe, expect, it } from 'vitest';
import { ALL_PRIMITIVE_IDS, PROBE_LEVELS } from '../../primitives/catalog.js';
import { GENERATORS, generatorFor } from './index.js';

describe('generator registry', () => {
  it('has exactly one generator per catalog primitive, in catalog order', () => {
    expect(GENERATORS.map((g) => g.primitiveId)).toEqual([...ALL_PRIMITIVE_IDS]);
    for (const id of ALL_PRIMITIVE_IDS) expect(generatorFor(id)?.primitiveId).toBe(id);
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
