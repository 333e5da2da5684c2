import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeConfigFile } from '../../src/engine/config/write.js';
import { loadPolicyFile } from '../../src/engine/sim/policy-file.js';
import { scriptedPolicy, withLatency } from '../../src/engine/sim/index.js';
import { startSimServer, type SimServer } from '../../src/engine/sim/server.js';
import { connect, REPO, removeDir, tempDir, textOf, type Connected } from './harness.js';

/**
 * The agent runtime end to end through the MCP client: run_task and bench against simulator
 * scripts that solve, half-solve and fail the three bundled tasks (skvm-data/sim/tasks.json).
 * Expected scores are hand-computed from the graders (skvm-data/README.md):
 *   with the task's own skill: 1.0 each; no skill: sales-summary 0.45, log-triage 0.5,
 *   slugify 0.5 (weighted); another task's skill: 0.
 */
const SECRET = 'sk-agent-e2e-secret-0123456789abcdef';
type ToolResult = { isError?: boolean; structuredContent?: Record<string, any>; content: Array<{ type: string; text?: string }> };

let sim: SimServer;
let envSim: SimServer;
let cache: string;
let conn: Connected;
const outputs: string[] = [];

async function call(name: string, args: Record<string, unknown>): Promise<ToolResult> {
  const r = (await conn.client.callTool({ name, arguments: args }, { timeout: 120_000 })) as ToolResult;
  outputs.push(JSON.stringify(r));
  return r;
}

beforeAll(async () => {
  sim = await startSimServer({ policy: withLatency(await loadPolicyFile(path.join(REPO, 'skvm-data/sim/tasks.json')), { fixedMs: 20 }) });
  // An agent that runs `env` and reads its own environment, to prove no key reaches commands.
  envSim = await startSimServer({
    policy: scriptedPolicy(
      [
        { kind: 'message', toolCalls: [{ name: 'execute_command', arguments: { command: 'env; tr "\\0" "\\n" < /proc/self/environ; echo done' } }] },
        { kind: 'message', text: 'looked around' },
      ],
      { whenExhausted: 'repeat-last' },
    ),
  });
  cache = tempDir('agent-e2e');
  await writeConfigFile(path.join(cache, 'skvm.config.json'), {
    providers: {
      routes: [
        { match: 'sim/*', kind: 'openai-compatible', baseUrl: sim.openaiBaseUrl, apiKeyEnv: 'SKVM_E2E_KEY' },
        { match: 'envsim/*', kind: 'anthropic', baseUrl: envSim.anthropicBaseUrl, apiKeyEnv: 'SKVM_E2E_KEY' },
      ],
    },
  });
  conn = await connect({ era: 'modern', cache, env: { SKVM_E2E_KEY: SECRET, OPENAI_API_KEY: SECRET } });
});

afterAll(async () => {
  await conn?.close();
  await sim?.close();
  await envSim?.close();
  removeDir(cache);
});

describe('run_task through MCP', () => {
  it.each([
    ['sales-summary', { useTaskSkills: true }, 1],
    ['sales-summary', {}, 0.45],
    ['sales-summary', { skill: 'slug-rules' }, 0],
    ['log-triage', { useTaskSkills: true }, 1],
    ['log-triage', {}, 0.5],
    ['slugify', { useTaskSkills: true }, 1],
    ['slugify', {}, 0.5],
    ['slugify', { skill: 'log-triage' }, 0],
  ])('%s %j scores %d', async (task, extra, expected) => {
    const r = await call('run_task', { task, model: 'sim/agent', waitSeconds: 50, ...extra });
    expect(r.isError, textOf(r)).toBeFalsy();
    const env = r.structuredContent!;
    expect(env.status, textOf(r)).toBe('succeeded');
    const out = env.result;
    expect(out.runStatus).toBe('ok');
    expect(out.evaluated).toBe(true);
    expect(out.score).toBeCloseTo(expected, 6);
    expect(out.criteria.length).toBeGreaterThan(0);
    expect(out.tokens.input).toBeGreaterThan(0);
    expect(statSync(out.convLog).isFile()).toBe(true);
    expect(out.workDir).toBeNull();
  });

  it('refuses a harness whose CLI is not installed here with a clear message', async () => {
    const r = await call('run_task', { task: 'slugify', model: 'sim/agent', adapter: 'hermes', waitSeconds: 10 });
    const text = textOf(r) + JSON.stringify(r.structuredContent?.error ?? '');
    expect(text).toMatch(/hermes/);
    expect(text).toMatch(/not installed/i);
  });

  it('names the closest task for an unknown id', async () => {
    const r = await call('run_task', { task: 'slugfy', model: 'sim/agent', waitSeconds: 10 });
    expect(JSON.stringify(r)).toMatch(/slugify/);
  });

  it('keeps API keys out of the agent’s commands, logs and results', async () => {
    const r = await call('run_task', { task: 'slugify', model: 'envsim/claude-agent', evaluate: false, keepWorkDir: true, waitSeconds: 50 });
    const out = r.structuredContent!.result;
    expect(out.runStatus).toBe('ok');
    const log = readFileSync(out.convLog, 'utf8');
    expect(log).toMatch(/done/); // the command ran and its output is in the log
    expect(log).not.toMatch(/SKVM_E2E_KEY|OPENAI_API_KEY/);
    removeDir(out.workDir);
  });
});

/** An upstream-style junit-grade task: a Bun test file (TypeScript, "bun:test"), graded here without Bun. */
const BUN_TEST = `import { describe, test, expect } from "bun:test"
import { existsSync, readFileSync } from "fs"

const load = (): { total: number; items: string[]; name?: string } => JSON.parse(readFileSync("answer.json", "utf-8"))

describe("answer.json", () => {
  test("file exists", () => { expect(existsSync("answer.json")).toBe(true) })
  test("total is 42", () => { expect(load().total).toBe(42) })
  test("has three items", () => { expect(load().items).toHaveLength(3); expect(load().items).toContain("c") })
  test("has a name", () => { expect(load()).toHaveProperty("name"); expect(load().name).toMatch(/^[a-z]+$/) })
})
`;

describe('junit-grade with Bun-style test files through MCP', () => {
  let taskDir: string;
  beforeAll(() => {
    taskDir = tempDir('bun-task');
    mkdirSync(path.join(taskDir, 'fixtures'));
    writeFileSync(path.join(taskDir, 'fixtures', 'answer.test.ts'), BUN_TEST);
    const criteria = ['file exists', 'total is 42', 'has three items', 'has a name'].map((t, i) => ({ id: `c${i}`, weight: 0.25, description: t, testPattern: t }));
    const task = { id: path.basename(taskDir), prompt: 'Write answer.json.', eval: [{ method: 'custom', evaluatorId: 'junit-grade', payload: { testFile: 'answer.test.ts', timeoutMs: 60_000, criteria } }] };
    writeFileSync(path.join(taskDir, 'task.json'), JSON.stringify(task));
  });
  afterAll(() => removeDir(taskDir));

  it.each([
    ['a complete answer', { total: 42, items: ['a', 'b', 'c'], name: 'tokyo' }, 1, [1, 1, 1, 1]],
    ['a partial answer', { total: 42, items: ['a', 'b'] }, 0.5, [1, 1, 0, 0]],
    ['a wrong answer', { total: 41, items: ['a', 'b', 'c'], name: 'Tokyo!' }, 0.5, [1, 0, 1, 0]],
  ])('%s (%j) scores %d', async (_label, answer, expected, perTest) => {
    sim.setPolicy(
      scriptedPolicy([
        { kind: 'message', toolCalls: [{ name: 'write_file', arguments: { path: 'answer.json', content: JSON.stringify(answer) } }] },
        { kind: 'message', text: 'written' },
      ]),
    );
    try {
      const r = await call('run_task', { task: taskDir, model: 'sim/agent', waitSeconds: 50 });
      expect(r.isError, textOf(r)).toBeFalsy();
      expect(r.structuredContent!.status, textOf(r)).toBe('succeeded');
      const out = r.structuredContent!.result;
      expect(out.runStatus).toBe('ok');
      expect(out.evalTainted).toBe(false);
      expect(out.score).toBeCloseTo(expected, 6);
      const details = out.criteria[0].details as string;
      expect(details).toBe(`${perTest.map((x, i) => `c${i}: ${x.toFixed(2)}`).join(', ')} (total=${expected.toFixed(2)})`);
    } finally {
      sim.setPolicy(withLatency(await loadPolicyFile(path.join(REPO, 'skvm-data/sim/tasks.json')), { fixedMs: 20 }));
    }
  });
});

describe('bench through MCP', () => {
  it('runs tasks × conditions, writes the reference files, and reports hand-computed averages', async () => {
    const progress: Array<{ progress: number; total?: number; message?: string }> = [];
    const r = (await conn.client.callTool(
      { name: 'bench', arguments: { models: ['sim/agent'], conditions: ['no-skill', 'original', 'custom-skill'], skill: 'slug-rules', concurrency: 3, waitSeconds: 50 } },
      { timeout: 120_000, onprogress: (p) => progress.push(p as (typeof progress)[number]) },
    )) as ToolResult;
    outputs.push(JSON.stringify(r));
    const env = r.structuredContent!;
    expect(env.status, textOf(r)).toBe('succeeded');
    const out = env.result;
    expect(out.totalCells).toBe(9);
    const s = out.sessions[0];
    const by = Object.fromEntries(s.conditions.map((c: { condition: string }) => [c.condition, c]));
    expect(by['no-skill'].avgScore).toBeCloseTo((0.45 + 0.5 + 0.5) / 3, 6);
    expect(by['original'].avgScore).toBeCloseTo(1, 6);
    expect(by['custom-skill'].avgScore).toBeCloseTo(1 / 3, 6);
    expect(s.deltaVsNoSkill.original).toBeCloseTo(1 - (0.45 + 0.5 + 0.5) / 3, 6);
    expect(progress.filter((p) => /→/.test(p.message ?? '')).length).toBeGreaterThanOrEqual(9);
    const dir = out.sessionDir;
    for (const f of ['metadata.json', 'progress.json', 'report.json', 'report.md']) expect(statSync(path.join(dir, f)).isFile(), f).toBe(true);
    const md = readFileSync(path.join(dir, 'report.md'), 'utf8');
    expect(md).toMatch(/no-skill/);
    const res = await conn.client.readResource({ uri: `skvm://bench/${out.sessionId}` });
    expect(JSON.parse((res.contents[0] as { text: string }).text).summary.perCondition.original.avgScore).toBeCloseTo(1, 6);
    expect(textOf(r)).toMatch(/original/);

    // Reference compatibility on disk: the simulator's price is unknown, so every cell's cost is
    // the number 0 with costIncomplete (never null), while the tool still says n/a.
    const rows = JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8')).tasks.flatMap((t: { conditions: unknown[] }) => t.conditions);
    expect(rows).toHaveLength(9);
    for (const row of rows) expect(row).toMatchObject({ cost: 0, costIncomplete: true });
    for (const e of JSON.parse(readFileSync(path.join(dir, 'progress.json'), 'utf8')).entries) expect(e.result).toMatchObject({ cost: 0, costIncomplete: true });
    expect(by['original'].avgCostUsd).toBeNull();
    // <logs>/sessions.jsonl as the reference writes it: running, then completed, under the directory's id.
    const index = readFileSync(path.join(cache, 'log', 'sessions.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const mine = index.filter((e: { id: string }) => e.id === out.sessionId);
    expect(mine.map((e: { status: string }) => e.status)).toEqual(['running', 'completed']);
    expect(mine[1]).toMatchObject({ type: 'bench', logDir: `log/bench/${out.sessionId}`, models: ['sim/agent'], harness: 'bare-agent', conditions: ['no-skill', 'original', 'custom-skill'] });
    expect(mine[1].summary).toMatch(/^no-skill 0\.483, original 1\.000, custom-skill 0\.333$/);
  });

  it('resumes a cancelled bench without redoing finished cells, then compares two sessions', async () => {
    sim.setPolicy(withLatency(await loadPolicyFile(path.join(REPO, 'skvm-data/sim/tasks.json')), { fixedMs: 150 }));
    const started = await call('bench', { models: ['sim/agent'], conditions: ['no-skill', 'original'], concurrency: 1, waitSeconds: 0 });
    const runId = started.structuredContent!.runId as string;
    // Let some cells finish, then cancel.
    for (let i = 0; i < 200; i++) {
      const st = await call('run_status', { runId, waitSeconds: 1 });
      if ((st.structuredContent!.progress.done as number) >= 2) break;
    }
    const cancelled = await call('run_cancel', { runId });
    expect(cancelled.structuredContent!.status).toBe('cancelled');
    sim.setPolicy(withLatency(await loadPolicyFile(path.join(REPO, 'skvm-data/sim/tasks.json')), { fixedMs: 5 }));
    const resumed = await call('bench', { models: ['sim/agent'], conditions: ['no-skill', 'original'], resume: 'latest', waitSeconds: 50 });
    const out = resumed.structuredContent!.result;
    expect(resumed.structuredContent!.status, textOf(resumed)).toBe('succeeded');
    expect(out.totalCells).toBe(6);
    expect(out.ranCells).toBeLessThan(6);
    expect(out.ranCells).toBeGreaterThan(0);
    // The cancelled run failed in the sessions index; the resume completed the same id.
    const index = readFileSync(path.join(cache, 'log', 'sessions.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(index.filter((e: { id: string }) => e.id === out.sessionId).map((e: { status: string }) => e.status)).toEqual(['running', 'failed', 'running', 'completed']);

    const list = await conn.client.listResources();
    const sessions = list.resources.filter((x) => x.uri.startsWith('skvm://bench/')).map((x) => x.uri.slice('skvm://bench/'.length));
    expect(sessions.length).toBeGreaterThanOrEqual(2);
    const cmp = await call('bench_compare', { lhs: sessions[1]!, rhs: sessions[0]! });
    expect(cmp.isError, textOf(cmp)).toBeFalsy();
    expect(cmp.structuredContent!.aggregate.comparableCount).toBe(6);
    expect(cmp.structuredContent!.markdown).toBeUndefined();
    const full = await call('bench_compare', { lhs: sessions[1]!, rhs: sessions[0]!, detail: 'full' });
    expect(full.structuredContent!.markdown).toMatch(/original/);
    expect(full.structuredContent!.rows).toHaveLength(6);
  });

  it('serves tasks and skills as resources', async () => {
    const tasks = (await conn.client.listResources()).resources.filter((r) => r.uri.startsWith('skvm://tasks/')).map((r) => r.uri);
    expect(tasks).toEqual(expect.arrayContaining(['skvm://tasks/sales-summary', 'skvm://tasks/log-triage', 'skvm://tasks/slugify']));
    const task = JSON.parse(((await conn.client.readResource({ uri: 'skvm://tasks/slugify' })).contents[0] as { text: string }).text);
    expect(task.id).toBe('slugify');
    const skill = (await conn.client.readResource({ uri: 'skvm://skills/slug-rules' })).contents[0] as { text: string; mimeType: string };
    expect(skill.mimeType).toBe('text/markdown');
    expect(skill.text).toMatch(/slug/i);
  });

  it('never leaks the API key into results or anything under the cache', () => {
    for (const o of [...outputs, conn.stderr()]) expect(o).not.toContain(SECRET);
    const walk = (dir: string): string[] => readdirSync(dir).flatMap((n) => (statSync(path.join(dir, n)).isDirectory() ? walk(path.join(dir, n)) : [path.join(dir, n)]));
    for (const f of walk(cache)) expect(readFileSync(f, 'utf8'), f).not.toContain(SECRET);
  });
});
