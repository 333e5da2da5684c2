import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureHarnessCli } from '../scripts/harness-cli/install.js';
import { cachedHarnessCli, harnessCliCacheRoot } from '../src/engine/agent/adapters/cli-cache.js';
import { SkvmError } from '../src/engine/util/errors.js';
import { tempDirs } from './tmp.js';

const tmp = tempDirs('skvm-cli-cache-');
const SPEC = { pkg: '@example/agent-cli', version: '1.2.3', bin: 'agent' };

describe('ensureHarnessCli', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const key of ['npm_config_registry', 'npm_config_fetch_retries', 'npm_config_cache']) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  });

  it('resolves an installed package@version from the cache without calling npm', async () => {
    const root = tmp();
    const dir = join(root, '@example__agent-cli@1.2.3');
    mkdirSync(join(dir, 'node_modules', '@example', 'agent-cli'), { recursive: true });
    mkdirSync(join(dir, 'node_modules', '.bin'), { recursive: true });
    writeFileSync(join(dir, 'node_modules', '@example', 'agent-cli', 'package.json'), JSON.stringify({ name: SPEC.pkg, version: '1.2.3' }));
    writeFileSync(join(dir, 'node_modules', '.bin', 'agent'), '#!/bin/sh\n');
    chmodSync(join(dir, 'node_modules', '.bin', 'agent'), 0o755);
    process.env.npm_config_registry = 'http://127.0.0.1:9/'; // would fail if npm were asked
    const cli = await ensureHarnessCli(SPEC, { cacheRoot: root });
    expect(cli).toMatchObject({ ...SPEC, dir, binPath: join(dir, 'node_modules', '.bin', 'agent'), installed: false });
  });

  it('says the registry is unreachable, with a hint, and leaves no half-install behind', async () => {
    const root = tmp();
    process.env.npm_config_registry = 'http://127.0.0.1:9/';
    process.env.npm_config_fetch_retries = '0';
    process.env.npm_config_cache = join(root, '.npm-cache');
    const err = await ensureHarnessCli({ ...SPEC, version: '9.9.9' }, { cacheRoot: root }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SkvmError);
    expect((err as SkvmError).code).toBe('registry_unreachable');
    expect((err as SkvmError).message).toMatch(/@example\/agent-cli@9\.9\.9: the npm registry is unreachable/);
    expect((err as SkvmError).hint).toMatch(/SKVM_HARNESS_CLI_CACHE/);
    expect(existsSync(join(root, '@example__agent-cli@9.9.9'))).toBe(false);
    expect(readdirSync(root).filter((n) => n.startsWith('.installing-'))).toEqual([]);
  });

  it('defaults the cache to $SKVM_HARNESS_CLI_CACHE, else ~/.cache/skvm-mcp/harness-clis, for root a folder every user can read', () => {
    expect(harnessCliCacheRoot({ SKVM_HARNESS_CLI_CACHE: '/c', HOME: '/h' }, 0)).toBe('/c');
    expect(harnessCliCacheRoot({ HOME: '/h' }, 1000)).toBe('/h/.cache/skvm-mcp/harness-clis');
    expect(harnessCliCacheRoot({ HOME: '/root' }, 0)).toBe('/var/cache/skvm-mcp/harness-clis');
  });
});

describe('cachedHarnessCli', () => {
  it('finds the newest install of a harness that has its executable, and nothing for an empty cache', () => {
    const root = tmp();
    const install = (version: string, withBin: boolean) => {
      const bin = join(root, `@anthropic-ai__claude-code@${version}`, 'node_modules', '.bin');
      mkdirSync(bin, { recursive: true });
      if (withBin) writeFileSync(join(bin, 'claude'), '#!/bin/sh\n');
    };
    const env = { SKVM_HARNESS_CLI_CACHE: root };
    expect(cachedHarnessCli('claude-code', env)).toBeUndefined();
    install('2.1.9', true);
    install('2.1.330', true);
    install('2.2.0', false);
    expect(cachedHarnessCli('claude-code', env)).toEqual({ version: '2.1.330', binPath: join(root, '@anthropic-ai__claude-code@2.1.330', 'node_modules', '.bin', 'claude') });
    expect(cachedHarnessCli('bare-agent', env)).toBeUndefined();
  });
});
