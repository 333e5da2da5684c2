/** Resolving the profile a user means (harness optional, model id or directory name), with suggestions when unknown. */
import * as path from 'node:path';
import { closestMatches } from '../util/closest.js';
import { NotFoundError, UsageError } from '../util/errors.js';
import { readDirents } from './io.js';
import { listProfileKeys, type ProfileKey } from './list.js';
import { LATEST_FILE, VERSION_FILE, checkHarnessName, toModelDirName } from './names.js';

// ── resolving a reference ───────────────────────────────────────────────────────

export interface ProfileRef {
  harness: string;
  dirName: string;
}

function suggestKeys(keys: readonly ProfileKey[], harness: string | undefined, dirName: string): string[] {
  const full = keys.map((k) => `${k.harness}/${k.dirName}`);
  if (harness) {
    const byFull = closestMatches(`${harness}/${dirName}`, full, 3);
    if (byFull.length > 0) return byFull;
  }
  const near = new Set(closestMatches(dirName, keys.map((k) => k.dirName), 3));
  return full.filter((f) => near.has(f.slice(f.indexOf('/') + 1))).slice(0, 5);
}

export function notFound(keys: readonly ProfileKey[], harness: string | undefined, dirName: string, what = 'profile'): NotFoundError {
  const name = harness ? `${harness}/${dirName}` : dirName;
  const hint = keys.length === 0 ? 'The profile cache is empty: import profiles with profiles_import or profile the model first.' : 'profiles_list shows every cached profile.';
  return new NotFoundError(what, name, suggestKeys(keys, harness, dirName), hint);
}

export async function hasProfileFiles(dir: string): Promise<boolean> {
  for (const d of await readDirents(dir)) if (d.isFile() && (d.name === LATEST_FILE || VERSION_FILE.test(d.name))) return true;
  return false;
}

/**
 * Find the profile a user means. `model` may be a model id (`openrouter/qwen/qwen3.5-9b`) or
 * a directory name (`openrouter--qwen--qwen3.5-9b`). Without `harness`, the only harness
 * holding that model is chosen; several → UsageError listing them. Unknown → NotFoundError.
 */
export async function resolveProfileRef(profilesDir: string, ref: { harness?: string; model: string }): Promise<ProfileRef> {
  const dirName = toModelDirName(ref.model);
  if (ref.harness !== undefined && ref.harness !== '') {
    const harness = checkHarnessName(ref.harness);
    if (await hasProfileFiles(path.join(profilesDir, harness, dirName))) return { harness, dirName };
    throw notFound(await listProfileKeys(profilesDir), harness, dirName);
  }
  const keys = await listProfileKeys(profilesDir);
  const matches = keys.filter((k) => k.dirName === dirName);
  if (matches.length === 1) return { harness: matches[0]!.harness, dirName };
  if (matches.length > 1) {
    throw new UsageError(
      `Model "${ref.model}" has profiles under several harnesses: ${matches.map((m) => m.harness).join(', ')}.`,
      `Pass harness to choose one (e.g. harness "${matches[0]!.harness}").`,
    );
  }
  throw notFound(keys, undefined, dirName);
}
