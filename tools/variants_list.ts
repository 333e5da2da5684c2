import { z } from 'zod';
import { defineOperation } from '../src/contract/operation.js';
import { detailArg } from '../src/contract/detail.js';
import { idArg, modelArg } from '../src/contract/limits.js';
import { textTable } from '../src/contract/text-table.js';
import type { VariantSummary } from '../src/engine/compiler/variants.js';

const VariantRow = z.object({
  harness: z.string(),
  model: z.string().describe('Cache directory name of the target model (model id with "/" → "--", ":" → "_")'),
  skill: z.string(),
  passTag: z.string().describe('Which passes built it: p1p2p3 = passes 1, 2 and 3'),
  passes: z.array(z.number()),
  compiledAt: z.string().nullable().describe('null when meta.json is missing or unreadable'),
  guardPassed: z.boolean().nullable(),
  costUsd: z.number().nullable().describe('Compiler cost in USD as recorded (the reference always recorded 0)'),
  uri: z.string().describe('Resource with meta, plan summary and file list; files are sub-resources <uri>/<path>'),
  problems: z.array(z.string()).optional().describe('Unusable files of the variant (corrupt meta.json …); absent when none'),
  dir: z.string().optional().describe('detail "full": the variant folder'),
  legacy: z.boolean().optional().describe('detail "full": true for the reference’s flat layout (no pass-tag folder)'),
});

const Output = z.object({
  variantsDir: z.string().describe('The aot-compile folder that was listed'),
  total: z.number().describe('Variants matching the filters'),
  returned: z.number(),
  variants: z.array(VariantRow),
  hint: z.string().optional(),
});

export const variantsListTool = defineOperation({
  name: 'variants_list',
  title: 'List compiled skill variants',
  description:
    'Lists the compiled (AOT) skill variants in the local SkVM cache, newest first: harness, target model, skill, ' +
    'pass tag, when it was compiled, the guard verdict, the compiler cost and the resource URI with the variant’s ' +
    'meta, plan and files. Use it to find what compile produced before benchmarking it (bench condition ' +
    'aot-compiled) or reading its SKILL.md (<uri>/SKILL.md). Filter by harness, model substring or skill; at most ' +
    '`limit` rows are returned.',
  input: z.strictObject({
    harness: idArg().optional().describe('Only this harness, e.g. "bare-agent"'),
    model: modelArg().optional().describe('Case-insensitive substring of the target model id or its directory name, e.g. "qwen3.5"'),
    skill: idArg().optional().describe('Only this skill (its folder name)'),
    limit: z.number().int().min(1).max(1000).default(10).describe('Maximum number of variants to return (default 10; the rest are counted in total)'),
    detail: detailArg('each variant’s folder and whether it uses the legacy flat layout'),
  }),
  output: Output,
  effect: 'read',
  idempotent: true,
  openWorld: false,
  mode: 'instant',
  async handler(input, ctx) {
    const { listVariants } = await import('../src/engine/compiler/variants.js');
    const { aotCompileRoot } = await import('../src/engine/compiler/paths.js');
    const root = ctx.engine.roots.proposals.value;
    const all = await listVariants(root, {
      ...(input.harness !== undefined ? { harness: input.harness } : {}),
      ...(input.model !== undefined ? { model: input.model } : {}),
      ...(input.skill !== undefined ? { skill: input.skill } : {}),
    });
    const shown = all.slice(0, input.limit);
    const out: z.output<typeof Output> = {
      variantsDir: aotCompileRoot(root),
      total: all.length,
      returned: shown.length,
      variants: shown.map((v) => toRow(v, input.detail === 'full')),
    };
    if (all.length === 0) {
      out.hint =
        input.harness || input.model || input.skill
          ? 'No variant matches these filters; call variants_list without filters to see all.'
          : 'No skill has been compiled yet. compile builds a variant of a skill for a target model.';
    } else if (all.length > shown.length) {
      out.hint = `${all.length - shown.length} more; raise limit or narrow with harness/model/skill.`;
    }
    return out;
  },
  summarize(out) {
    if (out.total === 0) return `No variants in ${out.variantsDir}.${out.hint ? ` ${out.hint}` : ''}`;
    const head = ['skill', 'passes', 'model', 'harness', 'compiledAt', 'guard', 'cost'];
    const body = out.variants.map((v) => [
      v.skill,
      v.passTag,
      v.model,
      v.harness,
      v.compiledAt ?? '?',
      v.guardPassed === null ? '?' : v.guardPassed ? 'pass' : 'FAIL',
      `${v.costUsd === null ? '?' : `$${v.costUsd.toFixed(4)}`}${v.problems ? `  (${v.problems.length} problem${v.problems.length === 1 ? '' : 's'})` : ''}`,
    ]);
    const tail = out.returned < out.total ? `\n(${out.returned} of ${out.total} shown)` : '';
    return `${textTable(head, body)}${tail}`;
  },
});

function toRow(v: VariantSummary, full: boolean): z.output<typeof VariantRow> {
  return {
    harness: v.harness,
    model: v.model,
    skill: v.skill,
    passTag: v.passTag,
    passes: v.passes,
    compiledAt: v.compiledAt,
    guardPassed: v.guardPassed,
    costUsd: v.costUsd,
    uri: v.uri,
    ...(v.problems.length > 0 ? { problems: v.problems } : {}),
    ...(full ? { dir: v.dir, legacy: v.legacy } : {}),
  };
}
