import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SimFault, SimPolicy } from './policy.js';
import { scriptedPolicy } from './policies/scripted.js';
import { startSimServer, type SimServer } from './server.js';

let sim: SimServer | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

/** Every test drives both SDKs; each vendor must surface the fault in its own native way. */
const VENDORS = ['openai', 'anthropic'] as const;
type Vendor = (typeof VENDORS)[number];

async function serveFault(fault: SimFault, policy?: SimPolicy) {
  sim = await startSimServer({ policy: policy ?? scriptedPolicy([], { whenExhausted: { kind: 'fault', fault } }) });
  return sim;
}

function call(vendor: Vendor, server: SimServer, opts: { stream?: boolean; signal?: AbortSignal } = {}): Promise<unknown> {
  const reqOpts = opts.signal ? { signal: opts.signal } : {};
  if (vendor === 'openai') {
    const client = new OpenAI({ baseURL: server.openaiBaseUrl, apiKey: 'test', maxRetries: 0, logLevel: 'off' });
    const params = { model: 'm', messages: [{ role: 'user' as const, content: 'hi' }] };
    if (!opts.stream) return client.chat.completions.create(params, reqOpts);
    return client.chat.completions.create({ ...params, stream: true }, reqOpts).then(async (s) => {
      const chunks = [];
      for await (const c of s) chunks.push(c);
      return chunks;
    });
  }
  const client = new Anthropic({ baseURL: server.anthropicBaseUrl, apiKey: 'test', maxRetries: 0, logLevel: 'off' });
  const params = { model: 'm', max_tokens: 20, messages: [{ role: 'user' as const, content: 'hi' }] };
  if (!opts.stream) return client.messages.create(params, reqOpts);
  return client.messages.create({ ...params, stream: true }, reqOpts).then(async (s) => {
    const events = [];
    for await (const e of s) events.push(e);
    return events;
  });
}

const ERRORS = {
  openai: {
    APIError: OpenAI.APIError,
    RateLimit: OpenAI.RateLimitError,
    Internal: OpenAI.InternalServerError,
    Auth: OpenAI.AuthenticationError,
    BadRequest: OpenAI.BadRequestError,
    Connection: OpenAI.APIConnectionError,
    UserAbort: OpenAI.APIUserAbortError,
  },
  anthropic: {
    APIError: Anthropic.APIError,
    RateLimit: Anthropic.RateLimitError,
    Internal: Anthropic.InternalServerError,
    Auth: Anthropic.AuthenticationError,
    BadRequest: Anthropic.BadRequestError,
    Connection: Anthropic.APIConnectionError,
    UserAbort: Anthropic.APIUserAbortError,
  },
};

describe.each(VENDORS)('faults through the %s SDK', (vendor) => {
  const E = ERRORS[vendor];

  it.each([false, true])('rate_limit → 429 with retry-after visible (stream=%s)', async (stream) => {
    const server = await serveFault({ type: 'rate_limit', retryAfterSeconds: 2 });
    const err = await call(vendor, server, { stream }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(E.RateLimit);
    const apiErr = err as InstanceType<typeof E.APIError>;
    expect(apiErr.status).toBe(429);
    expect(apiErr.headers?.get('retry-after')).toBe('2');
    expect(apiErr.headers?.get('x-skvm-simulator')).toBe('scripted');
    expect(server.stats().faults).toEqual({ rate_limit: 1 });
  });

  it('server_error → 500 by default and the requested status otherwise', async () => {
    const server = await serveFault({ type: 'server_error' });
    const err = await call(vendor, server).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(E.Internal);
    expect((err as InstanceType<typeof E.APIError>).status).toBe(500);
    server.setPolicy(scriptedPolicy([{ kind: 'fault', fault: { type: 'server_error', status: 529 } }]));
    const err529 = await call(vendor, server).catch((e: unknown) => e);
    expect((err529 as InstanceType<typeof E.APIError>).status).toBe(529);
    if (vendor === 'anthropic') expect((err529 as Error).message).toContain('overloaded_error');
  });

  it('auth → 401', async () => {
    const server = await serveFault({ type: 'auth' });
    const err = await call(vendor, server).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(E.Auth);
    expect((err as InstanceType<typeof E.APIError>).status).toBe(401);
  });

  it('bad_request → 400 carrying the message', async () => {
    const server = await serveFault({ type: 'bad_request', message: 'prompt is too long: 300000 tokens' });
    const err = await call(vendor, server).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(E.BadRequest);
    expect((err as Error).message).toContain('prompt is too long');
  });

  it.each([false, true])('malformed body makes the SDK throw (stream=%s)', async (stream) => {
    const server = await serveFault({ type: 'malformed' });
    await expect(call(vendor, server, { stream })).rejects.toThrow();
    expect(server.stats().faults).toEqual({ malformed: 1 });
  });

  it('malformed non-streamed body is a truncated JSON document', async () => {
    const server = await serveFault({ type: 'malformed' });
    const path = vendor === 'openai' ? '/v1/chat/completions' : '/v1/messages';
    const res = await fetch(server.url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    const text = await res.text();
    expect(text.length).toBeGreaterThan(0);
    expect(() => JSON.parse(text)).toThrow();
  });

  it('hang is ended by the client abort, and the policy sees ctx.signal abort', async () => {
    let serverSignal: AbortSignal | undefined;
    const policy: SimPolicy = {
      name: 'hang-probe',
      respond(_req, ctx) {
        serverSignal = ctx.signal;
        return { kind: 'fault', fault: { type: 'hang' } };
      },
    };
    const server = await serveFault({ type: 'hang' }, policy);
    const controller = new AbortController();
    const pending = call(vendor, server, { signal: controller.signal });
    await vi.waitFor(() => expect(server.stats().inFlight).toBe(1));
    const abortedAt = Date.now();
    controller.abort();
    const err = await pending.catch((e: unknown) => e);
    expect(Date.now() - abortedAt).toBeLessThan(1000); // ~immediate; loose bound for slow CI
    expect(err).toBeInstanceOf(E.UserAbort);
    await vi.waitFor(() => expect(serverSignal?.aborted).toBe(true));
    await vi.waitFor(() => expect(server.stats().inFlight).toBe(0));
  });

  it('a policy still waiting when the client aborts sees ctx.signal abort', async () => {
    let serverSignal: AbortSignal | undefined;
    const policy: SimPolicy = {
      name: 'slow',
      respond(_req, ctx) {
        serverSignal = ctx.signal;
        return new Promise((_resolve, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted'))));
      },
    };
    const server = await serveFault({ type: 'hang' }, policy);
    const controller = new AbortController();
    const pending = call(vendor, server, { stream: true, signal: controller.signal });
    await vi.waitFor(() => expect(serverSignal).toBeDefined());
    controller.abort();
    await pending.catch(() => undefined);
    await vi.waitFor(() => expect(serverSignal?.aborted).toBe(true));
    expect(server.stats().faults).toEqual({});
  });

  it('disconnect mid-stream throws after some events', async () => {
    const server = await serveFault({ type: 'disconnect' });
    const received: unknown[] = [];
    const stream = async () => {
      if (vendor === 'openai') {
        const client = new OpenAI({ baseURL: server.openaiBaseUrl, apiKey: 'test', maxRetries: 0 });
        const s = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true });
        for await (const c of s) received.push(c);
      } else {
        const client = new Anthropic({ baseURL: server.anthropicBaseUrl, apiKey: 'test', maxRetries: 0 });
        const s = await client.messages.create({ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }], stream: true });
        for await (const e of s) received.push(e);
      }
    };
    await expect(stream()).rejects.toThrow();
    expect(received.length).toBeGreaterThan(0);
    expect(server.stats().faults).toEqual({ disconnect: 1 });
  });

  it('disconnect on a non-streamed request is a connection error', async () => {
    const server = await serveFault({ type: 'disconnect' });
    const err = await call(vendor, server).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(E.Connection);
  });

  it('a scripted policy that runs out answers 500 saying so', async () => {
    sim = await startSimServer({ policy: scriptedPolicy([{ kind: 'message', text: 'only one' }]) });
    await call(vendor, sim);
    const err = await call(vendor, sim).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(E.Internal);
    expect((err as Error).message).toContain('ran out of replies');
  });

  it('a policy that throws answers 500 and is counted', async () => {
    sim = await startSimServer({
      policy: {
        name: 'broken',
        respond() {
          throw new Error('boom');
        },
      },
    });
    const err = await call(vendor, sim).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(E.Internal);
    expect((err as Error).message).toContain('boom');
    expect(sim.stats().faults).toEqual({ policy_error: 1 });
  });
});
