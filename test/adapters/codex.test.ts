import { beforeAll, describe, it } from 'vitest';
import { codex } from '../../scripts/transcript-fixtures/harnesses.js';
import { tempDirs } from '../tmp.js';
import { expectTaskDone, installOrReason, runRealHarness } from './real-cli.js';

/** The real Codex CLI through the codex adapter, managed mode, against the simulator (npm run test:adapters). */

const tmp = tempDirs('skvm-adapter-codex-');
let installed: Awaited<ReturnType<typeof installOrReason>>;
beforeAll(async () => {
  installed = await installOrReason(codex.cli);
}, 600_000);

describe.each(['inject', 'discover'] as const)('codex adapter, real CLI, skill %s', (skillMode) => {
  it('runs the task: files, steps with exit codes, tokens, skillLoaded, log, cleanup', async (ctx) => {
    if (!installed.cli) {
      // An uninstallable CLI is reported, never passed silently.
      console.warn(`skipped: ${installed.reason}`);
      ctx.skip(installed.reason);
      return;
    }
    const r = await runRealHarness({ adapter: 'codex', bin: installed.cli.binPath, kind: 'openai-compatible', model: 'sim/sim-codex', skillMode, tmpRoot: tmp() });
    await expectTaskDone(r, skillMode);
  });
});
