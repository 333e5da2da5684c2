import { existsSync, promises as fsp, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordedCodexUsage, standInCodex } from '../../../test/stand-in-codex.js';
import { tempDirs } from '../../../test/tmp.js';
import { LlmClient } from '../llm/client.js';
import { readSessionEntries } from '../logs/sessions-index.js';
import { loadPolicyFile, startSimServer, type SimServer } from '../sim/index.js';
import { loadTask, type LoadedTask } from '../tasks/load.js';
import { silentLogger } from '../util/log.js';
import { summarizeOutcome } from './summary.js';
import {
  BenchCancelledError,
  BenchMetadataSchema,
  BenchProgressSchema,
  BenchReportSchema,
  compareSessions,
  listBenchSessions,
  loadBenchSession,
  MultiAdapterMetadataSchema,
  MultiModelReportSchema,
  runBench,
  type BenchOutcome,
  type RunBenchOptions,
} from './index.js';

/**
 * A bench that crosses models × adapters: bare-agent against the simulator's task scripts
 * (skvm-data/sim/tasks.json: sales-summary scores 0.45 without its skill, 1 with it) and Codex
 * through a stand-in CLI that replays the real Codex's recorded output and writes no file, so
 * every Codex cell is a clean run that scores 0 (no summary.json, no report line: every grader
 * of sales-summary fails). Each pair is its own session; the parent ranks them.
 */

const HERE = path.dirname(fileURLToPath(import.meta.url));
const DATA_ROOT = path.resolve(HERE, '../../../skvm-data');
const MODELS = ['sim/agent-a', 'sim/agent-b'];
const ADAPTERS = ['bare-agent', 'codex'];
const CONDITIONS = ['no-skill', 'original'];
const tmp = tempDirs('skvm-bench-cross-');

let sim: SimServer;
let sales: LoadedTask;

beforeAll(async () => {
  sim = await startSimServer({ policy: await loadPolicyFile(path.join(DATA_ROOT, 'sim', 'tasks.json')) });
  sales = await loadTask(path.join(DATA_ROOT, 'tasks', 'sales-summary'));
});
afterAll(async () => {
  await sim?.close();
});

/** A bench of sales-summary; `codexLog` collects the stand-in's "<model> <skill|none>" lines; `preflights` every preflight call. */
function crossOptions(over: Partial<RunBenchOptions> = {}) {
  const dir = tmp();
  const codexLog = path.join(dir, 'codex-runs.log');
  const codex = standInCodex(dir, { log: codexLog });
  const preflights: string[] = [];
  const llm = new LlmClient({
    config: () => ({ providers: { routes: [{ match: 'sim/*', kind: 'openai-compatible', baseUrl: sim.openaiBaseUrl, apiKeyEnv: 'SIM_CROSS_KEY' }] } }),
    configFile: path.join(dir, 'skvm.config.json'),
    env: { SIM_CROSS_KEY: 'sim-cross-key-0001' },
    log: silentLogger,
    retry: { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 2 },
  });
  const opts: RunBenchOptions = {
    models: MODELS,
    adapters: ADAPTERS,
    // Each adapter its own host: only codex's knows the stand-in binary.
    harness: (adapter) => ({ mode: 'managed', adapters: adapter === 'codex' ? { codex } : {} }),
    preflight: (model, adapter) => void preflights.push(`${model} ${adapter ?? '(judge)'}`),
    conditions: CONDITIONS,
    tasks: [sales],
    llm,
    logsRoot: path.join(dir, 'logs'),
    cacheRoot: dir,
    tmpRoot: tmp(),
    sandbox: { mode: 'auto', network: false },
    maxSteps: 12,
    concurrency: 3,
    log: silentLogger,
    ...over,
  };
  return { opts, codexLog, preflights };
}

const PAIRS = MODELS.flatMap((model) => ADAPTERS.map((adapter) => ({ model, adapter })));
const EXPECTED: Record<string, Record<string, number>> = { 'bare-agent': { 'no-skill': 0.45, original: 1 }, codex: { 'no-skill': 0, original: 0 } };

/** condition → average score of each session, keyed "<model> on <adapter>". */
function scores(out: BenchOutcome): Record<string, Record<string, number | null>> {
  return Object.fromEntries(out.sessions.map((s) => [`${s.model} on ${s.adapter}`, Object.fromEntries(Object.entries(s.report.summary.perCondition).map(([c, v]) => [c, v.avgScore]))]));
}
const expectedScores = () => Object.fromEntries(PAIRS.map((p) => [`${p.model} on ${p.adapter}`, Object.fromEntries(CONDITIONS.map((c) => [c, expect.closeTo(EXPECTED[p.adapter]![c]!, 6)]))]));

describe('bench: 2 models × 2 adapters', () => {
  it('runs one session per (model, adapter) with its own harness, and a multi-adapter parent that ranks the pairs', async () => {
    const { opts, codexLog, preflights } = crossOptions();
    const out = await runBench(opts);

    // Every pair checked once before anything ran, then the judge-less bench went on.
    expect(preflights).toEqual(PAIRS.map((p) => `${p.model} ${p.adapter}`));
    expect(out.totalCells).toBe(8);
    expect(out.ranCells).toBe(8);
    expect(out.sessions.map((s) => [s.model, s.adapter])).toEqual(PAIRS.map((p) => [p.model, p.adapter]));
    expect(scores(out)).toEqual(expectedScores());

    // Ids: the adapter leads each pair's tag, so all four differ; the parent says 2 models × 2 adapters.
    const ids = out.sessions.map((s) => s.sessionId);
    expect(new Set(ids).size).toBe(4);
    expect(ids.map((id) => id.replace(/^\d{8}-\d{6}-bench-/, ''))).toEqual([
      'bare-agent-agent-a-no-skill+original',
      'codex-agent-a-no-skill+original',
      'bare-agent-agent-b-no-skill+original',
      'codex-agent-b-no-skill+original',
    ]);
    expect(out.sessionId).toMatch(/^\d{8}-\d{6}-bench-2m2a-no-skill\+original$/);

    // Codex ran each model from its managed config, once per condition, the skill injected for original only.
    expect(readFileSync(codexLog, 'utf8').trim().split('\n').sort()).toEqual(['agent-a none', 'agent-a skill', 'agent-b none', 'agent-b skill']);
    const usage = recordedCodexUsage();
    for (const s of out.sessions.filter((x) => x.adapter === 'codex')) {
      for (const row of s.report.tasks[0]!.conditions) {
        expect(row).toMatchObject({ runStatus: 'ok', score: 0 });
        expect(row.tokens.input + row.tokens.cacheRead).toBe(usage.input);
      }
    }

    // Each pair's directory holds the reference's files, naming its model and adapter.
    for (const s of out.sessions) {
      const read = async (f: string) => JSON.parse(await fsp.readFile(path.join(s.sessionDir, f), 'utf8')) as unknown;
      expect(BenchMetadataSchema.parse(await read('metadata.json'))).toMatchObject({ sessionId: s.sessionId, type: 'single', model: s.model, adapter: s.adapter, parentSessionId: out.sessionId });
      expect(BenchProgressSchema.parse(await read('progress.json'))).toMatchObject({ model: s.model, adapter: s.adapter });
      expect(BenchReportSchema.parse(await read('report.json'))).toMatchObject({ model: s.model, adapter: s.adapter });
      expect((await fsp.readdir(path.join(s.sessionDir, 'sales-summary'))).sort()).toEqual(['no-skill.jsonl', 'original.jsonl']);
      expect(existsSync(path.join(s.sessionDir, 'report.md'))).toBe(true);
    }

    // The parent: the reference's multi-adapter shape, crossing both models.
    const meta = MultiAdapterMetadataSchema.parse(JSON.parse(await fsp.readFile(path.join(out.sessionDir, 'metadata.json'), 'utf8')));
    expect(meta).toMatchObject({ type: 'multi-adapter', adapters: ADAPTERS, models: MODELS, conditions: CONDITIONS });
    expect(meta.model).toBeUndefined();
    expect(meta.sessions).toEqual(out.sessions.map((s) => ({ model: s.model, adapter: s.adapter, sessionId: s.sessionId })));
    const parent = MultiModelReportSchema.parse(JSON.parse(await fsp.readFile(path.join(out.sessionDir, 'report.json'), 'utf8')));
    expect(parent).toMatchObject({ models: MODELS, adapters: ADAPTERS });
    expect(parent.comparison.ranking.map((r) => [r.model, r.adapter, r.avgScore])).toEqual([
      ['sim/agent-a', 'bare-agent', expect.closeTo(0.725, 6)],
      ['sim/agent-b', 'bare-agent', expect.closeTo(0.725, 6)],
      ['sim/agent-a', 'codex', 0],
      ['sim/agent-b', 'codex', 0],
    ]);
    expect(parent.comparison.scoreMatrix['sim/agent-b on codex']).toEqual({ 'no-skill': 0, original: 0 });
    expect(parent.comparison.taskMatrix['sales-summary']).toEqual({ 'sim/agent-a on bare-agent': 1, 'sim/agent-a on codex': 0, 'sim/agent-b on bare-agent': 1, 'sim/agent-b on codex': 0 });
    const md = await fsp.readFile(path.join(out.sessionDir, 'report.md'), 'utf8');
    expect(md).toContain('# SkVM Multi-Adapter Benchmark');
    expect(md).toContain('- **Adapters**: bare-agent, codex');
    expect(md).toContain('| 1 | sim/agent-a | bare-agent | 0.72 | 50% |');
    expect(md).toContain('| sim/agent-b on codex | 0.00 | 0.00 |');

    // What the bench operation returns: every session and ranking row names its adapter.
    const summary = summarizeOutcome(out);
    expect(summary.sessions.map((s) => `${s.model} on ${s.adapter}`)).toEqual(PAIRS.map((p) => `${p.model} on ${p.adapter}`));
    expect(summary.ranking?.[3]).toEqual({ model: 'sim/agent-b', adapter: 'codex', avgScore: 0, passRate: 0 });

    // sessions.jsonl: each pair under its adapter; the parent lists both models and adapters.
    const index = await readSessionEntries(path.join(opts.logsRoot, 'sessions.jsonl'));
    expect(index.map((e) => [e.id, e.status, e.models, e.harness]).sort()).toEqual(
      [...out.sessions.map((s) => [s.sessionId, 'completed', [s.model], s.adapter]), [out.sessionId, 'completed', MODELS, 'bare-agent,codex']].sort(),
    );
    expect(index.find((e) => e.id === out.sessionId)?.summary).toContain('sim/agent-b on codex: no-skill 0.000, original 0.000');

    // Listing and loading the parent; comparing one model across the two harnesses.
    const listed = (await listBenchSessions(opts.logsRoot)).find((s) => s.id === out.sessionId);
    expect(listed).toMatchObject({ type: 'multi-adapter', models: MODELS, adapters: ADAPTERS, status: 'complete' });
    expect((await loadBenchSession(opts.logsRoot, out.sessionId)).multiReport?.reports).toHaveLength(4);
    const cmp = await compareSessions(opts.logsRoot, ids[0]!, ids[1]!);
    expect(cmp.lhs).toMatchObject({ model: 'sim/agent-a', adapter: 'bare-agent' });
    expect(cmp.rhs).toMatchObject({ model: 'sim/agent-a', adapter: 'codex' });
    expect(cmp.warnings).toEqual(['Different adapters: bare-agent vs codex.']);
    expect(cmp.aggregate.avgScore.delta).toBeCloseTo(-0.725, 6);
    await expect(compareSessions(opts.logsRoot, out.sessionId, ids[0]!)).rejects.toThrow(/multi-adapter parent session/);
  }, 120_000);

  it('one model on two adapters: the parent is keyed by adapter, as the reference’s multi-adapter', async () => {
    const { opts } = crossOptions({ models: ['sim/agent-a'], conditions: ['original'] });
    const out = await runBench(opts);
    expect(out.sessionId).toMatch(/-bench-2a-agent-a-original$/);
    const meta = MultiAdapterMetadataSchema.parse(JSON.parse(await fsp.readFile(path.join(out.sessionDir, 'metadata.json'), 'utf8')));
    expect(meta).toMatchObject({ model: 'sim/agent-a', models: ['sim/agent-a'], adapters: ADAPTERS });
    expect(out.multi?.comparison.scoreMatrix).toEqual({ 'bare-agent': { original: 1 }, codex: { original: 0 } });
  }, 60_000);

  it('one adapter keeps the ids and the multi-model parent of a bench over models', async () => {
    const { opts } = crossOptions({ adapters: ['codex'], conditions: ['no-skill'] });
    const out = await runBench(opts);
    expect(out.sessions.map((s) => s.sessionId.replace(/^\d{8}-\d{6}-bench-/, ''))).toEqual(['agent-a-no-skill', 'agent-b-no-skill']);
    expect(out.sessionId).toMatch(/-bench-2m-no-skill$/);
    expect(JSON.parse(await fsp.readFile(path.join(out.sessionDir, 'metadata.json'), 'utf8'))).toMatchObject({ type: 'multi-model', models: MODELS, adapter: 'codex' });
  }, 60_000);
});

describe('resuming a cross session', () => {
  it('restores every pair with its own adapter from its files and redoes nothing finished', async () => {
    const controller = new AbortController();
    const { opts, codexLog, preflights } = crossOptions({
      concurrency: 1,
      signal: controller.signal,
      onProgress: (done) => {
        if (done === 3) controller.abort('test stop');
      },
    });
    const err = await runBench(opts).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BenchCancelledError);
    const parentId = (err as BenchCancelledError).sessionId;
    expect(parentId).toMatch(/-bench-2m2a-/);
    const codexRunsBefore = readFileSync(codexLog, 'utf8').trim().split('\n').length;

    // Named adapters must be the session's own.
    await expect(runBench({ ...opts, signal: undefined, resumeSessionId: parentId, models: [], adapters: ['bare-agent'] })).rejects.toThrow(
      /ran on bare-agent, codex; the adapters given differ/,
    );

    // No models, no adapters: both come from the sessions' files.
    preflights.length = 0;
    const resumed = await runBench({ ...opts, signal: undefined, onProgress: undefined, resumeSessionId: parentId, models: [], adapters: undefined });
    expect(resumed.sessionId).toBe(parentId);
    expect(preflights).toEqual(PAIRS.map((p) => `${p.model} ${p.adapter}`));
    expect(resumed.sessions.map((s) => [s.model, s.adapter])).toEqual(PAIRS.map((p) => [p.model, p.adapter]));
    expect(resumed.totalCells).toBe(8);
    expect(resumed.ranCells).toBe(5);
    expect(scores(resumed)).toEqual(expectedScores());
    // Four codex cells in all, across both calls.
    expect(readFileSync(codexLog, 'utf8').trim().split('\n')).toHaveLength(4);
    expect(codexRunsBefore).toBeLessThan(4);
    expect(resumed.multi?.comparison.ranking.map((r) => `${r.model} on ${r.adapter}`)).toHaveLength(4);

    // A single pair's session resumes alone, its adapter read back too (nothing left to run).
    const one = await runBench({ ...opts, signal: undefined, onProgress: undefined, resumeSessionId: resumed.sessions[1]!.sessionId, models: [], adapters: undefined });
    expect(one).toMatchObject({ ranCells: 0, totalCells: 2 });
    expect(one.report).toMatchObject({ model: 'sim/agent-a', adapter: 'codex' });
  }, 180_000);
});
