import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirs } from '../../../../test/tmp.js';
import { locateHarnessCli } from './locate.js';
import { ADAPTERS } from './harnesses.js';
import { adapterStatuses } from './status.js';

const tmp = tempDirs('skvm-adapters-');

/** A directory with fake harness CLIs that answer --version like the real ones. */
function fakeBin(clis: Record<string, string>): string {
  const dir = path.join(tmp(), 'bin');
  mkdirSync(dir);
  for (const [name, version] of Object.entries(clis)) {
    const file = path.join(dir, name);
    writeFileSync(file, `#!/bin/sh\nif [ "$1" = "--version" ]; then echo "${version}"; exit 0; fi\nexit 3\n`);
    chmodSync(file, 0o755);
  }
  return dir;
}

describe('adapterStatuses', () => {
  it('reports every registered harness truthfully: runnable when their CLI is installed, else why not and how to install it, versions', async () => {
    const bin = fakeBin({ claude: '2.1.330 (Claude Code)', codex: 'codex-cli 0.120.0' });
    const rows = await adapterStatuses({ PATH: bin, HOME: tmp() });
    expect(rows.map((r) => r.name)).toEqual(ADAPTERS);
    expect(rows[0]).toMatchObject({ name: 'bare-agent', built: true, runnable: true, modes: ['managed'], skillDelivery: ['inject', 'discover'] });
    expect(rows[0]!.cli).toBeUndefined();
    for (const [name, bin] of [['opencode', 'opencode'], ['openclaw', 'openclaw'], ['hermes', 'hermes'], ['jiuwenclaw', 'jiuwenclaw-cli']]) {
      expect(rows.find((r) => r.name === name), name).toMatchObject({ built: true, runnable: false, reason: `not installed (looked for ${bin} on PATH)` });
    }
    expect(rows.find((r) => r.name === 'opencode')!.installHint).toContain('npm i -g opencode-ai');
    expect(rows.find((r) => r.name === 'claude-code')).toMatchObject({ built: true, runnable: true, modes: ['managed', 'native'] });
    expect(rows.find((r) => r.name === 'codex')).toMatchObject({ built: true, runnable: true });
    expect(rows.find((r) => r.name === 'pi')).toMatchObject({ built: true, runnable: false, reason: 'not installed (looked for pi on PATH)', installHint: expect.stringContaining('npm i -g @mariozechner/pi-coding-agent') });
    expect(rows.find((r) => r.name === 'claude-code')!.cli).toEqual({ path: path.join(bin, 'claude'), version: '2.1.330 (Claude Code)' });
    expect(rows.find((r) => r.name === 'codex')!.cli).toEqual({ path: path.join(bin, 'codex'), version: 'codex-cli 0.120.0' });
    expect(rows.find((r) => r.name === 'opencode')!.cli).toBeUndefined();
    expect(rows.find((r) => r.name === 'jiuwenclaw')).toMatchObject({ modes: ['managed'], skillDelivery: ['inject'] });
  });
});

describe('locateHarnessCli (reference precedence)', () => {
  it('override variable, then config adapters.<name>, then PATH', () => {
    const bin = fakeBin({ claude: 'x', 'my-claude': 'y' });
    const env = { PATH: bin, HOME: tmp() };
    expect(locateHarnessCli('claude-code', env)).toEqual({ path: path.join(bin, 'claude'), via: 'PATH', looked: 'claude on PATH' });
    expect(locateHarnessCli('claude-code', env, { 'claude-code': path.join(bin, 'my-claude') })).toMatchObject({ path: path.join(bin, 'my-claude'), via: 'config' });
    expect(locateHarnessCli('claude-code', { ...env, SKVM_CLAUDE_CMD: 'my-claude' }, { 'claude-code': '/nowhere' })).toMatchObject({ path: path.join(bin, 'my-claude'), via: 'env' });
    expect(locateHarnessCli('codex', env, { codex: { repoPath: '/nowhere/codex' } })).toEqual({ via: 'config', looked: 'adapters.codex (/nowhere/codex)' });
    expect(locateHarnessCli('pi', env)).toEqual({ via: 'PATH', looked: 'pi on PATH' });
    expect(locateHarnessCli('bare-agent', env)).toBeUndefined();
  });
});
