import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeConfigFile } from '../../src/engine/config/write.js';
import { ALL_PRIMITIVE_IDS, PROBE_LEVELS, LEVELS } from '../../src/engine/primitives/catalog.js';
import { createRng } from '../../src/engine/util/rng.js';
import { plantedPolicy, withFaults, withLatency } from '../../src/engine/sim/index.js';
import { startSimServer, type SimServer } from '../../src/engine/sim/server.js';
import { byStrength } from '../strength.js';
import { connect, PROBE_REGISTRY_IMPORT, removeDir, tempDir, textOf, type Connected } from './harness.js';

/**
 * The profiler's end-to-end proof: a simulated model whose true level per primitive is planted
 * answers each probe with its reference solution when the probe's level is within the planted
 * level and with its near-miss otherwise — through the real server, MCP client, agent loop,
 * sandbox, checks, calibration and cache. The profile must recover every planted level.
 */
type Job = { model: string; ok: boolean; error?: string; capabilities: Array<{ primitive: string; level: string }>; skips: Array<{ primitive: string; level: string; reason: string }>; stats: Record<string, number> };

function plantedMap(seed: number): Record<string, 'L0' | 'L1' | 'L2' | 'L3'> {
  const rng = createRng(`planted-map-${seed}`);
  return Object.fromEntries(ALL_PRIMITIVE_IDS.map((id) => [id, LEVELS[rng.int(0, 3)]!]));
}

/** The level a profile can record for a planted level when some levels were skipped entirely here. */
function expectedLevel(planted: string, skippedLevels: Set<string>): string {
  let best = 'L0';
  for (const l of PROBE_LEVELS) if (LEVELS.indexOf(l) <= LEVELS.indexOf(planted as (typeof LEVELS)[number]) && !skippedLevels.has(l)) best = l;
  return best;
}

const INSTANCES = 3;
let registry: string;
let cache: string;
let conn: Connected;
const sims: SimServer[] = [];

beforeAll(async () => {
  registry = mkdtempSync(path.join(tmpdir(), 'skvm-probe-registry-'));
  cache = tempDir('profile-e2e');
  const routes = [];
  for (let m = 0; m < 6; m++) {
    const planted = plantedPolicy({ levels: plantedMap(m), registryDir: registry });
    // Map 1 checks how many calls the vendor sees at once: replies take 100 ms so that calls
    // overlap when the engine runs them together, rather than only when CPU timing happens to
    // make an instant reply's request and the next one meet.
    const policy = m === 1 ? withLatency(planted, { fixedMs: 100 }) : planted;
    // Map 5 is map 0 again behind a flaky vendor: 10% rate limits, 5% server errors.
    const sim = await startSimServer({ policy: m === 5 ? withFaults(plantedPolicy({ levels: plantedMap(0), registryDir: registry }), { rateLimit: 0.1, serverError: 0.05, retryAfterSeconds: 0, seed: 11, maxConsecutive: 2 }) : policy });
    sims.push(sim);
    routes.push({ match: `planted${m}/*`, kind: 'openai-compatible' as const, baseUrl: sim.openaiBaseUrl, apiKey: '', maxConcurrency: 16 });
  }
  await writeConfigFile(path.join(cache, 'skvm.config.json'), { providers: { routes } });
  conn = await connect({ era: 'modern', cache, env: { SKVM_SIM_PROBE_REGISTRY: registry }, nodeArgs: PROBE_REGISTRY_IMPORT });
}, 60_000);

afterAll(async () => {
  await conn?.close();
  for (const s of sims) await s.close();
  removeDir(cache);
  removeDir(registry);
});

async function profile(model: string, extra: Record<string, unknown> = {}): Promise<Job> {
  const r = (await conn.client.callTool(
    { name: 'profile', arguments: { models: [model], instances: INSTANCES, concurrency: 8, seed: 42, waitSeconds: 50, ...extra } },
    { timeout: 600_000, resetTimeoutOnProgress: true, onprogress: () => {} },
  )) as { structuredContent?: Record<string, any>; content: Array<{ type: string; text?: string }> };
  let env = r.structuredContent!;
  while (env.status === 'running' || env.status === 'queued') {
    env = ((await conn.client.callTool({ name: 'run_status', arguments: { runId: env.runId, waitSeconds: 50 } }, { timeout: 120_000 })) as { structuredContent: Record<string, any> }).structuredContent;
  }
  expect(env.status, textOf(r) + JSON.stringify(env.error ?? '')).toBe('succeeded');
  return env.result.jobs[0] as Job;
}

function skippedLevels(job: Job, primitive: string): Set<string> {
  const byLevel = new Map<string, number>();
  for (const s of job.skips.filter((x) => x.primitive === primitive)) byLevel.set(s.level, (byLevel.get(s.level) ?? 0) + 1);
  return new Set([...byLevel].filter(([, n]) => n >= INSTANCES).map(([l]) => l));
}

describe('profiling a planted-capability target recovers the planted levels', () => {
  // Maps 0 and 1 in the developer loop, all five under SKVM_TEST_FULL=1.
  it.each(byStrength([0, 1], [0, 1, 2, 3, 4]))('planted map %i', async (m) => {
    // Map 1 runs at the default concurrency: the route's maxConcurrency (16 here), past the 8 a
    // route gets when it sets none.
    const job = await profile(`planted${m}/target`, m === 1 ? { concurrency: undefined } : {});
    if (m === 1) expect(sims[1]!.stats().maxInFlight).toBeGreaterThan(8);
    if (m === 1) expect(sims[1]!.stats().maxInFlight).toBeLessThanOrEqual(16);
    expect(job.ok, job.error).toBe(true);
    console.log(`planted map ${m}: ${JSON.stringify(job.stats)}, ${job.skips.length} skips, at most ${sims[m]!.stats().maxInFlight} calls in flight`);
    const planted = plantedMap(m);
    const got = Object.fromEntries(job.capabilities.map((c) => [c.primitive, c.level]));
    const want = Object.fromEntries(ALL_PRIMITIVE_IDS.map((id) => [id, expectedLevel(planted[id]!, skippedLevels(job, id))]));
    expect(got).toEqual(want);
    for (const s of job.skips) expect(s.reason).not.toMatch(/infrastructure/);
  }, 300_000);

  it('recovers them behind 10% rate limits and 5% server errors, as retries rather than lower levels', async () => {
    const job = await profile('planted5/target');
    expect(job.ok, job.error).toBe(true);
    const planted = plantedMap(0);
    const got = Object.fromEntries(job.capabilities.map((c) => [c.primitive, c.level]));
    const want = Object.fromEntries(ALL_PRIMITIVE_IDS.map((id) => [id, expectedLevel(planted[id]!, skippedLevels(job, id))]));
    expect(got).toEqual(want);
    expect(job.stats.retriedCalls).toBeGreaterThan(0);
    expect(sims[5]!.stats().faults.rate_limit ?? 0).toBeGreaterThan(0);
    console.log(`faulty vendor: ${JSON.stringify(job.stats)}, faults ${JSON.stringify(sims[5]!.stats().faults)}`);
  }, 600_000);
});
