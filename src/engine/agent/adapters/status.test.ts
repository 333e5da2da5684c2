import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirs } from '../../../../test/tmp.js';
import { locateHarnessCli } from './locate.js';
import { ADAPTERS } from './harnesses.js';
import { adapterStatuses } from './status.js';

const IS_ROOT = process.getuid?.() === 0;
// Enterable by every user: a root engine starts the CLIs (also for --version) as an unprivileged user.
const tmp = tempDirs('skvm-adapters-', { everyone: true });
/** Mode 0700, root's own under a root engine: what the harness user cannot enter. */
const privateTmp = tempDirs('skvm-adapters-private-');

/** A directory with fake harness CLIs that answer --version like the real ones (pi on stderr, as the real one does). */
function fakeBin(clis: Record<string, string>, parent = tmp()): string {
  const dir = path.join(parent, 'bin');
  mkdirSync(dir);
  for (const [name, version] of Object.entries(clis)) {
    const file = path.join(dir, name);
    writeFileSync(file, `#!/bin/sh\nif [ "$1" = "--version" ]; then echo "${version}"${name === 'pi' ? ' >&2' : ''}; exit 0; fi\nexit 3\n`);
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

  it('a version printed on stderr (pi) is read too', async () => {
    const rows = await adapterStatuses({ PATH: fakeBin({ pi: '0.73.1' }), HOME: tmp() });
    expect(rows.find((r) => r.name === 'pi')).toMatchObject({ runnable: true, cli: { version: '0.73.1' } });
  });

  it.runIf(IS_ROOT)('root engine: a CLI its unprivileged harness user cannot start is not runnable, with why and the fix — binary or interpreter', async () => {
    const hidden = fakeBin({ claude: '2.1.330 (Claude Code)' }, privateTmp());
    // codex reachable, but its `#!` interpreter lies in root's private folder.
    const interpreter = path.join(fakeBin({ sh: '' }, privateTmp()), 'sh');
    writeFileSync(interpreter, '#!/bin/sh\nexec /bin/sh "$@"\n');
    const open = fakeBin({ codex: 'codex-cli 0.120.0' });
    writeFileSync(path.join(open, 'codex'), `#!${interpreter}\necho codex-cli 0.120.0\n`);
    const config = { 'claude-code': path.join(hidden, 'claude'), codex: path.join(open, 'codex') };
    const env = { PATH: '/usr/bin:/bin', HOME: tmp() };

    const rows = await adapterStatuses(env, config);
    const claude = rows.find((r) => r.name === 'claude-code')!;
    expect(claude).toMatchObject({ runnable: false, reason: `the server runs as root, so claude-code runs as an unprivileged user, and that user cannot run its binary ${path.join(hidden, 'claude')}.` });
    expect(claude.installHint).toMatch(/^Install claude-code where every user can read it .* point adapters\.claude-code at it; with sandbox\.mode "none"/);
    // --version ran as that user too, so it has no answer.
    expect(claude.cli).toEqual({ path: path.join(hidden, 'claude') });
    expect(rows.find((r) => r.name === 'codex')).toMatchObject({ runnable: false, reason: expect.stringContaining(`cannot run the interpreter of its binary, ${interpreter}.`) });

    // sandbox.mode "none" runs harnesses as root: then they are runnable.
    const unconfined = await adapterStatuses(env, config, 'none');
    expect(unconfined.filter((r) => r.name === 'claude-code' || r.name === 'codex').map((r) => r.runnable)).toEqual([true, true]);
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
