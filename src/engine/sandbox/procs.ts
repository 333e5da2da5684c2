import { readdirSync, readFileSync, statSync } from 'node:fs';
import type { PidCgroup } from './cgroup.js';

/**
 * Process accounting for one command (its *family*), from a pids cgroup when one is available
 * (cgroup.ts: exact, kernel-enforced) or else from /proc: the spawned process's group and
 * session plus all descendants, tracked by (pid, start time) so a setsid'd grandchild stays known
 * after its parent dies and a reused pid is never mistaken for a member. A per-run token in the
 * environment catches daemons that double-forked between two scans (unless they exec'd with a
 * cleared environment — under bubblewrap the pid namespace catches those as well).
 *
 * What contains what:
 * - kill(-pgid) reaches the whole process group atomically (fork bombs cannot outrun it), but not
 *   processes that called setsid()/setpgid().
 * - Individual kills of members reach those: all of them with a cgroup; without one, only a
 *   process that escapes between two scans AND clears its environment is missed (no bubblewrap).
 * - Under bubblewrap, killing bwrap kills its pid-namespace init (--die-with-parent), and the
 *   kernel then kills every process in the namespace: nothing escapes.
 * - Process count: a cgroup's pids.max makes fork() fail at the limit (the watchdog then kills
 *   the command). Without a cgroup, as root, only this polling watchdog counts — and a real fork
 *   bomb starves it: measured on a 2-CPU VM, the first poll ran 8 s late and saw ~28 000
 *   processes. So as root without a writable pids cgroup a fork bomb is NOT contained (it is
 *   killed eventually, after exhausting pids machine-wide). Non-root users also get RLIMIT_NPROC.
 */

export interface ProcInfo {
  pid: number;
  ppid: number;
  pgid: number;
  sid: number;
  /** Start time in clock ticks since boot (stat field 22): identifies the process with the pid. */
  start: number;
  /** Executable name (stat field 2). */
  comm: string;
}

export function parseStat(text: string): ProcInfo | undefined {
  const close = text.lastIndexOf(')');
  const open = text.indexOf('(');
  if (close < 0 || open < 0) return undefined;
  const pid = Number(text.slice(0, open).trim());
  const f = text.slice(close + 2).split(' ');
  // f[0] state, f[1] ppid, f[2] pgrp, f[3] session, … f[19] starttime
  const info = { pid, ppid: Number(f[1]), pgid: Number(f[2]), sid: Number(f[3]), start: Number(f[19]), comm: text.slice(open + 1, close) };
  if (!Number.isInteger(info.pid) || !Number.isInteger(info.ppid) || !Number.isFinite(info.start)) return undefined;
  if (f[0] === 'Z' || f[0] === 'X') return undefined; // zombies hold nothing and cannot be killed
  return info;
}

function readStat(pid: number): ProcInfo | undefined {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'latin1'));
  } catch {
    return undefined;
  }
}

/** Snapshot of every live process. Synchronous: one small read per process (~1 ms per 100). */
export function readProcTable(): Map<number, ProcInfo> {
  const table = new Map<number, ProcInfo>();
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return table;
  }
  for (const n of names) {
    const c = n.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const info = readStat(Number(n));
    if (info) table.set(info.pid, info);
  }
  return table;
}

/** Live processes of the user `uid` (what a command identity left behind). */
export function pidsOfUid(uid: number): number[] {
  return ownedBy(uid).filter((pid) => readStat(pid) !== undefined);
}

/**
 * Every process of `uid`, zombies included: what the kernel counts against RLIMIT_NPROC. Killed
 * processes stay zombies until their parent reaps them, and a container's init may take seconds.
 */
export function processCountOfUid(uid: number): number {
  return ownedBy(uid).length;
}

/** The owner from a stat of /proc/<pid> alone: no file is read (this runs around every command). */
function ownedBy(uid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (statSync(`/proc/${name}`).uid === uid) out.push(Number(name));
    } catch {
      // gone
    }
  }
  return out;
}

export class ProcessFamily {
  /** pid → start time of every member seen alive (0 when known from the cgroup). */
  private readonly members = new Map<number, number>();
  private readonly tokenBytes: Buffer;
  /** SIGTERM already sent to the process group / to these pids. */
  private groupTermed = false;
  private readonly termed = new Set<number>();

  constructor(
    readonly rootPid: number,
    token: string,
    /** When set, membership and the count come from the cgroup (exact), not from /proc. */
    readonly cgroup?: PidCgroup,
  ) {
    this.tokenBytes = Buffer.from(token);
  }

  get size(): number {
    return this.members.size;
  }

  /** Whether update() needs a /proc snapshot. */
  get needsTable(): boolean {
    return this.cgroup === undefined;
  }

  /** Refreshes membership (from the cgroup, else from a /proc snapshot); returns the live count. */
  update(table?: Map<number, ProcInfo>): number {
    if (this.cgroup) {
      this.members.clear();
      for (const pid of this.cgroup.pids()) if (safeToSignal(pid)) this.members.set(pid, 0);
      return this.members.size;
    }
    table ??= readProcTable();
    for (const [pid, start] of this.members) if (table.get(pid)?.start !== start) this.members.delete(pid);
    const root = this.rootPid;
    const children = new Map<number, number[]>();
    for (const p of table.values()) {
      if (p.pid === root || p.pgid === root || p.sid === root) this.add(p);
      let list = children.get(p.ppid);
      if (!list) children.set(p.ppid, (list = []));
      list.push(p.pid);
    }
    const queue = [...this.members.keys()];
    while (queue.length > 0) {
      const pid = queue.pop()!;
      for (const child of children.get(pid) ?? []) {
        if (this.members.has(child)) continue;
        const info = table.get(child);
        if (info) {
          this.add(info);
          queue.push(child);
        }
      }
    }
    return this.members.size;
  }

  /** Over budget: the cgroup refused a fork, or (no cgroup) more than `max` members. */
  exceeded(max: number): boolean {
    if (this.cgroup) return this.cgroup.refused() > 0;
    return this.members.size > max;
  }

  /** Adds processes whose environment carries the run token (reads every /proc/<pid>/environ). */
  addByToken(table: Map<number, ProcInfo>): void {
    if (this.cgroup) return; // nothing leaves a cgroup on its own
    for (const p of table.values()) {
      if (this.members.has(p.pid) || !safeToSignal(p.pid)) continue;
      let env: Buffer;
      try {
        env = readFileSync(`/proc/${p.pid}/environ`);
      } catch {
        continue;
      }
      // The token holds 128 random bits, so a substring match cannot be a coincidence.
      if (env.includes(this.tokenBytes)) this.add(p);
    }
  }

  /**
   * Sends `sig` to the process group first (one syscall, reaches the whole group even mid-fork),
   * then to every member: from the cgroup, or tracked members still alive with the same start time.
   * `spareRoot` (SIGTERM under bubblewrap): leave out the group, the root (bwrap), its direct
   * children (bwrap's pid 1) and any other bwrap (a root engine's inner one, bwrap.ts) — bwrap
   * dies on SIGTERM and takes the namespace down with SIGKILL, which would give the command no
   * chance to clean up. (A process that calls itself bwrap only escapes the SIGTERM: SIGKILL follows.)
   */
  signal(sig: NodeJS.Signals, opts: { spareRoot?: boolean } = {}): void {
    // SIGTERM reaches each process once: a trap that runs twice cleans up twice (or not at all).
    const once = sig === 'SIGTERM';
    const toGroup = !opts.spareRoot && !(once && this.groupTermed);
    if (toGroup) {
      try {
        process.kill(-this.rootPid, sig);
        if (once) this.groupTermed = true;
      } catch {
        // group gone
      }
    }
    const pids = this.cgroup ? this.cgroup.pids() : [...this.members.keys()];
    for (const pid of pids) {
      const info = readStat(pid);
      const known = this.members.get(pid);
      if (!info || (!this.cgroup && known !== info.start)) {
        this.members.delete(pid);
        continue;
      }
      if (opts.spareRoot && (pid === this.rootPid || info.ppid === this.rootPid || info.comm === 'bwrap')) continue;
      if (once && ((this.groupTermed && info.pgid === this.rootPid) || this.termed.has(pid))) continue;
      if (safeToSignal(pid)) {
        kill(pid, sig);
        if (once) this.termed.add(pid);
      }
    }
  }

  private add(p: ProcInfo): void {
    if (safeToSignal(p.pid)) this.members.set(p.pid, p.start);
  }
}

function kill(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // exited meanwhile
  }
}

/** Never the engine itself, its parent, or init. */
function safeToSignal(pid: number): boolean {
  return pid > 1 && pid !== process.pid && pid !== process.ppid;
}

// ---------------------------------------------------------------------------------------------
// One shared watchdog for all running commands: a single /proc scan per tick.

export const WATCH_INTERVAL_MS = 50;

interface Watched {
  family: ProcessFamily;
  max: number;
  onExceeded: (count: number) => void;
  fired: boolean;
}

const watched = new Set<Watched>();
let timer: NodeJS.Timeout | undefined;
let exitHookInstalled = false;

function tick(): void {
  if (watched.size === 0) return;
  let table: Map<number, ProcInfo> | undefined;
  for (const w of watched) {
    if (w.family.needsTable) table ??= readProcTable();
    w.family.update(table);
    if (!w.fired && w.family.exceeded(w.max)) {
      w.fired = true;
      w.onExceeded(w.family.size);
    }
  }
}

/** Tracks `family` until the returned function is called; `onExceeded` fires once past `max`. */
export function watchFamily(family: ProcessFamily, max: number, onExceeded: (count: number) => void): () => void {
  const w: Watched = { family, max, onExceeded, fired: false };
  watched.add(w);
  if (!timer) {
    timer = setInterval(tick, WATCH_INTERVAL_MS);
    timer.unref();
  }
  if (!exitHookInstalled) {
    // The engine is going away: take every running command with it (bwrap's --die-with-parent
    // does this by itself; unsandboxed commands run in their own session and would not).
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const x of watched) x.family.signal('SIGKILL');
    });
  }
  return () => {
    watched.delete(w);
    if (watched.size === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}

/** Runs one watchdog scan now; returns the /proc snapshot it took. */
export function scanNow(): Map<number, ProcInfo> {
  const table = readProcTable();
  for (const w of watched) {
    w.family.update(table);
    if (!w.fired && w.family.exceeded(w.max)) {
      w.fired = true;
      w.onExceeded(w.family.size);
    }
  }
  return table;
}
