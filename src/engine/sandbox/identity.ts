import { randomInt } from 'node:crypto';
import { lstatSync, promises as fsp, statSync, type Stats } from 'node:fs';
import * as path from 'node:path';
import { SandboxUnavailableError, SandboxViolation } from './errors.js';
import { isRoot } from './limits.js';
import { pidsOfUid } from './procs.js';

/**
 * Commands never run as root. When the engine runs as root, every work directory gets an
 * unprivileged uid (and gid) of its own, recorded as the directory's owner, and every command
 * in it — agent, `_setup.sh`, grader — is spawned with that uid. With it a command cannot read
 * the engine's /proc/<pid>/environ, signal the engine, or write root's files, in any mode; and
 * runs cannot touch each other (different uids, directories of mode 0700).
 *
 * The uids come from 0x70000000–0x70ffffff, a range no distribution assigns (systemd documents
 * 1879048192–2147352575 as unused); they have no passwd entry, so `whoami` fails inside.
 *
 * Handing over: files the engine writes as root (fixtures, write_file, an eval copy) are
 * chowned to the uid before a command starts. The walk never follows a symlink and skips files
 * with more than one link, and runs only when no process of the uid is alive (leftovers are
 * killed first, commands of the same work dir are counted), so nothing can swap the tree under it.
 */

export interface CommandIdentity {
  uid: number;
  gid: number;
}

const FIRST_ID = 0x70000000;
const ID_COUNT = 0x01000000;

export function isCommandUid(uid: number): boolean {
  return uid >= FIRST_ID && uid < FIRST_ID + ID_COUNT;
}

/** An unused id from the range (for the bubblewrap probe). */
export function freshIdentity(): CommandIdentity {
  const id = FIRST_ID + randomInt(ID_COUNT);
  return { uid: id, gid: id };
}

interface Active {
  users: number;
  ready: Promise<void>;
}
const active = new Map<number, Active>();
const draining = new Map<number, Promise<void>>();

export interface Entered {
  identity: CommandIdentity;
  /** Call once the command is over: the last one out kills whatever of the uid is left. */
  leave(): Promise<void>;
}

/**
 * The identity commands in `workDir` run as, the tree handed over to it; undefined when the
 * engine is not root (commands then run as the engine's own user).
 */
export async function enterWorkDir(workDir: string): Promise<Entered | undefined> {
  if (!isRoot()) return undefined;
  if (process.platform !== 'linux') {
    throw new SandboxUnavailableError('auto', `the server runs as root, and commands can be moved to an unprivileged user only on Linux (this is ${process.platform})`);
  }
  const identity = await identityOf(workDir);
  let a = active.get(identity.uid);
  if (!a) {
    // A previous last command may still be killing its leftovers: start after it, or it would kill ours.
    const before = draining.get(identity.uid) ?? Promise.resolve();
    a = { users: 0, ready: before.then(() => killAll(identity.uid)).then(() => handOver(workDir, identity)) };
    active.set(identity.uid, a);
  }
  a.users++;
  const entry = a;
  let left = false;
  const leave = async () => {
    if (left) return;
    left = true;
    if (--entry.users > 0) return;
    if (active.get(identity.uid) === entry) active.delete(identity.uid);
    const done = killAll(identity.uid);
    draining.set(identity.uid, done);
    await done;
    if (draining.get(identity.uid) === done) draining.delete(identity.uid);
  };
  try {
    await entry.ready;
  } catch (err) {
    await leave();
    throw err;
  }
  return { identity, leave };
}

/** Gives a directory the engine made for one command (its private TMPDIR) to the identity. */
export async function giveTo(dir: string, id: CommandIdentity): Promise<void> {
  await fsp.lchown(dir, id.uid, id.gid);
}

/** Work dirs whose identity is being settled: parallel commands of one turn must agree on one. */
const settling = new Map<string, Promise<CommandIdentity>>();

function identityOf(workDir: string): Promise<CommandIdentity> {
  let p = settling.get(workDir);
  if (!p) {
    p = settleIdentity(workDir).finally(() => settling.delete(workDir));
    settling.set(workDir, p);
  }
  return p;
}

async function settleIdentity(workDir: string): Promise<CommandIdentity> {
  const st = await fsp.lstat(workDir);
  if (isCommandUid(st.uid)) return { uid: st.uid, gid: st.uid };
  if (st.uid !== 0) {
    throw new SandboxViolation(`Refused work directory: it belongs to uid ${st.uid}, neither to this engine nor to one of its command identities.`, 'Create work directories with createWorkDir.');
  }
  const id = freshIdentity();
  await fsp.lchown(workDir, id.uid, id.gid);
  return id;
}

/**
 * Gives a whole tree the engine wrote for the identity (a CLI harness's private home) to it, by
 * the same rules as a work directory's hand-over. Only while no process of the uid runs.
 */
export async function handOverTree(dir: string, id: CommandIdentity): Promise<void> {
  await handOverDir(dir, id, undefined);
}

/** When each uid's tree was last handed over (ms, with a margin for coarse file-system clocks). */
const handedOver = new Map<number, number>();
const CLOCK_MARGIN_MS = 2000;

/**
 * Chowns every entry not yet owned by `id`; symlinks and multiply-linked files are left alone.
 * After the first time, only folders modified since the last hand-over have their files looked
 * at (a new file or folder changes its parent's mtime; a file rewritten in place keeps its
 * owner), so a command in a 10 000-file work dir does not lstat every file again.
 */
async function handOver(dir: string, id: CommandIdentity): Promise<void> {
  const started = Date.now();
  await handOverDir(dir, id, handedOver.get(id.uid));
  handedOver.set(id.uid, started - CLOCK_MARGIN_MS);
}

async function handOverDir(dir: string, id: CommandIdentity, since: number | undefined): Promise<void> {
  const st = await fsp.lstat(dir);
  if (st.uid !== id.uid || st.gid !== id.gid) await fsp.lchown(dir, id.uid, id.gid);
  const changed = since === undefined || st.mtimeMs >= since;
  for (const e of await fsp.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      await handOverDir(p, id, since);
      continue;
    }
    if (!changed || e.isSymbolicLink()) continue;
    const s = await fsp.lstat(p).catch(() => undefined);
    if (!s || s.isSymbolicLink() || s.isDirectory() || s.nlink > 1) continue;
    if (s.uid !== id.uid || s.gid !== id.gid) await fsp.lchown(p, id.uid, id.gid);
  }
}

/** SIGKILLs every process of `uid` until none is left (bounded: ~2 s). */
async function killAll(uid: number): Promise<void> {
  for (let i = 0, waited = 0; waited < 2000; i++) {
    const pids = pidsOfUid(uid);
    if (pids.length === 0) return;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    // A command's last processes are usually just exiting: look again soon, then back off.
    const wait = Math.min(20, 2 ** i);
    await new Promise((r) => setTimeout(r, wait));
    waited += wait;
  }
}

/**
 * Whether `identity` can reach `p`: every ancestor searchable by it (mode bits only). Without
 * an identity commands run as the engine's own user, which reaches whatever the engine reaches.
 */
export function reachableBy(p: string, identity: CommandIdentity | undefined): boolean {
  if (!identity) return true;
  let cur = path.resolve(p);
  for (;;) {
    const parent = path.dirname(cur);
    if (parent === cur) return true;
    let st: Stats;
    try {
      st = lstatSync(parent);
    } catch {
      return false;
    }
    if ((modeFor(st, identity) & 0o1) === 0) return false;
    cur = parent;
  }
}

/**
 * Whether `identity` can execute the file at real path `file` (and read it, when `script`: an
 * interpreter reads it): reachable, and its mode bits for the identity allow it.
 */
export function runnableBy(file: string, identity: CommandIdentity | undefined, script: boolean): boolean {
  if (!identity) return true;
  if (!reachableBy(file, identity)) return false;
  let st: Stats;
  try {
    st = statSync(file);
  } catch {
    return false;
  }
  const need = script ? 0o5 : 0o1;
  return st.isFile() && (modeFor(st, identity) & need) === need;
}

/** The rwx bits (0–7) of `st` that apply to `identity`: owner's, group's or others'. */
function modeFor(st: Stats, identity: CommandIdentity): number {
  const shift = st.uid === identity.uid ? 6 : st.gid === identity.gid ? 3 : 0;
  return (st.mode >> shift) & 0o7;
}
