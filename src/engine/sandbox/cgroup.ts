import { existsSync, readFileSync, promises as fsp, rmdirSync } from 'node:fs';
import * as path from 'node:path';
import { isRoot } from './limits.js';
import { pidAlive } from '../util/process.js';

/**
 * A kernel-enforced process limit through the cgroup `pids` controller, used when the engine
 * runs as root and a pids hierarchy is writable (cgroup v1 `/sys/fs/cgroup/pids`, or v2 with
 * `pids` enabled at the root). Measured on a 2-CPU VM as root: without it a fork bomb reached
 * ~28 000 processes (pid_max 32 768) before the /proc-polling watchdog even ran — the bomb
 * starves the engine's event loop, and /proc scans of that many processes take seconds. With
 * it, fork() fails with EAGAIN at `pids.max`, membership is exact (setsid and double forks stay
 * in the cgroup), and the count is one small file read.
 *
 * Each command gets `<base>/<engine pid>-<token>`; the spawned process is moved into it before it
 * can fork (see gateArgs), so every descendant is born inside. The directory is removed when empty.
 */

export interface PidCgroup {
  dir: string;
  /** Processes in the cgroup now (exact, cheap). */
  current(): number;
  /** Forks the kernel refused because of pids.max. */
  refused(): number;
  /** Pids of every member. */
  pids(): number[];
  /** rmdir once empty (retried later if members linger). */
  remove(): void;
}

interface Base {
  kind: 'v1' | 'v2';
  dir: string;
}

let basePromise: Promise<Base | undefined> | undefined;
const leftovers = new Set<string>();

/** Where per-command cgroups go, or undefined when no writable pids controller exists (cached). */
export function pidCgroupBase(): Promise<Base | undefined> {
  basePromise ??= enabled ? findBase().catch(() => undefined) : Promise.resolve(undefined);
  return basePromise;
}

let enabled = true;

/** Turns the cgroup process limit off (or back on) for this process; the watchdog remains. */
export function usePidCgroups(on: boolean): void {
  enabled = on;
  basePromise = undefined;
}

async function findBase(): Promise<Base | undefined> {
  if (process.platform !== 'linux' || !isRoot()) return undefined;
  const self = readFileSync('/proc/self/cgroup', 'utf8').split('\n');
  // cgroup v1: a `pids` hierarchy; nest under our own pids cgroup so outer limits still apply.
  const v1 = self.map((l) => l.split(':')).find((f) => f.length >= 3 && f[1]!.split(',').includes('pids'));
  const v1Root = '/sys/fs/cgroup/pids';
  if (v1 && existsSync(path.join(v1Root, 'cgroup.procs'))) {
    const dir = path.join(v1Root, v1.slice(2).join(':'), 'skvm-sandbox');
    if (await prepare(dir, 'v1')) return { kind: 'v1', dir };
  }
  // cgroup v2 (unified at /sys/fs/cgroup): needs `pids` delegated from the root.
  const v2Root = '/sys/fs/cgroup';
  const controllers = await fsp.readFile(path.join(v2Root, 'cgroup.subtree_control'), 'utf8').catch(() => '');
  if (controllers.split(/\s+/).includes('pids')) {
    const dir = path.join(v2Root, 'skvm-sandbox');
    if (await prepare(dir, 'v2')) return { kind: 'v2', dir };
  }
  return undefined;
}

/** Creates the base, enables pids for its children (v2), proves a child gets pids.max. */
async function prepare(dir: string, kind: 'v1' | 'v2'): Promise<boolean> {
  try {
    await fsp.mkdir(dir, { recursive: true });
    if (kind === 'v2') await fsp.writeFile(path.join(dir, 'cgroup.subtree_control'), '+pids');
    // Leftovers of crashed engines (named `<pid>-…`, pid gone): remove the empty ones. Never
    // touch a live engine's cgroups — one may be empty only because its command is starting.
    for (const e of await fsp.readdir(dir, { withFileTypes: true })) {
      const owner = Number(/^(\d+)-/.exec(e.name)?.[1]);
      if (e.isDirectory() && owner > 0 && !pidAlive(owner)) await fsp.rmdir(path.join(dir, e.name)).catch(() => undefined);
    }
    const probe = path.join(dir, `${process.pid}-probe`);
    await fsp.mkdir(probe);
    try {
      await fsp.writeFile(path.join(probe, 'pids.max'), '8');
      return (await fsp.readFile(path.join(probe, 'pids.max'), 'utf8')).trim() === '8';
    } finally {
      await fsp.rmdir(probe).catch(() => undefined);
    }
  } catch {
    return false;
  }
}

/** A fresh cgroup allowing at most `max` processes, or undefined (no usable pids controller). */
export async function createPidCgroup(token: string, max: number): Promise<PidCgroup | undefined> {
  const base = await pidCgroupBase();
  if (!base) return undefined;
  for (const d of leftovers) tryRemove(d);
  const dir = path.join(base.dir, `${process.pid}-${token}`);
  try {
    await fsp.mkdir(dir);
    await fsp.writeFile(path.join(dir, 'pids.max'), String(max));
  } catch {
    await fsp.rmdir(dir).catch(() => undefined);
    return undefined;
  }
  const read = (name: string) => {
    try {
      return readFileSync(path.join(dir, name), 'utf8');
    } catch {
      return '';
    }
  };
  return {
    dir,
    current: () => Number(read('pids.current').trim()) || 0,
    refused: () => Number(/^max (\d+)/m.exec(read('pids.events'))?.[1] ?? 0),
    pids: () =>
      read('cgroup.procs')
        .split('\n')
        .filter(Boolean)
        .map(Number)
        .filter((n) => Number.isInteger(n) && n > 1 && n !== process.pid),
    remove: () => {
      if (tryRemove(dir)) return;
      // Members that were just killed may take a moment to be reaped.
      leftovers.add(dir);
      for (const ms of [100, 1000, 5000]) setTimeout(() => leftovers.has(dir) && tryRemove(dir), ms).unref();
    },
  };
}


function tryRemove(dir: string): boolean {
  try {
    rmdirSync(dir);
    leftovers.delete(dir);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      leftovers.delete(dir);
      return true;
    }
    return false;
  }
}

/**
 * Arguments that make the spawned process wait on fd 3 until `admit` has moved it into the
 * cgroup, then exec `file args…`: it runs nothing before it is inside, so nothing it starts can
 * be outside. The engine moves it (as root), which also works when the command runs as an
 * unprivileged identity that could not write cgroup.procs itself. Exit 125 if the move failed.
 */
export function gateArgs(file: string, args: string[]): { file: string; args: string[] } {
  return {
    file: '/bin/sh',
    args: ['-c', 'read -r go <&3; exec 3<&-; [ "$go" = go ] || { echo "skvm sandbox: cannot join the process-limit cgroup" >&2; exit 125; }; exec "$@"', 'skvm-gate', file, ...args],
  };
}

/** Moves `pid` (waiting at the gate) into the cgroup; resolves false when the kernel refused. */
export async function admit(cg: PidCgroup, pid: number): Promise<boolean> {
  // Asynchronous: the kernel takes milliseconds to migrate a task, and a blocked event loop would stall every other run.
  try {
    await fsp.writeFile(path.join(cg.dir, 'cgroup.procs'), String(pid));
    return true;
  } catch {
    return false;
  }
}

/**
 * What bounds the number of processes a command can have: `cgroup` (kernel-enforced pids.max),
 * `rlimit` (not root: RLIMIT_NPROC plus the watchdog) or `watchdog` (root without a usable
 * cgroup: polling only, which a real fork bomb outruns — see procs.ts).
 */
export async function processLimitSupport(): Promise<'cgroup' | 'rlimit' | 'watchdog'> {
  if (await pidCgroupBase()) return 'cgroup';
  return isRoot() ? 'watchdog' : 'rlimit';
}
