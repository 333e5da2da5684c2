import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The real upstream SkVM data (profiles, task.json and SKILL.md files) that tests read to prove
 * compatibility. It lives outside the repository — never copied in — at `../shared` beside the
 * checkout; SKVM_UPSTREAM_DATA points elsewhere. Missing data fails the tests that need it.
 */
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const candidates = [process.env.SKVM_UPSTREAM_DATA, path.resolve(repo, '../shared/skvm-data-upstream'), '/work/shared/skvm-data-upstream'].filter(
  (p): p is string => !!p,
);

export const UPSTREAM_ROOT: string = candidates.find((p) => existsSync(path.join(p, 'profiles'))) ?? candidates[0]!;
export const UPSTREAM_PROFILES = path.join(UPSTREAM_ROOT, 'profiles');

export function requireUpstream(): string {
  if (!existsSync(UPSTREAM_PROFILES)) {
    throw new Error(`Upstream SkVM data not found (looked in ${candidates.join(', ')}); set SKVM_UPSTREAM_DATA to its folder.`);
  }
  return UPSTREAM_ROOT;
}
