import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { walkContained, type WalkedFile } from '../skills/walk.js';

/**
 * The files of a skill folder as proposals see it: everything except `.git`/`.DS_Store` at
 * any depth and the optimizer's `.optimize/` workspace at the top. The same filter decides
 * what `original/` and `round-<n>/` hold and what accept compares, so they always agree.
 */
const NEVER_COPIED = new Set(['.git', '.DS_Store']);
const OPTIMIZER_WORKSPACE = '.optimize';

export async function listSkillFiles(dir: string): Promise<{ files: WalkedFile[]; notes: string[] }> {
  return walkContained(dir, { skip: (rel, name) => NEVER_COPIED.has(name) || rel === OPTIMIZER_WORKSPACE });
}

/** Copies the skill folder `from` into `to` (created; must not hold other files). Symlinks are resolved into files. */
export async function copySkillFolder(from: string, to: string): Promise<string[]> {
  const { files } = await listSkillFiles(from);
  await fsp.mkdir(to, { recursive: true });
  for (const f of files) {
    const target = path.join(to, f.rel);
    await fsp.mkdir(path.dirname(target), { recursive: true });
    await fsp.copyFile(f.source, target);
    await fsp.chmod(target, f.mode & 0o777);
  }
  return files.map((f) => f.rel);
}
