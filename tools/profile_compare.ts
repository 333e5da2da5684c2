import { z } from 'zod';
import { defineOperation } from '../src/contract/operation.js';
import { idArg, modelArg } from '../src/contract/limits.js';
import { LEVELS } from '../src/engine/primitives/catalog.js';

const Side = z.object({ model: z.string(), harness: z.string(), profiledAt: z.string(), isPartial: z.boolean(), resource: z.string() });
const Row = z.object({
  primitive: z.string(),
  category: z.string(),
  levelA: z.enum(LEVELS).nullable().describe('null when profile A has no result for it'),
  levelB: z.enum(LEVELS).nullable(),
  difference: z.number().nullable().describe('B − A in levels (L3 − L1 = 2); null when either is missing'),
});

const ProfileRef = z.strictObject({
  model: modelArg().describe('Model id or profile directory name.'),
  harness: idArg().optional().describe('Needed only when the model has profiles under several harnesses.'),
  version: idArg().optional().describe('An archived version (default: the current complete profile).'),
});

export const profileCompareTool = defineOperation({
  name: 'profile_compare',
  title: 'Compare two capability profiles',
  description:
    'Put two cached capability profiles side by side — the question to ask before choosing a model or harness for a skill: for each of the 26 primitives, level in A, level in B and the difference (B − A), plus how many primitives B does better, worse or equally. `a` and `b` name a model (id or directory name), optionally a harness and an archived version, so you can also compare two versions of one profile.',
  input: z.strictObject({
    a: ProfileRef.describe('Profile A, e.g. {"model": "openrouter/qwen/qwen3.5-9b"}.'),
    b: ProfileRef.describe('Profile B, compared against A (differences are B − A).'),
  }),
  output: z.object({
    a: Side,
    b: Side,
    rows: z.array(Row),
    summary: z.object({ better: z.number(), worse: z.number(), same: z.number(), missing: z.number(), meanA: z.number(), meanB: z.number() }),
  }),
  effect: 'read',
  idempotent: true,
  openWorld: false,
  mode: 'instant',
  async handler(input, ctx) {
    const [{ loadProfile, profileUri, resolveProfileRef }, { compareCapabilities }] = await Promise.all([
      import('../src/engine/profiles/store.js'),
      import('../src/engine/profiles/compare.js'),
    ]);
    const dir = ctx.engine.roots.profiles.value;
    const load = async (ref: z.output<typeof ProfileRef>) => {
      const r = await resolveProfileRef(dir, { model: ref.model, ...(ref.harness ? { harness: ref.harness } : {}) });
      const loaded = await loadProfile(dir, r.harness, r.dirName, { ...(ref.version ? { version: ref.version } : {}), allowPartial: true });
      return { loaded, side: { model: loaded.tcp.model, harness: r.harness, profiledAt: loaded.tcp.profiledAt, isPartial: loaded.tcp.isPartial, resource: profileUri(r.harness, r.dirName) } };
    };
    const [a, b] = await Promise.all([load(input.a), load(input.b)]);
    return { a: a.side, b: b.side, ...compareCapabilities(a.loaded.tcp.capabilities, b.loaded.tcp.capabilities) };
  },
  summarize(out) {
    const w = Math.max(...out.rows.map((r) => r.primitive.length), 9);
    const lines = [`A = ${out.a.model} on ${out.a.harness} (${out.a.profiledAt})`, `B = ${out.b.model} on ${out.b.harness} (${out.b.profiledAt})`, `${'primitive'.padEnd(w)}  A   B   B−A`];
    for (const r of out.rows) {
      const d = r.difference === null ? '' : r.difference > 0 ? `+${r.difference}` : r.difference === 0 ? '=' : String(r.difference);
      lines.push(`${r.primitive.padEnd(w)}  ${(r.levelA ?? '—').padEnd(3)} ${(r.levelB ?? '—').padEnd(3)} ${d}`);
    }
    const s = out.summary;
    lines.push(`B is better on ${s.better}, worse on ${s.worse}, equal on ${s.same}${s.missing ? `, ${s.missing} missing in one` : ''}; mean level A ${s.meanA.toFixed(2)}, B ${s.meanB.toFixed(2)}.`);
    return lines.join('\n');
  },
});
