import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../e2e/harness.js';
import { tempDirs } from '../tmp.js';

// The built module, beside the built manifest and tool modules, as the bin runs it (npm test builds first).
const { loadOperationFor } = (await import(path.join(REPO, 'dist/src/cli/quick-op.js'))) as typeof import('../../src/cli/quick-op.js');
const { MANIFEST_PATH } = (await import(path.join(REPO, 'dist/src/server/manifest.js'))) as typeof import('../../src/server/manifest.js');

describe('loadOperationFor (the CLI start-up fast path)', () => {
  const tmp = tempDirs('skvm-quick-op-');

  it('loads exactly the operation a full command names, in words or kebab form', async () => {
    expect((await loadOperationFor(['profile']))?.name).toBe('profile');
    expect((await loadOperationFor(['profile', 'show']))?.name).toBe('profile_show');
    expect((await loadOperationFor(['config-show']))?.name).toBe('config_show');
  });

  it('leaves everything that is not an exact command to the full table', async () => {
    expect(await loadOperationFor([])).toBeUndefined();
    expect(await loadOperationFor(['profile', 'shwo'])).toBeUndefined(); // a typo gets the table's suggestions
    expect(await loadOperationFor(['config'])).toBeUndefined(); // a group
    expect(await loadOperationFor(['demo'])).toBeUndefined(); // CLI-only
    expect(await loadOperationFor(['..', 'tools', 'index'])).toBeUndefined();
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
