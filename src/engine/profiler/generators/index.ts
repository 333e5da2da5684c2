import type { ProbeGenerator } from '../types.js';
import { GENERATOR_MODULES } from './modules.js';

/** Every probe generator, loaded, in catalog order (see modules.ts; a profile loads them on demand instead). */
export const GENERATORS: readonly ProbeGenerator[] = await Promise.all(GENERATOR_MODULES.map(async ([, load]) => (await load()).generator));

const byId = new Map(GENERATORS.map((g) => [g.primitiveId, g]));

export function generatorFor(primitiveId: string): ProbeGenerator | undefined {
  return byId.get(primitiveId);
}
