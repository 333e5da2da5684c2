import { z } from 'zod';
import { defineOperation } from '../src/contract/operation.js';
import { passRows } from '../src/engine/compiler/registry.js';

const ARTIFACT = z.string();

export const compilePassesTool = defineOperation({
  name: 'compile_passes',
  title: 'List compiler passes',
  description:
    'List the skill compiler’s passes in run order: number and id (either names a pass in compile’s passes), what each does, whether it needs the target’s capability profile, the artifacts it consumes and produces, and how it may change SKILL.md (rewrite, append, none). A variant is named by its passes (p1p2p3).',
  input: z.strictObject({}),
  output: z.object({
    passes: z.array(
      z.object({
        number: z.number(),
        id: z.string(),
        description: z.string(),
        requiresProfile: z.boolean(),
        consumes: z.array(ARTIFACT),
        produces: z.array(ARTIFACT),
        changesSkill: z.enum(['rewrite', 'append', 'none']).describe('rewrite: may rewrite SKILL.md; append: may append to it; none: leaves it alone'),
      }),
    ),
  }),
  effect: 'read',
  idempotent: true,
  openWorld: false,
  mode: 'instant',
  async handler() {
    return { passes: passRows() };
  },
  summarize(out) {
    const w = Math.max(...out.passes.map((p) => p.id.length));
    return out.passes
      .map((p) => `${String(p.number).padStart(2)}  ${p.id.padEnd(w)}  ${p.requiresProfile ? 'needs profile' : '             '}  SKILL.md: ${p.changesSkill.padEnd(7)}  produces ${p.produces.join(', ') || '—'}\n    ${p.description}`)
      .join('\n');
  },
});
