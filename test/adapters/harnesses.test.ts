import { chmodSync, linkSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { claudeCode, codex, pi } from '../../scripts/transcript-fixtures/harnesses.js';
import { CancelledError } from '../../src/engine/util/errors.js';
import { tempDirs } from '../tmp.js';
import { isCommandUid } from '../../src/engine/sandbox/identity.js';
import { cancelRealHarness, expectTaskDone, installOrReason, runRealHarness, toolRecords } from './real-cli.js';

/**
 * Each adapter with its real CLI (the pinned version, installed into the cache outside the repo)
 * in managed mode against the simulator: one task with a skill in inject and in discover mode,
 * and a run cancelled while the model hangs. A CLI that cannot be installed makes its tests
 * report "skipped: <reason>". Under a root engine (CI) every CLI runs as the work dir's
 * unprivileged user: the simulated model then makes it try to read root's files.
 */

const IS_ROOT = process.getuid?.() === 0;
const ROOT_SECRET = 'root-only-secret-0600-do-not-leak';

const tmp = tempDirs('skvm-adapter-real-');
const HARNESSES = [
  { adapter: 'claude-code', fixture: claudeCode, kind: 'anthropic', model: 'simanth/claude-sim-1' },
  { adapter: 'codex', fixture: codex, kind: 'openai-compatible', model: 'sim/sim-codex' },
  { adapter: 'pi', fixture: pi, kind: 'openai-compatible', model: 'sim/sim-pi' },
  { adapter: 'opencode', fixture: { cli: { pkg: 'opencode-ai', version: '1.18.33', bin: 'opencode' } }, kind: 'openai-compatible', model: 'sim/sim-oc' },
] as const;

describe.each(HARNESSES)('$adapter adapter with the real CLI', ({ adapter, fixture, kind, model }) => {
  const installing = installOrReason(fixture.cli);
  async function binOrSkip(ctx: { skip: (note?: string) => void }): Promise<string | undefined> {
    const installed = await installing;
    if (installed.cli) return installed.cli.binPath;
    // An uninstallable CLI is reported, never passed silently.
    console.warn(`skipped: ${installed.reason}`);
    ctx.skip(installed.reason);
    return undefined;
  }

  it.each(['inject', 'discover'] as const)('skill %s: files, steps with exit codes, tokens, skillLoaded, log, cleanup', async (skillMode, ctx) => {
    const bin = await binOrSkip(ctx);
    if (!bin) return;
    const r = await runRealHarness({ adapter, bin, kind, model, skillMode, tmpRoot: tmp() });
    await expectTaskDone(r, skillMode);
  });

  if (adapter === 'claude-code') {
    it('maxSteps becomes --max-turns: stopping there is a normal finish, not a crash', async (ctx) => {
      const bin = await binOrSkip(ctx);
      if (!bin) return;
      const { run } = await runRealHarness({ adapter, bin, kind, model, skillMode: 'inject', tmpRoot: tmp(), maxSteps: 2 });
      expect(run.runStatus, JSON.stringify(run.adapterError ?? {})).toBe('ok');
      expect(run.statusDetail).toBe('claude-code stopped at the turn limit (maxSteps)');
      expect(run.steps.filter((s) => s.role === 'assistant' && s.toolCalls.length > 0)).toHaveLength(2);
    });

    it('config extraCliArgs reach the real command line: --append-system-prompt lands in what the model is sent', async (ctx) => {
      const bin = await binOrSkip(ctx);
      if (!bin) return;
      const marker = 'skvm-extra-cli-arg-marker: answer in plain text.';
      const r = await runRealHarness({ adapter, bin, kind, model, skillMode: 'discover', tmpRoot: tmp(), adapterConfig: { extraCliArgs: ['--append-system-prompt', marker] } });
      await expectTaskDone(r, 'discover');
      const asked = r.requests.filter((q) => q.tools.length > 0);
      expect(asked.length).toBeGreaterThan(0);
      for (const q of asked) expect(q.system ?? '').toContain(marker);
    });
  }

  it.runIf(IS_ROOT)('root engine: the harness and its commands run unprivileged — a 0600 root file and the engine\'s /proc environ are refused', async (ctx) => {
    const bin = await binOrSkip(ctx);
    if (!bin) return;
    const tmpRoot = tmp();
    const secret = path.join(tmpRoot, 'root-secret.txt');
    writeFileSync(secret, `${ROOT_SECRET}\n`);
    chmodSync(secret, 0o600);
    // Inside the work dir, so no harness refuses the path as outside its project: a second hard
    // link is never handed over (identity.ts), so the file stays root's; the link leads to /proc.
    const fill = async (workDir: string) => {
      linkSync(secret, path.join(workDir, 'root-secret.txt'));
      symlinkSync(`/proc/${process.pid}/environ`, path.join(workDir, 'engine-environ'));
    };
    const r = await runRealHarness({ adapter, bin, kind, model, skillMode: 'inject', tmpRoot, fill, task: { failingCommand: 'cat root-secret.txt engine-environ', succeedingCommand: 'id -u' } });
    expect(r.run.runStatus, `${r.run.statusDetail ?? ''}`).toBe('ok');
    const tools = toolRecords(r.run);
    const denied = tools.find((t) => JSON.stringify(t.input).includes('engine-environ'));
    expect(denied, JSON.stringify(tools)).toBeDefined();
    expect(denied!.exitCode).not.toBe(0);
    expect(denied!.output).toMatch(/root-secret\.txt: Permission denied/);
    expect(denied!.output).toMatch(/engine-environ: Permission denied/);
    expect(r.convLog).not.toContain(ROOT_SECRET);
    expect(r.convLog).not.toMatch(/PATH=\//);
    const whoami = tools.find((t) => JSON.stringify(t.input).includes('id -u'));
    expect(isCommandUid(Number(whoami?.output?.trim().split('\n').pop()))).toBe(true);
  });

  it('cancelled while the model hangs: CancelledError within seconds, no process left in the work dir, home and work dir removed', async (ctx) => {
    const bin = await binOrSkip(ctx);
    if (!bin) return;
    const c = await cancelRealHarness({ adapter, bin, kind, model, tmpRoot: tmp() });
    expect(c.error).toBeInstanceOf(CancelledError);
    expect(c.requestsBeforeCancel).toBeGreaterThan(0);
    expect(c.elapsedMs).toBeLessThan(10_000);
    expect(c.survivors).toEqual([]);
    expect(c.leftInTmpRoot).toEqual([]);
  });
});
