import { existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SandboxUnavailableError } from './errors.js';
import { setSandboxLogger } from './logger.js';
import { runCommand } from './run.js';
import { createWorkDir, removeWorkDir } from './workdir.js';

// This file runs as if bubblewrap were missing (its own worker, so the mock stays here).
vi.mock('./bwrap.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('./bwrap.js')>()),
  sandboxSupport: async () => ({ available: false, reason: 'bwrap is not installed (not found on PATH)', features: { disableUserns: false, tmpfsSize: false } }),
}));

let work: string;
beforeAll(async () => {
  work = await createWorkDir({ tmpRoot: os.tmpdir(), prefix: 'skvm-fallback-' });
});
afterAll(async () => {
  setSandboxLogger(undefined);
  await removeWorkDir(work);
});

describe('without bubblewrap', () => {
  it.each(['auto', undefined] as const)('the default (mode %s) refuses to run commands and says how to get a sandbox or opt out', async (mode) => {
    const err = await runCommand({ command: 'touch ran', cwd: work, workDir: work, timeoutMs: 1000, ...(mode ? { mode } : {}) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SandboxUnavailableError);
    const e = err as SandboxUnavailableError;
    expect(e.message).toMatch(/need a sandbox.*bwrap is not installed.*not run/s);
    expect(e.hint).toMatch(/apt-get install bubblewrap/);
    expect(e.hint).toMatch(/"mode": "none".*unconfined.*API keys/s);
    expect(existsSync(path.join(work, 'ran'))).toBe(false);
  });

  it('mode "bwrap" fails with a clear error naming the reason and the fix', async () => {
    const err = await runCommand({ command: 'true', cwd: work, workDir: work, timeoutMs: 1000, mode: 'bwrap' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SandboxUnavailableError);
    expect((err as SandboxUnavailableError).message).toContain('bwrap is not installed');
    expect((err as SandboxUnavailableError).hint).toMatch(/apt-get install bubblewrap/);
  });

  it('mode "none" (the explicit opt-in) runs unconfined and warns once, saying what is given up', async () => {
    const warn = vi.fn();
    setSandboxLogger({ warn });
    const a = await runCommand({ command: 'echo a', cwd: work, workDir: work, timeoutMs: 5000, mode: 'none' });
    const b = await runCommand({ command: 'echo b', cwd: work, workDir: work, timeoutMs: 5000, mode: 'none' });
    expect([a.stdout, a.sandboxed, b.stdout, b.sandboxed]).toEqual(['a\n', false, 'b\n', false]);
    expect(warn).toHaveBeenCalledTimes(1);
    const msg = String(warn.mock.calls[0]![0]);
    expect(msg).toContain('WITHOUT a sandbox');
    expect(msg).toMatch(/Given up: read-only host filesystem.*cache root and config file.*network isolation.*pid namespace.*API keys/s);
  });
});
