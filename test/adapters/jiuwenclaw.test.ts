import { promises as fsp } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { which } from '../../src/engine/util/which.js';
import { tempDirs } from '../tmp.js';
import { runRealHarness } from './real-cli.js';

/**
 * The real JiuwenClaw through the jiuwenclaw adapter, managed mode, against the simulator (npm
 * run test:adapters). JiuwenClaw is a Python package (PyPI `jiuwenclaw`) with no npm release,
 * so it is used only when `jiuwenclaw-cli` is already on PATH. Its skills travel in the prompt
 * (inject only). JiuwenClaw reports no usage and works in its own workspace, not the work
 * directory, so the checks are its steps, answer and skill, not the shared file checks.
 */

const tmp = tempDirs('skvm-adapter-jiuwenclaw-');

describe('jiuwenclaw adapter, real CLI, skill inject', () => {
  it('runs the task: tool steps with outputs, answer, skillLoaded, no usage, log, cleanup', async (ctx) => {
    const bin = which('jiuwenclaw-cli', process.env);
    if (!bin) {
      const reason = 'jiuwenclaw-cli is not on PATH (JiuwenClaw is published on PyPI only, not on the npm registry)';
      console.warn(`skipped: ${reason}`);
      ctx.skip(reason);
      return;
    }
    const r = await runRealHarness({ adapter: 'jiuwenclaw', bin, kind: 'openai-compatible', model: 'sim/sim-jiuwenclaw', skillMode: 'inject', tmpRoot: tmp() });
    expect(r.run.runStatus, `${r.run.statusDetail ?? ''} ${JSON.stringify(r.run.adapterError ?? {})}`).toBe('ok');
    const calls = r.run.steps.filter((s) => s.role === 'tool').flatMap((s) => s.toolCalls);
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.every((c) => c.output !== undefined)).toBe(true);
    expect(r.run.text.length).toBeGreaterThan(0);
    expect(r.run).toMatchObject({ skillLoaded: true, usageAvailable: false, cost: null });
    expect(r.convLog).toContain('jsonrpc_response');
    expect((await fsp.readdir(r.tmpRoot)).filter((n) => n.startsWith('skvm-home-'))).toEqual([]);
  });
});
