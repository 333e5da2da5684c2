import { describe, expect, it } from 'vitest';
import { PROBE_LEVELS } from '../../primitives/catalog.js';
import { describeGeneratorSuite, playAsReference, refText } from '../../../../test/profiler/generator-suite.js';
import { generator } from './gen.text.structured.js';

describeGeneratorSuite('gen.text.structured', generator);

describe('gen.text.structured reply formats', () => {
  it('accepts the document fenced with a sentence before it, or bare', async () => {
    for (const level of PROBE_LEVELS) {
      const inst = generator.generate(level, 2);
      const ref = refText(inst);
      const bare = ref.replace(/^```[a-z]*\n/, '').replace(/\n```$/, '');
      const fmt = /^```yaml/.test(ref) ? 'yaml' : 'json';
      for (const text of [bare, `Here is the document:\n\n\`\`\`${fmt}\n${bare}\n\`\`\``]) {
        const out = await playAsReference(inst, text);
        expect(out.passed, `${level}: ${out.details}`).toBe(true);
      }
    }
  }, 60_000);
});
