import { readFileSync, promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { pidAlive } from '../util/process.js';

/**
 * Work directories left by processes that died (a killed server's run dir, a crashed profile's
 * probe dirs). Every work directory's name carries its creator — `…_o<pid>.<start>_XXXXXX`, the
 * start time (clock ticks since boot, Linux) telling a reused pid apart — and the first
 * createWorkDir of a process in a temp root sweeps that root in the background: a directory is
 * removed only when its creator is gone. Directories of live processes (another server, a test
 * worker running beside this one) and directories created to be kept (`keep: true`, e.g. a
 * keepWorkDir run) are never touched, nor anything not named by us.
 */

const TAG = /_o(\d+)\.(\d+)_[A-Za-z0-9]{6}$/;

let ownStart: number | undefined;

/** This process's creator tag, placed between the prefix and mkdtemp's six characters. */
export function ownerTag(): string {
  ownStart ??= startTime(process.pid) ?? 0;
  return `_o${process.pid}.${ownStart}_`;
}

/** The creator of a work directory by its name, or undefined (kept, or not tagged). */
export function ownerOf(name: string): { pid: number; start: number } | undefined {
  const m = TAG.exec(name);
  return m ? { pid: Number(m[1]), start: Number(m[2]) } : undefined;
}

/** Whether the process that created a directory with this owner still runs. */
export function ownerAlive(owner: { pid: number; start: number }): boolean {
  if (owner.start === 0) return pidAlive(owner.pid); // no start time known (not Linux): a reused pid keeps the dir
  return startTime(owner.pid) === owner.start;
}

/** Removes, in `root`, the work directories whose creator is gone; returns how many. */
export async function sweepLeftovers(root: string, remove: (dir: string) => Promise<void>): Promise<number> {
  let names: string[];
  try {
    names = await fsp.readdir(root);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    const owner = ownerOf(name);
    if (!owner || ownerAlive(owner)) continue;
    try {
      await remove(path.join(root, name));
      removed++;
    } catch {
      // not ours after all (another user's, not a directory): leave it
    }
  }
  return removed;
}

function startTime(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const start = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    return Number.isFinite(start) ? start : undefined;
  } catch {
    return undefined;
  }
}
