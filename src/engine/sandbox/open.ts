import { constants, existsSync, promises as fsp, type Dirent, type Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import * as path from 'node:path';
import { SandboxViolation } from './errors.js';
import { HARD_LINK_HINT, hardLinkMessage, isInside, resolveInWorkDir } from './paths.js';

/**
 * Opening a model-named file of the work directory without a race. resolveInWorkDir checks
 * names; a process that still runs (a parallel tool call, a leftover daemon) could swap a
 * component for a symlink, or the file for a hard link, between that check and the open. So:
 *
 * - Linux: the path is walked from the work directory one component at a time, each opened
 *   relative to the directory opened before it (`/proc/self/fd/<fd>/<name>`) with O_NOFOLLOW:
 *   no link is followed anywhere, whatever the names point to by the time of the open.
 * - elsewhere: the file is opened with O_NOFOLLOW; afterwards its real path must still be inside
 *   and name the same inode (device and inode number) as the open file.
 *
 * After the open, fstat decides: a regular file with exactly one link (fifos would block, and
 * a second hard link may lie outside the work directory).
 */

export interface OpenedFile {
  handle: FileHandle;
  stat: Stats;
}

const FD_DIR = '/proc/self/fd';
const WALK = process.platform === 'linux' && existsSync(FD_DIR);
const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK, O_DIRECTORY } = constants;

/** Opens a file for reading. Rejects with ENOENT / EISDIR errors (code set) or SandboxViolation. */
export async function openForRead(workDir: string, userPath: string): Promise<OpenedFile> {
  const target = await locate(workDir, userPath, false);
  const handle = await openLast(target, O_RDONLY | O_NONBLOCK);
  return checked(handle, target, userPath);
}

/**
 * Opens a file for replacing its content (created, with missing parent folders, when absent).
 * Nothing is truncated before the checks pass; the caller truncates and writes.
 */
export async function openForWrite(workDir: string, userPath: string): Promise<OpenedFile> {
  const target = await locate(workDir, userPath, true);
  let handle: FileHandle;
  try {
    handle = await openLast(target, O_WRONLY | O_NONBLOCK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    handle = await openLast(target, O_WRONLY | O_CREAT | O_EXCL, 0o666);
  }
  return checked(handle, target, userPath);
}

/** The entries of a directory of the work directory, read through the same walk. */
export async function listInWorkDir(workDir: string, userPath: string): Promise<Dirent[]> {
  const target = await locate(workDir, userPath, false);
  if (!WALK) return fsp.readdir(target.resolved, { withFileTypes: true });
  const dir = await openLast(target, O_RDONLY | O_DIRECTORY);
  try {
    return await fsp.readdir(`${FD_DIR}/${dir.fd}`, { withFileTypes: true });
  } finally {
    await dir.close();
  }
}

interface Target {
  root: string;
  resolved: string;
  /** Components below the root; the last one is the file. */
  parts: string[];
  create: boolean;
  shown: string;
}

async function locate(workDir: string, userPath: string, forWrite: boolean): Promise<Target> {
  const resolved = await resolveInWorkDir(workDir, userPath, { forWrite });
  const root = await fsp.realpath(workDir);
  const parts = path.relative(root, resolved).split(path.sep).filter(Boolean);
  return { root, resolved, parts, create: forWrite, shown: JSON.stringify(userPath.length > 200 ? `${userPath.slice(0, 200)}…` : userPath) };
}

/** Opens the last component with `flags` (plus O_NOFOLLOW). */
async function openLast(t: Target, flags: number, mode?: number): Promise<FileHandle> {
  if (!WALK) return fsp.open(t.resolved, flags | O_NOFOLLOW, mode).catch((err: NodeJS.ErrnoException) => Promise.reject(walkError(err, t, true)));
  let dir = await fsp.open(t.root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
  if (t.parts.length === 0) return dir; // the work directory itself (list_directory ".")
  try {
    for (const name of t.parts.slice(0, -1)) {
      const at = `${FD_DIR}/${dir.fd}/${name}`;
      if (t.create) await fsp.mkdir(at).catch((err: NodeJS.ErrnoException) => (err.code === 'EEXIST' ? undefined : Promise.reject(err)));
      const next = await fsp.open(at, O_RDONLY | O_DIRECTORY | O_NOFOLLOW).catch((err: NodeJS.ErrnoException) => Promise.reject(walkError(err, t, false)));
      await dir.close();
      dir = next;
    }
    return await fsp.open(`${FD_DIR}/${dir.fd}/${t.parts.at(-1)!}`, flags | O_NOFOLLOW, mode).catch((err: NodeJS.ErrnoException) => Promise.reject(walkError(err, t, true)));
  } finally {
    await dir.close().catch(() => undefined);
  }
}

/**
 * Errors of the walk in terms of the path the model gave (never the /proc path): ELOOP means a
 * component resolveInWorkDir just accepted was swapped for a symbolic link.
 */
function walkError(err: NodeJS.ErrnoException, t: Target, last: boolean): Error {
  if (err.code === 'ELOOP' || err.code === 'EMLINK') {
    return new SandboxViolation(`Refused path ${t.shown}: it was changed into a symbolic link while being opened.`);
  }
  if (err.code === 'ENOTDIR') return Object.assign(new Error(last ? `${t.shown} is a file, not a directory` : `a parent folder of ${t.shown} is a file`), { code: 'ENOTDIR' });
  if (err.code === 'ENOENT') return Object.assign(new Error(`${t.shown} does not exist`), { code: 'ENOENT' });
  return err;
}

async function checked(handle: FileHandle, t: Target, userPath: string): Promise<OpenedFile> {
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) throw Object.assign(new Error(`${userPath} is a directory`), { code: 'EISDIR' });
    if (!stat.isFile()) throw new SandboxViolation(`Refused path ${t.shown}: it is not a regular file (a fifo, socket or device).`, 'Name a regular file.');
    if (stat.nlink !== 1) throw new SandboxViolation(hardLinkMessage(t.shown, stat.nlink), HARD_LINK_HINT);
    if (!WALK) await sameInodeInside(stat, t);
    return { handle, stat };
  } catch (err) {
    await handle.close().catch(() => undefined);
    throw err;
  }
}

async function sameInodeInside(stat: Stats, t: Target): Promise<void> {
  const real = await fsp.realpath(t.resolved).catch(() => '');
  const now = real ? await fsp.lstat(real).catch(() => undefined) : undefined;
  if (!real || !isInside(t.root, real) || !now || now.dev !== stat.dev || now.ino !== stat.ino) {
    throw new SandboxViolation(`Refused path ${t.shown}: it was moved or replaced while being opened.`);
  }
}
