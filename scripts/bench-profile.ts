/**
 * npm run bench:profile — a full profile (26 primitives × 3 levels × 3 instances) of a planted
 * simulator target at 200 ms latency and concurrency 8: wall time against the latency-bound
 * ideal (LLM calls × latency ÷ concurrency), engine overhead per probe, LLM calls and prompt
 * tokens per probe. Prints figures; the goals are in the issue, not asserted.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { writeConfigFile } from '../src/engine/config/write.js';
import { safeModelName } from '../src/engine/config/paths.js';
import { createEngine } from '../src/engine/engine.js';
import { ALL_PRIMITIVE_IDS, LEVELS, PROBE_LEVELS } from '../src/engine/primitives/catalog.js';
import { installProbeObserver } from '../src/engine/profiler/probe-hooks.js';
import { startProfile } from '../src/engine/profiler/start.js';
import { createRng } from '../src/engine/util/rng.js';
import { plantedPolicy, probeRegistryObserver, startSimServer, withLatency } from '../src/engine/sim/index.js';
import { silentLogger } from '../src/engine/util/log.js';

const LATENCY_MS = 200;
const CONCURRENCY = 8;
const INSTANCES = 3;
const MODEL = 'planted/bench';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Sum of the LLM time recorded in one probe's conversation log (response lines' durationMs). */
function llmMsOf(file: string): number {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { type: string; durationMs?: number })
      .reduce((s, e) => s + (e.type === 'response' ? (e.durationMs ?? 0) : 0), 0);
  } catch {
    return 0;
  }
}

async function main(): Promise<void> {
  const cache = mkdtempSync(path.join(tmpdir(), 'skvm-bench-profile-'));
  const registry = mkdtempSync(path.join(tmpdir(), 'skvm-bench-registry-'));
  const rng = createRng('bench-profile-map');
  const levels = Object.fromEntries(ALL_PRIMITIVE_IDS.map((id) => [id, LEVELS[rng.int(1, 3)]!]));
  const sim = await startSimServer({ policy: withLatency(plantedPolicy({ levels, registryDir: registry }), { fixedMs: LATENCY_MS }) });
  try {
    await writeConfigFile(path.join(cache, 'skvm.config.json'), {
      providers: { routes: [{ match: 'planted/*', kind: 'openai-compatible', baseUrl: sim.openaiBaseUrl, apiKey: '', maxConcurrency: 64 }] },
    });
    const engine = createEngine({ flags: { cache: cache }, env: { PATH: process.env.PATH ?? '', HOME: cache }, log: silentLogger });
    installProbeObserver(probeRegistryObserver(registry));
    let promptTokens = 0;
    engine.llm.onUsage((u) => (promptTokens += u.usage.input + u.usage.cacheRead));
    const t0 = performance.now();
    const result = await startProfile(engine, {
      models: [MODEL],
      harnesses: ['bare-agent'],
      instances: INSTANCES,
      force: true,
      concurrency: CONCURRENCY,
      timeoutMs: 120_000,
      seed: 7,
      llm: engine.llm,
    });
    const wall = performance.now() - t0;
    const job = result.jobs[0]!;
    if (!job.ok) throw job.error;
    const tcp = job.result.tcp;
    const recovered = ALL_PRIMITIVE_IDS.filter((id) => tcp.capabilities[id] === levels[id]).length;
    const calls = sim.stats().requests;
    const probes = job.result.stats.probeRuns;
    const ideal = (calls * LATENCY_MS) / CONCURRENCY;

    // Engine overhead per probe: each level's probe time minus the LLM time in its conversation logs.
    const logRoot = path.join(engine.roots.logs.value, 'profile', 'bare-agent', safeModelName(MODEL));
    const perProbe: number[] = [];
    const byPrimitive: Record<string, number[]> = {};
    for (const d of tcp.details) {
      for (const lr of d.levelResults) {
        const n = lr.totalCount - (lr.skipCount ?? 0);
        if (n === 0) continue;
        let llm = 0;
        for (let i = 0; i < lr.totalCount; i++) llm += llmMsOf(path.join(logRoot, d.primitiveId, lr.level, `instance-${i}.jsonl`));
        perProbe.push((lr.durationMs - llm) / n);
        (byPrimitive[d.primitiveId] ??= []).push((lr.durationMs - llm) / n);
      }
    }
    console.log(
      `profile of a planted target (${ALL_PRIMITIVE_IDS.length} primitives × ${PROBE_LEVELS.length} levels × ${INSTANCES}), ${LATENCY_MS} ms latency, concurrency ${CONCURRENCY}: ` +
        `${probes} probe runs, ${recovered}/${ALL_PRIMITIVE_IDS.length} planted levels recovered`,
    );
    console.log(`wall ${(wall / 1000).toFixed(1)} s, latency-bound ideal ${(ideal / 1000).toFixed(1)} s (${calls} LLM calls), ratio ${(wall / ideal).toFixed(2)} [goal ≤ 1.25]`);
    console.log(`engine overhead per probe (probe time outside LLM calls; median over levels): ${median(perProbe).toFixed(1)} ms [goal ≤ 20 ms median]`);
    if (process.env.SKVM_BENCH_DETAIL) for (const [id, xs] of Object.entries(byPrimitive)) console.log(`  ${id}: ${xs.map((x) => x.toFixed(0)).join(' / ')} ms`);
    console.log(`concurrency windows: ${JSON.stringify(result.concurrency)}`);
    console.log(`LLM calls per probe: ${(calls / probes).toFixed(2)}; prompt tokens per probe: ${(promptTokens / probes).toFixed(0)} (simulator estimate)`);
  } finally {
    await sim.close();
    rmSync(cache, { recursive: true, force: true });
    rmSync(registry, { recursive: true, force: true });
  }
}

await main();
