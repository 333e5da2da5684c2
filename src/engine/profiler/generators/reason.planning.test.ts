import { describe, expect, it } from 'vitest';
import { PROBE_LEVELS } from '../../primitives/catalog.js';
import { describeGeneratorSuite, passes, refText } from '../../../../test/profiler/generator-suite.js';
import { generator } from './reason.planning.js';

describeGeneratorSuite('reason.planning', generator);

describe('reason.planning answers', () => {
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
