import { beforeAll, describe, it } from 'vitest';
import { tempDirs } from '../tmp.js';
import { expectTaskDone, installOrReason, runRealHarness } from './real-cli.js';

/** The real OpenClaw CLI through the openclaw adapter, managed mode, against the simulator (npm run test:adapters). */

const OPENCLAW = { pkg: 'openclaw', version: '2026.9.6', bin: 'openclaw' };
/** openclaw 2026.9.6's package.json engines; its preinstall script refuses older Node. */
const NODE_MIN = [24, 16];

const tmp = tempDirs('skvm-adapter-openclaw-');
let installed: Awaited<ReturnType<typeof installOrReason>>;
beforeAll(async () => {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  const oldNode = major < NODE_MIN[0]! || (major === NODE_MIN[0] && minor < NODE_MIN[1]!);
  installed = oldNode ? { reason: `${OPENCLAW.pkg}@${OPENCLAW.version} requires Node >= ${NODE_MIN.join('.')}; this is Node ${process.versions.node}` } : await installOrReason(OPENCLAW);
}, 600_000);

describe.each(['inject', 'discover'] as const)('openclaw adapter, real CLI, skill %s', (skillMode) => {
  it('runs the task: files, steps with exit codes, tokens, skillLoaded, log, cleanup', async (ctx) => {
    if (!installed.cli) {
      // An uninstallable CLI is reported, never passed silently.
      console.warn(`skipped: ${installed.reason}`);
      ctx.skip(installed.reason);
      return;
    }
    const r = await runRealHarness({ adapter: 'openclaw', bin: installed.cli.binPath, kind: 'openai-compatible', model: 'sim/sim-openclaw', skillMode, tmpRoot: tmp() });
    await expectTaskDone(r, skillMode);
  });
});
