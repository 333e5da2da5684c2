import { ALL_PRIMITIVE_IDS, primitiveIndex } from '../primitives/catalog.js';
import { closestMatches } from '../util/closest.js';
import { SkvmError, UsageError, errorMessage } from '../util/errors.js';
import type { ProbeGenerator } from './types.js';

/** Which generators a profile runs: the registry, and the requested primitive ids checked against it. */

/** The ordered generator registry (`generators/index.ts` exports `GENERATORS`), loaded on first use. */
export async function loadProbeGenerators(): Promise<readonly ProbeGenerator[]> {
  let mod: { GENERATORS?: unknown };
  try {
    mod = (await import('./generators/index.js')) as { GENERATORS?: unknown };
  } catch (err) {
    throw new SkvmError(`The probe generator registry could not be loaded: ${errorMessage(err)}`, {
      code: 'generators_unavailable',
      hint: 'src/engine/profiler/generators/index.ts must export GENERATORS (the probe generators in catalog order).',
    });
  }
  if (!Array.isArray(mod.GENERATORS)) {
    throw new SkvmError('The probe generator registry does not export a GENERATORS array.', { code: 'generators_unavailable' });
  }
  return mod.GENERATORS as ProbeGenerator[];
}

function byCatalogOrder(a: string, b: string): number {
  const ia = primitiveIndex(a);
  const ib = primitiveIndex(b);
  return (ia < 0 ? 1e6 : ia) - (ib < 0 ? 1e6 : ib) || a.localeCompare(b);
}

/** Check requested ids against the catalog and the generators; UsageError naming close ids. */
export function resolvePrimitives(generators: readonly ProbeGenerator[], primitives?: readonly string[], skip?: readonly string[]): string[] {
  const genIds = generators.map((g) => g.primitiveId);
  const known = new Set([...ALL_PRIMITIVE_IDS, ...genIds]);
  const check = (ids: readonly string[] | undefined, what: string) => {
    const unknown = (ids ?? []).filter((id) => !known.has(id));
    if (unknown.length === 0) return;
    const parts = unknown.map((id) => {
      const near = closestMatches(id, known, 3);
      return near.length ? `"${id}" (did you mean ${near.join(', ')}?)` : `"${id}"`;
    });
    throw new UsageError(`Unknown primitive id${unknown.length > 1 ? 's' : ''} in ${what}: ${parts.join(', ')}.`, `Primitive ids look like gen.code.python or tool.file.read; the catalog has ${ALL_PRIMITIVE_IDS.length} (primitives_list shows them).`);
  };
  check(primitives, 'primitives');
  check(skip, 'skip');
  if (genIds.length === 0) throw new SkvmError('No probe generators are registered.', { code: 'generators_unavailable', hint: 'src/engine/profiler/generators/index.ts lists them (GENERATORS).' });
  const wanted = primitives && primitives.length > 0 ? [...new Set(primitives)] : [...new Set(genIds)];
  const noGen = wanted.filter((id) => !genIds.includes(id));
  if (noGen.length > 0) {
    throw new UsageError(`No probe generator is available for ${noGen.join(', ')}.`, `Generators available: ${genIds.join(', ') || 'none'}.`);
  }
  const skipSet = new Set(skip ?? []);
  const out = wanted.filter((id) => !skipSet.has(id)).sort(byCatalogOrder);
  if (out.length === 0) throw new UsageError('Nothing to profile: every requested primitive is skipped.', 'Drop some ids from skip.');
  return out;
}
