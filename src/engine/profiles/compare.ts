/**
 * Two capability profiles side by side: per primitive the level in A, in B and B − A in levels,
 * plus how many primitives B does better, worse or equally, and the mean level of each side over
 * the primitives it measured.
 */
import { getPrimitive, levelOrder, type Level } from '../primitives/catalog.js';
import { mean } from '../util/mean.js';
import { primitiveIdsInOrder } from './capabilities.js';

export interface LevelComparisonRow {
  primitive: string;
  category: string;
  /** null when profile A has no result for it. */
  levelA: Level | null;
  levelB: Level | null;
  /** B − A in levels (L3 − L1 = 2); null when either side is missing. */
  difference: number | null;
}

export interface LevelComparisonSummary {
  better: number;
  worse: number;
  same: number;
  /** Primitives missing from one side or both. */
  missing: number;
  /** Mean level (0–3) over the measured primitives, to three decimals; 0 when none is measured. */
  meanA: number;
  meanB: number;
}

export interface LevelComparison {
  rows: LevelComparisonRow[];
  summary: LevelComparisonSummary;
}

type Capabilities = Readonly<Record<string, Level>>;

export function compareCapabilities(a: Capabilities, b: Capabilities): LevelComparison {
  const summary: LevelComparisonSummary = { better: 0, worse: 0, same: 0, missing: 0, meanA: 0, meanB: 0 };
  const rows = primitiveIdsInOrder([...Object.keys(a), ...Object.keys(b)]).map((id): LevelComparisonRow => {
    const levelA = a[id] ?? null;
    const levelB = b[id] ?? null;
    const difference = levelA && levelB ? levelOrder(levelB) - levelOrder(levelA) : null;
    if (difference === null) summary.missing++;
    else if (difference > 0) summary.better++;
    else if (difference < 0) summary.worse++;
    else summary.same++;
    return { primitive: id, category: getPrimitive(id)?.category ?? 'unknown', levelA, levelB, difference };
  });
  summary.meanA = meanLevel(rows.map((r) => r.levelA));
  summary.meanB = meanLevel(rows.map((r) => r.levelB));
  return { rows, summary };
}

function meanLevel(levels: ReadonlyArray<Level | null>): number {
  const m = mean(levels.filter((l): l is Level => l !== null).map(levelOrder));
  return m === null ? 0 : Math.round(m * 1000) / 1000;
}
