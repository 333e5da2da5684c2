import { z } from 'zod';
import { defineOperation } from '../src/contract/operation.js';
import { detailArg } from '../src/contract/detail.js';
import { idArg } from '../src/contract/limits.js';
import {
  PRIMITIVE_CATEGORIES,
  allPrimitives,
  requirePrimitive,
  type Primitive,
} from '../src/engine/primitives/catalog.js';

export const PrimitiveOut = z.object({
  id: z.string(),
  category: z.enum(PRIMITIVE_CATEGORIES),
  description: z.string(),
  levels: z.object({ L1: z.string(), L2: z.string(), L3: z.string() }).optional().describe('detail "full": what a probe at each level asks of the model'),
  degradations: z
    .object({ 'L3->L2': z.string().nullable(), 'L2->L1': z.string().nullable() })
    .optional()
    .describe('detail "full": how the compiler lowers a skill\'s demand by one level; null = cannot be degraded, substitute instead'),
});

function toOut(p: Primitive, full: boolean): z.output<typeof PrimitiveOut> {
  const out: z.output<typeof PrimitiveOut> = { id: p.id, category: p.category, description: p.description };
  if (full) Object.assign(out, { levels: { ...p.levels }, degradations: { ...p.degradations } });
  return out;
}

export const primitivesListTool = defineOperation({
  name: 'primitives_list',
  title: 'List capability primitives',
  description:
    'Lists the 26 primitive capabilities SkVM profiles models against (generation, reasoning, tool_use, ' +
    'instruction_following), in catalog order: id, category and a one-line description. With detail "full" each ' +
    "entry also has what levels L1, L2 and L3 ask of a model and the compiler's guidance for lowering a skill's " +
    'demand by one level (also at skvm://primitives/{id}). Use it to interpret a profile\'s capability levels or a ' +
    'skill requirement; filter by category or by ids. Unknown ids fail with the closest valid ids.',
  input: z.strictObject({
    category: z.enum(PRIMITIVE_CATEGORIES).optional().describe('Only primitives of this category'),
    ids: z
      .array(idArg())
      .max(26)
      .optional()
      .describe('Only these primitive ids, e.g. ["gen.code.python", "tool.exec"], returned in catalog order'),
    detail: detailArg('each primitive\'s level meanings and degradation guidance'),
  }),
  output: z.object({
    count: z.number().describe('Number of primitives returned'),
    primitives: z.array(PrimitiveOut),
  }),
  effect: 'read',
  idempotent: true,
  openWorld: false,
  mode: 'instant',
  async handler(input) {
    let list = allPrimitives();
    if (input.ids && input.ids.length > 0) {
      const wanted = new Set(input.ids.map((id) => requirePrimitive(id).id));
      list = list.filter((p) => wanted.has(p.id));
    }
    if (input.category) list = list.filter((p) => p.category === input.category);
    return { count: list.length, primitives: list.map((p) => toOut(p, input.detail === 'full')) };
  },
  summarize(out) {
    if (out.count === 0) return 'No primitives match.';
    if (out.count <= 3 && out.primitives.every((p) => p.levels && p.degradations)) {
      return out.primitives
        .map((p) =>
          [
            `${p.id} (${p.category}) — ${p.description}`,
            `  L1: ${p.levels!.L1}`,
            `  L2: ${p.levels!.L2}`,
            `  L3: ${p.levels!.L3}`,
            `  degrade L3->L2: ${p.degradations!['L3->L2'] ?? '(cannot degrade; substitute)'}`,
            `  degrade L2->L1: ${p.degradations!['L2->L1'] ?? '(cannot degrade; substitute)'}`,
          ].join('\n'),
        )
        .join('\n');
    }
    const w = Math.max(...out.primitives.map((p) => p.id.length));
    const cw = Math.max(...out.primitives.map((p) => p.category.length));
    const lines = out.primitives.map((p) => `${p.id.padEnd(w)}  ${p.category.padEnd(cw)}  ${p.description}`);
    return `${out.count} primitives:\n${lines.join('\n')}`;
  },
});
