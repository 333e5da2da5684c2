import { z } from 'zod';
import { defineOperation } from '../src/contract/operation.js';
import { idArg, modelArg } from '../src/contract/limits.js';
import { textTable } from '../src/contract/text-table.js';
import type { ProfileSummary } from '../src/engine/profiles/store.js';

const ProfileRow = z.object({
  model: z.string().describe('Model id as recorded in the profile'),
  harness: z.string(),
  dirName: z.string().describe('Cache directory name of the model (model id with "/" → "--", ":" → "_")'),
  profiledAt: z.string(),
  isPartial: z.boolean().describe('true when latest.json is a checkpoint of an unfinished or interrupted run'),
  primitives: z.number().describe('Primitives measured in the shown file'),
  versions: z.number().describe('Archived complete versions (v_*.json)'),
  latestComplete: z
    .object({ file: z.string(), profiledAt: z.string(), primitives: z.number() })
    .nullable()
    .describe('The complete profile readers use (latest.json, or the newest complete archive); null when none exists'),
  uri: z.string().describe('Resource URI with the full profile JSON'),
});

const Output = z.object({
  profilesDir: z.string().describe('The profiles directory that was listed'),
  total: z.number().describe('Profiles matching the filters'),
  returned: z.number(),
  profiles: z.array(ProfileRow),
  hint: z.string().optional(),
});

export const profilesListTool = defineOperation({
  name: 'profiles_list',
  title: 'List cached capability profiles',
  description:
    'Lists the capability profiles (model + harness) in the local SkVM cache: model id, harness, when it was ' +
    'profiled, whether the current file is partial, how many archived versions exist, and the resource URI with ' +
    'the full profile. Use it to find which models are profiled before showing one with profile_show or ' +
    'compiling a skill for it. Filter by harness or by a model substring; at most `limit` rows are returned.',
  input: z.strictObject({
    harness: idArg().optional().describe('Only this harness, e.g. "bare-agent" or "openclaw"'),
    model: modelArg()
      .optional()
      .describe('Case-insensitive substring of the model id or its directory name, e.g. "qwen3.5" or "openrouter/qwen"'),
    limit: z.number().int().min(1).max(1000).default(10).describe('Maximum number of profiles to return (default 10; the rest are counted in total)'),
  }),
  output: Output,
  effect: 'read',
  idempotent: true,
  openWorld: false,
  mode: 'instant',
  async handler(input, ctx) {
    const dir = ctx.engine.roots.profiles.value;
    const { listProfiles, modelFilter } = await import('../src/engine/profiles/store.js');
    const byModel = input.model === undefined ? undefined : modelFilter(input.model);
    const rows = await listProfiles(dir, {
      filter: (k) => (input.harness === undefined || k.harness === input.harness) && (byModel === undefined || byModel.dirMatches(k.dirName)),
    });
    const matching = byModel === undefined ? rows : rows.filter((r) => byModel.matches(r.model, r.dirName));
    const shown = matching.slice(0, input.limit);
    const out: z.output<typeof Output> = {
      profilesDir: dir,
      total: matching.length,
      returned: shown.length,
      profiles: shown.map(toRow),
    };
    if (matching.length === 0) {
      out.hint =
        input.harness || input.model
          ? 'No profile matches these filters; call profiles_list without filters to see all.'
          : 'The profile cache is empty. Import published profiles with profiles_import or profile a model first.';
    } else if (matching.length > shown.length) {
      out.hint = `${matching.length - shown.length} more; raise limit or narrow with harness/model.`;
    }
    return out;
  },
  summarize(out) {
    if (out.total === 0) return `No profiles in ${out.profilesDir}.${out.hint ? ` ${out.hint}` : ''}`;
    const head = ['model', 'harness', 'profiledAt', 'state', 'versions'];
    const body = out.profiles.map((p) => [
      p.model,
      p.harness,
      p.profiledAt,
      p.isPartial ? `partial (${p.primitives})${p.latestComplete ? ', complete archive exists' : ''}` : `${p.primitives} primitives`,
      String(p.versions),
    ]);
    const tail = out.returned < out.total ? `\n(${out.returned} of ${out.total} shown)` : '';
    return `${textTable(head, body)}${tail}`;
  },
});

function toRow(p: ProfileSummary): z.output<typeof ProfileRow> {
  return {
    model: p.model,
    harness: p.harness,
    dirName: p.dirName,
    profiledAt: p.profiledAt,
    isPartial: p.isPartial,
    primitives: p.primitiveCount,
    versions: p.versionCount,
    latestComplete: p.latestComplete
      ? { file: p.latestComplete.file, profiledAt: p.latestComplete.profiledAt, primitives: p.latestComplete.primitiveCount }
      : null,
    uri: p.uri,
  };
}
