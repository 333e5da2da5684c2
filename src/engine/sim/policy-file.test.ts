import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { SimContext, SimPolicy, SimReply, SimRequest } from './policy.js';
import { loadPolicyFile, policyFromSpec } from './policy-file.js';
import { listPolicyTypes, registerPolicyType } from './policy-registry.js';

const req = (seq = 0): SimRequest => ({
  api: 'anthropic',
  model: 'm',
  messages: [{ role: 'user', content: 'hey' }],
  tools: [],
  stream: false,
  seq,
  headers: {},
});
const ctx = (): SimContext => ({ signal: new AbortController().signal });
const ask = (p: SimPolicy, seq = 0): Promise<SimReply> => Promise.resolve(p.respond(req(seq), ctx()));

function rejection(spec: unknown): string {
  try {
    policyFromSpec(spec);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected policyFromSpec to reject');
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'skvm-sim-policy-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('policyFromSpec', () => {
  it('builds the echo policy', async () => {
    const p = policyFromSpec({ policy: 'echo' });
    expect(p.name).toBe('echo');
    expect(await ask(p)).toEqual({ kind: 'message', text: 'sim: hey' });
  });

  it('builds a scripted policy from text, tool-call and fault replies', async () => {
    const p = policyFromSpec({
      policy: 'scripted',
      replies: [
        { text: 'first' },
        { toolCalls: [{ name: 'read_file', arguments: { path: 'a.txt' } }] },
        { fault: { type: 'rate_limit', retryAfterSeconds: 1 } },
        { text: 'with usage', usage: { input: 5, output: 2, cacheRead: 1 }, costUsd: 0.01, stopReason: 'max_tokens' },
      ],
      whenExhausted: 'repeat-last',
    });
    expect(p.name).toBe('scripted');
    expect(await ask(p)).toEqual({ kind: 'message', text: 'first' });
    expect(await ask(p)).toEqual({ kind: 'message', toolCalls: [{ name: 'read_file', arguments: { path: 'a.txt' } }] });
    expect(await ask(p)).toEqual({ kind: 'fault', fault: { type: 'rate_limit', retryAfterSeconds: 1 } });
    const last = { kind: 'message', text: 'with usage', usage: { input: 5, output: 2, cacheRead: 1 }, costUsd: 0.01, stopReason: 'max_tokens' };
    expect(await ask(p)).toEqual(last);
    expect(await ask(p)).toEqual(last);
  });

  it('defaults whenExhausted to an error and accepts a reply object for it', async () => {
    const strict = policyFromSpec({ policy: 'scripted', replies: [{ text: 'a' }] });
    await ask(strict);
    expect(await ask(strict)).toMatchObject({ kind: 'fault', fault: { type: 'server_error' } });
    const fallback = policyFromSpec({ policy: 'scripted', name: 'fb', replies: [{ text: 'a' }], whenExhausted: { fault: { type: 'auth' } } });
    expect(fallback.name).toBe('fb');
    await ask(fallback);
    expect(await ask(fallback)).toEqual({ kind: 'fault', fault: { type: 'auth' } });
  });

  it('wraps with latency and faults', async () => {
    const p = policyFromSpec({ policy: 'echo', latency: { fixedMs: 40 }, faults: { rateLimit: 1, maxConsecutive: 1, retryAfterSeconds: 2 } });
    const t0 = Date.now();
    expect(await ask(p)).toEqual({ kind: 'fault', fault: { type: 'rate_limit', retryAfterSeconds: 2 } });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(35);
    expect(await ask(p)).toEqual({ kind: 'message', text: 'sim: hey' });
    expect(() => policyFromSpec({ policy: 'echo', latency: { minMs: 1, maxMs: 5, seed: 3 } })).not.toThrow();
    expect(() => policyFromSpec({ policy: 'echo', latency: { meanMs: 10, jitterMs: 5 } })).not.toThrow();
  });

  it.each([
    [{ policy: 'scriptd', replies: [] }, /\$\.policy: unknown policy type "scriptd" \(did you mean scripted\?\)/],
    [{ policy: 'scripted', replies: [{ text: 'ok' }, { fault: { type: 'explode' } }] }, /\$\.replies\[1\]\.fault\.type/],
    [{ policy: 'scripted', replies: [{ toolCalls: [{ arguments: {} }] }] }, /\$\.replies\[0\]\.toolCalls\[0\]\.name/],
    [{ policy: 'scripted', replies: [{}] }, /\$\.replies\[0\]: a reply needs/],
    [{ policy: 'scripted', replies: [] }, /\$\.replies/],
    [{ policy: 'scripted', replies: [{ text: 'a' }], whenExhausted: 'loop' }, /\$\.whenExhausted/],
    [{ policy: 'echo', replies: [] }, /\$: Unrecognized key: "replies"/],
    [{ policy: 'echo', latency: { fixedMs: -1 } }, /\$\.latency\.fixedMs/],
    [{ policy: 'echo', latency: { slowMs: 3 } }, /\$\.latency: expected/],
    [{ policy: 'echo', faults: { rateLimit: 0.8, hang: 0.5 } }, /\$\.faults: fault probabilities must sum/],
    [{ policy: 'echo', faults: { rateLimit: 2 } }, /\$\.faults\.rateLimit/],
    [{ nopolicy: true }, /\$\.policy/],
    [['echo'], /\$: expected an object/],
  ])('rejects %j naming the JSON path', (spec, pattern) => {
    expect(rejection(spec)).toMatch(pattern);
  });
});

describe('policy type registry', () => {
  it('lists the built-in types and plugs in a new type without touching the loader', async () => {
    expect(listPolicyTypes().map((t) => t.name)).toEqual(expect.arrayContaining(['echo', 'scripted']));
    registerPolicyType('constant-test', {
      schema: z.strictObject({ say: z.string() }),
      build: (spec) => ({ name: 'constant', respond: () => ({ kind: 'message', text: spec.say }) }),
    });
    expect(await ask(policyFromSpec({ policy: 'constant-test', say: 'hi' }))).toEqual({ kind: 'message', text: 'hi' });
    expect(rejection({ policy: 'constant-test', say: 3 })).toMatch(/\$\.say/);
    const duplicate = () => registerPolicyType('echo', { schema: z.strictObject({}), build: () => policyFromSpec({ policy: 'echo' }) });
    expect(duplicate).toThrow(/already registered/);
  });
});

describe('loadPolicyFile', () => {
  it('loads a policy file from disk', async () => {
    const file = join(dir, 'p.json');
    await writeFile(file, JSON.stringify({ policy: 'scripted', replies: [{ text: 'from file' }] }));
    const p = await loadPolicyFile(file);
    expect(await ask(p)).toEqual({ kind: 'message', text: 'from file' });
  });

  it('reports bad JSON, missing files and invalid specs with the file name', async () => {
    const bad = join(dir, 'bad.json');
    await writeFile(bad, '{ "policy": ');
    await expect(loadPolicyFile(bad)).rejects.toThrow(/bad\.json is not valid JSON/);
    await expect(loadPolicyFile(join(dir, 'missing.json'))).rejects.toThrow(/Cannot read/);
    const invalid = join(dir, 'invalid.json');
    await writeFile(invalid, JSON.stringify({ policy: 'scripted', replies: [{ fault: { type: 'rate_limit', retryAfterSeconds: 'soon' } }] }));
    await expect(loadPolicyFile(invalid)).rejects.toThrow(/invalid\.json: .*\$\.replies\[0\]\.fault\.retryAfterSeconds/);
  });
});
