import { describe, expect, it } from 'vitest';
import { tempDirs } from '../../../test/tmp.js';
import { acquireOptimizeLock } from './lock.js';

const tmp = tempDirs('skvm-jit-lock-');
const key = { harness: 'bare-agent', targetModel: 'sim/target', skillName: 'slug-rules' };

describe('per-skill optimize lock (spec §5.8)', () => {
  it('refuses a second optimizer of the same skill, naming the holder, and frees on release', async () => {
    const dir = tmp();
    const held = await acquireOptimizeLock(dir, key, 'run-1');
    await expect(acquireOptimizeLock(dir, key, 'run-2')).rejects.toMatchObject({
      code: 'optimize_running',
      message: expect.stringMatching(/^another optimization is in progress for bare-agent\/sim\/target\/slug-rules: run run-1 \(process \d+ on /),
    });
    await held.release();
    const again = await acquireOptimizeLock(dir, key, undefined);
    await again.release();
  });
});
