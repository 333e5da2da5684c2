import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { wrapperScript } from './limits.js';

/** The limits the wrapper sets, read back from the kernel by the command it runs. */
function limitsUnder(shell: string[], script: string): string {
  const r = spawnSync(shell[0]!, [...shell.slice(1), '-c', script, 'skvm-sandbox', 'cat /proc/self/limits'], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

describe('wrapperScript', () => {
  const script = wrapperScript({ timeoutMs: 5000, maxFileBytes: 1024 * 1024, nproc: 77 });
  // Commands run under /bin/sh: dash on Debian and Ubuntu, bash in POSIX mode on macOS and Fedora.
  const shells = [['/bin/sh'], ['/bin/dash'], ['/bin/bash', '--posix']].filter(([s]) => existsSync(s!));
  for (const shell of shells) {
    it(`sets the process, file-size and core limits under ${shell.join(' ')}`, () => {
      const limits = limitsUnder(shell, script);
      expect(limits).toMatch(/^Max processes\s+77\s+77\s/m);
      expect(limits).toMatch(/^Max file size\s+1048576\s+1048576\s/m);
      expect(limits).toMatch(/^Max core file size\s+0\s+0\s/m);
    });
  }
});
