import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { SandboxViolation } from './errors.js';

/**
 * Path confinement for model- and task-supplied paths (read_file, write_file, file-check, a
 * command's cwd). The returned path is real (every existing component resolved, no `..`, no
 * symlink left in it), so the caller opens exactly what was checked.
 *
 * Between this check and the caller's open a process that still runs (a parallel tool call)
 * could swap a component for a symlink: the agent's file tools therefore open through open.ts,
 * which re-checks after the open. Other callers (graders, probe checks) run when every process
 * of the run has been killed (runCommand reaps whole families).
 */

/** Symlink hops followed while resolving dangling links (the kernel's own limit is 40). */
const MAX_LINK_HOPS = 40;

/** `child` is `root` or inside it (both absolute and normalized). */
export function isInside(root: string, child: string): boolean {
  const rel = path.relative(root, child);
  return rel === '' || (rel !== '..' && !rel.startsWith('..' + path.sep) && !path.isAbsolute(rel));
}

/** The path relative to the work directory for display (`.` for the directory itself). */
export function relativeToWorkDir(workDir: string, absPath: string): string {
  const rel = path.relative(path.resolve(workDir), path.resolve(workDir, absPath));
  if (rel === '') return '.';
  if (!isInside(path.resolve(workDir), path.resolve(workDir, absPath))) return '(outside the work directory)';
  return rel.split(path.sep).join('/');
}

export interface ResolveOptions {
  /**
   * The path will be created or overwritten. The checks are the same (dangling symlinks are
   * always followed and checked, since a write through one would create its target); a write
   * target may additionally not be the work directory itself.
   */
  forWrite?: boolean;
}

/**
 * Resolves `userPath` (relative to the work dir, or absolute) to a real path inside the work
 * directory, or throws SandboxViolation. Refused: NUL bytes, lexical escapes (`..`, absolute
 * paths elsewhere), and any symlink along the path — including the last component, and for a
 * not-yet-existing file the nearest existing ancestor — whose target lies outside.
 */
export async function resolveInWorkDir(workDir: string, userPath: string, opts: ResolveOptions = {}): Promise<string> {
  if (typeof userPath !== 'string') throw new SandboxViolation('Refused path: it is not a string.');
  const shown = JSON.stringify(userPath.length > 200 ? `${userPath.slice(0, 200)}…` : userPath);
  if (userPath.includes('\0')) throw new SandboxViolation(`Refused path ${shown}: it contains a NUL byte.`);
  if (userPath.trim() === '') throw new SandboxViolation('Refused path "": it is empty.', 'Name a file inside the work directory, or "." for the directory itself.');

  const givenRoot = path.resolve(workDir);
  let root: string;
  try {
    root = await fsp.realpath(givenRoot);
  } catch {
    throw new SandboxViolation(`Refused path ${shown}: the work directory does not exist.`, 'The run’s work directory was removed or never created.');
  }

  // Lexical step: absolute paths are accepted when they name the work dir (as given or real).
  let candidate: string;
  if (path.isAbsolute(userPath)) {
    const abs = path.resolve(userPath);
    if (isInside(root, abs)) candidate = abs;
    else if (isInside(givenRoot, abs)) candidate = path.join(root, path.relative(givenRoot, abs));
    else throw new SandboxViolation(`Refused path ${shown}: it is an absolute path outside the work directory.`);
  } else {
    candidate = path.resolve(root, userPath);
    if (!isInside(root, candidate)) throw new SandboxViolation(`Refused path ${shown}: it leads outside the work directory (through "..").`);
  }

  for (let hop = 0; hop <= MAX_LINK_HOPS; hop++) {
    // Nearest existing ancestor-or-self (lstat: a dangling symlink exists as a link).
    let existing = candidate;
    const missing: string[] = [];
    for (;;) {
      try {
        await fsp.lstat(existing);
        break;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT' && code !== 'ENOTDIR') throw new SandboxViolation(`Refused path ${shown}: it cannot be inspected (${code ?? 'error'}).`);
        const parent = path.dirname(existing);
        if (parent === existing) throw new SandboxViolation(`Refused path ${shown}: the work directory does not exist.`);
        missing.unshift(path.basename(existing));
        existing = parent;
      }
    }

    let real: string;
    try {
      real = await fsp.realpath(existing);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ELOOP') throw new SandboxViolation(`Refused path ${shown}: it goes through a symlink loop.`);
      if (code !== 'ENOENT') throw new SandboxViolation(`Refused path ${shown}: it cannot be resolved (${code ?? 'error'}).`);
      // `existing` is a dangling symlink (or a chain ending in one). Reading through it finds
      // nothing, but writing through it would create its target: follow it and check that.
      const parentReal = await fsp.realpath(path.dirname(existing)).catch(() => undefined);
      const link = await fsp.readlink(existing).catch(() => undefined);
      if (parentReal === undefined || link === undefined) throw new SandboxViolation(`Refused path ${shown}: it cannot be resolved.`);
      if (!isInside(root, parentReal)) throw new SandboxViolation(`Refused path ${shown}: ${await culprit(root, candidate)} leads outside the work directory.`);
      const target = path.resolve(parentReal, link, ...missing);
      if (!isInside(root, target)) {
        throw new SandboxViolation(`Refused path ${shown}: it goes through a dangling symbolic link that points outside the work directory.`);
      }
      candidate = target;
      continue;
    }

    if (!isInside(root, real)) {
      throw new SandboxViolation(`Refused path ${shown}: ${await culprit(root, candidate)} leads outside the work directory.`);
    }
    const resolved = missing.length === 0 ? real : path.join(real, ...missing);
    if (opts.forWrite && resolved === root) throw new SandboxViolation(`Refused path ${shown}: it names the work directory itself, not a file in it.`);
    if (missing.length === 0) await refuseHardLinked(resolved, shown);
    return resolved;
  }
  throw new SandboxViolation(`Refused path ${shown}: too many levels of symbolic links.`);
}

/**
 * A file with a second hard link is refused: that link may lie outside the work directory, and
 * names are all the checks above see. (Whether a path is a regular file is the caller's check:
 * open.ts refuses fifos and devices, file-check reports them.)
 */
async function refuseHardLinked(real: string, shown: string): Promise<void> {
  const st = await fsp.lstat(real).catch(() => undefined);
  if (st && !st.isDirectory() && st.nlink !== 1) throw new SandboxViolation(hardLinkMessage(shown, st.nlink), HARD_LINK_HINT);
}

export const HARD_LINK_HINT = 'Copy it (cp, not ln) so it has a single name, and use the copy.';

export function hardLinkMessage(shown: string, links: number): string {
  return `Refused path ${shown}: it is a file with ${links} hard links, and only files with a single link are read or written (another link may lie outside the work directory).`;
}

/**
 * Names the first component (relative to the work dir) whose real path is outside, for the
 * error message: "the symbolic link \"data/link\"". Never shows where the link points.
 */
async function culprit(root: string, candidate: string): Promise<string> {
  const parts = path.relative(root, candidate).split(path.sep).filter(Boolean);
  let cur = root;
  for (const p of parts) {
    cur = path.join(cur, p);
    let real: string;
    try {
      real = await fsp.realpath(cur);
    } catch {
      break;
    }
    if (!isInside(root, real)) return `the symbolic link "${path.relative(root, cur).split(path.sep).join('/')}"`;
  }
  return 'a symbolic link on the way';
}
