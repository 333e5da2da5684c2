import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../e2e/harness.js';
import { tempDirs } from '../tmp.js';

// The built module, beside the built manifest and tool modules, as the bin runs it (npm test builds first).
const { loadOperationFor } = (await import(path.join(REPO, 'dist/src/cli/quick-op.js'))) as typeof import('../../src/cli/quick-op.js');
const { MANIFEST_PATH } = (await import(path.join(REPO, 'dist/src/server/manifest.js'))) as typeof import('../../src/server/manifest.js');

const { operations } = (await import(path.join(REPO, 'dist/tools/index.js'))) as typeof import('../../tools/index.js');
const { vocabularyOf } = (await import(path.join(REPO, 'dist/src/cli/hints.js'))) as typeof import('../../src/cli/hints.js');

describe('loadOperationFor (the CLI start-up fast path)', () => {
  it('gives the terminal the same vocabulary as the full registry', async () => {
    const quick = await loadOperationFor(['bench']);
    const full = vocabularyOf(operations);
    expect([...quick!.vocabulary.tools].sort()).toEqual([...full.tools].sort());
    expect([...quick!.vocabulary.args].sort()).toEqual([...full.args].sort());
  });

  const tmp = tempDirs('skvm-quick-op-');

  it('loads exactly the operation a full command names, in words or kebab form', async () => {
    const quick = await loadOperationFor(['profile']);
    expect(quick?.op.name).toBe('profile');
    // The terminal's texts still know every command and argument (from the manifest).
    expect(quick?.vocabulary.tools).toEqual(expect.arrayContaining(['config_doctor', 'run_status', 'profiles_list']));
    expect(quick?.vocabulary.args).toEqual(expect.arrayContaining(['waitSeconds', 'judgeModel', 'runId']));
    expect((await loadOperationFor(['profile', 'show']))?.op.name).toBe('profile_show');
    expect((await loadOperationFor(['config-show']))?.op.name).toBe('config_show');
  });

  it('leaves everything that is not an exact command to the full table', async () => {
    expect(await loadOperationFor([])).toBeUndefined();
    expect(await loadOperationFor(['profile', 'shwo'])).toBeUndefined(); // a typo gets the table's suggestions
    expect(await loadOperationFor(['config'])).toBeUndefined(); // a group
    expect(await loadOperationFor(['demo'])).toBeUndefined(); // CLI-only
    expect(await loadOperationFor(['..', 'tools', 'index'])).toBeUndefined();
    expect(await loadOperationFor(['run', 'status'])).toBeUndefined(); // judges another operation's result: needs the registry
  });

  it('takes the long way when the manifest is missing or stale', async () => {
    const dir = tmp();
    expect(await loadOperationFor(['profile'], path.join(dir, 'absent.json'))).toBeUndefined();
    const stale = path.join(dir, 'stale.json');
    writeFileSync(stale, JSON.stringify({ fingerprint: 'old', tools: [{ name: 'profile' }], resources: [] }));
    expect(await loadOperationFor(['profile'], stale)).toBeUndefined();
    expect(MANIFEST_PATH).toMatch(/tool-manifest\.json$/);
  });
});
