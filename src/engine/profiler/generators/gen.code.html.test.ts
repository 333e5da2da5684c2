import { describe, expect, it } from 'vitest';
import { PROBE_LEVELS } from '../../primitives/catalog.js';
import { playInstance, verifyGenerator, wrongWay } from '../../../../test/profiler/verify.js';
import { call, solution } from '../toolkit.js';
import { generator } from './gen.code.html.js';

const plain = (x: unknown) => JSON.parse(JSON.stringify(x)) as unknown;

describe('gen.code.html generator', () => {
  it('is deterministic per (level, seed) and records the seed', () => {
    for (const level of PROBE_LEVELS) {
      const a = generator.generate(level, 7);
      expect(plain(a)).toEqual(plain(generator.generate(level, 7)));
      expect(a.seed).toBe(7);
      expect(a.level).toBe(level);
      expect(a.primitiveId).toBe(generator.primitiveId);
    }
  });

  it('never tells the model it is being tested', () => {
    for (const level of PROBE_LEVELS) {
      for (const seed of [1, 2, 3, 4, 5]) expect(generator.generate(level, seed).prompt).not.toMatch(/\b(probe|benchmark|grader|graded|evaluat\w*|checker|test case)\b/i);
    }
  });

  it('varies its prompts across seeds', () => {
    for (const level of PROBE_LEVELS) {
      const prompts = new Set([1, 2, 3, 4, 5].map((s) => generator.generate(level, s).prompt + JSON.stringify(generator.generate(level, s).setupFiles)));
      expect(prompts.size).toBe(5);
      expect(new Set([1, 2, 3, 4, 5].map((s) => generator.generate(level, s).prompt)).size).toBe(5);
    }
  });

  it('reference passes and near-miss fails on 20 seeds per level', async () => {
    const runs = await verifyGenerator(generator, 20);
    expect(wrongWay(runs)).toEqual([]);
    for (const level of PROBE_LEVELS) expect(runs.filter((r) => r.level === level && !r.skipped).length).toBeGreaterThan(0);
  }, 600_000);
});

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
        const out = await playInstance({ ...inst, reference: solution({ toolCalls: [call.write('index.html', page)] }, { text: 'done' }) }, 'reference');
        expect(out.passed, `${level} seed ${seed}: ${out.details}\n${page}`).toBe(true);
      }
    }
  }, 60_000);
});
