import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirs } from '../../../../../test/tmp.js';
import { CancelledError } from '../../../util/errors.js';
import { parseStat } from '../../../sandbox/procs.js';
import type { RunScope } from '../types.js';
import { runHarnessProcess, type HarnessProcessOptions } from './spawn.js';

const tmp = tempDirs('skvm-cli-spawn-');

function scope(): RunScope & { close(): Promise<void> } {
  const cleanups: Array<() => void | Promise<void>> = [];
  return { defer: (c) => void cleanups.push(c), close: async () => void (await Promise.all(cleanups.reverse().map((c) => c()))) };
}

function sh(script: string, over: Partial<HarnessProcessOptions> = {}): HarnessProcessOptions {
  const dir = tmp();
  return { binary: '/bin/sh', args: ['-c', script], cwd: dir, env: { PATH: '/usr/bin:/bin' }, timeoutMs: 10_000, stdoutPath: path.join(dir, 'logs', 'out.jsonl'), ...over };
}

/** Gone or a zombie (killed; whoever adopted it has not reaped it yet). */
function running(pid: number): boolean {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'latin1')) !== undefined;
  } catch {
    return false;
  }
}

async function waitDead(pid: number): Promise<boolean> {
  for (let i = 0; i < 40 && running(pid); i++) await new Promise((r) => setTimeout(r, 50));
  return !running(pid);
}

describe('runHarnessProcess', () => {
  it('writes stdout byte for byte to the log file, keeps the stderr tail and the exit code', async () => {
    const o = sh('printf \'{"a":1}\\n{"b":"\\303\\251"}\\n\'; echo oops >&2; exit 3');
    const r = await runHarnessProcess(o, scope());
    expect(r).toMatchObject({ exitCode: 3, signal: null, timedOut: false, stderrTail: 'oops\n' });
    expect(readFileSync(o.stdoutPath, 'utf8')).toBe('{"a":1}\n{"b":"é"}\n');
  });

  it('kills the whole process group at the time limit, background children included', async () => {
    const dir = tmp();
    const o = sh(`sleep 30 & echo $! > ${dir}/bg; echo started; sleep 30`, { timeoutMs: 400 });
    const t0 = Date.now();
    const r = await runHarnessProcess(o, scope());
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(r.timedOut).toBe(true);
    expect(r.signal).toBe('SIGTERM');
    expect(readFileSync(o.stdoutPath, 'utf8')).toBe('started\n');
    expect(await waitDead(Number(readFileSync(path.join(dir, 'bg'), 'utf8')))).toBe(true);
  });

  it('after a normal exit, a tool process left behind is killed and the run does not wait for it', async () => {
    const dir = tmp();
    const o = sh(`(sleep 30; echo late) & echo $! > ${dir}/bg; echo done`);
    const t0 = Date.now();
    const r = await runHarnessProcess(o, scope());
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(r.exitCode).toBe(0);
    expect(await waitDead(Number(readFileSync(path.join(dir, 'bg'), 'utf8')))).toBe(true);
    expect(readFileSync(o.stdoutPath, 'utf8')).toBe('done\n');
  });

  it('cancellation rejects with CancelledError and kills the group', async () => {
    const dir = tmp();
    const ctl = new AbortController();
    const o = sh(`echo $$ > ${dir}/pid; sleep 30`, { signal: ctl.signal });
    setTimeout(() => ctl.abort('user stopped it'), 300);
    const t0 = Date.now();
    await expect(runHarnessProcess(o, scope())).rejects.toBeInstanceOf(CancelledError);
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect(await waitDead(Number(readFileSync(path.join(dir, 'pid'), 'utf8')))).toBe(true);
  });

  it('a binary that cannot start rejects with the spawn error', async () => {
    await expect(runHarnessProcess(sh('', { binary: '/nonexistent/harness' }), scope())).rejects.toThrow(/ENOENT/);
  });
});
