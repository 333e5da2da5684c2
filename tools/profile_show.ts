import * as path from 'node:path';
import { z } from 'zod';
import { defineOperation } from '../src/contract/operation.js';
import { detailArg } from '../src/contract/detail.js';
import { idArg, modelArg } from '../src/contract/limits.js';
import { LEVELS } from '../src/engine/primitives/catalog.js';

const LevelEnum = z.enum(LEVELS);

const CapabilityRow = z.object({
  primitive: z.string(),
  category: z.string().optional().describe('detail "full": catalog category, or "unknown" for ids not in the catalog'),
  level: LevelEnum.describe('Highest level passed; L0 = none (also for primitives the profile lacks)'),
  measured: z.boolean().describe('false when the profile has no result for this primitive (compilers treat it as L0)'),
  meaning: z.string().optional().describe('detail "full": what the catalog says this level means'),
  passes: z.string().describe('Instances passed per level, e.g. "L1 3/3 · L2 3/3 · L3 1/3"; "" when not measured'),
});

const Output = z.object({
  model: z.string(),
  harness: z.string(),
  dirName: z.string(),
  profiledAt: z.string(),
  isPartial: z.boolean(),
  file: z.string().describe('The file shown: latest.json or v_<version>.json'),
  version: z.string().nullable().describe('Archived version shown; null for latest.json'),
  note: z.string().optional().describe('Why another file than latest.json is shown, or that it is partial'),
  capabilities: z.array(CapabilityRow).describe('One row per primitive, in catalog order; unknown ids last'),
  levelCounts: z.object({ L0: z.number(), L1: z.number(), L2: z.number(), L3: z.number() }).describe('How many primitives sit at each level'),
  cost: z.object({
    totalUsd: z.number(),
    durationMs: z.number(),
    inputTokens: z.number(),
    outputTokens: z.number(),
  }),
  versions: z.array(z.string()).describe('Archived versions, newest first (at most 20)'),
  versionCount: z.number(),
  hasFailureReports: z.boolean(),
  resource: z.string().describe('Resource URI with the full profile JSON'),
});

export const profileShowTool = defineOperation({
  name: 'profile_show',
  title: 'Show a capability profile',
  description:
    'Shows one cached capability profile: for each of the 26 primitives the level the model reached (L0–L3) ' +
    'and the instances passed per level (detail "full" adds what each level means), whether the profile is partial, its cost and ' +
    'archived versions. Pass `model` as a model id ("openrouter/qwen/qwen3.5-9b") or its directory name; ' +
    '`harness` is needed only when the model is profiled under several harnesses. When latest.json is partial ' +
    'the newest complete version is shown. The full profile JSON is at the returned resource URI. Unknown ' +
    'profiles fail with the closest cached names (profiles_list shows them all).',
  input: z.strictObject({
    model: modelArg().describe('Model id (e.g. "openrouter/qwen/qwen3.5-9b") or profile directory name (e.g. "openrouter--qwen--qwen3.5-9b")'),
    harness: idArg().optional().describe('Harness, e.g. "bare-agent"; required only when the model has profiles under several harnesses'),
    version: idArg().optional().describe('An archived version such as "20260403T113957Z" (default: the current profile)'),
    detail: detailArg('each primitive\'s category and what its level means'),
  }),
  output: Output,
  effect: 'read',
  idempotent: true,
  openWorld: false,
  mode: 'instant',
  async handler(input, ctx) {
    const [{ FAILURE_REPORTS_FILE, listVersionNames, loadProfile, profileUri, resolveProfileRef }, { capabilityRows, levelCounts }, { pathExists }] = await Promise.all([
      import('../src/engine/profiles/store.js'),
      import('../src/engine/profiles/capabilities.js'),
      import('../src/engine/util/fs.js'),
    ]);
    const dir = ctx.engine.roots.profiles.value;
    const ref = await resolveProfileRef(dir, { harness: input.harness, model: input.model });
    const loaded = await loadProfile(dir, ref.harness, ref.dirName, { version: input.version, allowPartial: true });
    const versions = await listVersionNames(dir, ref.harness, ref.dirName);
    const tcp = loaded.tcp;
    const rows = capabilityRows(tcp);
    const shown = input.detail === 'full' ? rows : rows.map(({ primitive, level, measured, passes }) => ({ primitive, level, measured, passes }));
    const tokens = tcp.cost.totalTokens;
    const base = profileUri(ref.harness, ref.dirName);
    const out: z.output<typeof Output> = {
      model: tcp.model,
      harness: ref.harness,
      dirName: ref.dirName,
      profiledAt: tcp.profiledAt,
      isPartial: tcp.isPartial,
      file: loaded.file,
      version: loaded.version,
      capabilities: shown,
      levelCounts: levelCounts(rows),
      cost: {
        totalUsd: tcp.cost.totalUsd,
        durationMs: tcp.cost.durationMs,
        inputTokens: tokens.input + tokens.cacheRead + tokens.cacheWrite,
        outputTokens: tokens.output,
      },
      versions: versions.slice(0, 20),
      versionCount: versions.length,
      hasFailureReports: await pathExists(path.join(dir, ref.harness, ref.dirName, FAILURE_REPORTS_FILE)),
      resource: input.version !== undefined && loaded.version !== null ? `${base}?version=${encodeURIComponent(loaded.version)}` : base,
    };
    if (loaded.note) out.note = loaded.note;
    return out;
  },
  summarize(out) {
    const head = `${out.model} on ${out.harness} — profiled ${out.profiledAt} (${out.file}${out.isPartial ? ', PARTIAL' : ''})`;
    const lines = [head];
    if (out.note) lines.push(`Note: ${out.note}`);
    const idW = Math.max('primitive'.length, ...out.capabilities.map((r) => r.primitive.length));
    const passW = Math.max('passes'.length, ...out.capabilities.map((r) => r.passes.length));
    lines.push(`${'primitive'.padEnd(idW)}  level  ${'passes'.padEnd(passW)}${out.capabilities.some((r) => r.meaning) ? '  meaning' : ''}`.trimEnd());
    for (const r of out.capabilities) {
      lines.push(`${r.primitive.padEnd(idW)}  ${r.level.padEnd(5)}  ${(r.measured ? r.passes : 'not profiled').padEnd(passW)}  ${r.meaning ?? ''}`.trimEnd());
    }
    const c = out.levelCounts;
    lines.push(`Levels: L3 ×${c.L3}, L2 ×${c.L2}, L1 ×${c.L1}, L0 ×${c.L0}. Versions: ${out.versionCount}. Full profile: ${out.resource}`);
    return lines.join('\n');
  },
});
