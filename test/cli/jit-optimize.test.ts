import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeConfigFile } from '../../src/engine/config/write.js';
import { jitOptimizePolicy, startSimServer, type SimServer } from '../../src/engine/sim/index.js';
import { CLI_ENTRY, outputOf, removeDir, tempDir } from '../e2e/harness.js';
import { JIT_SIM, MARKER, writeJitFixtures } from '../jit-sim.js';

/**
 * `skvm jit optimize` as a user runs it: the built bin in its own process, the simulator playing
 * optimizer and target. Progress on stderr, the summary and the diff of the best round on
 * stdout, exit 0.
 */

let root: string;
let sim: SimServer;
let fixtures: { skillDir: string; taskDir: string };

beforeAll(async () => {
  root = tempDir('cli-jit');
  sim = await startSimServer({ policy: jitOptimizePolicy(JIT_SIM) });
  fixtures = await writeJitFixtures(root);
  await writeConfigFile(path.join(root, 'cache', 'skvm.config.json'), { providers: { routes: [{ match: 'sim/*', kind: 'openai-compatible', baseUrl: sim.openaiBaseUrl, apiKey: '' }] } });
}, 30_000);

afterAll(async () => {
  await sim?.close();
  if (root) removeDir(root);
});

describe('skvm jit optimize (the built bin)', () => {
  it('prints the best round, the per-round scores and the diff; progress on stderr', async () => {
    const args = ['jit', 'optimize', `--skill=${fixtures.skillDir}`, '--source=real', `--tasks=${fixtures.taskDir}`, '--target-model=sim/target', '--optimizer-model=sim/optimizer', '--rounds=2'];
    const { code, out, err } = await outputOf(spawn(process.execPath, [CLI_ENTRY, ...args], { cwd: root, env: { PATH: process.env.PATH ?? '', HOME: root, SKVM_CACHE: path.join(root, 'cache') } }));
    expect(code, err).toBe(0);
    expect(out).toContain('best round 1: round 1 beats baseline by +0.500 on train (0.000 -> 0.500)');
    expect(out).toContain('round 2: train 0.000 (0/1 passed) edited round 1');
    expect(out).toContain(`+${MARKER}`);
    expect(out).toContain('nothing applied');
    // Piped progress is throttled (≤ 4 lines a second), so which of the messages show depends on timing.
    expect(err).toMatch(/^progress \d+ (proposal|round-\d|round \d)/m);
  });
});
