import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SkvmError } from '../util/errors.js';
import { SandboxViolation } from './errors.js';
import { isCommandUid } from './identity.js';
import { ownerTag, sweepLeftovers } from './leftovers.js';

/**
 * Work directories: `<tmpRoot>/<prefix>_o<pid>.<start>_XXXXXX`, created with mkdtemp (mode 0700)
 * and named after the process that made them, so that what a dead process left is swept
 * (leftovers.ts); `keep: true` leaves the owner out (`<prefix>XXXXXX`). removeWorkDir
 * deletes recursively, so it only accepts a directory this module would have made: a real
 * directory (no symlink anywhere in its path), named with our prefix pattern, directly inside a
 * temp root this process created work directories in (or the OS temp dir, or `opts.tmpRoot`).
 */

/** Prefix characters accepted; `skvm-` is prepended when the prefix does not start with `skvm`. */
const PREFIX = /^[A-Za-z0-9._-]{1,64}$/;
/** What mkdtemp makes from a valid prefix: the prefix, the owner tag, six random characters. */
const NAME = /^skvm[A-Za-z0-9._-]{0,100}[A-Za-z0-9]{6}$/;

/** Real paths of temp roots used by createWorkDir in this process (each swept once). */
const knownRoots = new Set<string>();

export interface CreateWorkDirOptions {
  /** Directory to create it in (created if missing). */
  tmpRoot: string;
  /** Name prefix, e.g. `skvm-eval-`; `skvm-` is prepended unless it starts with `skvm`. */
  prefix: string;
  /** Never swept after this process ends (a work dir the user asked to keep). */
  keep?: boolean;
}

export async function createWorkDir(opts: CreateWorkDirOptions): Promise<string> {
  if (!PREFIX.test(opts.prefix)) {
    throw new SkvmError(`Work directory prefix ${JSON.stringify(opts.prefix)} is invalid.`, { hint: 'Use 1–64 letters, digits, dots, dashes or underscores.', code: 'usage' });
  }
  const prefix = opts.prefix.startsWith('skvm') ? opts.prefix : `skvm-${opts.prefix}`;
  const name = opts.keep ? prefix : `${prefix}${ownerTag()}`;
  const tmpRoot = path.resolve(opts.tmpRoot);
  try {
    // The root is a real path and mkdtemp made the last part: the result is a real path too.
    return await fsp.mkdtemp(path.join(await readyRoot(tmpRoot), name));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || !readyRoots.delete(tmpRoot)) throw err;
    return fsp.mkdtemp(path.join(await readyRoot(tmpRoot), name)); // the root was removed since: make it again
  }
}

/** Temp roots as given → their real paths, made and opened to command users (once per process: a profile makes hundreds of work dirs). */
const readyRoots = new Map<string, string>();

async function readyRoot(tmpRoot: string): Promise<string> {
  const ready = readyRoots.get(tmpRoot);
  if (ready !== undefined) return ready;
  await fsp.mkdir(tmpRoot, { recursive: true });
  const root = await fsp.realpath(tmpRoot);
  await letCommandsEnter(root);
  readyRoots.set(tmpRoot, root);
  if (!knownRoots.has(root)) {
    knownRoots.add(root);
    // Off the caller's path: what crashed processes left in this root.
    void sweepLeftovers(root, (d) => removeWorkDir(d, { tmpRoot: root })).catch(() => undefined);
  }
  return root;
}

export interface RemoveWorkDirOptions {
  /** A temp root to accept besides the OS temp dir and the roots used in this process. */
  tmpRoot?: string;
}

/** Deletes a work directory made by createWorkDir; refuses anything else (SandboxViolation). */
export async function removeWorkDir(dir: string, opts: RemoveWorkDirOptions = {}): Promise<void> {
  const refuse = (why: string) => new SandboxViolation(`Refused to remove ${JSON.stringify(dir)}: ${why}.`, 'Only work directories made by createWorkDir can be removed.');
  if (typeof dir !== 'string' || dir.includes('\0') || !path.isAbsolute(dir)) throw refuse('not an absolute path');
  const abs = path.resolve(dir);
  let st;
  try {
    st = await fsp.lstat(abs);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // already gone
    throw err;
  }
  if (!st.isDirectory()) throw refuse('it is not a directory (or it is a symlink)');
  if (!NAME.test(path.basename(abs))) throw refuse('its name does not match the work directory pattern');
  const real = await fsp.realpath(abs);
  if (real !== abs) throw refuse('its path goes through a symbolic link');
  const parent = path.dirname(real);
  if (!knownRoots.has(parent) && !(await otherTempRoots(opts.tmpRoot)).has(parent)) throw refuse('it is not directly inside a temp root');
  if (typeof process.getuid === 'function' && st.uid !== process.getuid() && !(process.getuid() === 0 && isCommandUid(st.uid))) throw refuse('it belongs to another user');
  try {
    await fsp.rm(real, { recursive: true, force: true, maxRetries: 2 });
  } catch (err) {
    // A command may have left directories without write/search permission (only matters when
    // not running as root): restore owner permissions, without following symlinks, and retry.
    if ((err as NodeJS.ErrnoException).code !== 'EACCES' && (err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
    await restoreOwnerPermissions(real);
    await fsp.rm(real, { recursive: true, force: true, maxRetries: 2 });
  }
}

/** The OS temp dir and `tmpRoot`, real paths: accepted by removeWorkDir besides the roots used here (resolved only when needed — one realpath each). */
async function otherTempRoots(tmpRoot: string | undefined): Promise<Set<string>> {
  const roots = new Set([await fsp.realpath(os.tmpdir()).catch(() => os.tmpdir())]);
  if (tmpRoot) roots.add(await fsp.realpath(tmpRoot).catch(() => path.resolve(tmpRoot)));
  return roots;
}

/**
 * A root engine runs commands as other users (identity.ts), who must be able to pass through the
 * temp root to their work directory: add search permission for others (not read: they still
 * cannot list it). Each work directory stays mode 0700, owned by its own command user.
 */
async function letCommandsEnter(root: string): Promise<void> {
  if (process.getuid?.() !== 0) return;
  const st = await fsp.stat(root);
  if ((st.mode & 0o001) === 0) await fsp.chmod(root, (st.mode & 0o7777) | 0o001);
}

async function restoreOwnerPermissions(dir: string): Promise<void> {
  await fsp.chmod(dir, 0o700).catch(() => undefined);
  const entries = await fsp.readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) if (e.isDirectory()) await restoreOwnerPermissions(path.join(dir, e.name));
}
