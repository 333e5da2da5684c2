import { beforeAll, describe, it } from 'vitest';
import { tempDirs } from '../tmp.js';
import { expectTaskDone, installOrReason, runRealHarness } from './real-cli.js';

/** The real opencode CLI through the opencode adapter, managed mode, against the simulator (npm run test:adapters). */

const OPENCODE = { pkg: 'opencode-ai', version: '1.18.33', bin: 'opencode' };
const tmp = tempDirs('skvm-adapter-opencode-');
let installed: Awaited<ReturnType<typeof installOrReason>>;
beforeAll(async () => {
  installed = await installOrReason(OPENCODE);
}, 600_000);

describe.each(['inject', 'discover'] as const)('opencode adapter, real CLI, skill %s', (skillMode) => {
  it('runs the task: files, steps with exit codes, tokens, skillLoaded, log, cleanup', async (ctx) => {
    if (!installed.cli) {
      // An uninstallable CLI is reported, never passed silently.
      console.warn(`skipped: ${installed.reason}`);
      ctx.skip(installed.reason);
      return;
    }
    const r = await runRealHarness({ adapter: 'opencode', bin: installed.cli.binPath, kind: 'openai-compatible', model: 'sim/sim-oc', skillMode, tmpRoot: tmp() });
    await expectTaskDone(r, skillMode);
  });
});
