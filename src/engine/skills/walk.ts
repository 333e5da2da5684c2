import { promises as fsp } from 'node:fs';
import * as path from 'node:path';

/**
 * Recursive listing of a folder that never leaves it: a symlink is followed only when its
 * target (resolved) lies inside the folder; one leading elsewhere, a broken one, a loop or
 * anything that is not a regular file or directory is skipped with a note. Used for skill
 * bundle files and for a task's `fixtures/` tree.
 */

export interface WalkedFile {
  /** Path relative to the root, always with `/` separators. */
  rel: string;
  /** Real path of the file to read (symlinks resolved, inside the root). */
  source: string;
  /** File mode bits of the source. */
  mode: number;
}

export interface WalkOptions {
  /** Return true to leave out an entry (and, for a folder, everything under it). */
  skip?: (rel: string, name: string) => boolean;
  /** Stop listing after this many files (a note says so). Default 10000. */
  maxFiles?: number;
}

export interface WalkResult {
  /** Sorted by `rel`. */
  files: WalkedFile[];
  notes: string[];
}

export function isInside(root: string, candidate: string): boolean {
  if (candidate === root) return true;
  const rel = path.relative(root, candidate);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

export async function walkContained(root: string, opts: WalkOptions = {}): Promise<WalkResult> {
  const realRoot = await fsp.realpath(root);
  const maxFiles = opts.maxFiles ?? 10_000;
  const files: WalkedFile[] = [];
  const notes: string[] = [];
  let capped = false;

  const visit = async (realDir: string, relDir: string, ancestors: Set<string>): Promise<void> => {
    const entries = await fsp.readdir(realDir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (capped) return;
      const rel = relDir ? `${relDir}/${entry.name}` : entry.name;
      if (opts.skip?.(rel, entry.name)) continue;
      let target = path.join(realDir, entry.name);
      if (entry.isSymbolicLink()) {
        let real: string;
        try {
          real = await fsp.realpath(target);
        } catch {
          notes.push(`skipped ${rel}: broken symlink`);
          continue;
        }
        if (!isInside(realRoot, real)) {
          notes.push(`skipped ${rel}: symlink points outside the folder`);
          continue;
        }
        target = real;
      }
      let stat;
      try {
        stat = await fsp.stat(target);
      } catch (err) {
        notes.push(`skipped ${rel}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`);
        continue;
      }
      if (stat.isDirectory()) {
        if (ancestors.has(target)) {
          notes.push(`skipped ${rel}: symlink loop`);
          continue;
        }
        await visit(target, rel, new Set([...ancestors, target]));
      } else if (stat.isFile()) {
        if (files.length >= maxFiles) {
          capped = true;
          notes.push(`stopped listing after ${maxFiles} files`);
          return;
        }
        files.push({ rel, source: target, mode: stat.mode });
      } else {
        notes.push(`skipped ${rel}: not a regular file`);
      }
    }
  };

  await visit(realRoot, '', new Set([realRoot]));
  files.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  return { files, notes };
}

/**
 * Copies what `walkContained(from, opts)` finds into `to` (created, even when empty), modes kept
 * with `addMode` bits added (a workspace copy an agent must be able to edit adds 0o200). Returns
 * the copied relative paths.
 */
export async function copyContained(from: string, to: string, opts: WalkOptions & { addMode?: number } = {}): Promise<string[]> {
  const { files } = await walkContained(from, opts);
  await fsp.mkdir(to, { recursive: true });
  for (const f of files) {
    const target = path.join(to, f.rel);
    await fsp.mkdir(path.dirname(target), { recursive: true });
    await fsp.copyFile(f.source, target);
    await fsp.chmod(target, (f.mode & 0o777) | (opts.addMode ?? 0));
  }
  return files.map((f) => f.rel);
}
