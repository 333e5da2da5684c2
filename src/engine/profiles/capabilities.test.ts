import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UPSTREAM_PROFILES, requireUpstream } from '../../../test/upstream.js';
import { ALL_PRIMITIVE_IDS } from '../primitives/catalog.js';
import { capabilityRows, levelCounts, passString, primitiveIdsInOrder } from './capabilities.js';
import { TcpSchema, type TCP } from './schema.js';

requireUpstream();
const upstream = (rel: string): TCP => TcpSchema.parse(JSON.parse(readFileSync(path.join(UPSTREAM_PROFILES, rel), 'utf8')));

function tcp(capabilities: TCP['capabilities'], details: TCP['details'] = []): TCP {
  return TcpSchema.parse({
    version: '1.0',
    model: 'sim/m',
    harness: 'bare-agent',
    profiledAt: '2026-01-01T00:00:00.000Z',
    capabilities,
    details,
    cost: { totalUsd: 0, totalTokens: { input: 0, output: 0 }, durationMs: 0 },
  });
}

const lr = (level: 'L1' | 'L2' | 'L3', passCount: number, totalCount: number, skipCount = 0) => ({ level, passed: passCount === totalCount - skipCount, passCount, totalCount, skipCount, durationMs: 1 });

describe('capability table', () => {
  it('an upstream profile: catalog order, one unmeasured primitive at L0, levels as recorded', () => {
    const t = upstream('bare-agent/openrouter--qwen--qwen3.5-9b/latest.json');
    const rows = capabilityRows(t);
    expect(rows.map((r) => r.primitive)).toEqual(ALL_PRIMITIVE_IDS);
    for (const r of rows.filter((x) => x.measured)) expect(r.level).toBe(t.capabilities[r.primitive]);
    expect(rows.filter((r) => !r.measured)).toEqual([
      { primitive: 'tool.web', category: expect.any(String), level: 'L0', measured: false, meaning: 'Not profiled; compilers treat it as L0.', passes: '' },
    ]);
    const counts = levelCounts(rows);
    expect(counts.L0 + counts.L1 + counts.L2 + counts.L3).toBe(26);
    expect(counts.L0).toBe(rows.filter((r) => r.level === 'L0').length);
  });

  it('unknown ids come last; a detail without a capability entry gives its highest level', () => {
    const rows = capabilityRows(
      tcp({ 'gen.code.python': 'L2', 'x.custom': 'L1' }, [
        { primitiveId: 'gen.code.python', highestLevel: 'L2', levelResults: [lr('L1', 3, 3), lr('L2', 3, 3), lr('L3', 1, 3)] },
        { primitiveId: 'tool.exec', highestLevel: 'L3', levelResults: [lr('L3', 2, 3, 1)] },
      ]),
    );
    expect(rows).toHaveLength(27);
    expect(rows.at(-1)).toEqual({ primitive: 'x.custom', category: 'unknown', level: 'L1', measured: true, meaning: '', passes: '' });
    expect(rows.find((r) => r.primitive === 'gen.code.python')).toMatchObject({ level: 'L2', measured: true, passes: 'L1 3/3 · L2 3/3 · L3 1/3' });
    expect(rows.find((r) => r.primitive === 'tool.exec')).toMatchObject({ level: 'L3', measured: true, passes: 'L3 2/2 (+1 skipped)' });
    expect(levelCounts(rows)).toEqual({ L0: 24, L1: 1, L2: 1, L3: 1 });
  });

  it('pass strings list probed levels in order and say how many were skipped', () => {
    expect(passString([])).toBe('');
    expect(passString([lr('L2', 1, 3), lr('L1', 3, 3)])).toBe('L1 3/3 · L2 1/3');
  });

  it('ids: catalog first, extras in first-seen order, no repeats', () => {
    expect(primitiveIdsInOrder(['b.extra', 'tool.exec', 'a.extra', 'b.extra'])).toEqual([...ALL_PRIMITIVE_IDS, 'b.extra', 'a.extra']);
  });
});
