import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll } from 'vitest';

/**
 * Temporary directories for one test file: `make()` creates `<os tmp>/<prefix>XXXXXX`, and all
 * of them are removed when the file's tests are done. `everyone`: mode 0755 instead of 0700, for
 * stand-in harness binaries — a root engine runs harnesses as an unprivileged user, which must
 * reach them.
 */
export function tempDirs(prefix: string, opts: { everyone?: boolean } = {}): (subPrefix?: string) => string {
  const made: string[] = [];
  afterAll(() => {
    for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  return (subPrefix) => {
    const d = mkdtempSync(path.join(tmpdir(), subPrefix ?? prefix));
    if (opts.everyone) chmodSync(d, 0o755);
    made.push(d);
    return d;
  };
}
