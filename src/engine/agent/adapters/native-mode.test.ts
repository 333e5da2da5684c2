import { chmodSync, mkdirSync, promises as fsp, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirs } from '../../../../test/tmp.js';
import { UsageError } from '../../util/errors.js';
import { loadAdapter } from './registry.js';
import type { AdapterRunOptions, RunScope } from './types.js';

/**
 * Native mode of the adapters added here: the user's own harness config is copied into the
 * private home — read, never changed — and its absence is a clear refusal. The CLIs are
 * stand-ins that record what they were given (the real ones cannot run here, or need a login).
 */

const tmp = tempDirs('skvm-native-');

function scope(): RunScope & { close(): Promise<void> } {
  const cleanups: Array<() => void | Promise<void>> = [];
  return {
    defer: (c) => void cleanups.push(c),
    close: async () => {
      for (const c of cleanups.reverse()) await c();
    },
  };
}

function options(root: string, home: string, extra: Partial<AdapterRunOptions> = {}): AdapterRunOptions {
  const workDir = path.join(root, 'work');
  mkdirSync(workDir, { recursive: true });
  return {
    model: 'openrouter/vendor/model-1',
    llm: { chat: () => Promise.reject(new Error('native mode must not ask for the route')) },
    prompt: 'Write notes.txt.',
    workDir,
    mode: 'native',
    maxSteps: 5,
    timeoutMs: 30_000,
    web: false,
    sandbox: { mode: 'off', network: false },
    env: { HOME: home, PATH: process.env.PATH ?? '/usr/bin:/bin', OPENROUTER_API_KEY: 'sk-or-host-key-0123456789', UNRELATED_SECRET: 'nope' },
    ...extra,
  };
}

/** A stand-in CLI that writes its argv, env and the named files (relative to an env var's dir) to <cwd>/.stand-in.json. */
function standIn(dir: string, name: string, dirVar: string, files: string[]): string {
  const file = path.join(dir, name);
  writeFileSync(
    file,
    `#!/usr/bin/env node
const fs = require('fs'), path = require('path');
const read = (f) => { try { return fs.readFileSync(path.join(process.env.${dirVar}, f), 'utf8'); } catch { return null; } };
fs.writeFileSync(path.join(process.cwd(), '.stand-in.json'), JSON.stringify({ argv: process.argv.slice(2), env: process.env, files: Object.fromEntries(${JSON.stringify(files)}.map((f) => [f, read(f)])) }));
`,
  );
  chmodSync(file, 0o755);
  return file;
}

describe('native mode', () => {
  it('hermes copies the user config into the private home, passes the host key variable it reads, and leaves the originals unchanged', async () => {
    const root = tmp();
    const home = path.join(root, 'user');
    const userDir = path.join(home, '.hermes');
    mkdirSync(userDir, { recursive: true });
    writeFileSync(path.join(userDir, 'config.yaml'), 'model:\n  default: vendor/model-1\n  provider: openrouter\n');
    writeFileSync(path.join(userDir, '.env'), 'OPENROUTER_API_KEY=from-user-env-file\n');
    const before = statSync(path.join(userDir, 'config.yaml')).mtimeMs;
    const bin = standIn(root, 'hermes', 'HERMES_HOME', ['config.yaml', '.env']);
    const s = scope();
    try {
      await (await loadAdapter('hermes')).run(options(root, home, { adapters: { hermes: bin } }), s);
    } finally {
      await s.close();
    }
    const rec = JSON.parse(await fsp.readFile(path.join(root, 'work', '.stand-in.json'), 'utf8')) as { argv: string[]; env: Record<string, string>; files: Record<string, string | null> };
    expect(rec.env.HERMES_HOME).not.toBe(userDir);
    expect(rec.files['config.yaml']).toContain('provider: openrouter');
    expect(rec.files['.env']).toBe('OPENROUTER_API_KEY=from-user-env-file\n');
    expect(rec.env.OPENROUTER_API_KEY).toBe('sk-or-host-key-0123456789');
    expect(rec.env.UNRELATED_SECRET).toBeUndefined();
    expect(rec.argv.slice(rec.argv.indexOf('-m'), rec.argv.indexOf('-m') + 2)).toEqual(['-m', 'openrouter/vendor/model-1']);
    expect(await fsp.readFile(path.join(userDir, '.env'), 'utf8')).toBe('OPENROUTER_API_KEY=from-user-env-file\n');
    expect(statSync(path.join(userDir, 'config.yaml')).mtimeMs).toBe(before);
  });

  it('refuses clearly when the user has no config: opencode, hermes, openclaw', async () => {
    for (const name of ['opencode', 'hermes', 'openclaw']) {
      const root = tmp();
      const bin = standIn(root, name, 'HOME', []);
      const s = scope();
      const run = (await loadAdapter(name)).run(options(root, path.join(root, 'empty-home'), { adapters: { [name]: bin } }), s);
      await expect(run, name).rejects.toBeInstanceOf(UsageError);
      await expect(run, name).rejects.toThrow(/native mode/i);
      await s.close();
    }
  });

  it('openclaw refuses a model whose provider the source agent does not have, naming the ones it has', async () => {
    const root = tmp();
    const home = path.join(root, 'user');
    const agentDir = path.join(home, '.openclaw', 'agents', 'work', 'agent');
    mkdirSync(agentDir, { recursive: true });
    writeFileSync(path.join(agentDir, 'models.json'), JSON.stringify({ providers: { anthropic: {}, ollama: {} } }));
    const bin = standIn(root, 'openclaw', 'HOME', []);
    const s = scope();
    const run = (await loadAdapter('openclaw')).run(options(root, home, { adapters: { openclaw: { repoPath: bin, nativeSourceAgent: 'work' } } }), s);
    await expect(run).rejects.toThrow(/your agent "work" has no provider "openrouter" .*anthropic, ollama/);
    await s.close();
  });
});
