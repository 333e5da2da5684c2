import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../util/log.js';
import { echoPolicy } from './policies/echo.js';
import { withLatency } from './policies/latency.js';
import { scriptedPolicy } from './policies/scripted.js';
import { startSimServer, type SimServer } from './server.js';

let sim: SimServer | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const openai = (s: SimServer) => new OpenAI({ baseURL: s.openaiBaseUrl, apiKey: 'test', maxRetries: 0 });
const anthropic = (s: SimServer) => new Anthropic({ baseURL: s.anthropicBaseUrl, apiKey: 'test', maxRetries: 0 });

describe('simulator server', () => {
  it('listens on 127.0.0.1 with an ephemeral port and exposes the base URLs', async () => {
    sim = await startSimServer({ policy: echoPolicy() });
    expect(sim.port).toBeGreaterThan(0);
    expect(sim.url).toBe(`http://127.0.0.1:${sim.port}`);
    expect(sim.openaiBaseUrl).toBe(`${sim.url}/v1`);
    expect(sim.anthropicBaseUrl).toBe(sim.url);
  });

  it('serves health, stats, models and a labelled 404', async () => {
    sim = await startSimServer({ policy: echoPolicy() });
    const health = await fetch(`${sim.url}/health`);
    expect(health.headers.get('x-skvm-simulator')).toBe('echo');
    expect(await health.json()).toEqual({ ok: true, simulator: true, policy: 'echo' });

    const models = await openai(sim).models.list();
    expect(models.data.map((m) => m.id)).toEqual(['sim']);
    const claudeModels = await anthropic(sim).models.list();
    expect(claudeModels.data.map((m) => m.id)).toEqual(['sim']);

    const missing = await fetch(`${sim.url}/v2/nothing`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-skvm-simulator')).toBe('echo');
    expect(await missing.json()).toMatchObject({ error: { type: 'invalid_request_error', code: 'unknown_url' } });
    const wrongMethod = await fetch(`${sim.url}/v1/messages`);
    expect(wrongMethod.status).toBe(404);
    expect(await wrongMethod.json()).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });

    const stats = await fetch(`${sim.url}/_sim/stats`);
    expect(await stats.json()).toEqual(sim.stats());
  });

  it('answers a body that is not JSON with 400 in each vendor format', async () => {
    sim = await startSimServer({ policy: echoPolicy() });
    const post = (path: string) => fetch(sim!.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{not json' });
    const o = await post('/v1/chat/completions');
    expect(o.status).toBe(400);
    expect(await o.json()).toMatchObject({ error: { type: 'invalid_request_error', message: expect.stringContaining('not valid JSON') } });
    const a = await post('/v1/messages');
    expect(a.status).toBe(400);
    expect(await a.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    expect(sim.stats().requests).toBe(0);
  });

  it('counts requests by API, streams, faults and concurrency; resetStats zeroes them', async () => {
    sim = await startSimServer({ policy: withLatency(echoPolicy(), { fixedMs: 80 }) });
    const o = openai(sim);
    const a = anthropic(sim);
    const stream = await o.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'a' }], stream: true });
    for await (const _ of stream) void _;
    await Promise.all([
      o.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'b' }] }),
      a.messages.create({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'c' }] }),
      a.messages.create({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'd' }] }),
    ]);
    sim.setPolicy(scriptedPolicy([{ kind: 'fault', fault: { type: 'auth' } }]));
    await expect(a.messages.create({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'e' }] })).rejects.toThrow();
    const stats = sim.stats();
    expect(stats).toMatchObject({ requests: 5, byApi: { openai: 2, anthropic: 3 }, faults: { auth: 1 }, inFlight: 0, streamed: 1 });
    expect(stats.maxInFlight).toBe(3);
    sim.resetStats();
    expect(sim.stats()).toEqual({ requests: 0, byApi: { openai: 0, anthropic: 0, 'openai-responses': 0 }, faults: {}, inFlight: 0, maxInFlight: 0, streamed: 0 });
  });

  it('numbers requests with a seq that survives resetStats and follows setPolicy', async () => {
    const first = scriptedPolicy([{ kind: 'message', text: 'x' }]);
    sim = await startSimServer({ policy: first });
    await openai(sim).chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'a' }] });
    sim.resetStats();
    const second = scriptedPolicy([{ kind: 'message', text: 'y' }], { name: 'second' });
    sim.setPolicy(second);
    const { response } = await anthropic(sim)
      .messages.create({ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'b' }] })
      .withResponse();
    expect(response.headers.get('x-skvm-simulator')).toBe('second');
    expect(first.requests()[0]!.seq).toBe(0);
    expect(second.requests()[0]!.seq).toBe(1);
  });

  it('delays replies by the latency wrapper', async () => {
    sim = await startSimServer({ policy: withLatency(echoPolicy(), { fixedMs: 120 }) });
    const t0 = Date.now();
    const r = await openai(sim).chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'slow' }] });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(110);
    expect(r.choices[0]?.message.content).toBe('sim: slow');
  });

  it('answers the echo route check with ok for a tiny max_tokens', async () => {
    sim = await startSimServer({ policy: echoPolicy() });
    const r = await anthropic(sim).messages.create({ model: 'm', max_tokens: 1, messages: [{ role: 'user', content: 'ping' }] });
    expect(r.content).toEqual([{ type: 'text', text: 'ok' }]);
  });

  it('close() returns promptly while a request hangs, and the hanging client fails', async () => {
    let serverSignal: AbortSignal | undefined;
    sim = await startSimServer({
      policy: {
        name: 'hang',
        respond(_req, ctx) {
          serverSignal = ctx.signal;
          return { kind: 'fault', fault: { type: 'hang' } };
        },
      },
    });
    const server = sim;
    const pending = openai(server).chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'wait' }] }).catch((e: unknown) => e);
    await vi.waitFor(() => expect(server.stats().inFlight).toBe(1));
    const t0 = Date.now();
    await server.close();
    expect(Date.now() - t0).toBeLessThan(2000); // prompt; loose bound for slow CI
    expect(serverSignal?.aborted).toBe(true);
    expect(await pending).toBeInstanceOf(OpenAI.APIConnectionError);
    await server.close(); // idempotent
    sim = undefined;
  });

  it('never logs credential header values', async () => {
    const lines: string[] = [];
    sim = await startSimServer({ policy: echoPolicy(), log: createLogger({ level: 'debug', sink: { write: (_l, line) => lines.push(line) } }) });
    const o = new OpenAI({ baseURL: sim.openaiBaseUrl, apiKey: 'sk-should-never-appear-1234', maxRetries: 0 });
    await o.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
    const a = new Anthropic({ baseURL: sim.anthropicBaseUrl, apiKey: 'sk-ant-should-never-appear', maxRetries: 0 });
    await a.messages.create({ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] });
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('\n')).not.toContain('should-never-appear');
  });
});
