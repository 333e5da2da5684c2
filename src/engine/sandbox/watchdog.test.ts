import * as os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newMark, survivors } from '../../../test/proc-marks.js';
import { sandboxSupport } from './bwrap.js';
import { processLimitSupport, usePidCgroups } from './cgroup.js';
import { runCommand } from './run.js';
import type { SandboxMode } from './types.js';
import { createWorkDir, removeWorkDir } from './workdir.js';

// The process-count watchdog alone (no pids cgroup), as on machines where none is writable.
// Bounded bombs only: as root nothing kernel-side would stop a real one (see procs.ts).
const MODES: SandboxMode[] = (await sandboxSupport()).available ? ['bwrap', 'none'] : ['none'];

let work: string;
beforeAll(async () => {
  usePidCgroups(false);
  work = await createWorkDir({ tmpRoot: os.tmpdir(), prefix: 'skvm-watchdog-' });
});
afterAll(async () => {
  usePidCgroups(true);
  await removeWorkDir(work);
});


describe.each(MODES)('watchdog without cgroup (mode %s)', (mode) => {
  it('reports the limit in use', async () => {
    expect(await processLimitSupport()).toBe(process.getuid?.() === 0 ? 'watchdog' : 'rlimit');
  });

  it('kills a command whose processes exceed maxProcesses, leaving nothing behind', async () => {
    const mark = newMark();
    const t = Date.now();
    // 50 processes that each live 30 s: over the budget of 32, under the kernel's backstop at twice
    // the budget (limits.ts), so what stops them is the watchdog.
    const r = await runCommand({
      command: 'i=0; while [ $i -lt 50 ]; do sleep 30 & i=$((i+1)); done; wait',
      cwd: work,
      workDir: work,
      timeoutMs: 10_000,
      mode,
      maxProcesses: 32,
      env: { SKVM_TEST_MARK: mark },
    });
    expect(r.limitExceeded).toBe('processes');
    expect(r.timedOut).toBe(false);
    expect(Date.now() - t).toBeLessThan(5000);
    expect(survivors(mark)).toEqual([]);
  });

  it('leaves a command within budget alone', async () => {
    const r = await runCommand({ command: 'for i in 1 2 3 4 5; do sleep 0.3 & done; wait; echo ok', cwd: work, workDir: work, timeoutMs: 10_000, mode, maxProcesses: 32 });
    expect(r).toMatchObject({ stdout: 'ok\n', exitCode: 0 });
    expect(r.limitExceeded).toBeUndefined();
  });
});
