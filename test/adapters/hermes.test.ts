import { beforeAll, describe, it } from 'vitest';
import { tempDirs } from '../tmp.js';
import { expectTaskDone, installOrReason, runRealHarness } from './real-cli.js';

/**
 * The real Hermes Agent through the hermes adapter, managed mode, against the simulator (npm run
 * test:adapters). From npm it comes as the `hermes-agent` bridge, whose install script fetches
 * the Python runtime and Hermes itself from outside the npm registry.
 */

const HERMES = { pkg: 'hermes-agent', version: '0.21.5', bin: 'hermes' };
const tmp = tempDirs('skvm-adapter-hermes-');
let installed: Awaited<ReturnType<typeof installOrReason>>;
beforeAll(async () => {
  installed = await installOrReason(HERMES);
}, 600_000);

describe.each(['inject', 'discover'] as const)('hermes adapter, real CLI, skill %s', (skillMode) => {
  it('runs the task: files, steps with exit codes, tokens, skillLoaded, log, cleanup', async (ctx) => {
    if (!installed.cli) {
      // An uninstallable CLI is reported, never passed silently.
      console.warn(`skipped: ${installed.reason} (its install script fetches the Python runtime outside the npm registry)`);
      ctx.skip(installed.reason);
      return;
    }
    const r = await runRealHarness({ adapter: 'hermes', bin: installed.cli.binPath, kind: 'openai-compatible', model: 'sim/sim-hermes', skillMode, tmpRoot: tmp() });
    await expectTaskDone(r, skillMode);
  });
});
