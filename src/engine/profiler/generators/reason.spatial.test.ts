import { describe, expect, it } from 'vitest';
import { verifyGenerator, wrongWay } from '../../../../test/profiler/verify.js';
import { PROBE_LEVELS } from '../../primitives/catalog.js';
import type { ProbeInstance } from '../types.js';
import { generator } from './reason.spatial.js';

/** A check context for text-only answers. */
const textCtx = (finalText: string) =>
  ({ workDir: '', finalText, steps: [], readFile: async () => undefined, run: async () => { throw new Error('not used'); } }) as never;
const passes = async (inst: ProbeInstance, text: string): Promise<boolean> => (await inst.check(textCtx(text))).every((c) => c.score >= 0.5);
const refText = (inst: ProbeInstance): string => inst.reference.turns.at(-1)!.text!;

/** Instance data without functions (check), for deep comparison. */
const data = (x: unknown): unknown => JSON.parse(JSON.stringify(x));

describe('reason.spatial generator', () => {
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
      expect(a.primitiveId).toBe('reason.spatial');
    }
  });

  it('varies its prompts across seeds', () => {
    for (const level of PROBE_LEVELS) {
      const prompts = new Set([1, 2, 3, 4, 5, 6].map((s) => generator.generate(level, s).prompt));
      expect(prompts.size).toBe(6);
    }
  });

  it('accepts decorated answers, compass words and rejects empty replies', async () => {
    for (const level of PROBE_LEVELS) {
      for (let seed = 1; seed <= 12; seed++) {
        const inst = generator.generate(level, seed);
        const ref = refText(inst);
        expect(await passes(inst, ref.replace(/^(\w[\w ]*): (.*)$/gm, '**$1:** $2'))).toBe(true);
        const words: Record<string, string> = { NE: 'north-east', NW: 'Northwest', SE: 'south east', SW: 'SOUTHWEST', N: 'North', S: 'south', E: 'East', W: 'west' };
        const m = /^Direction: (\w+)$/m.exec(ref);
        if (m) expect(await passes(inst, ref.replace(/^Direction: \w+$/m, `Direction: ${words[m[1]!]}`))).toBe(true);
        expect(await passes(inst, 'No idea.')).toBe(false);
      }
    }
  });
});
