/**
 * node dist/scripts/transcript-fixtures/make.js [claude-code] [codex] [pi] [opencode]
 *
 * Regenerates test/fixtures/transcripts/<harness>/ from the real CLIs (installed from npm into
 * the harness CLI cache, see scripts/harness-cli/install.ts) driven by the simulator. Needs
 * the npm registry the first time; never run by `npm test`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeError } from '../../src/engine/util/errors.js';
import { ensureHarnessCli } from '../harness-cli/install.js';
import { FIXTURE_HARNESSES } from './harnesses.js';
import { produceFixture } from './produce.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const OUT = path.join(REPO, 'test', 'fixtures', 'transcripts');

async function main(): Promise<number> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((w) => !FIXTURE_HARNESSES.some((h) => h.name === w));
  if (unknown.length > 0) {
    console.error(`unknown harness ${unknown.join(', ')}; known: ${FIXTURE_HARNESSES.map((h) => h.name).join(', ')}`);
    return 2;
  }
  const harnesses = wanted.length === 0 ? FIXTURE_HARNESSES : FIXTURE_HARNESSES.filter((h) => wanted.includes(h.name));
  let failed = 0;
  for (const harness of harnesses) {
    try {
      const cli = await ensureHarnessCli(harness.cli, { log: (line) => console.error(line) });
      const { files, record } = await produceFixture(harness, cli);
      const dir = path.join(OUT, harness.name);
      await mkdir(dir, { recursive: true });
      for (const [name, content] of Object.entries(files)) await writeFile(path.join(dir, name), content);
      await writeFile(path.join(dir, 'fixture.json'), `${JSON.stringify(record, null, 2)}\n`);
      console.log(`${harness.name}: wrote ${Object.keys(files).join(', ')}, fixture.json to ${path.relative(REPO, dir)} (${record.requests.length} simulator requests)`);
    } catch (err) {
      failed++;
      console.error(`${harness.name}: ${describeError(err)}`);
    }
  }
  return failed === 0 ? 0 : 1;
}

process.exitCode = await main();
