import { readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS } from '../../src/contract/limits.js';
import { connect, removeDir, tempDir, textOf, type Connected } from './harness.js';

/**
 * Oversized arguments through the real server: refused at the edge with an error that names the
 * field and its limit, nothing written, and the session answers the next call. (How long it
 * takes is measured by `npm run bench:server`, not asserted here; the per-call timeout below is
 * only a loose bound that turns a stall into a failure.)
 */
type ToolResult = { isError?: boolean; structuredContent?: Record<string, any>; content: Array<{ type: string; text?: string }> };
const LOOSE = { timeout: 20_000 };

let cache: string;
let conn: Connected;
beforeAll(async () => {
  cache = tempDir('limits');
  conn = await connect({ era: 'modern', cache });
});
afterAll(async () => {
  await conn?.close();
  removeDir(cache);
});

function filesIn(dir: string): Array<{ file: string; size: number }> {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => ({ file: path.join(e.parentPath, e.name), size: statSync(path.join(e.parentPath, e.name)).size }));
}

async function runsCount(): Promise<number> {
  const r = (await conn.client.callTool({ name: 'runs_list', arguments: {} }, LOOSE)) as ToolResult;
  expect(r.isError).toBeFalsy();
  return r.structuredContent!.count as number;
}

describe('argument size limits through the server', () => {
  it('refuses a 10 MB run_task argument naming the field and its limit, starts no run, and answers the next call', async () => {
    const r = (await conn.client.callTool({ name: 'run_task', arguments: { task: 'x'.repeat(10_000_000), model: 'sim/x' } }, LOOSE)) as ToolResult;
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(new RegExp(`task: .*<=${LIMITS.path} characters`));
    expect(textOf(r).length).toBeLessThan(500);
    expect(await runsCount()).toBe(0);
    expect(filesIn(cache).filter((f) => f.size > 100_000)).toEqual([]);
  });

  it('bounds lists and the echo of unknown keys', async () => {
    const many = (await conn.client.callTool({ name: 'profile', arguments: { models: Array.from({ length: 51 }, (_, i) => `sim/m${i}`) } }, LOOSE)) as ToolResult;
    expect(many.isError).toBe(true);
    expect(textOf(many)).toMatch(/models: .*<=50 items/);
    const key = (await conn.client.callTool({ name: 'runs_list', arguments: { ['k'.repeat(2_000_000)]: 1 } }, LOOSE)) as ToolResult;
    expect(key.isError).toBe(true);
    expect(textOf(key)).toMatch(/Unrecognized key/);
    expect(textOf(key).length).toBeLessThan(1_000);
  });

  it('answers a message over the stdio cap with an error and keeps the session', async () => {
    await expect(conn.client.callTool({ name: 'run_task', arguments: { task: 'y'.repeat(12_000_000), model: 'sim/x' } }, LOOSE)).rejects.toThrow(/MiB; at most 10 MiB/);
    expect(await runsCount()).toBe(0);
  });
});
