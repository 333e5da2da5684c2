import { z } from 'zod';
import { defineOperation } from '../src/contract/operation.js';
import { idArg, pathArg } from '../src/contract/limits.js';
import * as os from 'node:os';
import type { ImportOutcome } from '../src/engine/profiles/store.js';

// A result a model reads: the counts say everything, the list shows what needs attention first.
const MAX_LISTED = 20;
const STATUSES = ['imported', 'replaced', 'skipped-existing', 'invalid', 'ignored'] as const;
// Problems first, so a capped list still shows what needs attention.
const LIST_ORDER: Record<ImportOutcome['status'], number> = { invalid: 0, ignored: 1, replaced: 2, imported: 3, 'skipped-existing': 4 };

const Output = z.object({
  source: z.string().describe('Directory the files were read from'),
  destination: z.string().describe('The profiles directory of the cache'),
  counts: z.object({
    imported: z.number(),
    replaced: z.number(),
    skippedExisting: z.number(),
    invalid: z.number(),
    ignored: z.number(),
    total: z.number(),
  }),
  files: z
    .array(z.object({ file: z.string(), status: z.enum(STATUSES), reason: z.string().optional() }))
    .describe(`Per-file outcomes, problems first, at most ${MAX_LISTED}`),
  filesOmitted: z.number().describe('Outcomes left out of `files` (they are still counted)'),
});

export const profilesImportTool = defineOperation({
  name: 'profiles_import',
  title: 'Import capability profiles',
  description:
    'Copies capability profiles from a local directory laid out like the SkVM cache ' +
    '(<harness>/<model>/latest.json, v_<stamp>.json, failure-reports.json — for example the profiles/ folder of ' +
    'a SkVM-data checkout) into the local cache, so they can be shown and compiled against without profiling. ' +
    'Every file is validated first; invalid files and symlinks are skipped with a reason. Files already in the ' +
    'cache are kept unless overwrite is true. Returns counts and per-file outcomes.',
  input: z.strictObject({
    source: pathArg().describe('Local directory to import from (absolute, ~/…, or relative to the server\'s working directory)'),
    overwrite: z.boolean().default(false).describe('Replace profile files that already exist in the cache (default false: keep them)'),
    harness: idArg().optional().describe('Only import profiles of this harness, e.g. "bare-agent"'),
  }),
  output: Output,
  effect: 'write',
  idempotent: true,
  openWorld: false,
  mode: 'instant',
  async handler(input, ctx) {
    const [{ importProfiles }, { expandPath }] = await Promise.all([import('../src/engine/profiles/store.js'), import('../src/engine/util/fs.js')]);
    const source = expandPath(input.source, ctx.engine.env.HOME || os.homedir());
    const res = await importProfiles(source, ctx.engine.roots.profiles.value, { overwrite: input.overwrite, harness: input.harness });
    const ordered = [...res.files].sort((a, b) => LIST_ORDER[a.status] - LIST_ORDER[b.status] || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
    const files = ordered.slice(0, MAX_LISTED);
    return { source: res.source, destination: res.destination, counts: res.counts, files, filesOmitted: ordered.length - files.length };
  },
  summarize(out) {
    const c = out.counts;
    const lines = [
      `Imported ${c.imported}, replaced ${c.replaced}, kept ${c.skippedExisting} existing, ${c.invalid} invalid, ${c.ignored} ignored (from ${out.source} into ${out.destination}).`,
    ];
    for (const f of out.files) if (f.status === 'invalid' || f.status === 'ignored') lines.push(`  ${f.status}: ${f.file} — ${f.reason ?? ''}`);
    if (c.skippedExisting > 0 && c.imported + c.replaced === 0) lines.push('Everything was already in the cache; pass overwrite: true to replace it.');
    if (out.filesOmitted > 0) lines.push(`(${out.filesOmitted} more outcomes not listed)`);
    return lines.join('\n');
  },
});
