import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Route } from '../config/schema.js';
import { LlmClient } from '../llm/client.js';
import { LlmError } from '../llm/errors.js';
import { loadPolicyFile, startSimServer, type SimPolicy, type SimRequest, type SimServer } from '../sim/index.js';
import { loadSkill } from '../skills/load.js';
import { loadTask, loadTasks, type LoadedTask } from '../tasks/load.js';
import { silentLogger } from '../util/log.js';
import { readSessionEntries } from '../logs/sessions-index.js';
import {
  BenchCancelledError,
  BenchMetadataSchema,
  BenchProgressSchema,
  BenchReportSchema,
  compareSessions,
  listBenchSessions,
  loadBenchSession,
  MultiModelMetadataSchema,
  MultiModelReportSchema,
  renderComparisonMarkdown,
  runBench,
  type BenchReport,
  type RunBenchOptions,
} from './index.js';
import { runTask } from '../runtime/index.js';

/**
 * End-to-end benches: the bundled tasks (skvm-data/tasks) and the simulator's conversation
 * scripts (skvm-data/sim), through the real LlmClient over HTTP, real graders, real files.
 *
 * Expected scores, computed by hand from the graders (see skvm-data/sim/*.json):
 * - sales-summary: weights 0.2 json-schema + 0.2 regex + 0.6 script(4 checkpoints, mean).
 *   with skill: 1. without: schema fails (no "report"), regex fails, script: total ✓, per-region
 *   4/4 ✓, order ✗ (A–Z), integer cents ✓ → 0.6·0.75 = 0.45. Other skill: summary.txt only → 0.
 * - log-triage: one python-grade criterion (records: exists .1, heading .1, counts .4, order .2,
 *   verdict .2). With skill: 1. Without: exists, heading, verdict ✓; counts: only auth right →
 *   ¼·0.4; order ✗ → 0.1+0.1+0.1+0.2 = 0.5. Other skill: no triage.md → 0.
 * - slugify: one junit-grade criterion (basics .4, transliteration .3, limits .3, each the share
 *   of its tests passing). With skill: 1. Without: basics 3/3, transliteration 1/3 (accents
 *   only), limits 0/3 → 0.4 + 0.1 = 0.5. Other skill (exports makeSlug): 0.
 */

const HERE = path.dirname(fileURLToPath(import.meta.url));
const DATA_ROOT = path.resolve(HERE, '../../../skvm-data');
const SIM_DIR = path.join(DATA_ROOT, 'sim');
const ENV = { SIM_BENCH_KEY: 'sim-bench-key-0001' };
const MODEL = 'sim/agent-1';
const JUDGE = 'sim/judge-1';

const EXPECTED: Record<string, Record<string, number>> = {
  'no-skill': { 'sales-summary': 0.45, 'log-triage': 0.5, slugify: 0.5 },
  original: { 'sales-summary': 1, 'log-triage': 1, slugify: 1 },
  // custom skill = slug-rules for every task: only slugify matches its own skill.
  'custom-skill': { 'sales-summary': 0, 'log-triage': 0, slugify: 1 },
};

function firstUser(req: Pick<SimRequest, 'messages'>): string {
  const m = req.messages.find((x) => x.role === 'user');
  return m && m.role === 'user' ? m.content : '';
}

const isJudgeRequest = (req: SimRequest) => /## Rubric/.test(firstUser(req));

/** Counts agent runs (a conversation holding only the task prompt) and judge calls. */
function counting(inner: SimPolicy) {
  let runs = 0;
  let judges = 0;
  const policy: SimPolicy = {
    name: `counting(${inner.name})`,
    respond(req, ctx) {
      if (isJudgeRequest(req)) judges++;
      else if (req.messages.length === 1) runs++;
      return inner.respond(req, ctx);
    },
  };
  return { policy, runs: () => runs, judges: () => judges };
}

let sim: SimServer;
let tasksPolicy: SimPolicy;
let bundled: LoadedTask[];
const made: string[] = [];
const mk = (prefix: string) => {
  const d = mkdtempSync(path.join(tmpdir(), prefix));
  made.push(d);
  return d;
};

beforeAll(async () => {
  tasksPolicy = await loadPolicyFile(path.join(SIM_DIR, 'tasks.json'));
  sim = await startSimServer({ policy: tasksPolicy });
  const listing = await loadTasks(path.join(DATA_ROOT, 'tasks'));
  expect(listing.problems).toEqual([]);
  bundled = listing.tasks;
  expect(bundled.map((t) => t.id)).toEqual(['log-triage', 'sales-summary', 'slugify']);
});

afterAll(async () => {
  await sim?.close();
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

function client(extraRoutes: Route[] = []): LlmClient {
  const routes: Route[] = [...extraRoutes, { match: 'sim/*', kind: 'openai-compatible', baseUrl: sim.openaiBaseUrl, apiKeyEnv: 'SIM_BENCH_KEY' }];
  return new LlmClient({
    config: () => ({ providers: { routes } }),
    configFile: '/tmp/skvm-bench-test/skvm.config.json',
    env: ENV,
    log: silentLogger,
    retry: { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 2 },
  });
}

function baseOptions(over: Partial<RunBenchOptions> = {}): RunBenchOptions {
  return {
    models: [MODEL],
    adapters: ['bare-agent'],
    conditions: ['no-skill', 'original'],
    tasks: bundled,
    llm: client(),
    logsRoot: mk('skvm-bench-logs-'),
    tmpRoot: mk('skvm-bench-tmp-'),
    sandbox: { mode: 'auto', network: false },
    maxSteps: 12,
    log: silentLogger,
    ...over,
  };
}

/** Every line of <logs>/sessions.jsonl, in file order. */
async function indexLines(logsRoot: string): Promise<Array<Record<string, unknown>>> {
  return (await fsp.readFile(path.join(logsRoot, 'sessions.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

function scoreTable(report: BenchReport): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const t of report.tasks) for (const c of t.conditions) (out[c.condition] ??= {})[t.taskId] = c.score;
  return out;
}

describe('bench over the simulator with the bundled tasks', () => {
  let first: Awaited<ReturnType<typeof runBench>>;
  let firstOpts: RunBenchOptions;
  const progressCalls: Array<[number, number, string]> = [];

  beforeAll(async () => {
    const custom = await loadSkill(path.join(DATA_ROOT, 'skills/slug-rules'));
    sim.setPolicy(tasksPolicy);
    firstOpts = baseOptions({
      conditions: ['no-skill', 'original', 'custom-skill'],
      customSkill: custom,
      onProgress: (d, t, m) => progressCalls.push([d, t, m]),
    });
    first = await runBench(firstOpts);
  }, 240_000);

  it('scores solve / half-solve / fail exactly as the graders say', () => {
    const table = scoreTable(first.report!);
    for (const [cond, byTask] of Object.entries(EXPECTED)) {
      for (const [task, want] of Object.entries(byTask)) expect(table[cond]?.[task], `${task} ${cond}`).toBeCloseTo(want, 6);
    }
    const s = first.report!.summary;
    expect(s.taskCount).toBe(3);
    expect(s.perCondition['no-skill']!.avgScore).toBeCloseTo((0.45 + 0.5 + 0.5) / 3, 6);
    expect(s.perCondition.original!.avgScore).toBeCloseTo(1, 6);
    expect(s.perCondition['custom-skill']!.avgScore).toBeCloseTo(1 / 3, 6);
    expect(s.perCondition['no-skill']!.passRate).toBeCloseTo(2 / 3, 6); // 0.45 fails, the two 0.5 pass
    expect(s.delta.originalVsBaseline).toBeCloseTo(1 - 1.45 / 3, 6);
    expect(s.delta.customVsBaseline).toBeCloseTo(1 / 3 - 1.45 / 3, 6);
    expect(s.delta.aotVsOriginal).toBeNull();
    expect(s.delta.jitVsAot).toBeNull();
    const close = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, expect.closeTo(v, 6)]));
    expect(s.perCategory).toEqual({
      data: close({ 'no-skill': 0.45, original: 1, 'custom-skill': 0 }),
      operations: close({ 'no-skill': 0.5, original: 1, 'custom-skill': 0 }),
      coding: close({ 'no-skill': 0.5, original: 1, 'custom-skill': 1 }),
    });
    for (const t of first.report!.tasks) for (const c of t.conditions) expect(c.runStatus).toBe('ok');
  });

  it('records skill metadata per condition', () => {
    const slug = first.report!.tasks.find((t) => t.taskId === 'slugify')!;
    const none = slug.conditions.find((c) => c.condition === 'no-skill')!;
    const orig = slug.conditions.find((c) => c.condition === 'original')!;
    const custom = slug.conditions.find((c) => c.condition === 'custom-skill')!;
    expect(none.skillId).toBeUndefined();
    expect(orig).toMatchObject({ skillId: 'slug-rules', skillMode: 'inject', skillLoaded: true });
    expect(orig.skillContentHash).toMatch(/^[0-9a-f]{16}$/);
    expect(custom.skillContentHash).toBe(orig.skillContentHash);
    const sales = first.report!.tasks.find((t) => t.taskId === 'sales-summary')!;
    expect(sales.conditions.find((c) => c.condition === 'original')).toMatchObject({ skillId: 'sales-report' });
    expect(sales.conditions.find((c) => c.condition === 'custom-skill')).toMatchObject({ skillId: 'slug-rules' });
    // usage from the simulator is real; its price is unknown ⇒ cost 0 flagged incomplete ("n/a"), never $0
    expect(orig.usageAvailable).toBe(true);
    expect(orig).toMatchObject({ cost: 0, costIncomplete: true });
    expect(orig.tokens.input).toBeGreaterThan(0);
    expect(orig.steps).toBeGreaterThan(0);
  });

  it('writes metadata.json, progress.json, report.json and report.md in the reference shapes', async () => {
    const dir = first.sessionDir;
    expect(path.basename(dir)).toBe(first.sessionId);
    expect(first.sessionId).toMatch(/^\d{8}-\d{6}-bench-agent-1-custom-skill\+no-skill\+original$/);
    const meta = BenchMetadataSchema.parse(JSON.parse(await fsp.readFile(path.join(dir, 'metadata.json'), 'utf8')));
    expect(meta).toMatchObject({ sessionId: first.sessionId, type: 'single', model: MODEL, adapter: 'bare-agent', asyncJudge: false, concurrency: 1, maxSteps: 12 });
    expect(Object.keys(meta)).toEqual(
      expect.arrayContaining(['sessionId', 'type', 'model', 'adapter', 'conditions', 'tasks', 'source', 'concurrency', 'jitRuns', 'maxSteps', 'timeoutMult', 'judgeModel', 'compilerModel', 'asyncJudge', 'startedAt']),
    );
    const progressRaw = JSON.parse(await fsp.readFile(path.join(dir, 'progress.json'), 'utf8')) as Record<string, unknown>;
    const progress = BenchProgressSchema.parse(progressRaw);
    expect(Object.keys(progressRaw).sort()).toEqual(['adapter', 'entries', 'model', 'sessionId', 'startedAt']);
    expect(progress.entries).toHaveLength(9);
    for (const e of progress.entries) expect(Object.keys(e)).toEqual(expect.arrayContaining(['taskId', 'condition', 'result']));
    // Numbers where the reference writes numbers: an unknown price is 0 plus costIncomplete, never null.
    const rawEntries = progressRaw.entries as Array<{ result: Record<string, unknown> }>;
    for (const e of rawEntries) expect([typeof e.result.cost, e.result.costIncomplete]).toEqual(['number', true]);

    const reportRaw = JSON.parse(await fsp.readFile(path.join(dir, 'report.json'), 'utf8')) as Record<string, unknown>;
    const report = BenchReportSchema.parse(reportRaw);
    expect(Object.keys(reportRaw).sort()).toEqual(['adapter', 'completedAt', 'model', 'sessionId', 'summary', 'tasks', 'timestamp']);
    expect(Object.keys(report.summary).sort()).toEqual(['delta', 'perCategory', 'perCondition', 'taskCount']);
    expect(Object.keys(report.summary.perCondition)).toEqual(['no-skill', 'original', 'custom-skill']);
    const cs = report.summary.perCondition.original!;
    expect(Object.keys(cs).sort()).toEqual(['avgCost', 'avgDurationMs', 'avgLlmDurationMs', 'avgScore', 'avgTokens', 'byStatus', 'evaluableCount', 'passRate', 'taintedCount']);
    expect(cs).toMatchObject({ evaluableCount: 3, taintedCount: 0, byStatus: { ok: 3 }, avgCost: null });
    expect(cs.avgTokens).toBeGreaterThan(0);
    const row = report.tasks[0]!.conditions[0]!;
    for (const k of ['condition', 'score', 'pass', 'evalDetails', 'tokens', 'cost', 'durationMs', 'llmDurationMs', 'steps', 'runStatus']) expect(row).toHaveProperty(k);
    const rawRows = (reportRaw.tasks as Array<{ conditions: Array<Record<string, unknown>> }>).flatMap((t) => t.conditions);
    for (const r of rawRows) for (const k of ['score', 'cost', 'durationMs', 'llmDurationMs', 'steps']) expect(typeof r[k], k).toBe('number');
    expect(report.tasks[0]).toMatchObject({ taskId: 'log-triage', taskName: 'Triage an application log by component', category: 'operations', gradingType: 'automated' });

    const md = await fsp.readFile(path.join(dir, 'report.md'), 'utf8');
    expect(md).toContain('| Metric | no-skill | original | custom-skill |');
    expect(md).toContain('| Avg Cost | n/a | n/a | n/a |');
    expect(md).toContain('| sales-summary | data | 0.45 | 1.00 (Δ +0.55) | 0.00 (Δ -0.45) |');
    expect(md).toContain('| slugify | coding | 0.50 | 1.00 (Δ +0.50) | 1.00 (Δ +0.50) |');
    expect(md).toContain('**Original vs No-Skill**: +51.7%');
    expect(md).toContain('### sales-summary');
    expect(md).not.toContain('## Tainted runs');
  });

  it('records the session in <logs>/sessions.jsonl under its directory name: running, then completed with the scores', async () => {
    const lines = await indexLines(firstOpts.logsRoot);
    expect(lines.map((l) => [l.id, l.status])).toEqual([
      [first.sessionId, 'running'],
      [first.sessionId, 'completed'],
    ]);
    const done = lines[1]!;
    expect(done).toMatchObject({ type: 'bench', models: [MODEL], harness: 'bare-agent', conditions: ['no-skill', 'original', 'custom-skill'], startedAt: lines[0]!.startedAt, logDir: first.sessionDir });
    const per = first.report!.summary.perCondition;
    expect(done.summary).toBe(`no-skill ${per['no-skill']!.avgScore!.toFixed(3)}, original ${per.original!.avgScore!.toFixed(3)}, custom-skill ${per['custom-skill']!.avgScore!.toFixed(3)}`);
    expect(Date.parse(done.completedAt as string)).toBeGreaterThanOrEqual(Date.parse(done.startedAt as string));
    // The reference's reader (last line per id wins) sees it completed.
    expect(await readSessionEntries(path.join(firstOpts.logsRoot, 'sessions.jsonl'))).toMatchObject([{ id: first.sessionId, status: 'completed' }]);
  });

  it('keeps one conversation log per cell and removes the work dirs', async () => {
    const logs = (await fsp.readdir(path.join(first.sessionDir, 'slugify'))).sort();
    expect(logs).toEqual(['custom-skill.jsonl', 'no-skill.jsonl', 'original.jsonl']);
    const text = await fsp.readFile(path.join(first.sessionDir, 'slugify', 'original.jsonl'), 'utf8');
    expect(text.trim().split('\n').length).toBeGreaterThan(1);
    expect(await fsp.readdir(firstOpts.tmpRoot)).toEqual([]);
  });

  it('calls onProgress once per finished cell with task, condition and score', () => {
    expect(progressCalls).toHaveLength(9);
    expect(progressCalls.map((c) => c[0])).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const c of progressCalls) expect(c[1]).toBe(9);
    expect(progressCalls.map((c) => c[2])).toContain('sales-summary no-skill → 0.45');
    expect(progressCalls.map((c) => c[2])).toContain('slugify custom-skill → 1.00');
  });

  it('gives the same scores with concurrency 4 as with 1', async () => {
    sim.setPolicy(tasksPolicy);
    const again = await runBench({ ...firstOpts, logsRoot: mk('skvm-bench-logs-'), concurrency: 4, onProgress: undefined });
    expect(scoreTable(again.report!)).toEqual(scoreTable(first.report!));
    expect(again.sessionId).not.toBe(first.sessionId);
  }, 240_000);

  it('lists the session as complete and compares it with a failing session', async () => {
    const listed = await listBenchSessions(firstOpts.logsRoot);
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ id: first.sessionId, type: 'single', models: [MODEL], status: 'complete', cellsDone: 9 });

    // A second session in the same logs root whose agent never does anything (fallback only).
    sim.setPolicy({ name: 'idle', respond: () => ({ kind: 'message', text: 'I will not do this.', stopReason: 'end_turn' }) });
    const idle = await runBench({ ...firstOpts, conditions: ['no-skill'], customSkill: undefined, onProgress: undefined });
    sim.setPolicy(tasksPolicy);
    for (const t of idle.report!.tasks) expect(t.conditions[0]!.score).toBe(0);

    const cmp = await compareSessions(firstOpts.logsRoot, first.sessionId, idle.sessionId);
    expect(cmp.tasks.map((t) => `${t.taskId}/${t.condition}`)).toEqual(['log-triage/no-skill', 'sales-summary/no-skill', 'slugify/no-skill']);
    expect(cmp.tasks.map((t) => t.delta.score)).toEqual([-0.5, -0.45, -0.5].map((x) => expect.closeTo(x, 6)));
    expect(cmp.aggregate).toMatchObject({ taskCount: 3, comparableCount: 3, incomparableCount: 0 });
    expect(cmp.aggregate.avgScore.delta).toBeCloseTo(-1.45 / 3, 6);
    expect(cmp.aggregate.passRate).toMatchObject({ lhs: expect.closeTo(2 / 3, 6), rhs: 0 });
    expect(cmp.warnings.join(' ')).toContain('custom-skill, original');
    const md = renderComparisonMarkdown(cmp);
    expect(md).toContain('| sales-summary | no-skill | 0.45 | 0.00 | -0.45 |');

    const sessions = await listBenchSessions(firstOpts.logsRoot);
    expect(sessions.map((s) => s.id)).toEqual([idle.sessionId, first.sessionId].sort().reverse());
  }, 240_000);
});

describe('repetitions, cancellation and resume', () => {
  it('keeps one conversation log per repetition and averages repetitions', async () => {
    sim.setPolicy(tasksPolicy);
    const sales = bundled.filter((t) => t.id === 'sales-summary');
    const out = await runBench(baseOptions({ tasks: sales, runsPerTask: 2, concurrency: 2 }));
    const files = (await fsp.readdir(path.join(out.sessionDir, 'sales-summary'))).sort();
    expect(files).toEqual(['no-skill-run1.jsonl', 'no-skill-run2.jsonl', 'original-run1.jsonl', 'original-run2.jsonl']);
    const r = out.report!;
    expect(r.runsPerTask).toBe(2);
    const none = r.tasks[0]!.conditions.find((c) => c.condition === 'no-skill')!;
    expect(none.runScores).toEqual([expect.closeTo(0.45, 6), expect.closeTo(0.45, 6)]);
    expect(none.score).toBeCloseTo(0.45, 6);
    const progress = BenchProgressSchema.parse(JSON.parse(await fsp.readFile(path.join(out.sessionDir, 'progress.json'), 'utf8')));
    expect(progress.entries.map((e) => `${e.condition}#${e.runIndex}`).sort()).toEqual(['no-skill#0', 'no-skill#1', 'original#0', 'original#1']);
  }, 120_000);

  it('stops on abort, keeps finished cells, and a resume redoes nothing finished', async () => {
    const count = counting(tasksPolicy);
    sim.setPolicy(count.policy);
    const controller = new AbortController();
    const opts = baseOptions({
      tasks: bundled.filter((t) => t.id !== 'slugify'),
      runsPerTask: 2,
      signal: controller.signal,
      onProgress: (done) => {
        if (done === 3) controller.abort('test stop');
      },
    });
    const err = await runBench(opts).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BenchCancelledError);
    const sessionId = (err as BenchCancelledError).sessionId;
    const dir = path.join(opts.logsRoot, 'bench', sessionId);
    expect(existsSync(path.join(dir, 'report.json'))).toBe(false);
    const partial = BenchProgressSchema.parse(JSON.parse(await fsp.readFile(path.join(dir, 'progress.json'), 'utf8')));
    expect(partial.entries).toHaveLength(3);
    const listed = await listBenchSessions(opts.logsRoot);
    expect(listed[0]).toMatchObject({ id: sessionId, status: 'incomplete', cellsDone: 3 });
    const runsBefore = count.runs();
    expect((await indexLines(opts.logsRoot)).map((l) => [l.id, l.status, l.error])).toEqual([
      [sessionId, 'running', undefined],
      [sessionId, 'failed', expect.stringContaining(`bench session ${sessionId} stopped after 3/8 cells; resume it to finish`)],
    ]);

    const calls: number[] = [];
    const resumed = await runBench({ ...opts, signal: undefined, resumeSessionId: sessionId, models: [], onProgress: (d) => calls.push(d) });
    expect(resumed.sessionId).toBe(sessionId);
    // 2 tasks × 2 conditions × 2 runs = 8 cells; every agent run across both calls is one cell.
    expect(resumed.totalCells).toBe(8);
    expect(count.runs()).toBe(8);
    expect(runsBefore).toBe(3);
    expect(resumed.ranCells).toBe(5);
    expect(calls).toEqual([4, 5, 6, 7, 8]);
    const table = scoreTable(resumed.report!);
    expect(table['no-skill']).toEqual({ 'log-triage': expect.closeTo(0.5, 6), 'sales-summary': expect.closeTo(0.45, 6) });
    expect(table.original).toEqual({ 'log-triage': expect.closeTo(1, 6), 'sales-summary': expect.closeTo(1, 6) });
    for (const t of resumed.report!.tasks) for (const c of t.conditions) expect(c.runScores).toHaveLength(2);
    // The resume appends to the same id (the reference's rehydrate), keeping the first start time.
    const lines = await indexLines(opts.logsRoot);
    expect(lines.map((l) => [l.id, l.status])).toEqual([
      [sessionId, 'running'],
      [sessionId, 'failed'],
      [sessionId, 'running'],
      [sessionId, 'completed'],
    ]);
    expect(new Set(lines.map((l) => l.startedAt)).size).toBe(1);
    sim.setPolicy(tasksPolicy);
  }, 240_000);
});

describe('several models', () => {
  it('runs one session per model plus a multi-model parent, even when short names clash', async () => {
    sim.setPolicy(tasksPolicy);
    const models = ['sim/a/qwen3-8b', 'sim/b/qwen3-8b'];
    const out = await runBench(baseOptions({ models, tasks: bundled.filter((t) => t.id === 'sales-summary'), concurrency: 2 }));
    expect(out.multi).toBeDefined();
    expect(out.report).toBeUndefined();
    expect(out.sessions.map((s) => s.model)).toEqual(models);
    const [a, b] = out.sessions;
    expect(a!.sessionId).not.toBe(b!.sessionId);
    expect(a!.sessionId.replace(/-2$/, '')).toBe(b!.sessionId.replace(/-2$/, ''));
    const parent = MultiModelReportSchema.parse(JSON.parse(await fsp.readFile(path.join(out.sessionDir, 'report.json'), 'utf8')));
    expect(parent.models).toEqual(models);
    expect(parent.comparison.scoreMatrix[models[0]!]).toEqual({ 'no-skill': expect.closeTo(0.45, 6), original: 1 });
    expect(parent.comparison.taskMatrix['sales-summary']).toEqual({ [models[0]!]: 1, [models[1]!]: 1 });
    expect(parent.comparison.ranking.map((r) => r.avgScore)).toEqual([expect.closeTo(0.725, 6), expect.closeTo(0.725, 6)]);
    const meta = MultiModelMetadataSchema.parse(JSON.parse(await fsp.readFile(path.join(out.sessionDir, 'metadata.json'), 'utf8')));
    expect(meta.sessions).toEqual({ [models[0]!]: a!.sessionId, [models[1]!]: b!.sessionId });
    for (const s of out.sessions) expect(existsSync(path.join(s.sessionDir, 'report.json'))).toBe(true);
    const md = await fsp.readFile(path.join(out.sessionDir, 'report.md'), 'utf8');
    expect(md).toContain('## Model Ranking');
    const loaded = await loadBenchSession(path.dirname(path.dirname(out.sessionDir)), out.sessionId);
    expect(loaded.multiReport?.reports).toHaveLength(2);
    // One index session per model and one for the parent, each completed under its own id.
    const index = await readSessionEntries(path.join(path.dirname(path.dirname(out.sessionDir)), 'sessions.jsonl'));
    expect(index.map((e) => [e.id, e.status, e.models]).sort()).toEqual(
      [
        [a!.sessionId, 'completed', [models[0]]],
        [b!.sessionId, 'completed', [models[1]]],
        [out.sessionId, 'completed', models],
      ].sort(),
    );
  }, 120_000);
});

describe('failures', () => {
  it('fails fast with the auth error (and its hint) instead of a table of zeros', async () => {
    const llm = client([{ match: 'nokey/*', kind: 'openai-compatible', baseUrl: sim.openaiBaseUrl, apiKeyEnv: 'SKVM_BENCH_TEST_UNSET_KEY' }]);
    const opts = baseOptions({ llm, models: ['nokey/model'], concurrency: 2 });
    const err = await runBench(opts).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LlmError);
    expect((err as LlmError).kind).toBe('auth');
    expect((err as LlmError).hint).toContain('SKVM_BENCH_TEST_UNSET_KEY');
    const [session] = await listBenchSessions(opts.logsRoot);
    const progress = BenchProgressSchema.parse(JSON.parse(await fsp.readFile(path.join(opts.logsRoot, 'bench', session!.id, 'progress.json'), 'utf8')));
    expect(progress.entries).toEqual([]);
    expect((await indexLines(opts.logsRoot)).map((l) => [l.id, l.status])).toEqual([
      [session!.id, 'running'],
      [session!.id, 'failed'],
    ]);
  }, 60_000);

  it('stops after consecutive vendor outages; a resume redoes the cells lost to them', async () => {
    sim.setPolicy({ name: 'down', respond: () => ({ kind: 'fault', fault: { type: 'server_error', status: 503 } }) });
    const opts = baseOptions({ tasks: bundled.filter((t) => t.id !== 'slugify'), maxConsecutiveOutages: 2 });
    const err = await runBench(opts).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'bench_vendor_unavailable' });
    expect((err as Error).message).toContain('2 bench runs in a row failed');
    const [session] = await listBenchSessions(opts.logsRoot);
    const dir = path.join(opts.logsRoot, 'bench', session!.id);
    const partial = BenchProgressSchema.parse(JSON.parse(await fsp.readFile(path.join(dir, 'progress.json'), 'utf8')));
    expect(partial.entries).toHaveLength(2);
    for (const e of partial.entries) expect(e.result).toMatchObject({ runStatus: 'adapter-crashed', infraFailure: true });

    const count = counting(tasksPolicy);
    sim.setPolicy(count.policy);
    const resumed = await runBench({ ...opts, resumeSessionId: session!.id, models: [] });
    expect(count.runs()).toBe(4);
    expect(scoreTable(resumed.report!)).toEqual({
      'no-skill': { 'log-triage': expect.closeTo(0.5, 6), 'sales-summary': expect.closeTo(0.45, 6) },
      original: { 'log-triage': expect.closeTo(1, 6), 'sales-summary': expect.closeTo(1, 6) },
    });
    sim.setPolicy(tasksPolicy);
  }, 120_000);

  it('preflight rejects an unroutable model before any session exists', async () => {
    const llm = client();
    const opts = baseOptions({ llm, models: ['nowhere/model'], preflight: (m) => llm.resolve(m) });
    const err = await runBench(opts).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LlmError);
    expect((err as LlmError).kind).toBe('no_route');
    expect(existsSync(path.join(opts.logsRoot, 'bench'))).toBe(false);
  });

  it('keeps work dirs when asked and records where', async () => {
    sim.setPolicy(tasksPolicy);
    const out = await runBench(baseOptions({ tasks: bundled.filter((t) => t.id === 'sales-summary'), conditions: ['original'], keepWorkDirs: true }));
    const row = out.report!.tasks[0]!.conditions[0]!;
    expect(row.workDir).toBeDefined();
    expect(existsSync(path.join(row.workDir!, 'summary.json'))).toBe(true);
    // the skill's bundle file was staged into the work dir root
    expect(existsSync(path.join(row.workDir!, 'schema', 'sales-summary.v1.json'))).toBe(true);
  }, 60_000);

  it('turns a cell whose preparation throws into adapter-crashed, excluded from averages', async () => {
    const data = mk('skvm-bench-data-');
    const dir = path.join(data, 'tasks', 'broken-setup');
    await fsp.mkdir(path.join(dir, 'fixtures'), { recursive: true });
    await fsp.writeFile(path.join(dir, 'fixtures', '_setup.sh'), 'echo preparing; exit 3\n');
    await fsp.writeFile(
      path.join(dir, 'task.json'),
      JSON.stringify({ id: 'broken-setup', prompt: 'Summarise sales.csv', eval: [{ method: 'file-check', path: 'x.txt', mode: 'exact', expected: 'x' }] }),
    );
    const broken = await loadTask(dir);
    sim.setPolicy(tasksPolicy);
    const out = await runBench(baseOptions({ tasks: [broken, ...bundled.filter((t) => t.id === 'sales-summary')], conditions: ['no-skill'] }));
    const row = out.report!.tasks.find((t) => t.taskId === 'broken-setup')!.conditions[0]!;
    expect(row).toMatchObject({ runStatus: 'adapter-crashed', score: 0, pass: false, evalDetails: [] });
    expect(row.statusDetail).toContain('bench orchestration threw');
    expect(row.statusDetail).toContain('exited with code 3');
    const s = out.report!.summary.perCondition['no-skill']!;
    expect(s).toMatchObject({ evaluableCount: 1, taintedCount: 1, byStatus: { ok: 1, 'adapter-crashed': 1 } });
    expect(s.avgScore).toBeCloseTo(0.45, 6);
    expect(out.sessions[0]!.markdown).toContain('## Tainted runs');
    expect(out.sessions[0]!.markdown).toContain('| broken-setup | no-skill | adapter-crashed |');
  }, 120_000);
});

describe('async LLM judge', () => {
  async function judgedTask(): Promise<LoadedTask> {
    const data = mk('skvm-bench-judge-');
    const dir = path.join(data, 'tasks', 'greet');
    await fsp.mkdir(dir, { recursive: true });
    await fsp.writeFile(
      path.join(dir, 'task.json'),
      JSON.stringify({
        id: 'greet',
        category: 'writing',
        gradingType: 'hybrid',
        prompt: 'Write a friendly greeting into hello.txt.',
        eval: [
          { id: 'file', method: 'file-check', path: 'hello.txt', mode: 'contains', expected: 'Hello', weight: 0.5 },
          { id: 'quality', method: 'llm-judge', rubric: 'Is the greeting friendly?', weight: 0.5 },
        ],
      }),
    );
    return loadTask(dir);
  }

  /** The agent writes hello.txt; the judge answers 0.6, then 1.0, then 0.6 … (one counter for all calls). */
  function greetPolicy(): { policy: SimPolicy; judgeCalls: () => number; agentRuns: () => number } {
    let judge = 0;
    let runs = 0;
    return {
      judgeCalls: () => judge,
      agentRuns: () => runs,
      policy: {
        name: 'greet',
        respond(req) {
          if (isJudgeRequest(req)) {
            const score = judge++ % 2 === 0 ? 0.6 : 1.0;
            return { kind: 'message', toolCalls: [{ name: 'submit_score', arguments: { score, reasoning: `judged ${score}` } }], stopReason: 'tool_use' };
          }
          if (req.messages.length === 1) runs++;
          const assistantTurns = req.messages.filter((m) => m.role === 'assistant').length;
          if (assistantTurns === 0) {
            return { kind: 'message', toolCalls: [{ name: 'write_file', arguments: { path: 'hello.txt', content: 'Hello there, friend!\n' } }], stopReason: 'tool_use' };
          }
          return { kind: 'message', text: 'Done.', stopReason: 'end_turn' };
        },
      },
    };
  }

  it('defers llm-judge criteria, judges them at the end, keeps each repetition’s judged score and averages', async () => {
    const task = await judgedTask();
    const p = greetPolicy();
    sim.setPolicy(p.policy);
    const opts = baseOptions({ tasks: [task], conditions: ['no-skill'], runsPerTask: 2, asyncJudge: true, judgeModel: JUDGE, concurrency: 2 });
    const out = await runBench(opts);
    expect(p.judgeCalls()).toBe(2);
    const row = out.report!.tasks[0]!.conditions[0]!;
    // run scores: 0.5·1 + 0.5·0.6 = 0.8 and 0.5·1 + 0.5·1 = 1.0 (in either order); mean 0.9
    expect([...row.runScores!].sort()).toEqual([expect.closeTo(0.8, 6), expect.closeTo(1, 6)]);
    expect(row.score).toBeCloseTo(0.9, 6);
    expect(row.llmJudgeScore).toBeCloseTo(0.8, 6);
    expect(row.automatedScore).toBeCloseTo(1, 6);
    expect(row.evalDetails.find((d) => d.id === 'quality')!.score).toBeCloseTo(0.8, 6);
    expect(row.judgePending).toBeUndefined();

    const dir = out.sessionDir;
    const manifest = (await fsp.readFile(path.join(dir, 'deferred-evals', 'manifest.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { id: string; context: Record<string, unknown> });
    expect(manifest.map((m) => m.id).sort()).toEqual([`${out.sessionId}-greet-no-skill-crit1-run0`, `${out.sessionId}-greet-no-skill-crit1-run1`]);
    expect(manifest[0]!.context).toMatchObject({ sessionId: out.sessionId, taskId: 'greet', condition: 'no-skill', criterionIndex: 1, criterionId: 'quality' });
    const results = (await fsp.readFile(path.join(dir, 'deferred-evals', 'results.jsonl'), 'utf8')).trim().split('\n');
    expect(results).toHaveLength(2);

    // progress.json holds the judged scores, not the placeholders
    const progress = BenchProgressSchema.parse(JSON.parse(await fsp.readFile(path.join(dir, 'progress.json'), 'utf8')));
    const scores = progress.entries.map((e) => e.result.score).sort();
    expect(scores).toEqual([expect.closeTo(0.8, 6), expect.closeTo(1, 6)]);
    for (const e of progress.entries) {
      expect(e.result.judgePending).toBeUndefined();
      expect(JSON.stringify(e.result.evalDetails)).not.toContain('LLM judge deferred');
    }

    // Resuming a finished session redoes neither agent runs nor judge calls.
    const runs = p.agentRuns();
    const again = await runBench({ ...opts, resumeSessionId: out.sessionId, models: [] });
    expect(p.agentRuns()).toBe(runs);
    expect(p.judgeCalls()).toBe(2);
    expect(again.report!.tasks[0]!.conditions[0]!.score).toBeCloseTo(0.9, 6);
  }, 120_000);

  it('fails when the judge fails on every entry, and a resume judges again without rerunning agents', async () => {
    const task = await judgedTask();
    const p = greetPolicy();
    const broken: SimPolicy = { name: 'judge-down', respond: (req, ctx) => (isJudgeRequest(req) ? { kind: 'fault', fault: { type: 'server_error', status: 500 } } : p.policy.respond(req, ctx)) };
    sim.setPolicy(broken);
    const opts = baseOptions({ tasks: [task], conditions: ['no-skill'], asyncJudge: true, judgeModel: JUDGE });
    const err = await runBench(opts).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'bench_judge_failed' });
    expect(p.agentRuns()).toBe(1);
    const [session] = await listBenchSessions(opts.logsRoot);
    expect(session!.status).toBe('incomplete');
    const pending = BenchProgressSchema.parse(JSON.parse(await fsp.readFile(path.join(opts.logsRoot, 'bench', session!.id, 'progress.json'), 'utf8')));
    expect(pending.entries[0]!.result.judgePending).toBe(true);

    sim.setPolicy(p.policy);
    const out = await runBench({ ...opts, resumeSessionId: session!.id, models: [] });
    expect(p.agentRuns()).toBe(1);
    expect(p.judgeCalls()).toBe(1);
    expect(out.report!.tasks[0]!.conditions[0]!.score).toBeCloseTo(0.8, 6);
  }, 60_000);

  it('judges synchronously without asyncJudge', async () => {
    const task = await judgedTask();
    const p = greetPolicy();
    sim.setPolicy(p.policy);
    const out = await runBench(baseOptions({ tasks: [task], conditions: ['no-skill'], judgeModel: JUDGE }));
    expect(p.judgeCalls()).toBe(1);
    const row = out.report!.tasks[0]!.conditions[0]!;
    expect(row.score).toBeCloseTo(0.8, 6);
    expect(row.evalDetails.find((d) => d.id === 'quality')).toMatchObject({ method: 'llm-judge', details: 'judged 0.6' });
    expect(existsSync(path.join(out.sessionDir, 'deferred-evals'))).toBe(false);
  }, 60_000);

  it('refuses llm-judge tasks without a judge model instead of scoring them 0', async () => {
    const task = await judgedTask();
    await expect(runBench(baseOptions({ tasks: [task], conditions: ['no-skill'] }))).rejects.toThrow(/judge model/);
  });
});

describe('runTask (the shared runner)', () => {
  it('runs, evaluates and removes the work dir; keepWorkDir keeps it', async () => {
    sim.setPolicy(tasksPolicy);
    const task = bundled.find((t) => t.id === 'sales-summary')!;
    const tmpRoot = mk('skvm-runtask-');
    const base = { task, model: MODEL, adapter: 'bare-agent', llm: client(), tmpRoot, timeoutMs: 60_000, maxSteps: 12, sandbox: { mode: 'auto' as const, network: false } };
    const gone = await runTask({ ...base, keepWorkDir: false });
    expect(gone.workDir).toBeNull();
    expect(gone.runResult.runStatus).toBe('ok');
    expect(gone.evalResults.map((r) => r.score)).toEqual([0, 0, 0.75]);
    expect(gone.overallScore).toBeCloseTo(0.25, 6); // unweighted mean (spec §3.6 #1)
    expect(gone.overallPass).toBe(false);
    expect(await fsp.readdir(tmpRoot)).toEqual([]);

    const kept = await runTask({ ...base, keepWorkDir: true });
    expect(kept.workDir).not.toBeNull();
    expect(JSON.parse(await fsp.readFile(path.join(kept.workDir!, 'summary.json'), 'utf8'))).toMatchObject({ total_cents: 37322 });
  }, 60_000);

  it('does not evaluate a run whose runStatus is not ok (the gate)', async () => {
    // The agent never stops calling tools; a 1.5 s budget ends the run as a timeout.
    let n = 0;
    sim.setPolicy({
      name: 'busy',
      respond: async () => {
        await new Promise((r) => setTimeout(r, 300));
        return { kind: 'message', toolCalls: [{ name: 'execute_command', arguments: { command: `echo step ${n++}` } }], stopReason: 'tool_use' };
      },
    });
    const task = bundled.find((t) => t.id === 'sales-summary')!;
    const out = await runTask({ task, model: MODEL, adapter: 'bare-agent', llm: client(), tmpRoot: mk('skvm-runtask-'), timeoutMs: 1_500, maxSteps: 50, keepWorkDir: false, sandbox: { mode: 'auto', network: false } });
    sim.setPolicy(tasksPolicy);
    expect(out.runResult.runStatus).toBe('timeout');
    expect(out.evalResults).toEqual([]);
    expect(out.overallScore).toBe(0);
    expect(out.overallPass).toBe(false);
  }, 60_000);

  it('refuses adapters this release cannot run', async () => {
    const task = bundled[0]!;
    await expect(runTask({ task, model: MODEL, adapter: 'opencode', llm: client(), tmpRoot: mk('skvm-runtask-'), timeoutMs: 1000, maxSteps: 1, keepWorkDir: false, sandbox: { mode: 'none', network: false } })).rejects.toThrow(/opencode/);
  });
});
