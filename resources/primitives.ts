import { defineResource } from '../src/contract/resource.js';
import {
  ALL_PRIMITIVE_IDS,
  LEVELS,
  PRIMITIVE_CATEGORIES,
  allPrimitives,
  primitivesByCategory,
  requirePrimitive,
} from '../src/engine/primitives/catalog.js';

const MIME = 'application/json';

/** `skvm://primitives`: the whole catalog. */
export const primitivesCatalogResource = defineResource({
  name: 'primitives',
  title: 'Primitive catalog',
  description:
    'The 26 capability primitives SkVM profiles models against, in catalog order, with the meaning of levels L1–L3 ' +
    "and the compiler's degradation guidance for each.",
  mimeType: MIME,
  uri: 'skvm://primitives',
  async read(_engine, uri) {
    const body = {
      count: ALL_PRIMITIVE_IDS.length,
      levels: LEVELS,
      categories: Object.fromEntries(PRIMITIVE_CATEGORIES.map((c) => [c, primitivesByCategory(c).map((p) => p.id)])),
      primitives: allPrimitives(),
    };
    return { uri: uri.href, mimeType: MIME, text: JSON.stringify(body, null, 2) };
  },
});

/** `skvm://primitives/{id}`: one primitive. */
export const primitiveResource = defineResource({
  name: 'primitive',
  title: 'Capability primitive',
  description: 'One capability primitive: its category, what levels L1–L3 ask, and how a skill can be degraded by one level.',
  mimeType: MIME,
  uri: 'skvm://primitives/{id}',
  async list() {
    return allPrimitives().map((p) => ({
      uri: `skvm://primitives/${p.id}`,
      name: p.id,
      title: `${p.id} — ${p.description}`,
      description: `${p.category}: ${p.description}`,
      mimeType: MIME,
    }));
  },
  complete: {
    async id(_engine, value) {
      const v = value.toLowerCase();
      return ALL_PRIMITIVE_IDS.filter((id) => id.startsWith(v));
    },
  },
  async read(_engine, uri, vars) {
    const p = requirePrimitive(vars.id ?? '');
    return { uri: uri.href, mimeType: MIME, text: JSON.stringify(p, null, 2) };
  },
});
