import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESULT_BUDGET_CHARS } from '../../src/contract/detail.js';
import { writeConfigFile } from '../../src/engine/config/write.js';
import { echoPolicy, scriptedPolicy } from '../../src/engine/sim/index.js';
import { startSimServer, type SimServer } from '../../src/engine/sim/server.js';
import { makeProposal, type MadeProposal } from '../proposals.js';
import { requireUpstream } from '../upstream.js';
import { connect, ERAS, REPO, removeDir, tempDir, textOf, type Connected } from './harness.js';

const UPSTREAM = requireUpstream();

const SECRET = 'sk-e2e-secret-value-0123456789abcdef';

type ToolResult = { isError?: boolean; structuredContent?: Record<string, any>; content: Array<{ type: string; text?: string }> };

describe.each(ERAS)('MCP server over stdio as a %s client', (era) => {
  let sim: SimServer;
  let hangingSim: SimServer;
  let plannerSim: SimServer;
  let cache: string;
  let conn: Connected;
  let proposal: MadeProposal;
  const seenText: string[] = [];

  async function call(name: string, args: Record<string, unknown> = {}, options: Record<string, unknown> = {}): Promise<ToolResult> {
    const r = (await conn.client.callTool({ name, arguments: args }, options)) as ToolResult;
    seenText.push(JSON.stringify(r));
    return r;
  }

  beforeAll(async () => {
    sim = await startSimServer({ policy: echoPolicy() });
    // A vendor that accepts every request and never answers: only cancellation ends the call.
    hangingSim = await startSimServer({ policy: scriptedPolicy([], { whenExhausted: { kind: 'fault', fault: { type: 'hang' } } }) });
    // A compiler model for pass 3: its structured call answered with "no parallelism".
    const noParallelism = { hasParallelism: false, reasoning: 'one linear procedure', steps: [], parallelGroups: [] };
    plannerSim = await startSimServer({ policy: scriptedPolicy([(req) => ({ kind: 'message', toolCalls: [{ name: req.tools[0]?.name ?? 'none', arguments: noParallelism }], stopReason: 'tool_use' })], { whenExhausted: 'repeat-last' }) });
    cache = tempDir(`e2e-${era}`);
    await writeConfigFile(path.join(cache, 'skvm.config.json'), {
      providers: {
        routes: [
          { match: 'sim/*', kind: 'openai-compatible', baseUrl: sim.openaiBaseUrl, apiKeyEnv: 'SKVM_E2E_KEY', checkModel: 'sim/echo' },
          { match: 'hang/*', kind: 'anthropic', baseUrl: hangingSim.anthropicBaseUrl, apiKeyEnv: 'SKVM_E2E_KEY' },
          { match: 'plan/*', kind: 'openai-compatible', baseUrl: plannerSim.openaiBaseUrl, apiKeyEnv: 'SKVM_E2E_KEY' },
        ],
      },
    });
    proposal = await makeProposal(path.join(cache, 'jit'), { proposalsDir: path.join(cache, 'proposals') });
    conn = await connect({ era, cache, env: { SKVM_E2E_KEY: SECRET }, testServer: true });
  });

  afterAll(async () => {
    await conn?.close();
    await sim?.close();
    await hangingSim?.close();
    await plannerSim?.close();
    removeDir(cache);
  });

  it('identifies itself and explains what it is for', () => {
    expect(conn.client.getServerVersion()?.name).toBe('skvm-mcp');
    expect(conn.client.getInstructions()).toMatch(/SkVM/);
    expect(conn.client.getInstructions()).toMatch(/run_status/);
  });

  it('lists every tool with a title, a model-facing description, schemas and annotations', async () => {
    const { tools } = await conn.client.listTools();
    const names = tools.map((t) => t.name);
    for (const expected of ['config_show', 'config_doctor', 'config_init', 'runs_list', 'run_status', 'run_cancel', 'primitives_list', 'profiles_list', 'profile_show', 'profiles_import']) {
      expect(names).toContain(expected);
    }
    for (const t of tools) {
      expect(t.title, t.name).toBeTruthy();
      expect(t.description!.length, t.name).toBeGreaterThan(60);
      expect(t.inputSchema.type, t.name).toBe('object');
      expect(t.outputSchema?.type, t.name).toBe('object');
      expect(t.annotations, t.name).toMatchObject({ readOnlyHint: expect.any(Boolean), destructiveHint: expect.any(Boolean), idempotentHint: expect.any(Boolean), openWorldHint: expect.any(Boolean) });
      if (t.annotations?.readOnlyHint) expect(t.annotations.destructiveHint, t.name).toBe(false);
    }
    const runTool = tools.find((t) => t.name === 'test_sleep')!;
    expect(Object.keys(runTool.inputSchema.properties ?? {})).toContain('waitSeconds');
  });

  it('calls every tool successfully, each default result within the size budget', async () => {
    const { tools } = await conn.client.listTools();
    const sleeper = await call('test_sleep', { steps: 1, stepMs: 1 });
    const runId = sleeper.structuredContent!.runId as string;
    const benchArgs = { models: ['sim/echo'], tasks: ['slugify'], conditions: ['no-skill'], waitSeconds: 50 };
    const sessionA = (await call('bench', benchArgs)).structuredContent!.result.sessionId as string;
    const cases: Record<string, Record<string, unknown>> = {
      config_show: {},
      config_doctor: { timeoutMs: 5000 },
      config_init: { mode: 'merge', routes: [{ match: 'other/*', kind: 'openai-compatible', baseUrl: sim.openaiBaseUrl, authFree: true }] },
      runs_list: {},
      run_status: { runId, waitSeconds: 5 },
      run_cancel: { runId },
      primitives_list: {},
      profiles_import: { source: path.join(UPSTREAM, 'profiles') },
      profiles_list: {},
      profile: { models: ['sim/echo'], primitives: ['tool.file.read', 'reason.arithmetic'], instances: 1, waitSeconds: 50 },
      profile_show: { model: 'openrouter/qwen/qwen3.5-9b', harness: 'bare-agent' },
      profile_compare: { a: { model: 'openrouter/qwen/qwen3.5-9b', harness: 'bare-agent' }, b: { model: 'openrouter/qwen/qwen3.5-122b-a10b', harness: 'bare-agent' } },
      adapters_list: {},
      run_task: { task: 'slugify', model: 'sim/echo', waitSeconds: 50 },
      bench: benchArgs,
      bench_compare: { lhs: sessionA, rhs: sessionA },
      compile_passes: {},
      compile: { skill: 'slug-rules', model: 'sim/echo', passes: ['3'], compilerModel: 'plan/compiler', waitSeconds: 50 },
      variants_list: {},
      transcripts_list: {},
      jit_optimize: { skill: 'slug-rules', source: 'log', logs: [{ path: path.join(REPO, 'test', 'fixtures', 'transcripts', 'claude-code', 'session.jsonl') }], targetModel: 'sim/echo', optimizerModel: 'sim/echo', waitSeconds: 50 },
      proposals_list: {},
      proposal_show: { id: proposal.id },
      proposal_diff: { id: proposal.id },
      proposal_accept: { id: proposal.id },
      proposal_rollback: { id: proposal.id },
      proposal_reject: { id: proposal.id },
      clean_jit: { model: 'sim/echo', adapter: 'bare-agent', dryRun: true },
      test_sleep: { steps: 2, stepMs: 5 },
      test_llm: { model: 'sim/echo', calls: 1 },
    };
    const covered = new Set<string>();
    for (const [name, args] of Object.entries(cases)) {
      const r = await call(name, args);
      expect(r.isError, `${name}: ${textOf(r)}`).toBeFalsy();
      expect(r.structuredContent, name).toBeDefined();
      expect(textOf(r).length, name).toBeGreaterThan(0);
      // What a host puts in the model's context stays small by default (details behind `detail` or resources).
      expect(JSON.stringify(r.structuredContent).length, `${name} structured content`).toBeLessThanOrEqual(RESULT_BUDGET_CHARS);
      expect(textOf(r).length, `${name} text`).toBeLessThanOrEqual(RESULT_BUDGET_CHARS);
      covered.add(name);
    }
    // A tool added without a case here fails this test.
    expect(tools.map((t) => t.name).filter((n) => !covered.has(n))).toEqual([]);
    const doctor = await call('config_doctor', { timeoutMs: 5000 });
    const live = (doctor.structuredContent!.checks as Array<{ id: string; status: string; detail: string }>).find((c) => c.id === 'live:sim/echo');
    expect(live?.status).toBe('ok');
    expect(live?.detail).toMatch(/simulator/i);
  });

  it('streams progress for a run and returns its result in the same call', async () => {
    const progress: Array<{ progress: number; total?: number; message?: string }> = [];
    const r = await call('test_sleep', { steps: 4, stepMs: 40 }, { onprogress: (p: (typeof progress)[number]) => progress.push(p) });
    expect(r.structuredContent).toMatchObject({ status: 'succeeded', result: { steps: 4 } });
    expect(progress.length).toBeGreaterThanOrEqual(3);
    expect(progress.at(-1)).toMatchObject({ progress: 4, total: 4, message: 'step 4 of 4' });
    for (let i = 1; i < progress.length; i++) expect(progress[i]!.progress).toBeGreaterThan(progress[i - 1]!.progress);
    expect(textOf(r)).toMatch(/slept 4 steps/);
  });

  it('returns a handle when a run outlasts waitSeconds; run_status long-polls to the result', async () => {
    const started = await call('test_sleep', { steps: 6, stepMs: 200, waitSeconds: 0 });
    expect(started.structuredContent).toMatchObject({ status: expect.stringMatching(/queued|running/), resource: expect.stringMatching(/^skvm:\/\/runs\/run-/) });
    expect(textOf(started)).toMatch(/run_status/);
    const runId = started.structuredContent!.runId as string;
    const progress: unknown[] = [];
    const done = await call('run_status', { runId, waitSeconds: 10 }, { onprogress: (p: unknown) => progress.push(p) });
    expect(done.structuredContent).toMatchObject({ status: 'succeeded', result: { steps: 6 }, summary: 'slept 6 steps' });
    expect(progress.length).toBeGreaterThan(0);
    const listed = await call('runs_list', { status: ['succeeded'], limit: 50 });
    expect((listed.structuredContent!.runs as Array<{ runId: string }>).map((r) => r.runId)).toContain(runId);
  });

  it('cancels a run within two seconds with run_cancel', async () => {
    const started = await call('test_sleep', { steps: 100, stepMs: 100, waitSeconds: 0 });
    const runId = started.structuredContent!.runId as string;
    await new Promise((r) => setTimeout(r, 250));
    const t0 = Date.now();
    const cancelled = await call('run_cancel', { runId, reason: 'e2e' });
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(cancelled.structuredContent).toMatchObject({ status: 'cancelled' });
    const log = await conn.client.readResource({ uri: `skvm://runs/${runId}/log` });
    expect((log.contents[0] as { text: string }).text).toMatch(/cancel-requested/);
  });

  it('run_cancel aborts an in-flight LLM request within two seconds', async () => {
    const started = await call('test_llm', { model: 'hang/claude-x', calls: 1, waitSeconds: 0 });
    const runId = started.structuredContent!.runId as string;
    for (let i = 0; i < 100 && hangingSim.stats().inFlight === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(hangingSim.stats().inFlight).toBe(1);
    const t0 = Date.now();
    const cancelled = await call('run_cancel', { runId });
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(cancelled.structuredContent).toMatchObject({ status: 'cancelled' });
    for (let i = 0; i < 100 && hangingSim.stats().inFlight > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(hangingSim.stats().inFlight).toBe(0);
  });

  it('a cancelled tool call stops the wait, not the run', async () => {
    const ac = new AbortController();
    const call$ = conn.client.callTool({ name: 'test_sleep', arguments: { steps: 5, stepMs: 100 } }, { signal: ac.signal });
    setTimeout(() => ac.abort('client gave up'), 150);
    await expect(call$).rejects.toThrow();
    const listed = await call('runs_list', { operation: 'test_sleep', limit: 1 });
    const runId = (listed.structuredContent!.runs as Array<{ runId: string }>)[0]!.runId;
    const done = await call('run_status', { runId, waitSeconds: 10 });
    expect(done.structuredContent).toMatchObject({ status: 'succeeded' });
  });

  it('reports a failed run with its error and hint', async () => {
    const r = await call('test_sleep', { steps: 3, stepMs: 5, failAt: 2 });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/^Run run-\S+ \(test_sleep\) failed: step 2 failed on purpose/);
    expect(r.structuredContent).toMatchObject({ status: 'failed', error: { message: 'step 2 failed on purpose', hint: 'do not pass failAt' } });
    expect(textOf(r)).toMatch(/Hint: do not pass failAt/);
  });

  it('rolls LLM token and cost usage up to the run', async () => {
    const r = await call('test_llm', { model: 'sim/echo', calls: 3 });
    expect(r.structuredContent).toMatchObject({ status: 'succeeded' });
    const usage = r.structuredContent!.usage as { calls: number; inputTokens: number; outputTokens: number };
    expect(usage.calls).toBe(3);
    expect(usage.inputTokens).toBeGreaterThan(0);
    expect(usage.outputTokens).toBeGreaterThan(0);
    const rec = JSON.parse(((await conn.client.readResource({ uri: r.structuredContent!.resource as string })).contents[0] as { text: string }).text);
    expect(rec.usage.calls).toBe(3);
  });

  it('answers bad arguments with isError and a message that says what is wrong', async () => {
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ['runs_list', { limit: 'ten' }, /limit/],
      ['runs_list', { limt: 5 }, /limt/],
      ['run_status', {}, /runId/],
      ['config_doctor', { timeoutMs: 5 }, /timeoutMs/],
      ['run_status', { runId: '../../etc/passwd', waitSeconds: 0 }, /not a run id/],
      ['config_init', { mode: 'merge', routes: [{ match: 'x/*', kind: 'openai-compatible', baseUrl: 'http://127.0.0.1:1/v1' }] }, /apiKeyEnv/],
      ['config_init', { presets: ['openrouter'] }, /already exists/],
      ['test_llm', { model: 'nowhere/model', calls: 1 }, /No providers\.routes entry matches/],
      ['run_task', { task: 'slugify', model: 'sim/echo', adapter: 'hermez' }, /unknown harness "hermez"; runnable: bare-agent, opencode, openclaw, hermes, jiuwenclaw, pi, claude-code, codex \(adapters_list/],
      ['profile', { models: ['sim/echo'], harnesses: ['claud-code'] }, /unknown harness "claud-code"/],
    ];
    for (const [name, args, pattern] of cases) {
      const r = await call(name, args);
      const text = textOf(r) + JSON.stringify(r.structuredContent?.error ?? '');
      expect(r.isError, `${name} ${JSON.stringify(args)}`).toBe(true);
      if (name === 'test_llm') expect(r.structuredContent?.status).toBe('failed');
      expect(text, name).toMatch(pattern);
    }
  });

  it('names the closest profiles when asked for an unknown one', async () => {
    await call('profiles_import', { source: path.join(UPSTREAM, 'profiles') });
    const r = await call('profile_show', { model: 'qwen/qwen3.5-9', harness: 'bare-agent' });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/qwen3\.5-9b/);
  });

  it('serves resources with listing, templates, reads and completion', async () => {
    const listed = await conn.client.listResources();
    const uris = listed.resources.map((r) => r.uri);
    expect(uris).toContain('skvm://primitives');
    expect(uris.some((u) => u.startsWith('skvm://runs/run-'))).toBe(true);
    expect(uris.some((u) => u.startsWith('skvm://profiles/bare-agent/'))).toBe(true);
    const templates = (await conn.client.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate);
    expect(templates).toEqual(
      expect.arrayContaining(['skvm://runs/{runId}', 'skvm://runs/{runId}/log', 'skvm://profiles/{harness}/{model}', 'skvm://profiles/{harness}/{model}/versions', 'skvm://profiles/{harness}/{model}/failures', 'skvm://primitives/{id}']),
    );
    const versions = JSON.parse(((await conn.client.readResource({ uri: 'skvm://profiles/bare-agent/openrouter--qwen--qwen3.5-9b/versions' })).contents[0] as { text: string }).text);
    expect(versions.map((v: { version: string }) => v.version)).toEqual(['20260406T084317Z', '20260406T053925Z']);
    const failures = JSON.parse(((await conn.client.readResource({ uri: 'skvm://profiles/bare-agent/qwen--qwen3.5-9b/failures' })).contents[0] as { text: string }).text);
    expect(Object.keys(failures.reports).length).toBeGreaterThan(0);
    const catalog = JSON.parse(((await conn.client.readResource({ uri: 'skvm://primitives' })).contents[0] as { text: string }).text);
    expect(JSON.stringify(catalog)).toMatch(/gen\.code\.python/);
    const prim = await conn.client.readResource({ uri: 'skvm://primitives/tool.call.batch' });
    expect((prim.contents[0] as { text: string }).text).toMatch(/tool_use/);
    const profile = JSON.parse(((await conn.client.readResource({ uri: 'skvm://profiles/bare-agent/openrouter--qwen--qwen3.5-9b' })).contents[0] as { text: string }).text);
    expect(profile).toMatchObject({ version: '1.0', harness: 'bare-agent' });
    const completion = await conn.client.complete({ ref: { type: 'ref/resource', uri: 'skvm://profiles/{harness}/{model}' }, argument: { name: 'model', value: 'openrouter--qwen' }, context: { arguments: { harness: 'bare-agent' } } });
    expect(completion.completion.values.length).toBeGreaterThan(1);
    expect(completion.completion.values.every((v) => v.startsWith('openrouter--qwen'))).toBe(true);
    await expect(conn.client.readResource({ uri: 'skvm://runs/run-20000101-000000000-abcd' })).rejects.toThrow(/Unknown run/);
  });

  it('never shows the API key in results, resources, logs or run records', async () => {
    const everything = [...seenText, conn.stderr()];
    for (const r of (await conn.client.listResources()).resources) {
      everything.push(JSON.stringify(await conn.client.readResource({ uri: r.uri })));
    }
    for (const chunk of everything) expect(chunk).not.toContain(SECRET);
    const walk = (dir: string): string[] => readdirSync(dir).flatMap((n) => (statSync(path.join(dir, n)).isDirectory() ? walk(path.join(dir, n)) : [path.join(dir, n)]));
    for (const file of walk(cache)) expect(readFileSync(file, 'utf8'), file).not.toContain(SECRET);
  });
});
