import { describe, expect, it } from 'vitest';
import { verifyGenerator, wrongWay } from '../../../../test/profiler/verify.js';
import { PROBE_LEVELS } from '../../primitives/catalog.js';
import type { ProbeInstance } from '../types.js';
import { generator } from './reason.logic.js';

/** A check context for text-only answers. */
const textCtx = (finalText: string) =>
  ({ workDir: '', finalText, steps: [], readFile: async () => undefined, run: async () => { throw new Error('not used'); } }) as never;
const passes = async (inst: ProbeInstance, text: string): Promise<boolean> => (await inst.check(textCtx(text))).every((c) => c.score >= 0.5);
const refText = (inst: ProbeInstance): string => inst.reference.turns.at(-1)!.text!;

/** Instance data without functions (check), for deep comparison. */
const data = (x: unknown): unknown => JSON.parse(JSON.stringify(x));

describe('reason.logic generator', () => {
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
      expect(a.primitiveId).toBe('reason.logic');
    }
  });

  it('varies its prompts across seeds', () => {
    for (const level of PROBE_LEVELS) {
      const prompts = new Set([1, 2, 3, 4, 5, 6].map((s) => generator.generate(level, s).prompt));
      expect(prompts.size).toBe(6);
    }
  });

  it('L1 answers cover Yes, No and Unknown, and only the first word counts', async () => {
    const seen = new Set<string>();
    for (let seed = 1; seed <= 30; seed++) {
      const inst = generator.generate('L1', seed);
      const ans = refText(inst).split('.')[0]!;
      seen.add(ans);
      expect(await passes(inst, `**${ans}** — see below.`)).toBe(true);
      const others = ['Yes', 'No', 'Unknown'].filter((a) => a !== ans);
      expect(await passes(inst, `${others[0]}. (Some would say ${ans}.)`)).toBe(false);
    }
    expect([...seen].sort()).toEqual(['No', 'Unknown', 'Yes']);
  });

  it('L2 cannot be passed by naming every candidate', async () => {
    for (let seed = 1; seed <= 30; seed++) {
      const inst = generator.generate('L2', seed);
      const order = refText(inst).trim().split('\n').at(-1)!;
      const names = order.split(', ');
      expect(await passes(inst, `Seat order: **${order}.**`)).toBe(true);
      expect(await passes(inst, `Candidates:\n${names.map((n, i) => `${i + 1}. ${n}`).join('\n')}`)).toBe(false);
      expect(await passes(inst, `${order}\nIt could also be ${[...names].reverse().join(', ')}`)).toBe(false);
      const sorted = [...names].sort();
      if (sorted.join(', ') !== order) expect(await passes(inst, `${order} is likely.\n\n${sorted.join(', ')}`)).toBe(false);
      expect(await passes(inst, names.join(' '))).toBe(false);
    }
  });

  it('L3 needs both the assignment and the total', async () => {
    for (let seed = 1; seed <= 10; seed++) {
      const inst = generator.generate('L3', seed);
      const ref = refText(inst);
      const total = Number(/Total: (\d+)/.exec(ref)![1]);
      expect(await passes(inst, ref.replace(/^(\w+): (\w+)$/gm, '- **$1** → $2'))).toBe(true);
      expect(await passes(inst, ref.replace(/Total: \d+/, `Total: ${total + 1}`))).toBe(false);
    }
  });
});
