/**
 * npm run bench:agent — agent-runtime overhead against the simulator at 200 ms latency:
 *  1. engine overhead per agent turn (run time not spent waiting for the model), for file tools
 *     and for execute_command, median over turns;
 *  2. a 60-cell bench (3 bundled tasks × 2 conditions × 10 repetitions) at concurrency 8: wall
 *     time against the latency-bound ideal (LLM calls × latency ÷ concurrency), and prompt tokens
 *     per turn. Prints figures; goals are in the issue, not asserted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBareAgent } from '../src/engine/agent/adapters/bare-agent.js';
import { startBench } from '../src/engine/bench/start.js';
import { writeConfigFile } from '../src/engine/config/write.js';
import { createEngine } from '../src/engine/engine.js';
import { createWorkDir, removeWorkDir } from '../src/engine/sandbox/index.js';
import { loadPolicyFile } from '../src/engine/sim/policy-file.js';
import { scriptedPolicy, startSimServer, withLatency, type SimReply } from '../src/engine/sim/index.js';
import { silentLogger } from '../src/engine/util/log.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const LATENCY_MS = 200;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function main(): Promise<void> {
  const cache = mkdtempSync(path.join(tmpdir(), 'skvm-bench-agent-'));
  const sim = await startSimServer({ policy: scriptedPolicy([]) });
  try {
    await writeConfigFile(path.join(cache, 'skvm.config.json'), {
      providers: { routes: [{ match: 'sim/*', kind: 'openai-compatible', baseUrl: sim.openaiBaseUrl, apiKey: '', maxConcurrency: 64 }] },
    });
    const engine = createEngine({ flags: { cache: cache }, env: { PATH: process.env.PATH ?? '', HOME: cache }, log: silentLogger });
    const tmpRoot = engine.tmpDir().value;

    // 1. Per-turn overhead: 20 turns of tool calls, then a final answer.
    for (const [label, call] of [
      ['file tools', (i: number) => (i % 2 ? { name: 'write_file', arguments: { path: `f${i}.txt`, content: 'x'.repeat(2000) } } : { name: 'read_file', arguments: { path: `f${i - 1 < 0 ? 1 : i - 1}.txt` } })],
      // Varied so loop detection (3 identical turns) does not end the run early.
      ['execute_command', (i: number) => ({ name: 'execute_command', arguments: { command: `echo turn ${i}` } })],
    ] as const) {
      const turns = 20;
      const steps: SimReply[] = Array.from({ length: turns }, (_, i) => ({ kind: 'message', toolCalls: [call(i)] }) as SimReply);
      steps.push({ kind: 'message', text: 'done' });
      sim.setPolicy(withLatency(scriptedPolicy(steps), { fixedMs: LATENCY_MS }));
      const workDir = await createWorkDir({ tmpRoot, prefix: 'skvm-bench-agent-' });
      const perTurn: number[] = [];
      let last = 0;
      const run = await runBareAgent({
        model: 'sim/bench',
        llm: engine.llm,
        prompt: 'benchmark',
        workDir,
        maxSteps: turns + 5,
        timeoutMs: 120_000,
        sandbox: { mode: 'auto', network: false },
        hooks: {
          // Time from one response to the next request = everything the engine does per turn.
          afterLLM: [
            ({ response }) => {
              const now = performance.now();
              if (last) perTurn.push(now - last - response.durationMs);
              last = now;
            },
          ],
        },
      });
      await removeWorkDir(workDir, { tmpRoot });
      const total = run.durationMs - run.llmDurationMs;
      console.log(
        `engine overhead per agent turn (${label}, ${LATENCY_MS} ms latency): median ${median(perTurn).toFixed(2)} ms, ` +
          `max ${Math.max(...perTurn).toFixed(2)} ms; whole run ${run.durationMs} ms of which LLM ${run.llmDurationMs} ms ` +
          `(${(total / (turns + 1)).toFixed(2)} ms/turn outside LLM calls) [goal ≤ 5 ms median]`,
      );
    }

    // 2. 60 cells at concurrency 8, at 200 ms latency and at 0 ms (the second shows what the
    // machine's CPU alone costs: setup scripts, agent commands and graders).
    const concurrency = 8;
    const tasksPolicy = await loadPolicyFile(path.join(REPO, 'skvm-data/sim/tasks.json'));
    for (const latency of [LATENCY_MS, 0]) {
      sim.setPolicy(latency ? withLatency(tasksPolicy, { fixedMs: latency }) : tasksPolicy);
      sim.resetStats();
      let promptTokens = 0;
      const off = engine.llm.onUsage((u) => (promptTokens += u.usage.input + u.usage.cacheRead));
      const t0 = performance.now();
      const outcome = await startBench(engine, {
        models: ['sim/bench'],
        conditions: ['no-skill', 'original'],
        skillMode: 'inject',
        adapter: 'bare-agent',
        runsPerTask: 10,
        concurrency,
        asyncJudge: false,
        maxSteps: 30,
        keepWorkDirs: false,
        web: false,
        llm: engine.llm,
      });
      const wall = performance.now() - t0;
      off();
      const calls = sim.stats().requests;
      if (latency) {
        const ideal = (calls * latency) / concurrency;
        console.log(
          `bench ${outcome.totalCells} cells, concurrency ${concurrency}, ${latency} ms latency: wall ${(wall / 1000).toFixed(2)} s, ` +
            `${calls} LLM calls, latency-bound ideal ${(ideal / 1000).toFixed(2)} s, ratio ${(wall / ideal).toFixed(2)} [goal ≤ 1.2]`,
        );
        console.log(`prompt tokens per turn: ${(promptTokens / calls).toFixed(0)} (simulator estimate: ~4 characters per token)`);
      } else {
        console.log(`  same bench at 0 ms latency (the CPU-bound floor of this machine): wall ${(wall / 1000).toFixed(2)} s`);
      }
    }
  } finally {
    await sim.close();
    rmSync(cache, { recursive: true, force: true });
  }
}

await main();
