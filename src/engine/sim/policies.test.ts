import { describe, expect, it } from 'vitest';
import type { SimContext, SimPolicy, SimReply, SimRequest } from './policy.js';
import { echoPolicy } from './policies/echo.js';
import { withFaults } from './policies/faults.js';
import { withLatency } from './policies/latency.js';
import { scriptedPolicy } from './policies/scripted.js';
import { createRng } from '../util/rng.js';

function request(overrides: Partial<SimRequest> = {}): SimRequest {
  return { api: 'openai', model: 'm', messages: [{ role: 'user', content: 'hello' }], tools: [], stream: false, seq: 0, headers: {}, ...overrides };
}

const ctx = (): SimContext => ({ signal: new AbortController().signal });
const text = (t: string): SimReply => ({ kind: 'message', text: t });

describe('createRng', () => {
  it('repeats for a seed, differs across seeds, stays in range', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const seqA = Array.from({ length: 20 }, () => a.next());
    expect(Array.from({ length: 20 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 20 }, () => c.next())).not.toEqual(seqA);
    for (const v of seqA) expect(v >= 0 && v < 1).toBe(true);
    const r = createRng('probe-7');
    const ints = Array.from({ length: 500 }, () => r.int(3, 6));
    expect(new Set(ints)).toEqual(new Set([3, 4, 5, 6]));
    expect(createRng('probe-7').next()).toBe(createRng('probe-7').next());
  });
});

describe('scriptedPolicy', () => {
  it('answers one step per request, calls function steps with the request, tracks remaining', async () => {
    const p = scriptedPolicy([text('one'), (req) => text(`seq ${req.seq}`)]);
    expect(p.remaining()).toBe(2);
    expect(await p.respond(request(), ctx())).toEqual(text('one'));
    expect(await p.respond(request({ seq: 5 }), ctx())).toEqual(text('seq 5'));
    expect(p.remaining()).toBe(0);
    expect(p.requests().map((r) => r.seq)).toEqual([0, 5]);
    const exhausted = await p.respond(request(), ctx());
    expect(exhausted).toMatchObject({ kind: 'fault', fault: { type: 'server_error', status: 500 } });
    expect(JSON.stringify(exhausted)).toContain('ran out');
  });

  it('repeats the last step or a fixed reply when told to', async () => {
    const repeat = scriptedPolicy([text('a'), text('b')], { whenExhausted: 'repeat-last', name: 'rep' });
    expect(repeat.name).toBe('rep');
    for (let i = 0; i < 2; i++) await repeat.respond(request(), ctx());
    expect(await repeat.respond(request(), ctx())).toEqual(text('b'));
    const fixed = scriptedPolicy([], { whenExhausted: text('fallback') });
    expect(await fixed.respond(request(), ctx())).toEqual(text('fallback'));
  });
});

describe('echoPolicy', () => {
  it('echoes the last user message (first 200 chars), or ok for a tiny max_tokens', async () => {
    const p = echoPolicy();
    expect(p.name).toBe('echo');
    const long = 'x'.repeat(300);
    const reply = await p.respond(
      request({ messages: [{ role: 'user', content: 'first' }, { role: 'assistant', content: 'mid' }, { role: 'user', content: long }] }),
      ctx(),
    );
    expect(reply).toEqual(text(`sim: ${'x'.repeat(200)}`));
    expect(await p.respond(request({ maxTokens: 4 }), ctx())).toEqual(text('ok'));
    expect(await p.respond(request({ maxTokens: 5 }), ctx())).toEqual(text('sim: hello'));
  });
});

describe('withLatency', () => {
  it('delays each reply by at least the fixed time', async () => {
    const p = withLatency(echoPolicy(), { fixedMs: 60 });
    const t0 = Date.now();
    await p.respond(request(), ctx());
    expect(Date.now() - t0).toBeGreaterThanOrEqual(55);
  });

  it('counts the delay from when the request arrived: time spent before respond and inside the policy is part of it', async () => {
    const slow: SimPolicy = { name: 'slow', respond: async () => (await new Promise((r) => setTimeout(r, 60)), text('late')) };
    const p = withLatency(slow, { fixedMs: 100 });
    const arrived = performance.now() - 60; // the body took 60 ms to read
    const reply = await p.respond(request({ receivedAt: arrived }), ctx());
    const total = performance.now() - arrived;
    expect(reply).toEqual(text('late'));
    expect(total).toBeGreaterThanOrEqual(98);
    // Counted from respond instead, it would be 60 + 60 + 100 = 220 at least.
    expect(total).toBeLessThan(200);
  });

  it('draws min/max delays within range', async () => {
    const p = withLatency(echoPolicy(), { minMs: 30, maxMs: 50 }, 7);
    const t0 = Date.now();
    await p.respond(request(), ctx());
    expect(Date.now() - t0).toBeGreaterThanOrEqual(25);
  });

  it('ends early when the request is aborted', async () => {
    const p = withLatency(echoPolicy(), { meanMs: 5000, jitterMs: 10 });
    const controller = new AbortController();
    const pending = p.respond(request(), { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await expect(pending).rejects.toThrow(/Cancelled/);
  });
});

describe('withFaults', () => {
  const faultSequence = async (policy: SimPolicy, n: number) => {
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      const r = await policy.respond(request({ seq: i }), ctx());
      out.push(r.kind === 'fault' ? r.fault.type : 'ok');
    }
    return out;
  };
  const spec = { rateLimit: 0.3, serverError: 0.2, malformed: 0.1, hang: 0.05, disconnect: 0.05, seed: 99 };

  it('is deterministic for a seed and draws each fault type', async () => {
    const a = await faultSequence(withFaults(echoPolicy(), spec), 200);
    const b = await faultSequence(withFaults(echoPolicy(), spec), 200);
    expect(a).toEqual(b);
    expect(new Set(a)).toEqual(new Set(['ok', 'rate_limit', 'server_error', 'malformed', 'hang', 'disconnect']));
    const other = await faultSequence(withFaults(echoPolicy(), { ...spec, seed: 100 }), 200);
    expect(other).not.toEqual(a);
  });

  it('caps consecutive faults with maxConsecutive', async () => {
    const seq = await faultSequence(withFaults(echoPolicy(), { serverError: 1, maxConsecutive: 2 }), 9);
    expect(seq).toEqual(['server_error', 'server_error', 'ok', 'server_error', 'server_error', 'ok', 'server_error', 'server_error', 'ok']);
    const none = await faultSequence(withFaults(echoPolicy(), { rateLimit: 1, maxConsecutive: 0 }), 3);
    expect(none).toEqual(['ok', 'ok', 'ok']);
  });

  it('passes retryAfterSeconds on injected 429s and rejects impossible probabilities', async () => {
    const p = withFaults(echoPolicy(), { rateLimit: 1, retryAfterSeconds: 3 });
    expect(await p.respond(request(), ctx())).toEqual({ kind: 'fault', fault: { type: 'rate_limit', retryAfterSeconds: 3 } });
    expect(() => withFaults(echoPolicy(), { rateLimit: 0.7, hang: 0.5 })).toThrow(/sum/);
    expect(() => withFaults(echoPolicy(), { malformed: -0.1 })).toThrow(/probability/);
  });
});
