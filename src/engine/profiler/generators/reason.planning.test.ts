import { describe, expect, it } from 'vitest';
import { verifyGenerator, wrongWay } from '../../../../test/profiler/verify.js';
import { PROBE_LEVELS } from '../../primitives/catalog.js';
import type { ProbeInstance } from '../types.js';
import { generator } from './reason.planning.js';

/** A check context for text-only answers. */
const textCtx = (finalText: string) =>
  ({ workDir: '', finalText, steps: [], readFile: async () => undefined, run: async () => { throw new Error('not used'); } }) as never;
const passes = async (inst: ProbeInstance, text: string): Promise<boolean> => (await inst.check(textCtx(text))).every((c) => c.score >= 0.5);
const refText = (inst: ProbeInstance): string => inst.reference.turns.at(-1)!.text!;

/** Instance data without functions (check), for deep comparison. */
const data = (x: unknown): unknown => JSON.parse(JSON.stringify(x));

describe('reason.planning generator', () => {
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
      expect(a.primitiveId).toBe('reason.planning');
    }
  });

  it('varies its prompts across seeds', () => {
    for (const level of PROBE_LEVELS) {
      const prompts = new Set([1, 2, 3, 4, 5, 6].map((s) => generator.generate(level, s).prompt));
      expect(prompts.size).toBe(6);
    }
  });

  it('accepts harmless variations of the answer lines', async () => {
    for (let seed = 1; seed <= 10; seed++) {
      const l1 = generator.generate('L1', seed);
      const order = refText(l1).trim().split('\n').at(-1)!;
      expect(await passes(l1, `Order: ${order.split(', ').map((t) => `\`${t}\``).join(' → ')}`)).toBe(true);
      const l2 = generator.generate('L2', seed);
      expect(await passes(l2, refText(l2).replace(/^Stage (\d+): (.*)$/gm, (_, k: string, xs: string) => `**Stage ${k}:** ${xs.split(', ').map((t) => `\`${t}\``).join(', ')}`))).toBe(true);
      const l3 = generator.generate('L3', seed);
      expect(await passes(l3, refText(l3).replace(/^(Executed|Failed|Not run|Status): (.*)$/gm, '- **$1:** $2.'))).toBe(true);
    }
  });

  it('L3 rejects a failed step reported as not run', async () => {
    for (let seed = 1; seed <= 20; seed++) {
      const inst = generator.generate('L3', seed);
      const ref = refText(inst);
      const failed = /^Failed: (.*)$/m.exec(ref)![1]!.split(', ');
      const notRun = /^Not run: (.*)$/m.exec(ref)![1]!;
      const moved = ref
        .replace(/^Failed: .*$/m, 'Failed: none')
        .replace(/^Not run: .*$/m, `Not run: ${[...(notRun === 'none' ? [] : notRun.split(', ')), ...failed].join(', ')}`);
      expect(await passes(inst, moved)).toBe(false);
    }
  });
});
