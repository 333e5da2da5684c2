import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll } from 'vitest';
import type { Price, Route, SkvmConfig } from '../../src/engine/config/schema.js';
import { LlmClient } from '../../src/engine/llm/client.js';
import type { ProbeLevel } from '../../src/engine/primitives/catalog.js';
import { call, cp, defineGenerator, probeRng, solution } from '../../src/engine/profiler/toolkit.js';
import type { ProbeGenerator, ProbeInstance, ProbeRequirement } from '../../src/engine/profiler/types.js';
import { plantedPolicy, startSimServer, type PlantedLevel, type PlantedPolicy, type SimPolicy, type SimServer } from '../../src/engine/sim/index.js';
import { silentLogger } from '../../src/engine/util/log.js';

/**
 * Shared pieces of the profiler's simulator tests: small probe generators with reference and
 * near-miss solutions, the planted-capability simulator behind the real LlmClient over HTTP,
 * and per-test directories.
 */

export const SIM_KEY_ENV = { SIM_PROFILER_KEY: 'sim-profiler-key-0123456789abcdef' };

/** A text probe: answer with a code word (1 LLM call). */
export const echoGen: ProbeGenerator = defineGenerator({
  primitiveId: 'test.echo',
  descriptions: { L1: 'echo a 4-letter code', L2: 'echo a 6-letter code', L3: 'echo an 8-letter code' },
  generate(level: ProbeLevel, seed: number): ProbeInstance {
    const rng = probeRng(`test.echo:${level}:${seed}`);
    const len = { L1: 4, L2: 6, L3: 8 }[level];
    const code = Array.from({ length: len }, () => 'ABCDEFGHJKLMNPQRSTUVWXYZ'[rng.int(0, 23)]).join('');
    return {
      primitiveId: 'test.echo',
      level,
      seed,
      prompt: `Reply with exactly this code word and nothing else: ${code}`,
      setupFiles: {},
      requires: [],
      async check(ctx) {
        return [cp('code_correct', ctx.finalText.trim() === code, `expected ${code}, got ${JSON.stringify(ctx.finalText.slice(0, 40))}`)];
      },
      reference: solution({ text: code }),
      nearMiss: solution({ text: `${code.slice(1)}Q` }),
    };
  },
});

/** A tool probe: sum the numbers of input.txt into result.txt (3 LLM calls). */
export const fileGen: ProbeGenerator = defineGenerator({
  primitiveId: 'test.file',
  descriptions: { L1: 'sum 3 numbers', L2: 'sum 6 numbers', L3: 'sum 12 numbers' },
  generate(level: ProbeLevel, seed: number): ProbeInstance {
    const rng = probeRng(`test.file:${level}:${seed}`);
    const n = { L1: 3, L2: 6, L3: 12 }[level];
    const nums = Array.from({ length: n }, () => rng.int(1, 999));
    const sum = nums.reduce((a, b) => a + b, 0);
    const input = nums.join('\n') + '\n';
    return {
      primitiveId: 'test.file',
      level,
      seed,
      prompt: `input.txt in the current directory holds ${n} numbers, one per line. Write their sum (just the number) to result.txt. Do not modify input.txt. (${rng.int(0, 1e9)})`,
      setupFiles: { 'input.txt': input },
      requires: [],
      async check(ctx) {
        const got = await ctx.readFile('result.txt');
        if (got === undefined) return [cp('file_exists', false, 'result.txt missing')];
        return [cp('file_exists', true), cp('sum_correct', got.trim() === String(sum), `expected ${sum}, got ${got.trim()}`)];
      },
      reference: solution({ toolCalls: [call.read('input.txt')] }, { toolCalls: [call.write('result.txt', `${sum}\n`)] }, { text: `The sum is ${sum}.` }),
      nearMiss: solution({ toolCalls: [call.read('input.txt')] }, { toolCalls: [call.write('result.txt', `${sum + nums[0]!}\n`)] }, { text: `The sum is ${sum + nums[0]!}.` }),
    };
  },
});

/** A web probe with its own local server and {{BASE_URL}} (3 LLM calls). */
export const webGen: ProbeGenerator = defineGenerator({
  primitiveId: 'test.web',
  descriptions: { L1: 'fetch one token', L2: 'fetch a longer token', L3: 'fetch a long token' },
  generate(level: ProbeLevel, seed: number): ProbeInstance {
    const rng = probeRng(`test.web:${level}:${seed}`);
    const token = Array.from({ length: { L1: 6, L2: 10, L3: 16 }[level] }, () => 'abcdefghijkmnpqrstuvwxyz23456789'[rng.int(0, 31)]).join('');
    return {
      primitiveId: 'test.web',
      level,
      seed,
      prompt: `GET {{BASE_URL}}/token returns JSON {"token": "..."} with a ${token.length}-character token. Write the token (just the token) to result.txt. (request ${rng.int(0, 1e9)})`,
      setupFiles: {},
      requires: [],
      web: true,
      server: {
        handle(req: IncomingMessage, res: ServerResponse) {
          res.setHeader('content-type', 'application/json');
          if (req.url === '/token') res.end(JSON.stringify({ token }));
          else {
            res.statusCode = 404;
            res.end('{}');
          }
        },
      },
      async check(ctx) {
        const got = await ctx.readFile('result.txt');
        return [cp('token_correct', got?.trim() === token, `expected ${token}, got ${got?.trim()}`)];
      },
      reference: solution({ toolCalls: [call.fetch('{{BASE_URL}}/token')] }, { toolCalls: [call.write('result.txt', token)] }, { text: 'Saved the token.' }),
      nearMiss: solution({ toolCalls: [call.write('result.txt', token.split('').reverse().join(''))] }, { text: 'Saved the token.' }),
    };
  },
});

/** A generator whose L3 needs something this machine does not have (a skip, never a failure). */
export function withMissingL3(gen: ProbeGenerator, req: ProbeRequirement = 'python3:skvm_no_such_module_xyz'): ProbeGenerator {
  return {
    ...gen,
    generate(level, seed) {
      const inst = gen.generate(level, seed);
      return level === 'L3' ? { ...inst, requires: [...inst.requires, req] } : inst;
    },
  };
}

export const TEST_GENERATORS: ProbeGenerator[] = [echoGen, fileGen, webGen];

export interface SimTarget {
  sim: SimServer;
  registryDir: string;
  planted: PlantedPolicy;
  client(opts?: { pricing?: Record<string, Price>; maxAttempts?: number; maxConcurrency?: number }): LlmClient;
  close(): Promise<void>;
}

/** A simulator with a planted policy (wrap it with `wrap` for faults etc.) and a fresh registry dir. */
export async function startTarget(levels: Record<string, PlantedLevel>, wrap?: (p: PlantedPolicy) => SimPolicy): Promise<SimTarget> {
  const registryDir = mkdtempSync(path.join(tmpdir(), 'skvm-prof-registry-'));
  const planted = plantedPolicy({ levels, registryDir });
  const sim = await startSimServer({ policy: wrap ? wrap(planted) : planted });
  return {
    sim,
    registryDir,
    planted,
    client(opts = {}) {
      const routes: Route[] = [{ match: 'sim/*', kind: 'openai-compatible', baseUrl: sim.openaiBaseUrl, apiKeyEnv: 'SIM_PROFILER_KEY', ...(opts.maxConcurrency ? { maxConcurrency: opts.maxConcurrency } : {}) }];
      const config = (): SkvmConfig => ({ providers: { routes }, pricing: opts.pricing ?? { 'sim/*': { input: 1, output: 2 } } });
      return new LlmClient({
        config,
        configFile: '/tmp/skvm-profiler-test/skvm.config.json',
        env: { ...SIM_KEY_ENV },
        log: silentLogger,
        retry: { baseDelayMs: 5, maxDelayMs: 20, ...(opts.maxAttempts !== undefined ? { maxAttempts: opts.maxAttempts } : {}) },
      });
    },
    async close() {
      await sim.close();
      rmSync(registryDir, { recursive: true, force: true });
    },
  };
}

/** Per-test cache directories, removed after the file's tests. */
export function profileDirs(): () => { profilesDir: string; logsDir: string; tmpRoot: string } {
  const made: string[] = [];
  afterAll(() => {
    for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  return () => {
    const root = mkdtempSync(path.join(tmpdir(), 'skvm-prof-test-'));
    made.push(root);
    return { profilesDir: path.join(root, 'profiles'), logsDir: path.join(root, 'log'), tmpRoot: path.join(root, 'tmp') };
  };
}

/** The first user message of a request (the probe prompt). */
export function promptOf(req: { messages: Array<{ role: string; content?: unknown }> }): string {
  const m = req.messages.find((x) => x.role === 'user');
  return typeof m?.content === 'string' ? m.content : '';
}
