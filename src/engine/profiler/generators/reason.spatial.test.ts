import { describe, expect, it } from 'vitest';
import { PROBE_LEVELS } from '../../primitives/catalog.js';
import { describeGeneratorSuite, passes, refText } from '../../../../test/profiler/generator-suite.js';
import { generator } from './reason.spatial.js';

describeGeneratorSuite('reason.spatial', generator);

describe('reason.spatial answers', () => {
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
