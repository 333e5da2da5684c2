import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeConfigFile } from '../../src/engine/config/write.js';
import { profileLockPath } from '../../src/engine/profiler/job-lock.js';
import { plantedPolicy, startSimServer, withLatency, type SimServer } from '../../src/engine/sim/index.js';
import { PROBE_REGISTRY_IMPORT } from '../e2e/harness.js';

/**
 * Two `skvm profile` processes (the built bin) on the same model and harness against one
 * simulator: the second waits for the first and reuses its profile — the simulator sees the
 * probes of one profile only — or, with --if-running=fail, says which run is profiling it.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(root, 'dist/bin/skvm.js');
const MODEL = 'planted/twice';
const ARGS = ['profile', `--models=${MODEL}`, '--primitives=reason.arithmetic,tool.file.write', '--instances=1', '--seed=5'];

let cache: string;
let registry: string;
let sim: SimServer;

beforeAll(async () => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: build first (npm test builds it)`);
  cache = mkdtempSync(path.join(tmpdir(), 'skvm-two-procs-'));
  registry = mkdtempSync(path.join(tmpdir(), 'skvm-two-procs-registry-'));
  const levels = { 'reason.arithmetic': 'L2', 'tool.file.write': 'L3' } as const;
  sim = await startSimServer({ policy: withLatency(plantedPolicy({ levels, registryDir: registry }), { fixedMs: 250 }) });
  await writeConfigFile(path.join(cache, 'skvm.config.json'), { providers: { routes: [{ match: 'planted/*', kind: 'openai-compatible', baseUrl: sim.openaiBaseUrl, apiKey: '' }] } });
});

afterAll(async () => {
  await sim?.close();
  rmSync(cache, { recursive: true, force: true });
  rmSync(registry, { recursive: true, force: true });
});

function skvm(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/KEY|TOKEN|SECRET|PASSWORD/i.test(k) && !k.startsWith('SKVM_')) env[k] = v;
  const child = spawn(process.execPath, [...PROBE_REGISTRY_IMPORT, BIN, ...args, `--skvm-cache=${cache}`], { env: { ...env, HOME: cache, NO_COLOR: '1', SKVM_SIM_PROBE_REGISTRY: registry }, cwd: cache });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

/** The LLM calls a profile reports (`… N LLM calls (M retried) …`). */
function llmCalls(out: string): number {
  const m = /(\d+) LLM calls/.exec(out);
  if (!m) throw new Error(`no LLM call count in: ${out}`);
  return Number(m[1]);
}

const lockFile = () => profileLockPath(path.join(cache, 'profiles'), { model: MODEL, harness: 'bare-agent' });

/** The lock's holder once the first process has taken it. */
async function holder(): Promise<{ runId: string; pid: number }> {
  for (let i = 0; i < 600; i++) {
    try {
      const o = JSON.parse(readFileSync(lockFile(), 'utf8')) as { runId?: string; pid: number };
      if (o.runId) return { runId: o.runId, pid: o.pid };
    } catch {
      // not there (or being written) yet
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('the first process never took the profile lock');
}

describe('two processes profiling the same model', () => {
  it('the second waits, then reuses the profile of the first without sending a probe', async () => {
    const before = sim.stats().requests;
    const first = skvm([...ARGS, '--force']);
    const owner = await holder();
    const second = skvm([...ARGS, '--force']);
    const a = await first;
    const b = await second;
    expect(a.code, a.err).toBe(0);
    expect(b.code, b.err).toBe(0);
    expect(a.out).toMatch(/planted\/twice on bare-agent: L3 ×1, L2 ×1/);
    expect(b.out).toMatch(/planted\/twice on bare-agent \(cached; force to redo\): L3 ×1, L2 ×1/);
    expect(b.err).toContain(`waiting for run ${owner.runId} (process ${owner.pid}`);
    expect(sim.stats().requests - before).toBe(llmCalls(a.out));
    expect(existsSync(lockFile())).toBe(false);
  }, 120_000);

  it('with --if-running=fail the second says which run is profiling it', async () => {
    const before = sim.stats().requests;
    const first = skvm([...ARGS, '--force']);
    const owner = await holder();
    const b = await skvm([...ARGS, '--if-running=fail']);
    const a = await first;
    expect(a.code, a.err).toBe(0);
    expect(`${b.out}${b.err}`).toContain(`planted/twice on bare-agent is already being profiled by run ${owner.runId} (process ${owner.pid}`);
    // Only the first process's probes reached the simulator.
    expect(sim.stats().requests - before).toBe(llmCalls(a.out));
    expect(b.out).not.toMatch(/L3 ×1, L2 ×1/);
  }, 120_000);
});
