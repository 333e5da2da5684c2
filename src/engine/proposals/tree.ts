import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { copyContained, isInside, walkContained, type WalkedFile } from '../skills/walk.js';
import { SkvmError } from '../util/errors.js';

/**
 * The files of a skill folder as proposals see it: everything except `.git`/`.DS_Store` at any
 * depth and the optimizer's `.optimize/` workspace at the top. The same filter decides what
 * `original/` and `round-<n>/` hold and what accept compares, so they always agree.
 */
const NEVER_COPIED = new Set(['.git', '.DS_Store']);
const OPTIMIZER_WORKSPACE = '.optimize';

function skipped(rel: string, name: string): boolean {
  return NEVER_COPIED.has(name) || rel === OPTIMIZER_WORKSPACE;
}

export async function listSkillFiles(dir: string): Promise<{ files: WalkedFile[]; notes: string[] }> {
  return walkContained(dir, { skip: skipped });
}

/** Copies the skill folder `from` into `to` (created). Symlinks inside the folder are resolved into files. */
export function copySkillFolder(from: string, to: string): Promise<string[]> {
  return copyContained(from, to, { skip: skipped });
}

export interface TreeFile {
  abs: string;
  mode: number;
  size: number;
}

export interface Tree {
  root: string;
  /** rel path (`/`-separated) → file. */
  files: Map<string, TreeFile>;
  /** rel paths of folders (for cleaning up folders a change empties). */
  dirs: Set<string>;
  /** Why the tree cannot be trusted for writing: symlinks, special files, odd names. */
  problems: string[];
}

/**
 * A name that is a plain path segment on every platform: no `..`/`.` segment, no backslash
 * (a separator on Windows), no control character. Anything else is refused where files are
 * written from a proposal.
 */
export function isPlainRelPath(rel: string): boolean {
  if (!rel || rel.startsWith('/')) return false;
  return rel.split('/').every((s) => s !== '' && s !== '.' && s !== '..' && !s.includes('\\') && !/[\u0000-\u001f\u007f]/.test(s));
}

/**
 * Lists a folder without following any symlink: a symlink, a special file or an odd name is a
 * problem, never silently skipped, because accept and rollback write from and into these trees.
 * A missing folder is an empty tree.
 */
export async function readTree(root: string): Promise<Tree> {
  const tree: Tree = { root, files: new Map(), dirs: new Set(), problems: [] };
  const visit = async (dir: string, relDir: string): Promise<void> => {
    let entries;
    try {
      entries = await fsp.readdir(dir, { withFileTypes: true });
    } catch (err) {
      if (relDir === '' && (err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const rel = relDir ? `${relDir}/${e.name}` : e.name;
      if (skipped(rel, e.name)) continue;
      const abs = path.join(dir, e.name);
      if (!isPlainRelPath(rel) || !isInside(root, abs)) tree.problems.push(`${JSON.stringify(rel)}: not a plain file name`);
      else if (e.isSymbolicLink()) tree.problems.push(`${rel}: is a symlink`);
      else if (e.isDirectory()) {
        tree.dirs.add(rel);
        await visit(abs, rel);
      } else if (e.isFile()) {
        const st = await fsp.lstat(abs);
        tree.files.set(rel, { abs, mode: st.mode & 0o777, size: st.size });
      } else tree.problems.push(`${rel}: not a regular file`);
    }
  };
  await visit(root, '');
  return tree;
}

/** readTree, refusing a tree with problems (named in the error). */
export async function readTrustedTree(root: string, what: string): Promise<Tree> {
  const tree = await readTree(root);
  if (tree.problems.length > 0) {
    throw new SkvmError(`Refusing: ${what} (${root}) holds entries that cannot be deployed safely: ${tree.problems.slice(0, 5).join('; ')}${tree.problems.length > 5 ? ` (+${tree.problems.length - 5} more)` : ''}.`, {
      hint: 'Symlinks, special files and names with "..", "\\" or control characters are never written; remove them and retry.',
      code: 'unsafe_tree',
    });
  }
  return tree;
}

export async function sha256File(file: string): Promise<string> {
  return createHash('sha256').update(await fsp.readFile(file)).digest('hex');
}
