import { levelOrder, type Level, type ProbeLevel } from '../../../primitives/catalog.js';
import type { CapabilityGap, SCR, ScrPath } from '../../types.js';

/**
 * Gap analysis (spec §4.7.2), pure and deterministic, with the three things the reference leaves
 * out (§9.3 item 3) put back:
 *
 * - The compensable filter is applied: `missing` gaps and weak gaps of two or more levels are
 *   sent to the rewrite; a weak gap of exactly one level is only reported ("tolerated"), since
 *   the model nearly meets the demand and a rewrite risks more than it gains.
 * - `alternativePaths` count. For every purpose each path (current first, then the alternatives in
 *   order) is scored by the tuple (compensable gaps, their summed level deficit, tolerated gaps),
 *   compared lexicographically. The purpose is served by the lowest-scoring path; on a tie the
 *   earlier path wins, so the current path is kept unless an alternative is strictly better.
 *   An alternative with no gaps at all therefore satisfies the purpose outright; one with fewer or
 *   smaller gaps replaces the current path's gaps with its own (the rewrite is told which path).
 * - Gaps are deduplicated by purpose + primitive: a primitive listed twice (in one path, or under
 *   two purposes sharing an id) yields one gap at the highest level required.
 *
 * A primitive the profile does not list counts as L0 (the reference's rule); such ids are listed
 * in `unprofiled` so the result can say the gap comes from a missing measurement.
 */

export interface PathChoice {
  purposeId: string;
  /** 'current', or the index into the purpose's alternativePaths. */
  path: 'current' | number;
  note?: string;
}

export interface GapAnalysis {
  /** Compensable gaps, in purpose order then path order: what the rewrite addresses. */
  gaps: CapabilityGap[];
  /** One-level weak gaps: reported, not rewritten for. */
  tolerated: CapabilityGap[];
  /** Purposes served by an alternative path (strictly better than the current one). */
  alternatives: PathChoice[];
  /** Required primitive ids the profile does not list (scored as L0). */
  unprofiled: string[];
}

/** Levels a gap spans: required − what the model has. */
export function gapSize(gap: Pick<CapabilityGap, 'requiredLevel' | 'modelLevel'>): number {
  return levelOrder(gap.requiredLevel) - levelOrder(gap.modelLevel);
}

/** `missing` gaps, and weak gaps of more than one level, are worth a rewrite. */
export function isCompensable(gap: CapabilityGap): boolean {
  return gap.gapType === 'missing' || gapSize(gap) > 1;
}

export function analyzeGaps(scr: SCR, capabilities: Readonly<Record<string, Level>>): GapAnalysis {
  const alternatives: PathChoice[] = [];
  const unprofiled = new Set<string>();
  const merged = new Map<string, CapabilityGap>();
  const has = (id: string): Level => (Object.hasOwn(capabilities, id) ? capabilities[id]! : 'L0');

  for (const purpose of scr.purposes) {
    const paths: ScrPath[] = [purpose.currentPath, ...purpose.alternativePaths];
    const scored = paths.map((p) => pathGaps(purpose.id, p, has));
    let best = 0;
    for (let i = 1; i < scored.length; i++) if (compareScore(score(scored[i]!), score(scored[best]!)) < 0) best = i;
    if (best > 0) {
      const note = paths[best]!.note;
      alternatives.push({ purposeId: purpose.id, path: best - 1, ...(note ? { note } : {}) });
    }
    for (const prim of paths[best]!.primitives) if (!Object.hasOwn(capabilities, prim.id)) unprofiled.add(prim.id);

    for (const gap of scored[best]!) {
      const key = `${gap.purposeId}\u0000${gap.primitiveId}`;
      const seen = merged.get(key);
      // Two purposes sharing an id: one gap, at the higher demand, in first-seen position.
      if (!seen) merged.set(key, gap);
      else if (levelOrder(gap.requiredLevel) > levelOrder(seen.requiredLevel)) seen.requiredLevel = gap.requiredLevel;
    }
  }
  const gaps: CapabilityGap[] = [];
  const tolerated: CapabilityGap[] = [];
  for (const gap of merged.values()) (isCompensable(gap) ? gaps : tolerated).push(gap);
  return { gaps, tolerated, alternatives, unprofiled: [...unprofiled] };
}

/** One path's gaps, one per primitive at the highest level the path asks for it. */
function pathGaps(purposeId: string, path: ScrPath, has: (id: string) => Level): CapabilityGap[] {
  const required = new Map<string, ProbeLevel>();
  for (const prim of path.primitives) {
    const before = required.get(prim.id);
    if (!before || levelOrder(prim.minLevel) > levelOrder(before)) required.set(prim.id, prim.minLevel);
  }
  const out: CapabilityGap[] = [];
  for (const [primitiveId, requiredLevel] of required) {
    const modelLevel = has(primitiveId);
    if (levelOrder(modelLevel) >= levelOrder(requiredLevel)) continue;
    out.push({ purposeId, primitiveId, requiredLevel, modelLevel, gapType: modelLevel === 'L0' ? 'missing' : 'weak' });
  }
  return out;
}

type Score = [compensable: number, deficit: number, tolerated: number];

function score(gaps: readonly CapabilityGap[]): Score {
  const comp = gaps.filter(isCompensable);
  return [comp.length, comp.reduce((n, g) => n + gapSize(g), 0), gaps.length - comp.length];
}

function compareScore(a: Score, b: Score): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}
