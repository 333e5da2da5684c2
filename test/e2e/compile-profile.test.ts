import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESULT_BUDGET_CHARS } from '../../src/contract/detail.js';
import { writeConfigFile } from '../../src/engine/config/write.js';
import { ALL_PRIMITIVE_IDS } from '../../src/engine/primitives/catalog.js';
import { importProfiles } from '../../src/engine/profiles/import.js';
import { plantedPolicy, scriptedPolicy } from '../../src/engine/sim/index.js';
import { startSimServer, type SimServer } from '../../src/engine/sim/server.js';
import { treeSnapshot } from '../tree.js';
import { compilerReplies } from '../compiler-sim.js';
import { UPSTREAM_PROFILES, requireUpstream } from '../upstream.js';
import { connect, PROBE_REGISTRY_IMPORT, removeDir, tempDir, textOf, type Connected } from './harness.js';

/**
 * `compile` with `profileIfMissing` through the built server (the reference's `pipeline`): the
 * simulator plays the target — a planted-capability model the profiler probes, all 26 primitives —
 * and, on another route, the compiler model. Without the flag and without a cached profile the
 * compile refuses before touching anything; with it, the target is profiled, cached and compiled
 * against; a profile that fails aborts the compile with nothing compiled or written.
 */

requireUpstream();

type Envelope = Record<string, any>;

/** The target: every primitive at L3 except the one the skill leans on. */
const PLANTED = Object.fromEntries(ALL_PRIMITIVE_IDS.map((id) => [id, id === 'follow.procedure' ? 'L1' : 'L3'])) as Record<string, 'L1' | 'L3'>;
const TARGET = 'planted/qwen3.5-9b';
const TARGET_DIR = 'planted--qwen3.5-9b';

/** slug-rules as the compiler model reads it: an ordered procedure and a JavaScript function. */
const SCR = {
  skillName: 'slug-rules',
  purposes: [
    { id: 'apply-rules', description: 'Apply the eight slug rules in order', currentPath: { primitives: [{ id: 'follow.procedure', minLevel: 'L3', evidence: 'rules in this order' }] }, alternativePaths: [] },
    { id: 'write-code', description: 'Write slugify in JavaScript', currentPath: { primitives: [{ id: 'gen.code.javascript', minLevel: 'L2', evidence: 'reference implementation' }] }, alternativePaths: [] },
  ],
};
const RULE_8 = '8. An empty result becomes **`untitled`**.';
const RULE_8_EXPLICIT = '8. An empty result becomes **`untitled`** — check this last, after rule 7.';
const EXPLANATION = 'Rule 8 (follow.procedure): said it is checked last, after rule 7.';

let planted: SimServer;
let compiler: SimServer;
let denied: SimServer;
let registry: string;
let cache: string;
let conn: Connected;

beforeAll(async () => {
  registry = mkdtempSync(path.join(tmpdir(), 'skvm-probe-registry-'));
  planted = await startSimServer({ policy: plantedPolicy({ levels: PLANTED, registryDir: registry }) });
  compiler = await startSimServer({ policy: scriptedPolicy([compilerReplies({ scr: SCR, edit: [RULE_8, RULE_8_EXPLICIT], explanation: EXPLANATION })], { whenExhausted: 'repeat-last' }) });
  // A vendor that rejects the key: profiling cannot even start.
  denied = await startSimServer({ policy: scriptedPolicy([], { whenExhausted: { kind: 'fault', fault: { type: 'auth' } } }) });
  cache = tempDir('e2e-compile-profile');
  // Cached profiles of other models, for the refusal to name.
  await importProfiles(UPSTREAM_PROFILES, path.join(cache, 'profiles'));
  await writeConfigFile(path.join(cache, 'skvm.config.json'), {
    providers: {
      routes: [
        { match: 'planted/*', kind: 'openai-compatible', baseUrl: planted.openaiBaseUrl, apiKey: '', maxConcurrency: 16 },
        { match: 'sim/*', kind: 'openai-compatible', baseUrl: compiler.openaiBaseUrl, apiKey: '' },
        { match: 'denied/*', kind: 'openai-compatible', baseUrl: denied.openaiBaseUrl, apiKey: '' },
      ],
    },
  });
  conn = await connect({ era: 'modern', cache, env: { SKVM_SIM_PROBE_REGISTRY: registry }, nodeArgs: PROBE_REGISTRY_IMPORT });
}, 60_000);

afterAll(async () => {
  await conn?.close();
  for (const s of [planted, compiler, denied]) await s?.close();
  if (cache) removeDir(cache);
  if (registry) removeDir(registry);
});

/** A compile to its end (polling run_status), with the progress messages it streamed. */
async function compile(args: Record<string, unknown>): Promise<{ env: Envelope; text: string; progress: string[] }> {
  const progress: string[] = [];
  const onprogress = (p: { message?: string }) => void (p.message && progress.push(p.message));
  const r = (await conn.client.callTool(
    { name: 'compile', arguments: { skill: 'slug-rules', compilerModel: 'sim/compiler', waitSeconds: 50, ...args } },
    { timeout: 600_000, resetTimeoutOnProgress: true, onprogress },
  )) as { structuredContent?: Envelope; content: Array<{ type: string; text?: string }>; isError?: boolean };
  let env = r.structuredContent!;
  let text = textOf(r);
  while (env.status === 'running' || env.status === 'queued') {
    const s = (await conn.client.callTool({ name: 'run_status', arguments: { runId: env.runId, waitSeconds: 50 } }, { timeout: 120_000, resetTimeoutOnProgress: true, onprogress })) as {
      structuredContent: Envelope;
      content: Array<{ type: string; text?: string }>;
    };
    env = s.structuredContent;
    text = textOf(s);
  }
  return { env, text, progress };
}

/** What a compile may write: the variants, the compile logs and sessions, the profiles (not the run records). */
const written = () => ({ proposals: treeSnapshot(path.join(cache, 'proposals')), log: treeSnapshot(path.join(cache, 'log')), profiles: treeSnapshot(path.join(cache, 'profiles')) });

describe('compile with profileIfMissing (the pipeline)', () => {
  it('without it and without a cached profile: refuses before any side effect, naming the closest cached profiles', async () => {
    const before = written();
    const { env, text } = await compile({ model: TARGET });
    expect(env.status).toBe('failed');
    const error = `${env.error.message} ${env.error.hint}`;
    expect(error).toContain(`Pass 1 (rewrite-skill) needs a complete capability profile of ${TARGET} on bare-agent; no complete one is cached.`);
    expect(error).toMatch(/Closest existing: bare-agent\/[^\s,]*qwen3\.5-9b/);
    expect(error).toContain('Set profileIfMissing to profile it first');
    expect(text.length).toBeGreaterThan(0);
    expect(written()).toEqual(before);
    expect(planted.stats().requests).toBe(0);
    expect(compiler.stats().requests).toBe(0);
  });

  it('with it: profiles the target (all 26 primitives), caches the profile, compiles against it and explains the change', async () => {
    const { env, text, progress } = await compile({ model: TARGET, profileIfMissing: true });
    expect(env.status, JSON.stringify(env.error ?? '')).toBe('succeeded');
    expect(progress[0]).toBe(`profiling ${TARGET} on bare-agent first (rewrite-skill needs a profile)`);
    expect(progress.some((m) => m.startsWith('profiling: '))).toBe(true);
    expect(progress).toContain('pass 1 rewrite-skill: started');
    expect(planted.stats().requests).toBeGreaterThan(ALL_PRIMITIVE_IDS.length);

    // The profile the compile made is in the cache, complete, and it is the one the passes used.
    const profileFile = path.join(cache, 'profiles', 'bare-agent', TARGET_DIR, 'latest.json');
    const tcp = JSON.parse(readFileSync(profileFile, 'utf8'));
    expect(tcp).toMatchObject({ model: TARGET, harness: 'bare-agent', isPartial: false });
    expect(Object.keys(tcp.capabilities).sort()).toEqual([...ALL_PRIMITIVE_IDS].sort());
    const out = env.result;
    expect(out.profile).toEqual({ from: 'profiled', profiledAt: tcp.profiledAt });

    // Compiled with all three passes against it: the planted weakness is the gap, the rewrite explained.
    expect(out).toMatchObject({ passTag: 'p1p2p3', published: true, guard: { passed: true } });
    const has = tcp.capabilities['follow.procedure'];
    expect(['L0', 'L1']).toContain(has);
    expect(out.gaps).toEqual([{ primitive: 'follow.procedure', purpose: 'apply-rules', required: 'L3', modelHas: has }]);
    expect(out.passes[0]).toMatchObject({ id: 'rewrite-skill', explanation: [EXPLANATION] });
    expect(readFileSync(path.join(out.variantDir, 'SKILL.md'), 'utf8')).toContain(RULE_8_EXPLICIT);
    expect(text).toContain(EXPLANATION);
    expect(JSON.stringify(env).length).toBeLessThanOrEqual(RESULT_BUDGET_CHARS);

    // A second compile uses the cached profile: no probe is sent again.
    const probes = planted.stats().requests;
    const again = await compile({ model: TARGET, profileIfMissing: true, passes: ['1'], dryRun: true, detail: 'full' });
    expect(again.env.status, JSON.stringify(again.env.error ?? '')).toBe('succeeded');
    expect(again.env.result.profile).toEqual({ from: 'cache', path: profileFile, profiledAt: tcp.profiledAt });
    expect(planted.stats().requests).toBe(probes);
  }, 600_000);

  it('a profile that fails aborts the compile: nothing compiled, no variant, no compile log', async () => {
    const compilerCalls = compiler.stats().requests;
    const before = { proposals: treeSnapshot(path.join(cache, 'proposals')), compileLogs: treeSnapshot(path.join(cache, 'log', 'aot-compile')) };
    const { env } = await compile({ model: 'denied/target', profileIfMissing: true });
    expect(env.status).toBe('failed');
    expect(env.error.message).toMatch(/^Profiling denied\/target on bare-agent before compiling failed: /);
    expect(env.error.hint).toContain('Nothing was compiled.');
    expect(compiler.stats().requests).toBe(compilerCalls);
    expect({ proposals: treeSnapshot(path.join(cache, 'proposals')), compileLogs: treeSnapshot(path.join(cache, 'log', 'aot-compile')) }).toEqual(before);
    expect(existsSync(path.join(cache, 'proposals', 'aot-compile', 'bare-agent', 'denied--target'))).toBe(false);
    expect(existsSync(path.join(cache, 'profiles', 'bare-agent', 'denied--target', 'latest.json'))).toBe(false);
    const sessions = readFileSync(path.join(cache, 'log', 'sessions.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(sessions.filter((s) => s.type === 'aot-compile' && s.models?.includes('denied/target'))).toEqual([]);
  }, 120_000);
});
