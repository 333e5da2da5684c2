/**
 * npm run bench:boost — what jit-boost saves. The same task (test/fixtures/jit-boost word-count)
 * runs N times on the simulator's jit-boost model (200 ms latency) twice over:
 *  - without hooks: every run asks the model for each step;
 *  - with jit-boost: one warm-up run, candidate generation (Phase 1 from the warm-up's log, Phase 2
 *    templates by our agent) — a one-time cost, reported apart — then N runs with the solidifier.
 * Prints per run: LLM calls, tokens (input + output, simulator estimate ~4 chars/token), wall time
 * and pass rate, and what jit-boost avoided per run. Figures only; nothing is asserted.
 * BOOST_RUNS sets N (default 10).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeConfigFile } from '../src/engine/config/write.js';
import { createEngine } from '../src/engine/engine.js';
import { createBoostHooks, generateCandidatesFromConvLogs, generateTemplates, readCodeSnippets, saveCandidates } from '../src/engine/jit/boost/index.js';
import type { ChatProvider } from '../src/engine/llm/types.js';
import { runTask } from '../src/engine/runtime/index.js';
import { startSimServer, withLatency } from '../src/engine/sim/index.js';
import { jitBoostPolicy } from '../src/engine/sim/policies/jit-boost.js';
import { loadTask, resolveTaskSkills } from '../src/engine/tasks/load.js';
import { silentLogger } from '../src/engine/util/log.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const LATENCY_MS = 200;
const MODEL = 'sim/boost';
const SANDBOX = { mode: 'auto' as const, network: false };

interface Tally {
  calls: number;
  tokens: number;
  wallMs: number;
  passed: number;
}

async function main(): Promise<void> {
  const n = Number(process.env.BOOST_RUNS ?? 10);
  if (!Number.isInteger(n) || n < 1) throw new Error(`BOOST_RUNS must be a positive integer (got ${process.env.BOOST_RUNS})`);
  const cache = mkdtempSync(path.join(tmpdir(), 'skvm-bench-boost-'));
  const sim = await startSimServer({ policy: withLatency(jitBoostPolicy(), { fixedMs: LATENCY_MS }) });
  try {
    await writeConfigFile(path.join(cache, 'skvm.config.json'), {
      providers: { routes: [{ match: 'sim/*', kind: 'openai-compatible', baseUrl: sim.openaiBaseUrl, apiKey: '' }] },
    });
    const engine = createEngine({ flags: { cache }, env: { PATH: process.env.PATH ?? '', HOME: cache }, log: silentLogger });
    const tmpRoot = engine.tmpDir().value;
    const proposals = engine.roots.proposals.value;
    const task = await loadTask(path.join(REPO, 'test/fixtures/jit-boost/tasks/word-count'));
    const [skill] = await resolveTaskSkills(task);
    let calls = 0;
    let tokens = 0;
    const counted: ChatProvider = {
      chat: async (req, opts) => {
        calls++;
        const res = await engine.llm.chat(req, opts);
        tokens += res.usage.input + res.usage.output;
        return res;
      },
    };
    const measure = async <T>(fn: () => Promise<T>): Promise<{ value: T; calls: number; tokens: number; wallMs: number }> => {
      const [c0, t0, w0] = [calls, tokens, performance.now()];
      const value = await fn();
      return { value, calls: calls - c0, tokens: tokens - t0, wallMs: performance.now() - w0 };
    };
    const run = (extra: { hooks?: Awaited<ReturnType<typeof createBoostHooks>>['hooks']; convLogPath?: string } = {}) =>
      runTask({ task, model: MODEL, adapter: 'bare-agent', llm: counted, skills: { skills: [skill!], mode: 'inject' }, tmpRoot, timeoutMs: 60_000, maxSteps: 10, keepWorkDir: false, sandbox: SANDBOX, log: silentLogger, ...extra });
    const series = async (hooks?: Awaited<ReturnType<typeof createBoostHooks>>['hooks']): Promise<Tally> => {
      const t: Tally = { calls: 0, tokens: 0, wallMs: 0, passed: 0 };
      for (let i = 0; i < n; i++) {
        const m = await measure(() => run(hooks ? { hooks } : {}));
        t.calls += m.calls;
        t.tokens += m.tokens;
        t.wallMs += m.wallMs;
        if (m.value.overallPass) t.passed++;
      }
      return t;
    };

    const baseline = await series();

    const warmLog = path.join(cache, 'warmup.jsonl');
    const setup = await measure(async () => {
      await run({ convLogPath: warmLog });
      const gen = { llm: counted, model: MODEL, tmpRoot, sandbox: SANDBOX };
      const found = await generateCandidatesFromConvLogs([warmLog], gen);
      const templated = await generateTemplates(skill!, found, await readCodeSnippets(warmLog), gen);
      await saveCandidates(proposals, 'word-count', templated);
      return templated.length;
    });
    const boost = await createBoostHooks({ skillId: 'word-count', proposalsDir: proposals, sandbox: SANDBOX, extractModel: MODEL, llm: counted, log: silentLogger });
    const boosted = await series(boost.hooks);
    const stats = boost.solidifier!.stats();

    const per = (t: Tally) => `${(t.calls / n).toFixed(2)} LLM calls, ${(t.tokens / n).toFixed(0)} tokens, ${(t.wallMs / n).toFixed(0)} ms, pass ${t.passed}/${n}`;
    console.log(`jit-boost on the simulator (${LATENCY_MS} ms latency), task word-count, ${n} runs each (bare-agent, skill injected):`);
    console.log(`  without hooks  per run: ${per(baseline)}`);
    console.log(`  with jit-boost per run: ${per(boosted)}  (promoted ${stats.promotedCount}/${stats.totalCandidates}, hits ${stats.totalHits}, fallbacks ${stats.totalFallbacks})`);
    console.log(`  one-time setup (warm-up run + Phase 1 + Phase 2, ${setup.value} candidate): ${setup.calls} LLM calls, ${setup.tokens} tokens, ${setup.wallMs.toFixed(0)} ms`);
    const savedCalls = (baseline.calls - boosted.calls) / n;
    const savedTokens = (baseline.tokens - boosted.tokens) / n;
    console.log(`  avoided per run: ${savedCalls.toFixed(2)} LLM calls, ${savedTokens.toFixed(0)} tokens, ${((baseline.wallMs - boosted.wallMs) / n).toFixed(0)} ms`);
    const net = baseline.calls - boosted.calls - setup.calls;
    const breakEven = savedCalls > 0 ? Math.ceil(setup.calls / savedCalls) : Infinity;
    console.log(`  over all ${n} runs incl. setup: ${net} LLM calls and ${baseline.tokens - boosted.tokens - setup.tokens} tokens saved; setup pays back after ${breakEven} run(s)`);
  } finally {
    await sim.close();
    rmSync(cache, { recursive: true, force: true });
  }
}

await main();
