import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeConfigFile } from '../../src/engine/config/write.js';
import { scriptedPolicy } from '../../src/engine/sim/index.js';
import { startSimServer, type SimServer } from '../../src/engine/sim/server.js';
import { connect, REPO, removeDir, tempDir, textOf, type Connected } from './harness.js';

/**
 * Failures through the real server are `isError` results whose text is the message and a hint
 * (never a success whose text says "failed"), still carrying the run envelope; a run still going
 * and a task that merely scored low are not errors.
 */
type ToolResult = { isError?: boolean; structuredContent?: Record<string, any>; content: Array<{ type: string; text?: string }> };

let outage: SimServer;
let cache: string;
let conn: Connected;
const call = async (name: string, args: Record<string, unknown>) => (await conn.client.callTool({ name, arguments: args }, { timeout: 60_000 })) as ToolResult;

beforeAll(async () => {
  // A vendor that answers every request with 503: the provider retries, then gives up.
  outage = await startSimServer({ policy: scriptedPolicy([], { whenExhausted: { kind: 'fault', fault: { type: 'server_error', status: 503 } } }) });
  cache = tempDir('errors');
  await writeConfigFile(path.join(cache, 'skvm.config.json'), {
    providers: { routes: [{ match: 'down/*', kind: 'openai-compatible', baseUrl: outage.openaiBaseUrl, apiKey: '' }] },
  });
  conn = await connect({ era: 'modern', cache });
});
afterAll(async () => {
  await conn?.close();
  await outage?.close();
  removeDir(cache);
});

function expectFailure(r: ToolResult, pattern: RegExp): void {
  expect(r.isError, textOf(r)).toBe(true);
  expect(textOf(r)).toMatch(pattern);
  expect(textOf(r)).toMatch(/\nHint: \S/);
  expect(r.structuredContent).toMatchObject({ status: 'failed', error: { message: expect.any(String) } });
}

describe('failed runs and operations are isError', () => {
  it('an unknown task', async () => {
    expectFailure(await call('run_task', { task: 'no-such-task', model: 'down/m', waitSeconds: 50 }), /^Run run-\S+ \(run_task\) failed: Unknown task "no-such-task"/);
  });

  it('an unknown route', async () => {
    expectFailure(await call('run_task', { task: 'slugify', model: 'nowhere/model', waitSeconds: 50 }), /No providers\.routes entry matches/);
  });

  it('a broken task whose setup fails', async () => {
    const task = path.join(cache, 'broken', 'slugify');
    cpSync(path.join(REPO, 'skvm-data/tasks/slugify'), task, { recursive: true });
    mkdirSync(path.join(task, 'fixtures'), { recursive: true });
    writeFileSync(path.join(task, 'fixtures', '_setup.sh'), 'echo "no such package" >&2\nexit 3\n');
    const r = await call("run_task", { task, model: "down/m", waitSeconds: 50 });
    expectFailure(r, /_setup\.sh exited with code 3/);
  });

  it('a vendor outage, and run_status on the failed run', async () => {
    const r = await call('run_task', { task: 'slugify', model: 'down/m', waitSeconds: 50 });
    expectFailure(r, /503/);
    const status = await call('run_status', { runId: r.structuredContent!.runId, waitSeconds: 0 });
    expectFailure(status, /\(run_task\) failed: .*503/);
    expect(outage.stats().requests).toBeGreaterThan(1);
  });

  it('an instant operation that throws', async () => {
    const r = await call('profile_show', { model: 'no/such-model' });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/^Unknown profile/);
  });

  it('a run still going is a handle, not an error', async () => {
    const r = await call('run_task', { task: 'slugify', model: 'down/m', waitSeconds: 0 });
    expect(r.isError).toBeFalsy();
    expect(r.structuredContent).toMatchObject({ status: expect.stringMatching(/queued|running/) });
    await call('run_cancel', { runId: r.structuredContent!.runId });
  });
});
