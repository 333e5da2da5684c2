import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESULT_BUDGET_CHARS } from '../../src/contract/detail.js';
import { writeFakeHome, type FakeSession } from '../transcript-home.js';
import { CLI_ENTRY, connect, outputOf, removeDir, tempDir, textOf, type Connected } from './harness.js';

/**
 * transcripts_list end to end: the built server over stdio with the official client, and the
 * built `skvm` CLI, both with HOME pointing at a fake home of Claude Code and Codex sessions.
 */
const SESSIONS: FakeSession[] = [
  ...Array.from({ length: 12 }, (_, i): FakeSession => ({ harness: i % 2 ? 'codex' : 'claude-code', cwd: `/work/proj-${i % 3}`, prompt: `Task ${i}: ${'describe the change in detail '.repeat(10)}`, ...(i % 4 === 0 ? { skill: 'slug-rules' } : {}) })),
];

let home: string;
let cache: string;
let conn: Connected;

beforeAll(async () => {
  home = tempDir('transcripts-home');
  cache = tempDir('transcripts-cache');
  await writeFakeHome(home, SESSIONS);
  conn = await connect({ era: 'modern', cache, env: { HOME: home } });
});
afterAll(async () => {
  await conn?.close();
  removeDir(home);
  removeDir(cache);
});

type Row = { path: string; harness: string; project?: string; firstPrompt?: string; skillsLoaded: string[]; modifiedAt: string };

describe('transcripts_list over MCP', () => {
  it('is listed read-only and returns the newest sessions within the result budget', async () => {
    const { tools } = await conn.client.listTools();
    const tool = tools.find((t) => t.name === 'transcripts_list');
    expect(tool?.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
    const r = await conn.client.callTool({ name: 'transcripts_list', arguments: {} });
    expect(r.isError).toBeFalsy();
    const rows = (r.structuredContent as { sessions: Row[] }).sessions;
    expect(rows).toHaveLength(10);
    expect(rows[0]).toMatchObject({ harness: 'claude-code', project: '/work/proj-0', skillsLoaded: ['slug-rules'] });
    expect(rows[0]!.firstPrompt!.startsWith('Task 0: describe')).toBe(true);
    expect(rows[0]!.firstPrompt!.length).toBe(80);
    expect(rows[0]).not.toHaveProperty('sessionId');
    expect(rows.map((x) => x.modifiedAt)).toEqual([...rows.map((x) => x.modifiedAt)].sort().reverse());
    expect(JSON.stringify(r.structuredContent).length).toBeLessThanOrEqual(RESULT_BUDGET_CHARS);
    expect(textOf(r)).toMatch(/proj-0/);
  });

  it('detail "full" adds the session id and up to 200 characters of the prompt', async () => {
    const r = await conn.client.callTool({ name: 'transcripts_list', arguments: { limit: 1, detail: 'full' } });
    const [row] = (r.structuredContent as { sessions: Array<Row & { sessionId?: string }> }).sessions;
    expect(row!.sessionId).toBe('00000000-0000-4000-8000-000000000000');
    expect(row!.firstPrompt!.length).toBe(200);
  });

  it('filters by project, harness and skill', async () => {
    const call = async (args: Record<string, unknown>) => ((await conn.client.callTool({ name: 'transcripts_list', arguments: args })).structuredContent as { sessions: Row[] }).sessions;
    expect((await call({ project: '/work/proj-1', limit: 100 })).map((x) => x.project)).toEqual(Array(4).fill('/work/proj-1'));
    expect((await call({ harness: 'codex', limit: 100 })).every((x) => x.harness === 'codex')).toBe(true);
    expect((await call({ skill: 'slug-rules', limit: 100 })).map((x) => x.firstPrompt!.slice(0, 7))).toEqual(['Task 0:', 'Task 4:', 'Task 8:']);
    const none = await conn.client.callTool({ name: 'transcripts_list', arguments: { project: '/nowhere' } });
    expect(none.isError).toBeFalsy();
    expect(textOf(none)).toMatch(/No session matches/);
  });

  it('refuses bad input with a clear error', async () => {
    const r = await conn.client.callTool({ name: 'transcripts_list', arguments: { limit: 500 } });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/limit/);
  });
});

describe('skvm transcripts list (built CLI)', () => {
  it('prints the sessions as JSON with --json', async () => {
    const child = spawn(process.execPath, [CLI_ENTRY, 'transcripts', 'list', '--harness=codex', '--limit=2', '--json', `--skvm-cache=${cache}`], {
      env: { PATH: process.env.PATH ?? '', HOME: home, NO_COLOR: '1' },
    });
    const r = await outputOf(child);
    expect(r.code, r.err).toBe(0);
    const out = JSON.parse(r.out) as { sessions: Row[]; count: number };
    expect(out.count).toBe(2);
    expect(out.sessions.map((x) => x.harness)).toEqual(['codex', 'codex']);
    expect(out.sessions[0]!.path).toMatch(/\.codex\/sessions\/2026\/11\/30\/rollout-.*\.jsonl$/);
  });
});
