import { ALL_PRIMITIVE_IDS, primitiveIndex } from '../primitives/catalog.js';
import { closestMatches } from '../util/closest.js';
import { SkvmError, UsageError, errorMessage } from '../util/errors.js';
import type { ProbeGenerator } from './types.js';

/** Which generators a profile runs: the registry, and the requested primitive ids checked against it. */

/**
 * The ordered generator registry (`generators/modules.ts`), each generator's code loaded when
 * `ready()` is first called: a profile waits for the generators it uses, when it uses them.
 */
export async function loadProbeGenerators(): Promise<readonly ProbeGenerator[]> {
  let mod: { GENERATOR_MODULES?: unknown };
  try {
    mod = (await import('./generators/modules.js')) as { GENERATOR_MODULES?: unknown };
  } catch (err) {
    throw unavailable(`The probe generator registry could not be loaded: ${errorMessage(err)}`);
  }
  if (!Array.isArray(mod.GENERATOR_MODULES)) throw unavailable('The probe generator registry does not export a GENERATOR_MODULES array.');
  return (mod.GENERATOR_MODULES as Array<readonly [string, () => Promise<{ generator: ProbeGenerator }>]>).map(([id, load]) => onDemand(id, load));
}

function onDemand(primitiveId: string, load: () => Promise<{ generator: ProbeGenerator }>): ProbeGenerator {
  let real: ProbeGenerator | undefined;
  let loading: Promise<void> | undefined;
  const loaded = (): ProbeGenerator => {
    if (!real) throw new Error(`the ${primitiveId} generator is used before ready() loaded it`);
    return real;
  };
  return {
    primitiveId,
    get descriptions() {
      return loaded().descriptions;
    },
    generate: (level, seed) => loaded().generate(level, seed),
    ready: () =>
      (loading ??= load().then(
        (m) => {
          if (m.generator?.primitiveId !== primitiveId) throw unavailable(`generators/modules.ts lists ${primitiveId}, but its module exports ${m.generator?.primitiveId ?? 'no generator'}.`);
          real = m.generator;
        },
        (err: unknown) => {
          throw unavailable(`The ${primitiveId} probe generator could not be loaded: ${errorMessage(err)}`);
        },
      )),
  };
}

function unavailable(message: string): SkvmError {
  return new SkvmError(message, { code: 'generators_unavailable', hint: 'src/engine/profiler/generators/modules.ts lists each primitive\'s generator module in catalog order.' });
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
  if (genIds.length === 0) throw new SkvmError('No probe generators are registered.', { code: 'generators_unavailable', hint: 'src/engine/profiler/generators/modules.ts lists them.' });
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
