import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codex } from '../../scripts/transcript-fixtures/harnesses.js';
import { FIXTURE_SKILL } from '../../scripts/transcript-fixtures/produce.js';
import { writeConfigFile } from '../../src/engine/config/write.js';
import { harnessTaskPolicy } from '../../src/engine/sim/policies/harness-task.js';
import { startSimServer, type SimServer } from '../../src/engine/sim/server.js';
import { connect, removeDir, tempDir, type Connected } from '../e2e/harness.js';
import { installOrReason } from './real-cli.js';

/**
 * The operations over a real CLI harness, through the built MCP server: adapters_list finds the
 * configured Codex binary and its version, and so does config_doctor; run_task runs a bundled task on it in managed mode
 * against the simulator; native mode without the user's Codex login is refused with a hint.
 */

const SECRET = 'sk-adapter-ops-secret-0123456789abcdef';
type ToolResult = { isError?: boolean; structuredContent?: Record<string, any>; content: Array<{ type: string; text?: string }> };

let installed: Awaited<ReturnType<typeof installOrReason>>;
let sim: SimServer | undefined;
let cache: string;
let conn: Connected | undefined;
let skillDir: string;

beforeAll(async () => {
  installed = await installOrReason(codex.cli);
  if (!installed.cli) return;
  sim = await startSimServer({ policy: harnessTaskPolicy({ skill: FIXTURE_SKILL.name }) });
  cache = tempDir('adapter-ops');
  skillDir = path.join(cache, 'skill-src', FIXTURE_SKILL.name);
  mkdirSync(skillDir, { recursive: true });
  writeFileSync(path.join(skillDir, 'SKILL.md'), FIXTURE_SKILL.body);
  await writeConfigFile(path.join(cache, 'skvm.config.json'), {
    providers: { routes: [{ match: 'sim/*', kind: 'openai-compatible', baseUrl: sim.openaiBaseUrl, apiKeyEnv: 'SKVM_OPS_KEY' }] },
    adapters: { codex: installed.cli.binPath },
  });
  conn = await connect({ era: 'modern', cache, env: { SKVM_OPS_KEY: SECRET } });
}, 600_000);

afterAll(async () => {
  await conn?.close();
  await sim?.close();
  if (cache) removeDir(cache);
});

async function call(name: string, args: Record<string, unknown>): Promise<ToolResult> {
  return (await conn!.client.callTool({ name, arguments: args }, { timeout: 280_000 })) as ToolResult;
}

function skipUnlessInstalled(ctx: { skip: (note?: string) => void }): boolean {
  if (installed.cli) return false;
  console.warn(`skipped: ${installed.reason}`);
  ctx.skip(installed.reason);
  return true;
}

describe('operations over the real Codex CLI', () => {
  it('adapters_list: codex built and runnable, with its path and version', async (ctx) => {
    if (skipUnlessInstalled(ctx)) return;
    const r = await call('adapters_list', {});
    expect(r.isError).toBeFalsy();
    const row = (r.structuredContent!.adapters as Array<Record<string, any>>).find((a) => a.name === 'codex')!;
    expect(row).toMatchObject({ built: true, runnable: true, modes: ['managed', 'native'], skillDelivery: ['inject', 'discover'] });
    expect(row.cli).toEqual({ path: installed.cli!.binPath, version: `codex-cli ${codex.cli.version}` });
  });

  it('config_doctor: the configured Codex binary with its version, modes and skill delivery', async (ctx) => {
    if (skipUnlessInstalled(ctx)) return;
    const r = await call('config_doctor', { live: false });
    const check = (r.structuredContent!.checks as Array<Record<string, any>>).find((c) => c.id === 'harness:codex')!;
    expect(check).toMatchObject({ status: 'ok' });
    expect(check.detail).toBe(`adapters.codex (${installed.cli!.binPath}) → ${installed.cli!.binPath} (codex-cli ${codex.cli.version}; modes managed/native, skills inject/discover)`);
  });

  it('run_task with adapter codex, managed, skill in discover mode: ok, skill loaded, tokens, Codex JSONL as the conversation log', async (ctx) => {
    if (skipUnlessInstalled(ctx)) return;
    const r = await call('run_task', { task: 'slugify', model: 'sim/sim-codex', adapter: 'codex', adapterConfig: 'managed', skill: skillDir, skillMode: 'discover', evaluate: false, waitSeconds: 50 });
    expect(r.isError, JSON.stringify(r)).toBeFalsy();
    const out = r.structuredContent!.result as Record<string, any>;
    expect(out).toMatchObject({ adapter: 'codex', runStatus: 'ok', skillLoaded: true, evaluated: false });
    expect(out.tokens.input).toBeGreaterThan(0);
    expect(out.toolCalls).toBeGreaterThanOrEqual(4);
    const log = readFileSync(out.convLog as string, 'utf8');
    expect(log.split('\n')[0]).toContain('"thread.started"');
    expect(log).not.toContain(SECRET);
  });

  it('run_task in native mode without a Codex login: an error with a hint, nothing run', async (ctx) => {
    if (skipUnlessInstalled(ctx)) return;
    const r = await call('run_task', { task: 'slugify', model: 'sim/sim-codex', adapter: 'codex', adapterConfig: 'native', evaluate: false, waitSeconds: 50 });
    expect(r.isError).toBe(true);
    const text = r.content.map((c) => c.text ?? '').join('\n') + JSON.stringify(r.structuredContent ?? {});
    expect(text).toMatch(/Codex in native mode found no login/);
    expect(text).toMatch(/codex login/);
  });
});
