import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerSecret } from '../util/redact.js';
import { which } from '../util/which.js';
import { SandboxViolation } from './errors.js';
import { SAFE_PATH, scrubbedEnv } from './env.js';

const KEY = `sk-test-env-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
const saved = { ...process.env };
beforeAll(() => {
  process.env.OPENAI_API_KEY = KEY;
  process.env.GITHUB_TOKEN = `ghp_${KEY}`;
  process.env.INNOCENT_LOOKING = 'host-only-value';
  registerSecret(KEY);
});
afterAll(() => {
  process.env = saved;
});

describe('scrubbedEnv', () => {
  it('contains exactly the fixed variables and nothing from process.env', () => {
    const env = scrubbedEnv(undefined, { home: '/w', tmpDir: '/t' });
    expect(Object.keys(env).sort()).toEqual(['HOME', 'LANG', 'LC_ALL', 'PATH', 'TERM', 'TMPDIR']);
    expect(env).toMatchObject({ HOME: '/w', TMPDIR: '/t', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', TERM: 'dumb' });
    expect(JSON.stringify(env)).not.toContain(KEY);
    expect(JSON.stringify(env)).not.toContain('host-only-value');
  });

  it('PATH is the safe PATH plus where node and python3 live', () => {
    const dirs = scrubbedEnv().PATH!.split(':');
    for (const d of SAFE_PATH) expect(dirs).toContain(d);
    for (const tool of ['node', 'python3']) {
      const found = which(tool);
      if (found) expect(dirs).toContain(path.dirname(found));
      // The same program, though maybe reached directly rather than through a version manager's shim.
      const inside = which(tool, { PATH: dirs.join(':') });
      expect(inside).toBeDefined();
      if (tool === 'node') expect(inside).toBe(found);
    }
  });

  it('puts the real python3 before a version manager shim (a shim costs ~200 ms per start)', () => {
    const dirs = scrubbedEnv().PATH!.split(':');
    const real = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).stdout.trim();
    expect(which('python3', { PATH: dirs.join(':') })).toBe(real);
  });

  it('adds harmless extra variables', () => {
    expect(scrubbedEnv({ TASK_MODE: 'fast', PYTHONHASHSEED: '0' })).toMatchObject({ TASK_MODE: 'fast', PYTHONHASHSEED: '0' });
  });

  it.each(['OPENAI_API_KEY', 'GITHUB_TOKEN', 'my_secret', 'DB_PASSWORD', 'PASSWD', 'AUTH_HEADER', 'GOOGLE_APPLICATION_CREDENTIALS', 'SSH_AUTH_SOCK', 'AWS_SECRET_ACCESS_KEY'])(
    'refuses the credential-like extra %s with a clear error',
    (name) => {
      expect(() => scrubbedEnv({ [name]: 'x' })).toThrow(SandboxViolation);
      expect(() => scrubbedEnv({ [name]: 'x' })).toThrow(new RegExp(`Refused environment variable ${name}: its name looks like a credential`));
    },
  );

  it('refuses an innocent name carrying a registered API key', () => {
    expect(() => scrubbedEnv({ SETTINGS: `prefix ${KEY}` })).toThrow(/contains an API key/);
  });

  it.each([['1BAD'], ['A-B'], ['A=B'], ['']])('refuses the invalid name %j', (name) => {
    expect(() => scrubbedEnv({ [name]: 'x' })).toThrow(/not a valid variable name/);
  });

  it('refuses a NUL byte in a value', () => {
    expect(() => scrubbedEnv({ OK_NAME: 'a\0b' })).toThrow(/NUL/);
  });
});

describe('primeToolPaths', () => {
  it('finds python3 off the event loop with the same answer as the synchronous lookup', async () => {
    vi.resetModules();
    const primed = await import('./env.js');
    const pending = primed.primeToolPaths();
    expect(primed.primeToolPaths()).toBe(pending); // one lookup per process
    await pending;
    vi.resetModules();
    const synchronous = await import('./env.js');
    expect(primed.toolPathDirs()).toEqual(synchronous.toolPathDirs());
    expect(primed.toolPrefixes()).toEqual(synchronous.toolPrefixes());
    const python = which('python3');
    if (python) {
      const prefix = spawnSync(python, ['-c', 'import sys; print(sys.base_prefix)'], { encoding: 'utf8' }).stdout.trim();
      expect(primed.toolPrefixes()).toContain(prefix);
    }
  });
});
