import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirs } from '../../../test/tmp.js';
import { createEngine } from '../engine.js';
import { silentLogger } from '../util/log.js';
import { runDoctor } from './doctor.js';
import { writeConfigFile } from './write.js';

const IS_ROOT = process.getuid?.() === 0;
const open = tempDirs('skvm-doctor-', { everyone: true });
/** Mode 0700, root's own under a root engine: the harness user cannot enter it. */
const hidden = tempDirs('skvm-doctor-private-');

function fakeCodex(dir: string): string {
  const file = path.join(dir, 'codex');
  writeFileSync(file, '#!/bin/sh\necho codex-cli 0.169.0\n');
  chmodSync(file, 0o755);
  return file;
}

async function codexCheck(codex: string, sandbox?: 'none') {
  const cache = path.join(open(), 'cache');
  mkdirSync(cache);
  await writeConfigFile(path.join(cache, 'skvm.config.json'), { adapters: { codex }, ...(sandbox ? { sandbox: { mode: sandbox } } : {}) });
  const engine = createEngine({ flags: { cache }, env: { PATH: '/usr/bin:/bin', HOME: open() }, log: silentLogger });
  const report = await runDoctor(engine, { live: false, models: [], timeoutMs: 5_000 });
  return report.checks.find((c) => c.id === 'harness:codex')!;
}

describe('config_doctor harness checks', () => {
  it('a CLI the harness user can start: ok, with its version', async () => {
    const codex = fakeCodex(open());
    expect(await codexCheck(codex)).toMatchObject({ status: 'ok', detail: `adapters.codex (${codex}) → ${codex} (codex-cli 0.169.0; modes managed/native, skills inject/discover)` });
  });

  it.runIf(IS_ROOT)('root engine: a CLI its unprivileged harness user cannot start is a warning with the reason and the fix, unless sandbox.mode is "none"', async () => {
    const codex = fakeCodex(hidden());
    const check = await codexCheck(codex);
    expect(check).toMatchObject({ status: 'warn', detail: `adapters.codex (${codex}) → ${codex}: not runnable here: the server runs as root, so codex runs as an unprivileged user, and that user cannot run its binary ${codex}.` });
    expect(check.hint).toMatch(/^Install codex where every user can read it/);
    expect(await codexCheck(codex, 'none')).toMatchObject({ status: 'ok' });
  });
});
