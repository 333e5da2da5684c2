import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeConfigFile } from '../../src/engine/config/write.js';
import { plantedPolicy } from '../../src/engine/sim/index.js';
import { startSimServer, type SimServer } from '../../src/engine/sim/server.js';
import { connect, removeDir, tempDir, textOf, type Connected } from './harness.js';

/**
 * `<logs>/sessions.jsonl` through the built server: a profile run is recorded as the reference
 * records it (bench sessions are checked in agent.test.ts).
 */
let registry: string;
let cache: string;
let sim: SimServer;
let conn: Connected;

beforeAll(async () => {
  registry = mkdtempSync(path.join(tmpdir(), 'skvm-probe-registry-'));
  cache = tempDir('sessions-index-e2e');
  sim = await startSimServer({ policy: plantedPolicy({ levels: { 'tool.exec': 'L2' }, registryDir: registry }) });
  await writeConfigFile(path.join(cache, 'skvm.config.json'), { providers: { routes: [{ match: 'planted/*', kind: 'openai-compatible', baseUrl: sim.openaiBaseUrl, apiKey: '' }] } });
  conn = await connect({ era: 'modern', cache, env: { SKVM_SIM_PROBE_REGISTRY: registry } });
}, 60_000);

afterAll(async () => {
  await conn?.close();
  await sim?.close();
  removeDir(cache);
  removeDir(registry);
});

describe('sessions.jsonl through MCP', () => {
  it('records a profile run: running, then completed, with the reference fields', async () => {
    const r = (await conn.client.callTool(
      { name: 'profile', arguments: { models: ['planted/target'], primitives: ['tool.exec'], instances: 1, seed: 1, waitSeconds: 50 } },
      { timeout: 120_000 },
    )) as { structuredContent?: Record<string, any>; content: Array<{ type: string; text?: string }> };
    expect(r.structuredContent!.status, textOf(r)).toBe('succeeded');
    const lines = readFileSync(path.join(cache, 'log', 'sessions.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.status)).toEqual(['running', 'completed']);
    expect(lines[1]!.id).toBe(lines[0]!.id);
    expect(lines[1]!.id).toMatch(/^\d{8}-\d{6}-profile-bare-agent-target$/);
    expect(lines[1]).toMatchObject({ type: 'profile', logDir: 'log/profile/bare-agent/planted--target', models: ['planted/target'], harness: 'bare-agent', summary: '1 profile (1 profiled, 0 cached)' });
  }, 120_000);

  it('records a run_task as a `run` session under its runtime log folder', async () => {
    const r = (await conn.client.callTool({ name: 'run_task', arguments: { task: 'slugify', model: 'planted/target', waitSeconds: 50 } }, { timeout: 120_000 })) as {
      structuredContent?: Record<string, any>;
      content: Array<{ type: string; text?: string }>;
    };
    expect(r.structuredContent!.status, textOf(r)).toBe('succeeded');
    const lines = readFileSync(path.join(cache, 'log', 'sessions.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const mine = lines.filter((l) => l.type === 'run');
    expect(mine.map((l) => l.status)).toEqual(['running', 'completed']);
    expect(mine[1]!.id).toBe(mine[0]!.id);
    expect(mine[1]!.id).toMatch(/^\d{8}-\d{6}-run-bare-agent-target-slugify$/);
    expect(mine[1]).toMatchObject({ logDir: 'log/runtime/bare-agent/planted--target/slugify', models: ['planted/target'], harness: 'bare-agent', summary: expect.stringMatching(/^score \d\.\d{3}$/) });
  }, 120_000);
});
