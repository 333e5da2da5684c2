import { describe, expect, it } from 'vitest';
import { PROBE_LEVELS } from '../../primitives/catalog.js';
import { describeGeneratorSuite, playAsReference } from '../../../../test/profiler/generator-suite.js';
import { call, solution } from '../toolkit.js';
import { generator } from './gen.code.html.js';

describeGeneratorSuite('gen.code.html', generator);

describe('gen.code.html tolerant parsing', () => {
  it('accepts equivalent markup: omitted end tags, upper-case tags, single-quoted attributes, a wrapping label', async () => {
    for (const level of PROBE_LEVELS) {
      for (const seed of [1, 2, 3]) {
        const inst = generator.generate(level, seed);
        const write = inst.reference.turns[0]!.toolCalls![0]!;
        let page = String(write.arguments.content);
        page = page
          .replace(/<\/(li|td|th|tr|option)>/g, '')
          .replace(/<(\/?)(ul|li|h1|h2|table|thead|tbody|header|main|footer)\b/g, (_m, s: string, t: string) => `<${s}${t.toUpperCase()}`)
          .replace(/="([^"]*)"/g, "='$1'")
          .replace(/<label for='(f-[^']+)'>([^<]*)<\/label>\s*<input ([^>]*)id='\1' ([^>]*)>/, "<label>$2 <input $3$4></label>");
        const out = await playAsReference(inst, solution({ toolCalls: [call.write('index.html', page)] }, { text: 'done' }));
        expect(out.passed, `${level} seed ${seed}: ${out.details}\n${page}`).toBe(true);
      }
    }
  }, 60_000);
});
