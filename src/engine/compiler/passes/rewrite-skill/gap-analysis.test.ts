import { describe, expect, it } from 'vitest';
import { UPSTREAM_PROFILES, requireUpstream } from '../../../../../test/upstream.js';
import type { Level } from '../../../primitives/catalog.js';
import { loadProfile } from '../../../profiles/load.js';
import { ScrSchema, type SCR } from '../../types.js';
import { analyzeGaps, gapSize, isCompensable } from './gap-analysis.js';

type Prim = [id: string, minLevel: 'L1' | 'L2' | 'L3'];
const path = (prims: Prim[], note?: string) => ({ primitives: prims.map(([id, minLevel]) => ({ id, minLevel, evidence: `uses ${id}` })), ...(note ? { note } : {}) });
const purpose = (id: string, current: Prim[], ...alternatives: Array<{ prims: Prim[]; note?: string }>) => ({
  id,
  description: `purpose ${id}`,
  currentPath: path(current),
  alternativePaths: alternatives.map((a) => path(a.prims, a.note)),
});
const scr = (...purposes: ReturnType<typeof purpose>[]): SCR => ScrSchema.parse({ skillName: 'test', purposes });

describe('gap size and the compensable filter', () => {
  it('missing gaps are always compensable, weak ones only when more than one level short', () => {
    expect(isCompensable({ purposeId: 'p', primitiveId: 'x', requiredLevel: 'L1', modelLevel: 'L0', gapType: 'missing' })).toBe(true);
    expect(isCompensable({ purposeId: 'p', primitiveId: 'x', requiredLevel: 'L3', modelLevel: 'L2', gapType: 'weak' })).toBe(false);
    expect(isCompensable({ purposeId: 'p', primitiveId: 'x', requiredLevel: 'L3', modelLevel: 'L1', gapType: 'weak' })).toBe(true);
    expect(gapSize({ requiredLevel: 'L3', modelLevel: 'L0' })).toBe(3);
  });
});

describe('analyzeGaps', () => {
  const caps: Record<string, Level> = { 'gen.code.python': 'L3', 'gen.code.shell': 'L1', 'reason.planning': 'L0', 'tool.exec': 'L2', 'follow.format': 'L2' };

  it('classifies each shortfall: missing, weak compensable, weak tolerated; met demands give nothing', () => {
    const r = analyzeGaps(
      scr(purpose('build', [['gen.code.python', 'L3'], ['gen.code.shell', 'L3'], ['reason.planning', 'L1'], ['tool.exec', 'L3'], ['follow.format', 'L1']])),
      caps,
    );
    expect(r.gaps).toEqual([
      { purposeId: 'build', primitiveId: 'gen.code.shell', requiredLevel: 'L3', modelLevel: 'L1', gapType: 'weak' },
      { purposeId: 'build', primitiveId: 'reason.planning', requiredLevel: 'L1', modelLevel: 'L0', gapType: 'missing' },
    ]);
    expect(r.tolerated).toEqual([{ purposeId: 'build', primitiveId: 'tool.exec', requiredLevel: 'L3', modelLevel: 'L2', gapType: 'weak' }]);
    expect(r.alternatives).toEqual([]);
    expect(r.unprofiled).toEqual([]);
  });

  it('a primitive the profile lacks is a missing gap, and is named as unprofiled', () => {
    const r = analyzeGaps(scr(purpose('fetch', [['tool.web', 'L1']])), caps);
    expect(r.gaps).toEqual([{ purposeId: 'fetch', primitiveId: 'tool.web', requiredLevel: 'L1', modelLevel: 'L0', gapType: 'missing' }]);
    expect(r.unprofiled).toEqual(['tool.web']);
  });

  it('an own-property lookup: inherited names such as "constructor" are not capabilities', () => {
    const r = analyzeGaps(scr(purpose('odd', [['constructor', 'L1']])), caps);
    expect(r.gaps.map((g) => g.modelLevel)).toEqual(['L0']);
  });

  it('dedupes by purpose + primitive at the highest level asked, across one path and across purposes sharing an id', () => {
    const r = analyzeGaps(
      scr(
        purpose('a', [['gen.code.shell', 'L2'], ['gen.code.shell', 'L3']]),
        purpose('b', [['gen.code.shell', 'L3']]),
        purpose('a', [['reason.planning', 'L2'], ['gen.code.shell', 'L3']]),
      ),
      caps,
    );
    expect(r.gaps.map((g) => `${g.purposeId}:${g.primitiveId}:${g.requiredLevel}`)).toEqual(['a:gen.code.shell:L3', 'b:gen.code.shell:L3', 'a:reason.planning:L2']);
  });

  it('a merge that raises a tolerated gap makes it compensable (and it stays in first-seen order)', () => {
    const r = analyzeGaps(scr(purpose('a', [['tool.exec', 'L3']]), purpose('b', [['reason.planning', 'L1']]), purpose('a', [['follow.format', 'L3']])), {
      ...caps,
      'tool.exec': 'L1',
      'follow.format': 'L2',
    });
    expect(r.gaps.map((g) => g.primitiveId)).toEqual(['tool.exec', 'reason.planning']);
    expect(r.tolerated.map((g) => g.primitiveId)).toEqual(['follow.format']);
  });

  it('same primitive in two different purposes gives two gaps', () => {
    const r = analyzeGaps(scr(purpose('a', [['reason.planning', 'L2']]), purpose('b', [['reason.planning', 'L2']])), caps);
    expect(r.gaps.map((g) => g.purposeId)).toEqual(['a', 'b']);
  });

  describe('alternative paths', () => {
    it('a gap-free alternative satisfies the purpose: no gap, the choice is reported', () => {
      const r = analyzeGaps(scr(purpose('plan', [['reason.planning', 'L2']], { prims: [['follow.format', 'L1']], note: 'follow the fixed checklist' })), caps);
      expect(r.gaps).toEqual([]);
      expect(r.tolerated).toEqual([]);
      expect(r.alternatives).toEqual([{ purposeId: 'plan', path: 0, note: 'follow the fixed checklist' }]);
    });

    it('an alternative with fewer compensable gaps wins; its own gaps are the ones reported', () => {
      const r = analyzeGaps(
        scr(purpose('p', [['reason.planning', 'L1'], ['gen.code.shell', 'L3']], { prims: [['gen.code.shell', 'L3'], ['gen.code.python', 'L3']] })),
        caps,
      );
      expect(r.alternatives).toEqual([{ purposeId: 'p', path: 0 }]);
      expect(r.gaps.map((g) => g.primitiveId)).toEqual(['gen.code.shell']);
    });

    it('same count of compensable gaps: the smaller summed deficit wins', () => {
      const r = analyzeGaps(scr(purpose('p', [['reason.planning', 'L3']], { prims: [['gen.code.shell', 'L3']] })), caps);
      expect(r.alternatives).toEqual([{ purposeId: 'p', path: 0 }]);
      expect(r.gaps).toEqual([{ purposeId: 'p', primitiveId: 'gen.code.shell', requiredLevel: 'L3', modelLevel: 'L1', gapType: 'weak' }]);
    });

    it('only tolerated gaps left: fewer tolerated gaps still decide', () => {
      const r = analyzeGaps(scr(purpose('p', [['tool.exec', 'L3'], ['follow.format', 'L3']], { prims: [['tool.exec', 'L3']] })), caps);
      expect(r.alternatives).toEqual([{ purposeId: 'p', path: 0 }]);
      expect(r.tolerated.map((g) => g.primitiveId)).toEqual(['tool.exec']);
    });

    it('a tie keeps the current path; among equal alternatives the first wins', () => {
      const tie = analyzeGaps(scr(purpose('p', [['gen.code.shell', 'L3']], { prims: [['gen.code.shell', 'L3']] })), caps);
      expect(tie.alternatives).toEqual([]);
      const firstOfEqual = analyzeGaps(
        scr(purpose('p', [['reason.planning', 'L1']], { prims: [['gen.code.python', 'L1']], note: 'first' }, { prims: [['tool.exec', 'L1']], note: 'second' })),
        caps,
      );
      expect(firstOfEqual.alternatives).toEqual([{ purposeId: 'p', path: 0, note: 'first' }]);
    });

    it('a worse alternative is ignored, and its unprofiled ids are not reported', () => {
      const r = analyzeGaps(scr(purpose('p', [['gen.code.shell', 'L3']], { prims: [['tool.web', 'L3'], ['reason.planning', 'L3']] })), caps);
      expect(r.alternatives).toEqual([]);
      expect(r.gaps.map((g) => g.primitiveId)).toEqual(['gen.code.shell']);
      expect(r.unprofiled).toEqual([]);
    });
  });

  it('is deterministic: same input, same output, input not mutated', () => {
    const input = scr(purpose('a', [['gen.code.shell', 'L3']]), purpose('a', [['gen.code.shell', 'L2']]));
    const before = JSON.stringify(input);
    expect(analyzeGaps(input, caps)).toEqual(analyzeGaps(input, caps));
    expect(JSON.stringify(input)).toBe(before);
  });
});

describe('analyzeGaps on real upstream profiles', () => {
  requireUpstream();
  // An SCR written for a data-report skill: a Python script, shell glue, a structured summary and a plan.
  const reportSkill = scr(
    purpose('clean-data', [['gen.code.python', 'L3'], ['tool.exec', 'L2']]),
    purpose('write-summary', [['gen.text.long', 'L2'], ['follow.format', 'L2']], { prims: [['gen.text.structured', 'L2'], ['follow.format', 'L2']], note: 'emit the summary as JSON fields' }),
    purpose('order-steps', [['reason.planning', 'L2'], ['follow.procedure', 'L3']]),
    purpose('shell-glue', [['gen.code.shell', 'L3']]),
    purpose('fetch-rates', [['tool.web', 'L1']]),
  );
  const load = async (harness: string, model: string) => (await loadProfile(UPSTREAM_PROFILES, harness, model)).tcp.capabilities;

  it('qwen3.5-35b-a3b (bare-agent): long text and planning missing, web unprofiled, shell tolerated; the JSON path serves the summary', async () => {
    const r = analyzeGaps(reportSkill, await load('bare-agent', 'qwen--qwen3.5-35b-a3b'));
    // text.long is L0 there but text.structured is L2: the alternative path has no gap.
    expect(r.alternatives).toEqual([{ purposeId: 'write-summary', path: 0, note: 'emit the summary as JSON fields' }]);
    expect(r.gaps).toEqual([
      { purposeId: 'order-steps', primitiveId: 'reason.planning', requiredLevel: 'L2', modelLevel: 'L0', gapType: 'missing' },
      { purposeId: 'fetch-rates', primitiveId: 'tool.web', requiredLevel: 'L1', modelLevel: 'L0', gapType: 'missing' },
    ]);
    expect(r.tolerated).toEqual([{ purposeId: 'shell-glue', primitiveId: 'gen.code.shell', requiredLevel: 'L3', modelLevel: 'L2', gapType: 'weak' }]);
    expect(r.unprofiled).toEqual(['tool.web']);
  });

  it('qwen3.5-9b (bare-agent): exec and shell missing', async () => {
    const r = analyzeGaps(reportSkill, await load('bare-agent', 'qwen--qwen3.5-9b'));
    expect(r.gaps.map((g) => `${g.primitiveId}:${g.modelLevel}:${g.gapType}`)).toEqual(['tool.exec:L0:missing', 'gen.code.shell:L0:missing', 'tool.web:L0:missing']);
    // text.long is L1 (1 short, tolerated) on the current path; the JSON alternative has no gap at all.
    expect(r.alternatives.map((a) => a.purposeId)).toEqual(['write-summary']);
    expect(r.tolerated).toEqual([]);
  });

  it('deepseek-v4-pro (openclaw): every demand met, nothing to rewrite', async () => {
    const r = analyzeGaps(reportSkill, await load('openclaw', 'deepseek--deepseek-v4-pro'));
    expect(r.gaps).toEqual([]);
    expect(r.tolerated).toEqual([]);
    expect(r.alternatives).toEqual([]);
  });

  it('qwen3.5-9b (openclaw): python missing, exec one level short', async () => {
    const r = analyzeGaps(reportSkill, await load('openclaw', 'openrouter--qwen--qwen3.5-9b'));
    expect(r.gaps.map((g) => `${g.purposeId}:${g.primitiveId}`)).toEqual(['clean-data:gen.code.python', 'shell-glue:gen.code.shell', 'fetch-rates:tool.web']);
    expect(r.tolerated.map((g) => `${g.primitiveId}:${g.requiredLevel}>${g.modelLevel}`)).toEqual(['tool.exec:L2>L1']);
    expect(r.unprofiled).toEqual([]);
  });
});
