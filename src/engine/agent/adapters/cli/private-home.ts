import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { createWorkDir, removeWorkDir } from '../../../sandbox/index.js';
import type { RunScope } from '../types.js';

/**
 * A private home for one harness run: HOME and the harness's config dir point inside it, so the
 * harness reads only the configuration we give it and writes its sessions where we can read and
 * then delete them. It is a sibling of the work directory (same temp root), named like a work
 * directory so a crashed process's homes are swept with its work directories; the run scope
 * removes it however the run ends.
 */
export async function openPrivateHome(workDir: string, harness: string, scope: RunScope): Promise<string> {
  const home = await runSibling(workDir, `skvm-home-${harness}-`, scope);
  await fsp.mkdir(path.join(home, 'tmp'));
  return home;
}

/**
 * A folder only the engine may touch, beside the home, for the harness's stdout when the run
 * keeps no conversation log: a home handed to an unprivileged harness user is that user's, who
 * could swap a file there for a link to one of root's before the engine reads it back.
 */
export function openEngineDir(workDir: string, harness: string, scope: RunScope): Promise<string> {
  return runSibling(workDir, `skvm-out-${harness}-`, scope);
}

async function runSibling(workDir: string, prefix: string, scope: RunScope): Promise<string> {
  const tmpRoot = path.dirname(workDir);
  const dir = await createWorkDir({ tmpRoot, prefix });
  scope.defer(() => removeWorkDir(dir, { tmpRoot }));
  return dir;
}

/**
 * Native mode: copies the named entries (files or folders) of the user's own harness directory
 * into the private home. The originals are only read, never changed; missing entries are
 * skipped. Returns the names copied.
 */
export async function copyUserConfig(fromDir: string, toDir: string, entries: readonly string[]): Promise<string[]> {
  await fsp.mkdir(toDir, { recursive: true });
  const copied: string[] = [];
  for (const name of entries) {
    const src = path.join(fromDir, name);
    const st = await fsp.stat(src).catch(() => undefined);
    if (!st) continue;
    await fsp.cp(src, path.join(toDir, name), { recursive: true, dereference: true, preserveTimestamps: true });
    copied.push(name);
  }
  return copied;
}
