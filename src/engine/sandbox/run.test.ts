import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newMark, survivors } from '../../../test/proc-marks.js';
import { UsageError } from '../util/errors.js';
import { which } from '../util/which.js';
import { sandboxSupport } from './bwrap.js';
import { SandboxViolation } from './errors.js';
import { KILL_GRACE_MS, runCommand } from './run.js';
import type { CommandOptions, SandboxMode } from './types.js';
import { createWorkDir, removeWorkDir } from './workdir.js';

const support = await sandboxSupport();
const MODES: SandboxMode[] = support.available ? ['bwrap', 'none'] : ['none'];

let work: string;
beforeAll(async () => {
  work = await createWorkDir({ tmpRoot: os.tmpdir(), prefix: 'skvm-runtest-' });
  await fsp.mkdir(path.join(work, 'sub'));
});
afterAll(async () => {
  await removeWorkDir(work);
});

function run(mode: SandboxMode, command: string, extra: Partial<CommandOptions> = {}) {
  return runCommand({ command, cwd: work, workDir: work, timeoutMs: 10_000, mode, ...extra });
}



it('bubblewrap works wherever it is installed', () => {
  if (which('bwrap')) expect(support, support.reason).toMatchObject({ available: true });
  else expect(support.available).toBe(false);
});

describe.each(MODES)('runCommand (mode %s)', (mode) => {
  it('reports exit code, stdout and stderr separately, and which mode ran', async () => {
    const r = await run(mode, 'echo out; echo err >&2; exit 3');
    expect(r).toMatchObject({ exitCode: 3, signal: null, stdout: 'out\n', stderr: 'err\n', timedOut: false, cancelled: false, truncated: false, sandboxed: mode === 'bwrap' });
  });

  it('closes stdin unless text is given', async () => {
    expect((await run(mode, 'cat; echo done')).stdout).toBe('done\n');
    expect((await run(mode, 'cat', { stdin: 'fed\n' })).stdout).toBe('fed\n');
  });

  it('runs in the requested cwd inside the work dir, HOME is the work dir', async () => {
    const r = await run(mode, 'pwd; echo "$HOME"', { cwd: path.join(work, 'sub') });
    expect(r.stdout).toBe(`${path.join(work, 'sub')}\n${work}\n`);
  });

  it('caps each stream, keeps draining, and stays small in memory (yes | head -c 50MB)', async () => {
    let peak = 0;
    const base = process.memoryUsage().arrayBuffers;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().arrayBuffers - base)), 10);
    const t = Date.now();
    const r = await run(mode, 'yes | head -c 50000000; echo tail >&2');
    clearInterval(sampler);
    expect(r.exitCode).toBe(0);
    expect(r.truncated).toBe(true);
    expect(r.stdout.length).toBe(1024 * 1024);
    expect(r.stderr).toBe('tail\n');
    expect(Date.now() - t).toBeLessThan(8000);
    // 50 MB went through; what stays alive is the 1 MiB kept plus chunks awaiting GC.
    expect(peak).toBeLessThan(40 * 1024 * 1024);
  });

  it('drops a multi-byte character cut by the cap instead of mangling it', async () => {
    const r = await run(mode, "printf 'aé'", { outputCapBytes: 2 });
    expect(r).toMatchObject({ stdout: 'a', truncated: true });
  });

  it('times out: kills the whole group including grandchildren and setsid daemons', async () => {
    const mark = newMark();
    const t = Date.now();
    const r = await run(mode, 'sleep 1000 & (sleep 1000 &); setsid sleep 1000 & sh -c "sleep 1000" & sleep 1000', { timeoutMs: 700, env: { SKVM_TEST_MARK: mark } });
    expect(r.timedOut).toBe(true);
    // Killed (signal) or ended by the SIGTERM it got (the wrapper reports 128+15).
    expect(r.exitCode === null || r.exitCode === 143).toBe(true);
    expect(Date.now() - t).toBeLessThan(700 + 2000);
    expect(survivors(mark)).toEqual([]);
  });

  it('sends SIGTERM first, so the command can clean up', async () => {
    const r = await run(mode, "trap 'echo cleanup; exit 0' TERM; sleep 1000 & wait", { timeoutMs: 300 });
    expect(r.timedOut).toBe(true);
    expect(r.stdout).toBe('cleanup\n');
  });

  it('kills a process that ignores SIGTERM after the grace period', async () => {
    const mark = newMark();
    const t = Date.now();
    const r = await run(mode, "trap '' TERM; while :; do sleep 1; done", { timeoutMs: 300, env: { SKVM_TEST_MARK: mark } });
    const took = Date.now() - t;
    expect(r.timedOut).toBe(true);
    expect(took).toBeGreaterThanOrEqual(300 + KILL_GRACE_MS - 50);
    expect(took).toBeLessThan(300 + KILL_GRACE_MS + 1500);
    expect(survivors(mark)).toEqual([]);
  });

  it('abort through the signal ends everything within 2 s', async () => {
    const mark = newMark();
    const ac = new AbortController();
    const p = run(mode, 'sleep 1000 & sleep 1000', { signal: ac.signal, timeoutMs: 60_000, env: { SKVM_TEST_MARK: mark } });
    await new Promise((r) => setTimeout(r, 300));
    const t = Date.now();
    ac.abort();
    const r = await p;
    expect(Date.now() - t).toBeLessThan(2000);
    expect(r).toMatchObject({ cancelled: true, timedOut: false });
    expect(survivors(mark)).toEqual([]);
  });

  it('does not spawn anything for an already aborted signal', async () => {
    const ac = new AbortController();
    ac.abort();
    const r = await run(mode, 'echo never', { signal: ac.signal });
    expect(r).toMatchObject({ cancelled: true, stdout: '', exitCode: null });
    expect(r.pid).toBeUndefined();
  });

  it('a background grandchild holding stdout does not keep runCommand waiting', async () => {
    const mark = newMark();
    const t = Date.now();
    const r = await run(mode, '(sleep 30; echo late) & echo early', { env: { SKVM_TEST_MARK: mark } });
    expect(Date.now() - t).toBeLessThan(2000);
    expect(r).toMatchObject({ exitCode: 0, stdout: 'early\n', timedOut: false });
    expect(survivors(mark)).toEqual([]);
  });

  it('a double-forked daemon with closed descriptors is killed when the command ends', async () => {
    const mark = newMark();
    const r = await run(mode, 'setsid sh -c "sleep 300 & exit 0" </dev/null >/dev/null 2>&1 & sleep 0.2; echo started', { env: { SKVM_TEST_MARK: mark } });
    expect(r.stdout).toBe('started\n');
    expect(survivors(mark)).toEqual([]);
  });

  it('limits the size of files the command writes', async () => {
    const r = await run(mode, 'head -c 20000000 /dev/zero > big.bin; echo "rc=$?"', { maxFileBytes: 1024 * 1024 });
    expect(r.stdout).toMatch(/rc=(153|1)\n/); // SIGXFSZ (128+25) or the writer's own error
    expect((await fsp.stat(path.join(work, 'big.bin'))).size).toBeLessThanOrEqual(1024 * 1024);
    await fsp.rm(path.join(work, 'big.bin'));
  });

  it('gives every command a CPU-time limit relative to its timeout', async () => {
    const r = await run(mode, 'ulimit -t', { timeoutMs: 5000 });
    const seconds = Number(r.stdout.trim());
    expect(seconds).toBeGreaterThanOrEqual(5);
    expect(seconds).toBeLessThanOrEqual(5 * os.availableParallelism() + 1);
  });

  it('refuses a cwd outside the work dir', async () => {
    await expect(run(mode, 'pwd', { cwd: '/etc' })).rejects.toThrow(SandboxViolation);
    await expect(run(mode, 'pwd', { cwd: path.join(work, '..') })).rejects.toThrow(/Refused cwd/);
    await expect(run(mode, 'pwd', { cwd: path.join(work, 'missing') })).rejects.toThrow(/not an existing directory/);
  });
});

describe('runCommand option checks', () => {
  it.each([
    ['timeout 0', { timeoutMs: 0 }, UsageError],
    ['infinite timeout', { timeoutMs: Infinity }, UsageError],
    ['NUL in the command', { command: 'echo a\0b' }, UsageError],
    ['zero output cap', { outputCapBytes: 0 }, UsageError],
    ['work dir /', { workDir: '/', cwd: '/' }, SandboxViolation],
    ['missing work dir', { workDir: '/nonexistent/skvm', cwd: '/nonexistent/skvm' }, SandboxViolation],
    ['credential in env', { env: { OPENAI_API_KEY: 'sk-x' } }, SandboxViolation],
  ] as const)('refuses %s', async (_n, patch, cls) => {
    await expect(runCommand({ command: 'true', cwd: work, workDir: work, timeoutMs: 1000, mode: 'none', ...patch })).rejects.toBeInstanceOf(cls);
  });
});

describe('expose: reading a masked host path on purpose', () => {
  it.runIf(support.available)('makes a path under the private /tmp readable, read-only, only when exposed', async () => {
    const outside = await fsp.mkdtemp(path.join(os.tmpdir(), 'skvm-exposed-'));
    await fsp.chmod(outside, 0o755); // a runner install is readable by everyone (commands of a root engine run as another user)
    try {
      await fsp.writeFile(path.join(outside, 'tool.txt'), 'runner install');
      const hidden = await run('bwrap', `cat ${outside}/tool.txt`);
      expect(hidden.exitCode).not.toBe(0);
      const shown = await run('bwrap', `cat ${outside}/tool.txt && touch ${outside}/x`, { expose: [outside] });
      expect(shown.stdout).toBe('runner install');
      expect(shown.exitCode).not.toBe(0); // read-only
      await expect(fsp.access(path.join(outside, 'x'))).rejects.toThrow();
      // A path that does not exist is ignored rather than breaking the command.
      expect((await run('bwrap', 'echo ok', { expose: [path.join(outside, 'missing')] })).stdout).toBe('ok\n');
    } finally {
      await fsp.rm(outside, { recursive: true, force: true });
    }
  });
});
