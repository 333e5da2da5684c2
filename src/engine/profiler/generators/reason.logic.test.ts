import { describe, expect, it } from 'vitest';
import { PROBE_LEVELS } from '../../primitives/catalog.js';
import { describeGeneratorSuite, passes, refText } from '../../../../test/profiler/generator-suite.js';
import { generator } from './reason.logic.js';

describeGeneratorSuite('reason.logic', generator);

describe('reason.logic answers', () => {
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
