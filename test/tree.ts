import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';

/**
 * Everything under `dir`, byte for byte: each file's sha256 and each directory (`rel/` → 'dir'),
 * keyed by relative path. Two snapshots are equal exactly when nothing was written, removed or
 * changed — for tests that something (a dry run, a failed compile) touched nothing. A missing
 * directory is empty.
 */
export function treeSnapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string) => {
    for (const name of readdirSync(d).sort()) {
      const abs = path.join(d, name);
      const r = rel ? `${rel}/${name}` : name;
      if (statSync(abs).isDirectory()) {
        out[`${r}/`] = 'dir';
        walk(abs, r);
      } else out[r] = createHash('sha256').update(readFileSync(abs)).digest('hex');
    }
  };
  if (existsSync(dir)) walk(dir, '');
  return out;
}
