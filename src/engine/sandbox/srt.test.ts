import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { protectFromCommands } from './protect.js';
import { srtFilesystem, srtSupport } from './srt.js';
import { createWorkDir, removeWorkDir } from './workdir.js';

// The rules handed to @anthropic-ai/sandbox-runtime (the macOS sandbox, which cannot be run
// here): what a command may read and write. The escape suite runs against the library itself
// with SKVM_ESCAPE_MODES=sandbox-runtime where it is installed (Node >= 22.12, or by hand).
let work: string;
let tmp: string;
let cache: string;
beforeAll(async () => {
  work = await createWorkDir({ tmpRoot: os.tmpdir(), prefix: 'skvm-srt-' });
  tmp = await createWorkDir({ tmpRoot: os.tmpdir(), prefix: 'skvm-srt-tmp-' });
  cache = await fsp.mkdtemp(path.join(os.tmpdir(), 'skvm-srt-cache-'));
  protectFromCommands([cache]);
});
afterAll(async () => {
  await removeWorkDir(work);
  await removeWorkDir(tmp);
  await fsp.rm(cache, { recursive: true, force: true });
});

describe('sandbox-runtime filesystem rules', () => {
  it('write only the work dir and the private TMPDIR; read back only those, the runtimes and expose paths', () => {
    const fs = srtFilesystem({ workDir: work, tmpDir: tmp, expose: ['/usr/share', '/does/not/exist'], hide: [] });
    expect(fs.allowWrite).toEqual([work, tmp]);
    expect(fs.denyWrite).toEqual([]);
    expect(fs.allowRead).toEqual(expect.arrayContaining([work, tmp, '/usr/share']));
    expect(fs.allowRead).not.toContain('/does/not/exist');
  });

  it('deny reading the home, the temp root holding other runs, and every protected path', () => {
    const fs = srtFilesystem({ workDir: work, tmpDir: tmp, expose: [], hide: [] });
    expect(fs.denyRead).toEqual(expect.arrayContaining([os.homedir(), path.dirname(work), cache]));
    expect(fs.denyRead).not.toContain(work);
  });

  it('is available only where the library runs: never on macOS below Node 22.12', async () => {
    const s = await srtSupport();
    const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
    if (process.platform === 'darwin' && (major < 22 || (major === 22 && minor < 12))) expect(s).toMatchObject({ available: false, reason: expect.stringMatching(/22\.12/) });
    if (!s.available) expect(s.reason).toMatch(/sandbox-runtime/);
  });
});
