import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { echoGen, fileGen, profileDirs, startTarget, type SimTarget } from '../../../test/profiler/sim-harness.js';
import { probeRegistryObserver, withLatency, type PlantedLevel } from '../sim/index.js';
import { SkvmError } from '../util/errors.js';
import { silentLogger } from '../util/log.js';
import { profileLockPath } from './job-lock.js';
import { profileMany, profileModel } from './profile.js';
import type { ProfileModelOptions } from './session-types.js';

/**
 * One profiling per (model, harness) at a time, within a process and across processes (the
 * cross-process proof with two CLI processes is test/profiler/two-processes.test.ts).
 */

const MODEL = 'sim/planted';
const LEVELS: Record<string, PlantedLevel> = { 'test.echo': 'L2', 'test.file': 'L1' };
const dirs = profileDirs();
const targets: SimTarget[] = [];
afterEach(async () => {
  await Promise.all(targets.splice(0).map((t) => t.close()));
});

async function slowTarget(): Promise<SimTarget> {
  const t = await startTarget(LEVELS, (p) => withLatency(p, { fixedMs: 40 }));
  targets.push(t);
  return t;
}

function options(t: SimTarget, d: ReturnType<typeof dirs>, over: Partial<ProfileModelOptions> = {}): ProfileModelOptions {
  return { model: MODEL, llm: t.client(), ...d, sandbox: { mode: 'auto' }, generators: [echoGen, fileGen], onProbe: probeRegistryObserver(t.registryDir), profileSeed: 99, concurrency: 4, log: silentLogger, ...over };
}

/** Resolves once the lock file of the job exists (the first run holds it). */
async function lockTaken(file: string): Promise<void> {
  for (let i = 0; i < 400 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 5));
  if (!existsSync(file)) throw new Error(`${file} never appeared`);
}

describe('one profiling per model and harness', () => {
  it('a second run of the same job waits for the first and reuses its profile without running a probe', async () => {
    const t = await slowTarget();
    const d = dirs();
    const first = profileModel(options(t, d, { runId: 'run-first' }));
    await lockTaken(profileLockPath(d.profilesDir, { model: MODEL, harness: 'bare-agent' }));
    const progress: string[] = [];
    // force would redo everything; after waiting, the other run's fresh profile is what it gets.
    const second = profileModel(options(t, d, { runId: 'run-second', force: true, onProgress: (_d, _t, m) => progress.push(m) }));
    const [a, b] = await Promise.all([first, second]);
    expect(a.cached).toBe(false);
    expect(b.cached).toBe(true);
    expect(b.tcp).toEqual(a.tcp);
    expect(t.sim.stats().requests).toBe(a.stats.llmCalls);
    expect(progress[0]).toMatch(/^waiting for run run-first \(process \d+ on .+\), which is profiling sim\/planted on bare-agent$/);
    expect(existsSync(profileLockPath(d.profilesDir, { model: MODEL, harness: 'bare-agent' }))).toBe(false);
  }, 60_000);

  it("with ifRunning 'fail' the job fails at once naming the other run, and the others go on", async () => {
    const t = await slowTarget();
    const d = dirs();
    const first = profileModel(options(t, d, { runId: 'run-first' }));
    await lockTaken(profileLockPath(d.profilesDir, { model: MODEL, harness: 'bare-agent' }));
    const out = await profileMany([{ model: MODEL }, { model: 'sim/other' }], { ...options(t, d), ifRunning: 'fail' });
    const [busy, other] = out.jobs;
    expect(busy!.ok).toBe(false);
    if (busy!.ok) return;
    expect(busy!.message).toMatch(/^sim\/planted on bare-agent is already being profiled by run run-first \(process \d+/);
    expect((busy!.error as SkvmError).code).toBe('profile_running');
    expect(other!.ok).toBe(true);
    expect((await first).cached).toBe(false);
  }, 60_000);

  it('a lock left by a process that died is taken over', async () => {
    const t = await slowTarget();
    const d = dirs();
    const file = profileLockPath(d.profilesDir, { model: MODEL, harness: 'bare-agent' });
    mkdirSync(path.dirname(file), { recursive: true });
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    writeFileSync(file, JSON.stringify({ pid: dead, host: os.hostname(), startedAt: new Date().toISOString(), token: 'gone', runId: 'run-crashed' }));
    const r = await profileModel(options(t, d));
    expect(r.cached).toBe(false);
    expect(r.stats.probeRuns).toBe(18);
    expect(existsSync(file)).toBe(false);
  }, 60_000);
});
