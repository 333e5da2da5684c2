import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { removeDir, SERVER_ENTRY, tempDir, TEST_SERVER_ENTRY } from './harness.js';

/** A raw stdio peer: JSON-RPC lines in, lines out, so the test controls stdin itself. */
function start(entry: string, cache: string) {
  const child = spawn(process.execPath, [entry, `--skvm-cache=${cache}`], {
    env: { PATH: process.env.PATH ?? '', HOME: cache },
    stdio: ['pipe', 'pipe', 'pipe'],
  }) as ChildProcessWithoutNullStreams;
  const lines: Array<Record<string, unknown>> = [];
  let buf = '';
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (line.trim()) lines.push(JSON.parse(line));
    }
  });
  const send = (msg: Record<string, unknown>) => child.stdin.write(JSON.stringify({ jsonrpc: '2.0', ...msg }) + '\n');
  const response = async (id: number) => {
    for (let i = 0; i < 200; i++) {
      const hit = lines.find((l) => l.id === id);
      if (hit) return hit;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`no response to ${id}`);
  };
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  const initialize = async () => {
    send({ id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
    await response(1);
    send({ method: 'notifications/initialized' });
  };
  return { child, send, response, exited, initialize };
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d);
});

describe('server lifecycle', () => {
  it('exits 0 promptly when stdin ends, recording its running run as interrupted', async () => {
    const cache = tempDir('life');
    dirs.push(cache);
    const s = start(TEST_SERVER_ENTRY, cache);
    await s.initialize();
    s.send({ id: 2, method: 'tools/call', params: { name: 'test_sleep', arguments: { steps: 100, stepMs: 100, waitSeconds: 0 } } });
    const res = (await s.response(2)) as { result: { structuredContent: { runId: string; status: string } } };
    const runId = res.result.structuredContent.runId;
    await new Promise((r) => setTimeout(r, 200));
    const t0 = Date.now();
    s.child.stdin.end();
    const exit = await s.exited;
    expect(exit.code).toBe(0);
    expect(exit.at - t0).toBeLessThan(3_000);
    const rec = JSON.parse(readFileSync(path.join(cache, 'runs', `${runId}.json`), 'utf8'));
    expect(rec.status).toBe('interrupted');
  });

  it('marks the runs of a killed server interrupted when the next server starts', async () => {
    const cache = tempDir('life');
    dirs.push(cache);
    const first = start(TEST_SERVER_ENTRY, cache);
    await first.initialize();
    first.send({ id: 2, method: 'tools/call', params: { name: 'test_sleep', arguments: { steps: 100, stepMs: 100, waitSeconds: 0 } } });
    const runId = ((await first.response(2)) as { result: { structuredContent: { runId: string } } }).result.structuredContent.runId;
    await new Promise((r) => setTimeout(r, 200));
    first.child.kill('SIGKILL');
    await first.exited;
    expect(JSON.parse(readFileSync(path.join(cache, 'runs', `${runId}.json`), 'utf8')).status).toBe('running');

    const second = start(SERVER_ENTRY, cache);
    await second.initialize();
    second.send({ id: 3, method: 'tools/call', params: { name: 'run_status', arguments: { runId, waitSeconds: 0 } } });
    const status = (await second.response(3)) as { result: { structuredContent: { status: string; error: { message: string } } } };
    expect(status.result.structuredContent.status).toBe('interrupted');
    expect(status.result.structuredContent.error.message).toMatch(/stopped before it finished/);
    second.child.stdin.end();
    await second.exited;
  });

  it('exits 0 on SIGTERM', async () => {
    const cache = tempDir('life');
    dirs.push(cache);
    const s = start(SERVER_ENTRY, cache);
    await s.initialize();
    s.child.kill('SIGTERM');
    const exit = await s.exited;
    expect(exit.code).toBe(0);
  });

  it('writes nothing but JSON-RPC to stdout', async () => {
    const cache = tempDir('life');
    dirs.push(cache);
    const s = start(SERVER_ENTRY, cache);
    let raw = '';
    s.child.stdout.on('data', (d: Buffer) => (raw += d.toString()));
    await s.initialize();
    s.send({ id: 3, method: 'tools/call', params: { name: 'config_doctor', arguments: { live: false } } });
    await s.response(3);
    s.child.stdin.end();
    await s.exited;
    for (const line of raw.split('\n').filter(Boolean)) expect(JSON.parse(line).jsonrpc).toBe('2.0');
  });
});
