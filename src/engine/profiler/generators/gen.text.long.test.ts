import { describe, expect, it } from 'vitest';
import { PROBE_LEVELS } from '../../primitives/catalog.js';
import { verifyGenerator, wrongWay } from '../../../../test/profiler/verify.js';
import { generator } from './gen.text.long.js';

const plain = (x: unknown) => JSON.parse(JSON.stringify(x)) as unknown;

describe('gen.text.long generator', () => {
  it('is deterministic per (level, seed) and records the seed', () => {
    for (const level of PROBE_LEVELS) {
      const a = generator.generate(level, 7);
      expect(plain(a)).toEqual(plain(generator.generate(level, 7)));
      expect(a.seed).toBe(7);
      expect(a.level).toBe(level);
      expect(a.primitiveId).toBe(generator.primitiveId);
    }
  });

  it('never tells the model it is being tested', () => {
    for (const level of PROBE_LEVELS) {
      for (const seed of [1, 2, 3, 4, 5]) expect(generator.generate(level, seed).prompt).not.toMatch(/\b(probe|benchmark|grader|graded|evaluat\w*|checker|test case)\b/i);
    }
  });

  it('varies its prompts across seeds', () => {
    for (const level of PROBE_LEVELS) {
      const prompts = new Set([1, 2, 3, 4, 5].map((s) => generator.generate(level, s).prompt + JSON.stringify(generator.generate(level, s).setupFiles)));
      expect(prompts.size).toBe(5);
      expect(new Set([1, 2, 3, 4, 5].map((s) => generator.generate(level, s).prompt)).size).toBe(5);
    }
  });

  it('reference passes and near-miss fails on 20 seeds per level', async () => {
    const runs = await verifyGenerator(generator, 20);
    expect(wrongWay(runs)).toEqual([]);
    for (const level of PROBE_LEVELS) expect(runs.filter((r) => r.level === level && !r.skipped).length).toBeGreaterThan(0);
  }, 600_000);
});
