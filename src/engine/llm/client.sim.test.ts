import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Price, Route, SkvmConfig } from '../config/schema.js';
import { createLogger, type Logger } from '../util/log.js';
import { echoPolicy, scriptedPolicy, startSimServer, withLatency, type ScriptStep, type SimServer } from '../sim/index.js';
import type { ScriptedPolicy } from '../sim/index.js';
import { LlmClient, type LlmClientOptions } from './client.js';
import { LlmError } from './errors.js';
import type { ChatMessage, ChatRequest, ToolSpec, UsageRecord } from './types.js';

/**
 * The real client, real SDKs, real HTTP — against the project's simulator. Nothing is stubbed.
 */

let sim: SimServer;
beforeAll(async () => {
  sim = await startSimServer({ policy: echoPolicy() });
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => sim.resetStats());

const ENV = { SIM_OPENAI_KEY: 'sim-test-key-123', SIM_ANTH_KEY: 'sim-anth-key-456', SIM_OR_KEY: 'sim-or-key-789' };
const CONFIG_FILE = '/tmp/skvm-test/skvm.config.json';

function baseRoutes(): Route[] {
  return [
    { match: 'sim/*', kind: 'openai-compatible', baseUrl: sim.openaiBaseUrl, apiKeyEnv: 'SIM_OPENAI_KEY' },
    { match: 'simanth/*', kind: 'anthropic', baseUrl: sim.anthropicBaseUrl, apiKeyEnv: 'SIM_ANTH_KEY' },
    { match: 'simor/*', kind: 'openrouter', baseUrl: sim.openaiBaseUrl, apiKeyEnv: 'SIM_OR_KEY' },
  ];
}

interface Harness {
  client: LlmClient;
  lines: string[];
  routes: Route[];
  pricing: Record<string, Price>;
}

function harness(opts: { routes?: Route[]; env?: NodeJS.ProcessEnv; pricing?: Record<string, Price>; client?: Partial<LlmClientOptions> } = {}): Harness {
  const lines: string[] = [];
  const log: Logger = createLogger({ level: 'debug', sink: { write: (_l, line) => lines.push(line) } });
  const h: Harness = { client: undefined as unknown as LlmClient, lines, routes: opts.routes ?? baseRoutes(), pricing: opts.pricing ?? {} };
  // A fresh object per read, like a config file reloaded on change.
  const config = (): SkvmConfig => ({ providers: { routes: [...h.routes] }, pricing: { ...h.pricing } });
  h.client = new LlmClient({
    config,
    configFile: CONFIG_FILE,
    env: opts.env ?? ENV,
    log,
    retry: { baseDelayMs: 10, maxDelayMs: 40 },
    ...opts.client,
  });
  return h;
}

function script(steps: ScriptStep[]): ScriptedPolicy {
  const p = scriptedPolicy(steps);
  sim.setPolicy(p);
  return p;
}

const KINDS = [
  { kind: 'openai-compatible', model: 'sim/tiny-1', backend: 'tiny-1', api: 'openai' },
  { kind: 'anthropic', model: 'simanth/claude-sim-1', backend: 'claude-sim-1', api: 'anthropic' },
  { kind: 'openrouter', model: 'simor/acme/sim-1', backend: 'acme/sim-1', api: 'openai' },
] as const;

const READ_TOOL: ToolSpec = {
  name: 'read_file',
  description: 'Read a file',
  inputSchema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
};

const ok = (text = 'fine'): ScriptStep => ({ kind: 'message', text });

describe.each(KINDS)('$kind over the simulator', ({ model, backend, api, kind }) => {
  it('multi-turn tool round trip keeps call ids and strips the route prefix', async () => {
    const { client } = harness();
    const policy = script([
      { kind: 'message', text: 'Let me look.', toolCalls: [{ name: 'read_file', arguments: { path: 'a.txt' } }] },
      { kind: 'message', text: 'The file says hello.' },
    ]);
    const user: ChatMessage = { role: 'user', content: 'What is in a.txt?' };
    const first = await client.chat({ model, system: 'You are terse.', messages: [user], tools: [READ_TOOL] });
    expect(first.stopReason).toBe('tool_use');
    expect(first.toolCalls).toHaveLength(1);
    const call = first.toolCalls[0]!;
    expect(call).toMatchObject({ name: 'read_file', arguments: { path: 'a.txt' } });
    expect(first.text).toBe('Let me look.');

    const second = await client.chat({
      model,
      system: 'You are terse.',
      tools: [READ_TOOL],
      messages: [user, { role: 'assistant', content: first.text, toolCalls: first.toolCalls }, { role: 'tool', toolCallId: call.id, content: 'hello' }],
    });
    expect(second).toMatchObject({ text: 'The file says hello.', stopReason: 'end_turn', model, attempts: 1 });

    const seen = policy.requests();
    expect(seen).toHaveLength(2);
    expect(seen.every((r) => r.model === backend && r.api === api)).toBe(true);
    expect(seen[0]!.system).toBe('You are terse.');
    expect(seen[0]!.tools.map((t) => t.name)).toEqual(['read_file']);
    const msgs = seen[1]!.messages;
    expect(msgs).toHaveLength(3);
    expect(msgs[1]).toMatchObject({ role: 'assistant', toolCalls: [{ id: call.id, name: 'read_file', arguments: { path: 'a.txt' } }] });
    expect(msgs[2]).toMatchObject({ role: 'tool', toolCallId: call.id, content: 'hello' });
  });

  it('streaming gives the same result as non-streaming, with text deltas', async () => {
    const { client } = harness();
    const reply: ScriptStep = {
      kind: 'message',
      text: 'Streaming is a sequence of small pieces of text that must add up exactly.',
      toolCalls: [{ id: 'call_fixed_1', name: 'read_file', arguments: { path: 'dir/x.md', nested: { n: [1, 2, 3] } } }],
      usage: { input: 120, output: 40 },
    };
    script([reply, reply]);
    const req: ChatRequest = { model, messages: [{ role: 'user', content: 'go' }], tools: [READ_TOOL] };
    const plain = await client.chat(req);
    const deltas: string[] = [];
    const streamed = await client.chat({ ...req, stream: true, onTextDelta: (d) => deltas.push(d) });
    expect(sim.stats().streamed).toBe(1);
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe(plain.text);
    for (const key of ['text', 'toolCalls', 'stopReason', 'usage'] as const) expect(streamed[key]).toEqual(plain[key]);
  });

  it.each([false, true])('keeps tool calls that arrive with an end_turn/stop finish reason (stream=%s)', async (stream) => {
    const { client } = harness();
    script([{ kind: 'message', toolCalls: [{ name: 'read_file', arguments: { path: 'b' } }], stopReason: 'end_turn' }]);
    const res = await client.chat({ model, messages: [{ role: 'user', content: 'x' }], tools: [READ_TOOL], stream });
    expect(res.toolCalls).toHaveLength(1);
    expect(res.stopReason).toBe('tool_use');
  });

  it('429 with retry-after: waits at least the header, then succeeds on attempt 2', async () => {
    const { client, lines } = harness();
    script([{ kind: 'fault', fault: { type: 'rate_limit', retryAfterSeconds: 1 } }, ok('after wait')]);
    const started = Date.now();
    const res = await client.chat({ model, messages: [{ role: 'user', content: 'x' }] });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(res).toMatchObject({ text: 'after wait', attempts: 2 });
    expect(lines.filter((l) => l.includes('warn:') && l.includes('rate_limit'))).toHaveLength(1);
  });

  it.each([false, true])('500, malformed and disconnect are retried (stream=%s)', async (stream) => {
    const { client } = harness();
    script([
      { kind: 'fault', fault: { type: 'server_error', status: 500 } },
      { kind: 'fault', fault: { type: 'malformed' } },
      { kind: 'fault', fault: { type: 'disconnect' } },
      ok('finally'),
    ]);
    const res = await client.chat({ model, messages: [{ role: 'user', content: 'x' }], stream });
    expect(res).toMatchObject({ text: 'finally', attempts: 4 });
    expect(sim.stats().faults).toMatchObject({ server_error: 1, malformed: 1, disconnect: 1 });
  });

  it('auth failure fails fast, no retry, hint names the env var', async () => {
    const { client } = harness();
    const policy = script([{ kind: 'fault', fault: { type: 'auth' } }, ok()]);
    const err = (await client.chat({ model, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e)) as LlmError;
    expect(err).toBeInstanceOf(LlmError);
    expect(err).toMatchObject({ kind: 'auth', status: 401, retryable: false });
    expect(err.hint).toContain(kind === 'anthropic' ? 'SIM_ANTH_KEY' : kind === 'openrouter' ? 'SIM_OR_KEY' : 'SIM_OPENAI_KEY');
    expect(err.hint).toContain(CONFIG_FILE);
    expect(policy.requests()).toHaveLength(1);
  });

  it('a hang times out after the route timeout and is retried', async () => {
    const routes = baseRoutes().map((r) => ({ ...r, timeoutMs: 1000 }));
    const { client } = harness({ routes });
    script([{ kind: 'fault', fault: { type: 'hang' } }, ok('second try')]);
    const started = Date.now();
    const res = await client.chat({ model, messages: [{ role: 'user', content: 'x' }] });
    const took = Date.now() - started;
    expect(res).toMatchObject({ text: 'second try', attempts: 2 });
    expect(took).toBeGreaterThanOrEqual(1000);
    expect(took).toBeLessThan(5000);
  });

  it('a per-call timeout beats the route timeout; giving up reports a timeout with attempts', async () => {
    const routes = baseRoutes().map((r) => ({ ...r, timeoutMs: 60_000 }));
    const { client } = harness({ routes, client: { retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 } } });
    script([{ kind: 'fault', fault: { type: 'hang' } }, { kind: 'fault', fault: { type: 'hang' } }]);
    const started = Date.now();
    const err = (await client.chat({ model, messages: [{ role: 'user', content: 'x' }] }, { timeoutMs: 300 }).catch((e: unknown) => e)) as LlmError;
    expect(Date.now() - started).toBeLessThan(3000);
    expect(err).toMatchObject({ kind: 'timeout', attempts: 2 });
    expect(err.message).toMatch(/300 ms.*gave up after 2 attempts/);
  });

  it.each([false, true])('cancellation mid-request rejects promptly with kind cancelled (stream=%s)', async (stream) => {
    const { client } = harness();
    script([{ kind: 'fault', fault: { type: 'hang' } }]);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const started = Date.now();
    const err = (await client.chat({ model, messages: [{ role: 'user', content: 'x' }], stream }, { signal: ac.signal }).catch((e: unknown) => e)) as LlmError;
    expect(Date.now() - started).toBeLessThan(2000);
    expect(err).toBeInstanceOf(LlmError);
    expect(err.kind).toBe('cancelled');
    expect(err.name).toBe('AbortError');
  });

  it('cancellation during a retry-after wait rejects promptly', async () => {
    const { client } = harness();
    script([{ kind: 'fault', fault: { type: 'rate_limit', retryAfterSeconds: 30 } }, ok()]);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 150);
    const started = Date.now();
    const err = (await client.chat({ model, messages: [{ role: 'user', content: 'x' }] }, { signal: ac.signal }).catch((e: unknown) => e)) as LlmError;
    expect(Date.now() - started).toBeLessThan(2000);
    expect(err.kind).toBe('cancelled');
  });

  it('token accounting maps input, output and cache tokens', async () => {
    const { client } = harness();
    script([{ kind: 'message', text: 'x', usage: { input: 1000, output: 200, cacheRead: 300, cacheWrite: 50 } }]);
    const res = await client.chat({ model, messages: [{ role: 'user', content: 'x' }] });
    // OpenAI's wire has no cache-write count.
    expect(res.usage).toEqual({ input: 1000, output: 200, cacheRead: 300, cacheWrite: api === 'anthropic' ? 50 : 0 });
  });
});

describe('openrouter specifics', () => {
  it('sends the attribution headers, and openai-compatible does not', async () => {
    const { client } = harness();
    const policy = script([ok(), ok()]);
    await client.chat({ model: 'simor/acme/m', messages: [{ role: 'user', content: 'x' }] });
    await client.chat({ model: 'sim/m', messages: [{ role: 'user', content: 'x' }] });
    const [or, plain] = policy.requests();
    expect(or!.headers['x-title']).toBeTruthy();
    expect(or!.headers['http-referer']).toBeTruthy();
    expect(plain!.headers['x-title']).toBeUndefined();
  });
});

describe('cost', () => {
  it('vendor cost (usage.cost) wins', async () => {
    const { client } = harness({ pricing: { 'sim/*': { input: 1, output: 1 } } });
    script([{ kind: 'message', text: 'x', usage: { input: 10, output: 10 }, costUsd: 0.0042 }]);
    const res = await client.chat({ model: 'simor/acme/m', messages: [{ role: 'user', content: 'x' }] });
    expect(res).toMatchObject({ costUsd: 0.0042, costSource: 'vendor' });
  });
  it('table cost from config pricing, re-read on every call', async () => {
    const h = harness({ pricing: { 'simanth/*': { input: 2, output: 10 } } });
    script([
      { kind: 'message', text: 'x', usage: { input: 1_000_000, output: 100_000, cacheRead: 1_000_000 } },
      { kind: 'message', text: 'x', usage: { input: 1_000_000, output: 0 } },
    ]);
    const res = await h.client.chat({ model: 'simanth/claude-sim', messages: [{ role: 'user', content: 'x' }] });
    expect(res.costSource).toBe('table');
    expect(res.costUsd).toBeCloseTo(2 + 1 + 0.2, 9);
    h.pricing = { 'simanth/claude-sim': { input: 5, output: 5 } };
    const again = await h.client.chat({ model: 'simanth/claude-sim', messages: [{ role: 'user', content: 'x' }] });
    expect(again.costUsd).toBeCloseTo(5, 9);
  });
  it('built-in table by backend id', async () => {
    const { client } = harness();
    script([{ kind: 'message', text: 'x', usage: { input: 1_000_000, output: 1_000_000 } }]);
    const res = await client.chat({ model: 'simanth/claude-sonnet-4.6', messages: [{ role: 'user', content: 'x' }] });
    expect(res).toMatchObject({ costUsd: 18, costSource: 'table' });
  });
  it('unknown model: cost null, source unknown', async () => {
    const { client } = harness();
    script([ok()]);
    const res = await client.chat({ model: 'sim/mystery', messages: [{ role: 'user', content: 'x' }] });
    expect(res).toMatchObject({ costUsd: null, costSource: 'unknown' });
  });
});

describe('usage records', () => {
  it('global listeners and withUsage both see successes and final failures', async () => {
    const { client } = harness({ client: { retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 } } });
    const global: UsageRecord[] = [];
    const scoped: UsageRecord[] = [];
    const off = client.onUsage((r) => global.push(r));
    const provider = client.withUsage((r) => scoped.push(r));
    script([
      { kind: 'message', text: 'x', usage: { input: 7, output: 3 } },
      { kind: 'fault', fault: { type: 'server_error' } },
      { kind: 'fault', fault: { type: 'server_error', status: 503 } },
      { kind: 'fault', fault: { type: 'server_error', status: 502 } },
    ]);
    await provider.chat({ model: 'sim/m', messages: [{ role: 'user', content: 'x' }] });
    const err = (await provider.chat({ model: 'sim/m', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e)) as LlmError;
    expect(err).toMatchObject({ kind: 'transient', status: 502, attempts: 3 });
    expect(err.message).toMatch(/gave up after 3 attempts/);
    expect(scoped).toHaveLength(2);
    expect(scoped[0]).toMatchObject({ model: 'sim/m', route: 'sim/*', ok: true, attempts: 1, usage: { input: 7, output: 3 } });
    expect(scoped[1]).toMatchObject({ ok: false, attempts: 3, usage: { input: 0, output: 0 } });
    expect(global).toEqual(scoped);
    off();
    script([ok()]);
    await client.chat({ model: 'sim/m', messages: [{ role: 'user', content: 'x' }] });
    expect(global).toHaveLength(2);
  });
});

describe('per-route concurrency', () => {
  it('maxConcurrency 2 keeps at most 2 requests in flight', async () => {
    const routes = baseRoutes().map((r) => (r.match === 'sim/*' ? { ...r, maxConcurrency: 2 } : r));
    const { client } = harness({ routes });
    sim.setPolicy(withLatency(echoPolicy(), { fixedMs: 150 }));
    const calls = Array.from({ length: 6 }, (_, i) => client.chat({ model: 'sim/m', messages: [{ role: 'user', content: `n${i}` }] }));
    const results = await Promise.all(calls);
    expect(results.map((r) => r.text)).toEqual(Array.from({ length: 6 }, (_, i) => `sim: n${i}`));
    expect(sim.stats().maxInFlight).toBe(2);
    expect(sim.stats().requests).toBe(6);
  });
  it('a call waiting for a slot can be cancelled', async () => {
    const routes = baseRoutes().map((r) => (r.match === 'sim/*' ? { ...r, maxConcurrency: 1 } : r));
    const { client } = harness({ routes });
    script([{ kind: 'fault', fault: { type: 'hang' } }, ok('second')]);
    const holder = new AbortController();
    const first = client.chat({ model: 'sim/m', messages: [{ role: 'user', content: 'x' }] }, { signal: holder.signal }).catch((e: unknown) => e);
    const waiter = new AbortController();
    const second = client.chat({ model: 'sim/m', messages: [{ role: 'user', content: 'y' }] }, { signal: waiter.signal }).catch((e: unknown) => e);
    setTimeout(() => waiter.abort(), 100);
    const started = Date.now();
    expect(((await second) as LlmError).kind).toBe('cancelled');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(sim.stats().requests).toBe(1);
    holder.abort();
    expect(((await first) as LlmError).kind).toBe('cancelled');
  });
  it('without a limit on the route, the default (8) lets all 6 run together', async () => {
    const { client } = harness();
    sim.setPolicy(withLatency(echoPolicy(), { fixedMs: 150 }));
    await Promise.all(Array.from({ length: 6 }, () => client.chat({ model: 'sim/m', messages: [{ role: 'user', content: 'x' }] })));
    expect(sim.stats().maxInFlight).toBe(6);
  });
});

describe('configuration errors (no network)', () => {
  it('missing API key → auth error naming the variable', async () => {
    const { client } = harness({ env: {} });
    sim.setPolicy(echoPolicy());
    const err = (await client.chat({ model: 'simanth/claude-x', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e)) as LlmError;
    expect(err).toMatchObject({ kind: 'auth', route: 'simanth/*' });
    expect(err.message).toContain('SIM_ANTH_KEY');
    expect(err.hint).toContain('SIM_ANTH_KEY');
    expect(() => client.resolve('sim/m')).toThrow(/SIM_OPENAI_KEY/);
    expect(sim.stats().requests).toBe(0);
  });
  it('no route → no_route listing configured matches and the config file', async () => {
    const { client } = harness();
    const err = (await client.chat({ model: 'nowhere/m', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e)) as LlmError;
    expect(err.kind).toBe('no_route');
    for (const m of ['sim/*', 'simanth/*', 'simor/*', CONFIG_FILE, 'providers.routes']) expect(err.hint).toContain(m);
  });
  it('resolve returns route and backend id without a request', () => {
    const { client } = harness();
    expect(client.resolve('simor/acme/x')).toMatchObject({ route: { match: 'simor/*', kind: 'openrouter' }, backendModel: 'acme/x' });
    expect(sim.stats().requests).toBe(0);
  });
  it('warm loads ahead without a request, never throws (resolve reports), and the call after it works', async () => {
    const { client } = harness({ env: {} });
    expect(() => client.warm('nowhere/m')).not.toThrow();
    expect(() => client.warm('sim/m')).not.toThrow(); // no key: resolve says so, warm stays quiet
    const free = harness({ routes: [{ match: 'free/*', kind: 'openai-compatible', baseUrl: sim.openaiBaseUrl, apiKey: '' }], env: {} }).client;
    free.warm('free/m');
    expect(sim.stats().requests).toBe(0);
    script([ok('warmed')]);
    expect((await free.chat({ model: 'free/m', messages: [{ role: 'user', content: 'x' }] })).text).toBe('warmed');
  });
  it('an auth-free endpoint (apiKey "") works without a key', async () => {
    const { client } = harness({ routes: [{ match: 'free/*', kind: 'openai-compatible', baseUrl: sim.openaiBaseUrl, apiKey: '' }], env: {} });
    const policy = script([ok('free')]);
    expect((await client.chat({ model: 'free/m', messages: [{ role: 'user', content: 'x' }] })).text).toBe('free');
    expect(policy.requests()).toHaveLength(1);
  });
});

describe('logging', () => {
  it('one debug line per call, a warn per retry, and never a key', async () => {
    const { client, lines } = harness();
    script([{ kind: 'fault', fault: { type: 'server_error' } }, ok(), ok()]);
    await client.chat({ model: 'sim/m', messages: [{ role: 'user', content: 'x' }] });
    await client.chat({ model: 'simanth/claude-x', messages: [{ role: 'user', content: 'my key is sim-anth-key-456' }] });
    expect(lines.filter((l) => l.includes('debug:') && l.includes('llm '))).toHaveLength(2);
    expect(lines.filter((l) => l.includes('warn:'))).toHaveLength(1);
    const all = lines.join('\n');
    for (const key of Object.values(ENV)) expect(all).not.toContain(key);
  });
});
