import { describe, expect, it } from 'vitest';
import { PROBE_LEVELS } from '../../primitives/catalog.js';
import { describeGeneratorSuite, playAsReference, refText } from '../../../../test/profiler/generator-suite.js';
import { generator } from './gen.regex.js';

describeGeneratorSuite('gen.regex', generator);

describe('gen.regex reply formats', () => {
  it('accepts the pattern fenced, in inline code with a sentence, or as a raw-string literal', async () => {
    for (const level of PROBE_LEVELS) {
      const inst = generator.generate(level, 3);
      const pattern = refText(inst);
      for (const text of ['```regex\n' + pattern + '\n```', 'Here is the pattern:\n`' + pattern + '`\nIt uses Python syntax.', `r"${pattern}"`]) {
        const out = await playAsReference(inst, text);
        expect(out.passed, `${level} ${JSON.stringify(text)}: ${out.details}`).toBe(true);
      }
    }
  }, 60_000);
});
