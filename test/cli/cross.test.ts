import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeConfigFile } from '../../src/engine/config/write.js';
import { saveProfile } from '../../src/engine/profiles/store.js';
import { loadPolicyFile } from '../../src/engine/sim/policy-file.js';
import { startSimServer, type SimServer } from '../../src/engine/sim/index.js';
import { CLI_ENTRY, outputOf, REPO, removeDir, tempDir } from '../e2e/harness.js';
import { standInCodex } from '../stand-in-codex.js';

/**
 * The same model in two harnesses, through the built `skvm` bin: `bench --adapters` crosses
 * models × harnesses (bare-agent on the simulator's task scripts, Codex through a stand-in that
 * replays the real Codex's recorded output and writes nothing, so its cells score 0) and resumes
 * with the session's own harnesses; `profile compare` puts one model's profiles under two
 * harnesses side by side.
 */

let root: string;
let cache: string;
let sim: SimServer;
let codexLog: string;

beforeAll(async () => {
  if (!existsSync(CLI_ENTRY)) throw new Error(`${CLI_ENTRY} is missing: build first (npm run build, or npm test)`);
  root = tempDir('cli-cross');
  cache = path.join(root, 'cache');
  mkdirSync(cache, { recursive: true });
  codexLog = path.join(root, 'codex-runs.log');
  sim = await startSimServer({ policy: await loadPolicyFile(path.join(REPO, 'skvm-data/sim/tasks.json')) });
  await writeConfigFile(path.join(cache, 'skvm.config.json'), {
    providers: { routes: [{ match: 'sim/*', kind: 'openai-compatible', baseUrl: sim.openaiBaseUrl, apiKeyEnv: 'SKVM_CROSS_KEY' }] },
    adapters: { codex: standInCodex(root, { log: codexLog }) },
  });
});

afterAll(async () => {
  await sim?.close();
  if (root) removeDir(root);
});

function skvm(args: string[]) {
  const env = { PATH: process.env.PATH ?? '', HOME: root, NO_COLOR: '1', SKVM_CROSS_KEY: 'sk-cross-cli-0123456789' };
  return outputOf(spawn(process.execPath, [CLI_ENTRY, ...args, `--skvm-cache=${cache}`], { env, cwd: root }));
}

const BENCH = ['bench', '--models=sim/agent-a,sim/agent-b', '--tasks=sales-summary', '--conditions=no-skill,original'];

describe('skvm bench --adapters', () => {
  it('runs every model on every harness and ranks the pairs; a resume keeps the harnesses', async () => {
    const r = await skvm([...BENCH, '--adapters=bare-agent,codex', '--concurrency=2']);
    expect(r.code, r.err).toBe(0);
    for (const pair of ['sim/agent-a on bare-agent', 'sim/agent-a on codex', 'sim/agent-b on bare-agent', 'sim/agent-b on codex']) expect(r.out).toContain(`\n${pair} — skvm://bench/`);
    expect(r.out).toContain('ranking: sim/agent-a on bare-agent 0.725 > sim/agent-b on bare-agent 0.725 > sim/agent-a on codex 0.000 > sim/agent-b on codex 0.000');
    expect(readFileSync(codexLog, 'utf8').trim().split('\n').sort()).toEqual(['agent-a none', 'agent-a skill', 'agent-b none', 'agent-b skill']);

    const sessionId = /bench session (\S+): 8\/8 cells run now/.exec(r.out)?.[1];
    expect(sessionId).toMatch(/-bench-2m2a-no-skill\+original$/);
    // No adapter named: the resume takes both from the session (nothing is left to run).
    const again = await skvm([...BENCH, `--resume=${sessionId}`, '--json']);
    expect(again.code, again.err).toBe(0);
    const result = (JSON.parse(again.out) as { status: string; result: { ranCells: number; sessions: Array<{ model: string; adapter: string }>; ranking: Array<{ model: string; adapter: string }> } });
    expect(result.status).toBe('succeeded');
    expect(result.result.ranCells).toBe(0);
    expect(result.result.sessions.map((s) => `${s.model} on ${s.adapter}`)).toEqual(['sim/agent-a on bare-agent', 'sim/agent-a on codex', 'sim/agent-b on bare-agent', 'sim/agent-b on codex']);
    expect(result.result.ranking.map((s) => s.adapter)).toEqual(['bare-agent', 'bare-agent', 'codex', 'codex']);
  }, 180_000);

  it('refuses adapter and adapters together, naming both', async () => {
    const r = await skvm([...BENCH, '--adapter=codex', '--adapters=bare-agent,codex']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('Both adapter (codex) and adapters (bare-agent, codex) were given.');
    expect(r.err).toContain('hint: Give adapter for one harness or adapters for several, not both.');
  }, 60_000);
});

describe('skvm profile compare across harnesses', () => {
  it('compares one model profiled under two harnesses, and asks which harness when none is named', async () => {
    const profiles = path.join(cache, 'profiles');
    const tcp = (harness: string, capabilities: Record<string, 'L0' | 'L1' | 'L2' | 'L3'>) => ({
      version: '1.0' as const,
      model: 'sim/agent-a',
      harness,
      profiledAt: '2026-04-03T11:39:57.566Z',
      capabilities,
      details: Object.entries(capabilities).map(([primitiveId, level]) => ({ primitiveId, highestLevel: level, levelResults: [] })),
      cost: { totalUsd: 0, totalTokens: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 }, durationMs: 1 },
    });
    await saveProfile(profiles, tcp('bare-agent', { 'tool.exec': 'L1', 'gen.code.python': 'L3' }));
    await saveProfile(profiles, tcp('codex', { 'tool.exec': 'L3', 'gen.code.python': 'L3' }));

    const r = await skvm(['profile', 'compare', '--a={"model":"sim/agent-a","harness":"bare-agent"}', '--b={"model":"sim/agent-a","harness":"codex"}', '--json']);
    expect(r.code, r.err).toBe(0);
    const out = JSON.parse(r.out) as { a: { harness: string }; b: { harness: string }; rows: Array<{ primitive: string; levelA: string | null; levelB: string | null; difference: number | null }>; summary: { better: number; same: number } };
    expect([out.a.harness, out.b.harness]).toEqual(['bare-agent', 'codex']);
    expect(out.rows.find((x) => x.primitive === 'tool.exec')).toMatchObject({ levelA: 'L1', levelB: 'L3', difference: 2 });
    expect(out.rows.find((x) => x.primitive === 'gen.code.python')).toMatchObject({ levelA: 'L3', levelB: 'L3', difference: 0 });
    expect(out.summary).toMatchObject({ better: 1, same: 1 });

    const ambiguous = await skvm(['profile', 'compare', '--a={"model":"sim/agent-a"}', '--b={"model":"sim/agent-a","harness":"codex"}']);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.err).toContain('Model "sim/agent-a" has profiles under several harnesses: bare-agent, codex.');
  }, 60_000);
});
