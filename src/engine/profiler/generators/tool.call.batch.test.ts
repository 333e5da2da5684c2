import { describe, expect, it } from 'vitest';
import { verifyGenerator, wrongWay } from '../../../../test/profiler/verify.js';
import { PROBE_LEVELS } from '../../primitives/catalog.js';
import { generator } from './tool.call.batch.js';

/** Instance data without functions (check, server handler), for deep comparison. */
const data = (x: unknown): unknown => JSON.parse(JSON.stringify(x));

describe('tool.call.batch generator', () => {
  it('reference passes and near-miss fails for 20 seeds per level', async () => {
    const runs = await verifyGenerator(generator, 20);
    expect(wrongWay(runs)).toEqual([]);
    for (const level of PROBE_LEVELS) expect(runs.filter((r) => r.level === level && !r.skipped).length).toBeGreaterThan(0);
  }, 300_000);

  it('is deterministic per (level, seed)', () => {
    for (const level of PROBE_LEVELS) {
      const a = generator.generate(level, 7);
      const b = generator.generate(level, 7);
      expect(data(a)).toEqual(data(b));
      expect(a.seed).toBe(7);
      expect(a.level).toBe(level);
      expect(a.primitiveId).toBe('tool.call.batch');
    }
  });

  it('varies its prompts across seeds', () => {
    for (const level of PROBE_LEVELS) {
      const prompts = new Set([1, 2, 3, 4, 5, 6].map((s) => generator.generate(level, s).prompt));
      expect(prompts.size).toBe(6);
    }
  });
});
