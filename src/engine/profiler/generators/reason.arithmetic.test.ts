import { describe, expect, it } from 'vitest';
import { PROBE_LEVELS } from '../../primitives/catalog.js';
import { describeGeneratorSuite, passes, refText } from '../../../../test/profiler/generator-suite.js';
import { generator } from './reason.arithmetic.js';

describeGeneratorSuite('reason.arithmetic', generator);

describe('reason.arithmetic answers', () => {
  it('accepts decorated answers and rejects replies without the number', async () => {
    for (const level of PROBE_LEVELS) {
      for (let seed = 1; seed <= 10; seed++) {
        const inst = generator.generate(level, seed);
        const decorated = refText(inst).replace(/^(\w[\w ]*): (.*)$/gm, '**$1:** $$$2');
        expect(await passes(inst, decorated), `${level} ${seed}: ${decorated}`).toBe(true);
        expect(await passes(inst, 'I could not work this out.')).toBe(false);
      }
    }
  });
});
