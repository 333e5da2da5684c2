import { beforeAll, describe, it } from 'vitest';
import { claudeCode } from '../../scripts/transcript-fixtures/harnesses.js';
import { tempDirs } from '../tmp.js';
import { expectTaskDone, installOrReason, runRealHarness } from './real-cli.js';

/** The real Claude Code CLI through the claude-code adapter, managed mode, against the simulator (npm run test:adapters). */

const tmp = tempDirs('skvm-adapter-claude-code-');
let installed: Awaited<ReturnType<typeof installOrReason>>;
beforeAll(async () => {
  installed = await installOrReason(claudeCode.cli);
}, 600_000);

describe.each(['inject', 'discover'] as const)('claude-code adapter, real CLI, skill %s', (skillMode) => {
  it('runs the task: files, steps with exit codes, tokens, skillLoaded, log, cleanup', async (ctx) => {
    if (!installed.cli) {
      // An uninstallable CLI is reported, never passed silently.
      console.warn(`skipped: ${installed.reason}`);
      ctx.skip(installed.reason);
      return;
    }
    const r = await runRealHarness({ adapter: 'claude-code', bin: installed.cli.binPath, kind: 'anthropic', model: 'simanth/claude-sim-1', skillMode, tmpRoot: tmp() });
    await expectTaskDone(r, skillMode);
  });
});
