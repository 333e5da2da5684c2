import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';

export async function pathExists(p: string): Promise<boolean> {
  try {
    await fsp.access(p);
    return true;
  } catch {
    return false;
  }
}

/**
 * Write a file so a concurrent reader sees either the old or the new content, never a
 * torn one: write a sibling temp file, fsync it, then rename over the target. `sync: false`
 * skips the fsync — for logs, where a crash may lose the file but a reader must never see
 * half of it — which keeps the disk off the caller's path.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, mode?: number, opts: { sync?: boolean } = {}): Promise<void> {
  await (await stageFile(file, data, mode, opts.sync !== false))();
}

/**
 * Several files written atomically (as writeFileAtomic, fsynced), made visible in the order
 * given: their temp files are written and synced together, then renamed one after another.
 */
export async function writeFilesAtomic(files: ReadonlyArray<readonly [file: string, data: string | Uint8Array]>): Promise<void> {
  const staged = await Promise.allSettled(files.map(([file, data]) => stageFile(file, data, undefined, true)));
  const failed = staged.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  const commits = staged.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  if (failed) {
    await Promise.all(commits.map((c) => c.discard()));
    throw failed.reason;
  }
  for (const commit of commits) await commit();
}

/** The temp file of an atomic write, written (and synced); call the result to rename it into place. */
async function stageFile(file: string, data: string | Uint8Array, mode: number | undefined, sync: boolean): Promise<(() => Promise<void>) & { discard(): Promise<void> }> {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await withParentDirs(file, () => fsp.open(tmp, 'w', mode ?? 0o644));
  try {
    await handle.writeFile(data);
    if (sync) await handle.sync();
  } finally {
    await handle.close();
  }
  const discard = () => fsp.rm(tmp, { force: true });
  const commit = async () => {
    try {
      if (mode !== undefined) await fsp.chmod(tmp, mode);
      await fsp.rename(tmp, file);
    } catch (err) {
      await discard();
      throw err;
    }
  };
  return Object.assign(commit, { discard });
}

/**
 * Write a file, making its folders only when they are missing: one fs call instead of two when
 * they exist (a profile writes several files per probe into a handful of folders).
 */
export async function writeFileMakingDirs(file: string, data: string | Uint8Array): Promise<void> {
  await withParentDirs(file, () => fsp.writeFile(file, data));
}

/** Run a write; when it fails because the file's folder is missing, make the folders and run it again. */
async function withParentDirs<T>(file: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    await fsp.mkdir(path.dirname(file), { recursive: true });
    return write();
  }
}

/** How our JSON files are laid out: two-space indent, a final newline. */
export function jsonFileText(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}

export async function writeJsonAtomic(file: string, value: unknown, mode?: number): Promise<void> {
  await writeFileAtomic(file, jsonFileText(value), mode);
}

/** Parse a JSON file; `undefined` when it does not exist. Parse errors name the file. */
export async function readJsonFile(file: string): Promise<unknown | undefined> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new Error(`${file} is not valid JSON: ${(err as Error).message}`);
  }
}

/** stat, or null when the path (or a parent) does not exist. */
export async function statOrNull(p: string) {
  try {
    return await fsp.stat(p);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw err;
  }
}

/** lstat (does not follow a final symlink), or null when the path does not exist. */
export async function lstatOrNull(p: string) {
  try {
    return await fsp.lstat(p);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw err;
  }
}

/** Expand a leading `~` and make the path absolute. */
export function expandPath(p: string, home: string, cwd: string = process.cwd()): string {
  let out = p;
  if (out === '~') out = home;
  else if (out.startsWith('~/')) out = path.join(home, out.slice(2));
  return path.resolve(cwd, out);
}
