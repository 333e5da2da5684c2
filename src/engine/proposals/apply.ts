import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { isInside } from '../skills/walk.js';
import { SkvmError, errorMessage } from '../util/errors.js';
import { isPlainRelPath } from './tree.js';

/**
 * Applies a set of file writes and deletions to a folder, all or nothing: every file it
 * replaces or deletes is first copied into `backupDir`; on any error every step already taken
 * is undone from there, so the folder is left as it was. Each write lands via a temp file and
 * a rename, so no file is ever seen half-written. Used by accept and by rollback.
 */

export type Change = { rel: string; kind: 'write'; source: string; mode: number } | { rel: string; kind: 'delete' };

export interface ApplyOptions {
  /** Called before each change (progress); a throw aborts and undoes everything. */
  onStep?(done: number, total: number, rel: string): void | Promise<void>;
  /** Checked before each change: cancelling undoes what was done. */
  signal?: AbortSignal;
}

export interface ApplyResult {
  /** rel paths copied into backupDir before being replaced or deleted. */
  backedUp: string[];
  /** Folders created for new files; folders emptied by deletions and removed. */
  createdDirs: string[];
  removedDirs: string[];
}

/** The absolute path of `rel` inside `root`, refusing anything that would leave it. */
export function resolveInside(root: string, rel: string): string {
  const abs = path.resolve(root, ...rel.split('/'));
  if (!isPlainRelPath(rel) || !isInside(root, abs) || abs === root) {
    throw new SkvmError(`Refusing to write ${JSON.stringify(rel)}: it is not a plain path inside ${root}.`, { code: 'unsafe_tree' });
  }
  return abs;
}

/** Refuses when any folder between root and the file is a symlink (it could lead anywhere). */
async function checkParents(root: string, abs: string): Promise<void> {
  let dir = path.dirname(abs);
  while (dir !== root && isInside(root, dir)) {
    const st = await fsp.lstat(dir).catch(() => null);
    if (st?.isSymbolicLink()) throw new SkvmError(`Refusing to write through the symlink ${dir}.`, { code: 'unsafe_tree' });
    if (st && !st.isDirectory()) throw new SkvmError(`${dir} is a file where a folder is needed.`);
    dir = path.dirname(dir);
  }
}

async function copyExact(source: string, dest: string, mode: number): Promise<void> {
  const tmp = `${dest}.skvm-${randomBytes(4).toString('hex')}.tmp`;
  try {
    await fsp.copyFile(source, tmp);
    await fsp.chmod(tmp, mode);
    await fsp.rename(tmp, dest);
  } catch (err) {
    await fsp.rm(tmp, { force: true });
    throw err;
  }
}

/** Creates the missing folders above `abs`, returning those it created (outermost first). */
async function mkdirs(root: string, abs: string): Promise<string[]> {
  const missing: string[] = [];
  for (let dir = path.dirname(abs); dir !== root && isInside(root, dir); dir = path.dirname(dir)) {
    if (await fsp.lstat(dir).then(() => true, () => false)) break;
    missing.unshift(dir);
  }
  for (const d of missing) await fsp.mkdir(d);
  return missing;
}

/** Removes the folders above `abs` that are now empty, up to root (innermost first). */
async function pruneEmpty(root: string, abs: string): Promise<string[]> {
  const removed: string[] = [];
  for (let dir = path.dirname(abs); dir !== root && isInside(root, dir); dir = path.dirname(dir)) {
    if ((await fsp.readdir(dir)).length > 0) break;
    await fsp.rmdir(dir);
    removed.push(dir);
  }
  return removed;
}

export async function applyChanges(root: string, changes: readonly Change[], backupDir: string, opts: ApplyOptions = {}): Promise<ApplyResult> {
  const rel = (abs: string) => path.relative(root, abs).split(path.sep).join('/');
  // Undo steps, run in reverse on failure.
  const undo: Array<() => Promise<void>> = [];
  const result: ApplyResult = { backedUp: [], createdDirs: [], removedDirs: [] };
  const targets = changes.map((c) => resolveInside(root, c.rel));
  // Writes before deletions: a deletion may empty a folder a write still needs.
  const order = changes.map((_, i) => i).sort((a, b) => (changes[a]!.kind === changes[b]!.kind ? a - b : changes[a]!.kind === 'write' ? -1 : 1));
  try {
    let done = 0;
    for (const i of order) {
      const c = changes[i]!;
      const abs = targets[i]!;
      opts.signal?.throwIfAborted();
      await opts.onStep?.(done++, changes.length, c.rel);
      await checkParents(root, abs);
      const before = await fsp.lstat(abs).catch(() => null);
      if (before && !before.isFile()) throw new SkvmError(`Refusing to replace ${abs}: it is not a regular file.`, { code: 'unsafe_tree' });
      if (before) {
        const backup = path.join(backupDir, ...c.rel.split('/'));
        await fsp.mkdir(path.dirname(backup), { recursive: true });
        await fsp.copyFile(abs, backup);
        await fsp.chmod(backup, before.mode & 0o777);
        result.backedUp.push(c.rel);
        undo.push(() => copyExact(backup, abs, before.mode & 0o777));
      }
      if (c.kind === 'write') {
        const created = await mkdirs(root, abs);
        result.createdDirs.push(...created.map(rel));
        undo.push(async () => {
          for (const d of [...created].reverse()) await fsp.rmdir(d).catch(() => {});
        });
        if (!before) undo.push(() => fsp.rm(abs, { force: true }));
        await copyExact(c.source, abs, c.mode);
      } else if (before) {
        await fsp.rm(abs);
        const removed = await pruneEmpty(root, abs);
        result.removedDirs.push(...removed.map(rel));
        undo.push(async () => {
          for (const d of [...removed].reverse()) await fsp.mkdir(d, { recursive: true });
        });
      }
    }
    return result;
  } catch (err) {
    const failures: string[] = [];
    for (const step of undo.reverse()) {
      try {
        await step();
      } catch (undoErr) {
        failures.push(errorMessage(undoErr));
      }
    }
    if (failures.length > 0) {
      throw new SkvmError(`Applying failed (${errorMessage(err)}) and undoing it failed too: ${failures.join('; ')}.`, {
        hint: `Every replaced file is backed up in ${backupDir}; copy it back by hand.`,
        cause: err,
      });
    }
    throw err;
  }
}
