import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import { sleep } from './abort.js';
import { SkvmError } from './errors.js';
import { pidAlive } from './process.js';

/**
 * Cross-process exclusive locks on a path: `<name>.lock` created with O_EXCL, holding its
 * owner as JSON (pid, host, start time, and whatever the caller adds, e.g. a run id).
 *
 * A lock is stale — and is broken by the next process that wants it — when its owner died (a
 * pid on this host that no longer exists) or when it stopped heart-beating: a holder touches
 * the file every `heartbeatMs`, so a lock untouched for `staleMs` belongs to a process that is
 * gone or frozen (also the only test that works for an owner on another host). Breaking is
 * safe against two breakers at once: the stale file is renamed aside and removed only if it is
 * still the file that was judged stale; anything else is put back.
 */

export interface LockOwner {
  pid: number;
  host: string;
  /** ISO time the lock was taken. */
  startedAt: string;
  /** Tells this holding apart from an earlier one by the same process. */
  token: string;
  [extra: string]: unknown;
}

export interface HeldLock {
  readonly file: string;
  readonly owner: LockOwner;
  /** Removes the lock if it is still ours; stops the heartbeat. */
  release(): Promise<void>;
}

export interface LockTiming {
  /** How often a holder touches its lock. Default 10 s. */
  heartbeatMs?: number;
  /** A lock untouched this long is stale. Default 60 s. */
  staleMs?: number;
}

export type TryLockResult = { acquired: true; lock: HeldLock } | { acquired: false; owner: LockOwner | undefined };

const HEARTBEAT_MS = 10_000;
const STALE_MS = 60_000;

function parseOwner(text: string): LockOwner | undefined {
  try {
    const v = JSON.parse(text) as Partial<LockOwner>;
    return typeof v.pid === 'number' && typeof v.host === 'string' && typeof v.token === 'string' ? (v as LockOwner) : undefined;
  } catch {
    return undefined; // being written, or not ours
  }
}

/** The current lock file's identity, owner and age; undefined when there is none. */
async function inspect(file: string): Promise<{ ino: number; owner: LockOwner | undefined; ageMs: number } | undefined> {
  try {
    const [st, text] = await Promise.all([fsp.stat(file), fsp.readFile(file, 'utf8')]);
    return { ino: st.ino, owner: parseOwner(text), ageMs: Date.now() - st.mtimeMs };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function isStale(found: { owner: LockOwner | undefined; ageMs: number }, staleMs: number): boolean {
  if (found.ageMs > staleMs) return true;
  const o = found.owner;
  return o !== undefined && o.host === os.hostname() && !pidAlive(o.pid);
}

/** Removes the lock file only if it is still the one with inode `ino`. */
async function breakStale(file: string, ino: number): Promise<void> {
  const aside = `${file}.stale.${randomBytes(4).toString('hex')}`;
  try {
    await fsp.rename(file, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // someone else broke it
    throw err;
  }
  const st = await fsp.stat(aside).catch(() => undefined);
  if (st && st.ino !== ino) {
    // A fresh lock was taken between our look and the rename: give it back (fails only if yet another appeared).
    await fsp.link(aside, file).catch(() => undefined);
  }
  await fsp.rm(aside, { force: true });
}

/** One attempt: take the lock, or report who holds it. A stale lock is broken first. */
export async function tryLock(file: string, extra: Record<string, unknown> = {}, timing: LockTiming = {}): Promise<TryLockResult> {
  const staleMs = timing.staleMs ?? STALE_MS;
  for (;;) {
    const owner: LockOwner = { ...extra, pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString(), token: randomBytes(8).toString('hex') };
    try {
      const h = await fsp.open(file, 'wx', 0o600);
      try {
        await h.writeFile(JSON.stringify(owner));
      } finally {
        await h.close();
      }
      return { acquired: true, lock: holdLock(file, owner, timing.heartbeatMs ?? HEARTBEAT_MS) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const found = await inspect(file);
    if (!found) continue; // released meanwhile
    if (!isStale(found, staleMs)) return { acquired: false, owner: found.owner };
    await breakStale(file, found.ino);
  }
}

function holdLock(file: string, owner: LockOwner, heartbeatMs: number): HeldLock {
  const beat = setInterval(() => {
    const now = new Date();
    void fsp.utimes(file, now, now).catch(() => undefined);
  }, heartbeatMs);
  beat.unref();
  let released = false;
  return {
    file,
    owner,
    async release() {
      if (released) return;
      released = true;
      clearInterval(beat);
      const found = await inspect(file).catch(() => undefined);
      if (found?.owner?.token === owner.token) await fsp.rm(file, { force: true });
    },
  };
}

export interface AcquireLockOptions extends LockTiming {
  signal?: AbortSignal;
  /** Give up after this long (SkvmError code 'locked'); default: wait as long as it takes. */
  timeoutMs?: number;
  /** Between attempts. Default 250 ms. */
  pollMs?: number;
  /** Once per holder seen while waiting (undefined: a lock whose owner could not be read). */
  onBusy?: (owner: LockOwner | undefined) => void;
}

/** Waits until the lock is ours. An abort rejects with CancelledError. */
export async function acquireLock(file: string, extra: Record<string, unknown> = {}, opts: AcquireLockOptions = {}): Promise<HeldLock> {
  const deadline = opts.timeoutMs === undefined ? Infinity : Date.now() + opts.timeoutMs;
  let lastToken: string | null = null;
  for (;;) {
    const r = await tryLock(file, extra, opts);
    if (r.acquired) return r.lock;
    const token = r.owner?.token ?? '';
    if (token !== lastToken) {
      lastToken = token;
      opts.onBusy?.(r.owner);
    }
    if (Date.now() > deadline) {
      throw new SkvmError(`${file.replace(/\.lock$/, '')} is locked by another process${r.owner ? ` (pid ${r.owner.pid} on ${r.owner.host})` : ''}.`, {
        code: 'locked',
        hint: `If no other skvm process is using it, delete ${file}.`,
      });
    }
    await sleep(opts.pollMs ?? 250, opts.signal);
  }
}

/** A short exclusive section around `file` (its lock is `<file>.lock`), waiting at most `timeoutMs`. */
export async function withFileLock<T>(file: string, fn: () => Promise<T>, timeoutMs = 5_000): Promise<T> {
  const lock = await acquireLock(`${file}.lock`, {}, { timeoutMs, pollMs: 50 });
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}
