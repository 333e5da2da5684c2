import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UPSTREAM_PROFILES, requireUpstream } from '../../../test/upstream.js';
import { ALL_PRIMITIVE_IDS } from '../primitives/catalog.js';
import { compareCapabilities } from './compare.js';
import { TcpSchema } from './schema.js';

requireUpstream();
const caps = (rel: string) => TcpSchema.parse(JSON.parse(readFileSync(path.join(UPSTREAM_PROFILES, rel), 'utf8'))).capabilities;

describe('compareCapabilities', () => {
  it('counts better / worse / same / missing and signs the difference B − A', () => {
    const { rows, summary } = compareCapabilities({ 'gen.code.python': 'L1', 'tool.exec': 'L3', 'reason.logic': 'L2' }, { 'gen.code.python': 'L3', 'tool.exec': 'L2', 'reason.logic': 'L2', 'z.new': 'L1' });
    expect(rows.map((r) => r.primitive)).toEqual([...ALL_PRIMITIVE_IDS, 'z.new']);
    const by = (id: string) => rows.find((r) => r.primitive === id)!;
    expect(by('gen.code.python')).toMatchObject({ levelA: 'L1', levelB: 'L3', difference: 2 });
    expect(by('tool.exec')).toMatchObject({ levelA: 'L3', levelB: 'L2', difference: -1 });
    expect(by('reason.logic')).toMatchObject({ difference: 0 });
    expect(by('z.new')).toEqual({ primitive: 'z.new', category: 'unknown', levelA: null, levelB: 'L1', difference: null });
    expect(summary).toEqual({ better: 1, worse: 1, same: 1, missing: 24, meanA: 2, meanB: 2 });
  });

  it('means are over measured primitives, to three decimals; 0 with nothing measured', () => {
    expect(compareCapabilities({ a: 'L1', b: 'L2', c: 'L2' }, {}).summary).toMatchObject({ meanA: 1.667, meanB: 0 });
  });

  it('two upstream profiles: every catalog primitive has a row and the counts add up', () => {
    const { rows, summary } = compareCapabilities(caps('bare-agent/openrouter--qwen--qwen3.5-9b/latest.json'), caps('bare-agent/openrouter--qwen--qwen3.5-122b-a10b/latest.json'));
    expect(rows.slice(0, 26).map((r) => r.primitive)).toEqual(ALL_PRIMITIVE_IDS);
    expect(summary.better + summary.worse + summary.same + summary.missing).toBe(rows.length);
    expect(summary.meanB).toBeGreaterThan(0);
  });
});
