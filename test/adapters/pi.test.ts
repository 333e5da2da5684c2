import { beforeAll, describe, it } from 'vitest';
import { pi } from '../../scripts/transcript-fixtures/harnesses.js';
import { tempDirs } from '../tmp.js';
import { expectTaskDone, installOrReason, runRealHarness } from './real-cli.js';

/** The real pi CLI through the pi adapter, managed mode, against the simulator (npm run test:adapters). */

const tmp = tempDirs('skvm-adapter-pi-');
let installed: Awaited<ReturnType<typeof installOrReason>>;
beforeAll(async () => {
  installed = await installOrReason(pi.cli);
}, 600_000);

describe.each(['inject', 'discover'] as const)('pi adapter, real CLI, skill %s', (skillMode) => {
  it('runs the task: files, steps with exit codes, tokens, skillLoaded, log, cleanup', async (ctx) => {
    if (!installed.cli) {
      // An uninstallable CLI is reported, never passed silently.
      console.warn(`skipped: ${installed.reason}`);
      ctx.skip(installed.reason);
      return;
    }
    const r = await runRealHarness({ adapter: 'pi', bin: installed.cli.binPath, kind: 'openai-compatible', model: 'sim/sim-pi', skillMode, tmpRoot: tmp() });
    await expectTaskDone(r, skillMode);
  });
});
