import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CancelledError } from './errors.js';
import { acquireLock, tryLock, withFileLock } from './lock.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'skvm-lock-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const lockFile = () => path.join(root, `l${n++}.lock`);

/** The pid of a process that has exited (so it is not alive any more). */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

describe('file locks', () => {
  it('one holder at a time; the other sees who holds it; release frees it', async () => {
    const file = lockFile();
    const a = await tryLock(file, { runId: 'run-a' });
    expect(a.acquired).toBe(true);
    const b = await tryLock(file, { runId: 'run-b' });
    expect(b.acquired).toBe(false);
    if (b.acquired || !a.acquired) return;
    expect(b.owner).toMatchObject({ pid: process.pid, host: os.hostname(), runId: 'run-a' });
    await a.lock.release();
    const c = await tryLock(file);
    expect(c.acquired).toBe(true);
    if (c.acquired) await c.lock.release();
  });

  it('breaks a lock whose owner process died, and one nobody touched for staleMs', async () => {
    const dead = lockFile();
    writeFileSync(dead, JSON.stringify({ pid: deadPid(), host: os.hostname(), startedAt: new Date().toISOString(), token: 'x' }));
    const r = await tryLock(dead, { runId: 'mine' });
    expect(r.acquired).toBe(true);
    expect(JSON.parse(readFileSync(dead, 'utf8')).runId).toBe('mine');
    if (r.acquired) await r.lock.release();

    // Another host's owner (its pid cannot be checked) is stale only once it stops heart-beating.
    const remote = lockFile();
    writeFileSync(remote, JSON.stringify({ pid: 1, host: 'elsewhere.example', startedAt: new Date().toISOString(), token: 'y' }));
    expect((await tryLock(remote, {}, { staleMs: 60_000 })).acquired).toBe(false);
    const old = new Date(Date.now() - 120_000);
    utimesSync(remote, old, old);
    const r2 = await tryLock(remote, {}, { staleMs: 60_000 });
    expect(r2.acquired).toBe(true);
    if (r2.acquired) await r2.lock.release();
  });

  it('a holder heart-beats, so a long-held lock never looks stale', async () => {
    const file = lockFile();
    const a = await tryLock(file, {}, { heartbeatMs: 50 });
    if (!a.acquired) throw new Error('not acquired');
    const old = new Date(Date.now() - 10_000);
    utimesSync(file, old, old);
    await new Promise((r) => setTimeout(r, 200));
    expect(Date.now() - statSync(file).mtimeMs).toBeLessThan(1_000);
    expect((await tryLock(file, {}, { staleMs: 5_000 })).acquired).toBe(false);
    await a.lock.release();
  });

  it('release leaves a lock alone that is no longer ours', async () => {
    const file = lockFile();
    const a = await tryLock(file);
    if (!a.acquired) throw new Error('not acquired');
    const other = JSON.stringify({ pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString(), token: 'someone-else' });
    writeFileSync(file, other);
    await a.lock.release();
    expect(readFileSync(file, 'utf8')).toBe(other);
  });

  it('acquireLock waits for the holder, reports it once, and gives up on abort', async () => {
    const file = lockFile();
    const a = await tryLock(file, { runId: 'first' });
    if (!a.acquired) throw new Error('not acquired');
    const seen: unknown[] = [];
    const waiting = acquireLock(file, { runId: 'second' }, { pollMs: 20, onBusy: (o) => seen.push(o?.runId) });
    await new Promise((r) => setTimeout(r, 150));
    await a.lock.release();
    const b = await waiting;
    expect(seen).toEqual(['first']);
    expect(b.owner.runId).toBe('second');

    const ctl = new AbortController();
    const stuck = acquireLock(file, {}, { pollMs: 20, signal: ctl.signal });
    setTimeout(() => ctl.abort('stop'), 50);
    await expect(stuck).rejects.toBeInstanceOf(CancelledError);
    await b.release();
  });

  it('withFileLock serialises sections and times out naming the file', async () => {
    const target = path.join(root, 'config.json');
    const order: string[] = [];
    await Promise.all(
      ['a', 'b', 'c'].map((x) =>
        withFileLock(target, async () => {
          order.push(`${x}+`);
          await new Promise((r) => setTimeout(r, 20));
          order.push(`${x}-`);
        }),
      ),
    );
    for (let i = 0; i < order.length; i += 2) expect(order[i]!.slice(0, 1)).toBe(order[i + 1]!.slice(0, 1));
    const held = await tryLock(`${target}.lock`);
    await expect(withFileLock(target, async () => 1, 100)).rejects.toThrow(/config\.json is locked by another process/);
    if (held.acquired) await held.lock.release();
  });
});
