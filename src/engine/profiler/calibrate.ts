import { PROBE_LEVELS, type Level, type ProbeLevel } from '../primitives/catalog.js';

/**
 * The level rule and the calibrator (spec §2.6–2.7).
 *
 * - A level passes when every non-skipped instance passed and at least one ran.
 * - The recorded level is the highest passing level (the reference rule, pinned by its tests:
 *   L1 pass, L2 fail, L3 pass ⇒ L3).
 * - An inversion is a higher level that passed while a lower one failed. Levels where no
 *   instance ran (all skipped) are unknown, not failed, and never take part in an inversion.
 * - Unlike the reference, inversions are acted on: the levels involved are re-run with fresh
 *   instances and each is decided by majority over the original and the re-run instances
 *   (`resolveInversion`), then the level is recomputed.
 */

export interface LevelTally {
  level: ProbeLevel;
  passCount: number;
  /** Instances run, skipped included. */
  totalCount: number;
  skipCount: number;
}

export function effectiveCount(t: Pick<LevelTally, 'totalCount' | 'skipCount'>): number {
  return t.totalCount - t.skipCount;
}

/** Every non-skipped instance passed and at least one ran. */
export function levelPasses(t: Pick<LevelTally, 'passCount' | 'totalCount' | 'skipCount'>): boolean {
  const eff = effectiveCount(t);
  return eff > 0 && t.passCount === eff;
}

/** Highest passing level, L0 when none passed. */
export function highestPassingLevel(levels: ReadonlyArray<{ level: ProbeLevel; passed: boolean }>): Level {
  let best: Level = 'L0';
  for (const l of PROBE_LEVELS) if (levels.find((r) => r.level === l)?.passed) best = l;
  return best;
}

export interface Inversion {
  primitiveId: string;
  higherLevel: ProbeLevel;
  lowerLevel: ProbeLevel;
  description: string;
}

export interface LevelOutcome {
  level: ProbeLevel;
  passed: boolean;
  /** Instances that ran (not skipped); 0 = the level is unknown. */
  effective: number;
}

/** Every pair lower < higher where the higher level passed and the lower ran and failed. */
export function detectInversions(primitiveId: string, levels: readonly LevelOutcome[]): Inversion[] {
  const out: Inversion[] = [];
  for (let h = 0; h < PROBE_LEVELS.length; h++) {
    const higher = levels.find((r) => r.level === PROBE_LEVELS[h]);
    if (!higher?.passed) continue;
    for (let l = 0; l < h; l++) {
      const lower = levels.find((r) => r.level === PROBE_LEVELS[l]);
      if (!lower || lower.passed || lower.effective === 0) continue;
      out.push({ primitiveId, higherLevel: higher.level, lowerLevel: lower.level, description: `${higher.level} passed but ${lower.level} failed` });
    }
  }
  return out;
}

/** The levels an inversion re-run covers: both ends of every inversion, in level order. */
export function levelsToRerun(inversions: readonly Inversion[]): ProbeLevel[] {
  const set = new Set<ProbeLevel>();
  for (const i of inversions) {
    set.add(i.higherLevel);
    set.add(i.lowerLevel);
  }
  return PROBE_LEVELS.filter((l) => set.has(l));
}

/**
 * Majority over the original and the re-run instances (spec §2.7):
 * (pass₁ + pass₂) > (n₁ + n₂) / 2, where n counts the instances that ran (skips excluded).
 */
export function resolveInversion(
  original: Pick<LevelTally, 'passCount' | 'totalCount' | 'skipCount'>,
  rerun: Pick<LevelTally, 'passCount' | 'totalCount' | 'skipCount'>,
): boolean {
  const n = effectiveCount(original) + effectiveCount(rerun);
  return n > 0 && original.passCount + rerun.passCount > n / 2;
}
