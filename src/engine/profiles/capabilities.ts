/**
 * A profile's capability table: one row per catalog primitive (catalog order), then any ids the
 * catalog does not know — what profile_show prints and what a compiler reads as "the level this
 * model has". A primitive the profile lacks is L0, as the reference's compiler treats it.
 */
import { PROBE_LEVELS, allPrimitives, getPrimitive, levelMeaning, type Level } from '../primitives/catalog.js';
import type { LevelResult, TCP } from './schema.js';

export interface CapabilityRow {
  primitive: string;
  /** Catalog category, or "unknown" for ids not in the catalog. */
  category: string;
  /** Highest level passed; L0 = none (also for primitives the profile lacks). */
  level: Level;
  /** false when the profile has no result for this primitive. */
  measured: boolean;
  /** What the catalog says this level means. */
  meaning: string;
  /** Instances passed per level, e.g. "L1 3/3 · L2 3/3 · L3 1/3"; "" when not measured. */
  passes: string;
}

export type LevelCounts = Record<Level, number>;

/** "L1 3/3 · L2 2/3 (+1 skipped)": passed over run instances per probed level. */
export function passString(results: readonly LevelResult[]): string {
  const parts: string[] = [];
  for (const level of PROBE_LEVELS) {
    const r = results.find((x) => x.level === level);
    if (!r) continue;
    const ran = r.totalCount - r.skipCount;
    parts.push(`${level} ${r.passCount}/${ran}${r.skipCount > 0 ? ` (+${r.skipCount} skipped)` : ''}`);
  }
  return parts.join(' · ');
}

/** Catalog ids first (catalog order), then ids found only in `ids`, in their first-seen order. */
export function primitiveIdsInOrder(ids: Iterable<string>): string[] {
  const catalog = allPrimitives().map((p) => p.id);
  const extra = new Set(ids);
  for (const id of catalog) extra.delete(id);
  return [...catalog, ...extra];
}

export function capabilityRows(tcp: TCP): CapabilityRow[] {
  const details = new Map(tcp.details.map((d) => [d.primitiveId, d]));
  return primitiveIdsInOrder([...Object.keys(tcp.capabilities), ...details.keys()]).map((id) => {
    const p = getPrimitive(id);
    const own = Object.prototype.hasOwnProperty.call(tcp.capabilities, id);
    const detail = details.get(id);
    const level: Level = own ? tcp.capabilities[id]! : (detail?.highestLevel ?? 'L0');
    const measured = own || detail !== undefined;
    return {
      primitive: id,
      category: p?.category ?? 'unknown',
      level,
      measured,
      meaning: !measured ? 'Not profiled; compilers treat it as L0.' : p ? levelMeaning(p, level) : '',
      passes: detail ? passString(detail.levelResults) : '',
    };
  });
}

export function levelCounts(rows: readonly Pick<CapabilityRow, 'level'>[]): LevelCounts {
  const counts: LevelCounts = { L0: 0, L1: 0, L2: 0, L3: 0 };
  for (const r of rows) counts[r.level]++;
  return counts;
}
