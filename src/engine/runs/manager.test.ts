import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sleep } from '../util/abort.js';
import { SkvmError } from '../util/errors.js';
import { silentLogger } from '../util/log.js';
import { registerSecret } from '../util/redact.js';
import { RunManager, type RunWorkContext } from './manager.js';
import { RunRecordSchema, type RunRecord } from './record.js';

let dir: string;
const managers: RunManager[] = [];
function manager(max = 4): RunManager {
  const m = new RunManager(dir, silentLogger, max);
  managers.push(m);
  return m;
}

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'skvm-runs-'));
});
afterEach(async () => {
  for (const m of managers.splice(0)) await m.shutdown('test over');
  rmSync(dir, { recursive: true, force: true });
});

/** Work that ticks `steps` times, `stepMs` apart, and stops promptly when aborted. */
function ticking(steps: number, stepMs: number, seen?: { aborted?: boolean }) {
  return async (ctx: RunWorkContext) => {
    for (let i = 1; i <= steps; i++) {
      try {
        await sleep(stepMs, ctx.signal);
      } catch (err) {
        if (seen) seen.aborted = true;
        throw err;
      }
      ctx.progress(i, steps, `step ${i}`);
    }
    return { steps };
  };
}

describe('RunManager', () => {
  it('runs work to success, persists the record and an event log', async () => {
    const m = manager();
    const rec = await m.start({ operation: 'demo', label: 'demo run', input: { n: 3 }, work: ticking(3, 10), summarize: (o) => `did ${o.steps}` });
    expect(rec.status).toBe('queued');
    const done = await m.wait(rec.id, { timeoutMs: 5_000 });
    expect(done.status).toBe('succeeded');
    expect(done.result).toEqual({ steps: 3 });
    expect(done.resultSummary).toBe('did 3');
    expect(done.progress).toMatchObject({ done: 3, total: 3, message: 'step 3' });
    const onDisk = RunRecordSchema.parse(JSON.parse(readFileSync(path.join(dir, `${rec.id}.json`), 'utf8')));
    expect(onDisk.status).toBe('succeeded');
    const events = await m.store.readEvents(rec.id);
    expect(events.map((e) => e.type)).toEqual(['created', 'status', 'progress', 'progress', 'progress', 'status']);
    expect(events.at(-1)?.status).toBe('succeeded');
  });

  it('records failures with the message and hint', async () => {
    const m = manager();
    const rec = await m.start({
      operation: 'demo',
      label: 'x',
      input: {},
      work: async () => {
        throw new SkvmError('route missing', { hint: 'add a route', code: 'config' });
      },
    });
    const done = await m.wait(rec.id, { timeoutMs: 5_000 });
    expect(done.status).toBe('failed');
    expect(done.error).toEqual({ message: 'route missing', hint: 'add a route', code: 'config' });
  });

  it('cancels a running run within two seconds and aborts its signal', async () => {
    const m = manager();
    const seen: { aborted?: boolean } = {};
    const rec = await m.start({ operation: 'demo', label: 'x', input: {}, work: ticking(100, 100, seen) });
    await sleep(150);
    const t0 = Date.now();
    const cancelled = await m.cancel(rec.id, 'user stop');
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(cancelled.status).toBe('cancelled');
    expect(seen.aborted).toBe(true);
    const events = await m.store.readEvents(rec.id);
    expect(events.some((e) => e.type === 'cancel-requested' && e.message === 'user stop')).toBe(true);
  });

  it('queues beyond the concurrency limit and cancels a queued run at once', async () => {
    const m = manager(1);
    const first = await m.start({ operation: 'demo', label: 'a', input: {}, work: ticking(5, 40) });
    const second = await m.start({ operation: 'demo', label: 'b', input: {}, work: ticking(1, 1) });
    const third = await m.start({ operation: 'demo', label: 'c', input: {}, work: ticking(1, 1) });
    await sleep(30);
    expect((await m.get(first.id)).status).toBe('running');
    expect((await m.get(second.id)).status).toBe('queued');
    expect((await m.cancel(third.id)).status).toBe('cancelled');
    expect((await m.wait(second.id, { timeoutMs: 5_000 })).status).toBe('succeeded');
    expect((await m.get(third.id)).status).toBe('cancelled');
  });

  it('returns the current state when the wait times out, and a cancelled wait leaves the run going', async () => {
    const m = manager();
    const rec = await m.start({ operation: 'demo', label: 'x', input: {}, work: ticking(20, 30) });
    const partial = await m.wait(rec.id, { timeoutMs: 100 });
    expect(partial.status).toBe('running');
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const seen: RunRecord[] = [];
    const waited = await m.wait(rec.id, { timeoutMs: 10_000, signal: ac.signal, onChange: (r) => seen.push(r) });
    expect(waited.status).toBe('running');
    expect((await m.wait(rec.id, { timeoutMs: 5_000 })).status).toBe('succeeded');
  });

  it('lets a second process-like manager see, wait for and cancel a run', async () => {
    const owner = manager();
    const other = manager();
    const rec = await owner.start({ operation: 'demo', label: 'x', input: {}, work: ticking(200, 50) });
    await sleep(120);
    const seen = await other.get(rec.id);
    expect(seen.status).toBe('running');
    const changes: RunRecord[] = [];
    await other.wait(rec.id, { timeoutMs: 400, onChange: (r) => changes.push(r) });
    expect(changes.length).toBeGreaterThan(0);
    const t0 = Date.now();
    const cancelled = await other.cancel(rec.id, 'from elsewhere');
    expect(cancelled.status).toBe('cancelled');
    expect(Date.now() - t0).toBeLessThan(3_000);
  });

  it('marks runs of a dead process as interrupted at start-up', async () => {
    const m = manager();
    const rec = await m.start({ operation: 'demo', label: 'x', input: {}, work: ticking(1, 1) });
    await m.wait(rec.id, { timeoutMs: 5_000 });
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    const file = path.join(dir, `${rec.id}.json`);
    const stale = { ...JSON.parse(readFileSync(file, 'utf8')), status: 'running', endedAt: null, owner: { pid: Number(dead), host: (await import('node:os')).hostname(), instance: 'gone' } };
    rmSync(file);
    await (await import('../util/fs.js')).writeJsonAtomic(file, stale);
    writeFileSync(path.join(dir, `${rec.id}.live`), ''); // what the dead process left
    const fresh = manager();
    await fresh.init();
    expect(JSON.parse(readFileSync(file, 'utf8')).status).toBe('interrupted');
    expect(existsSync(path.join(dir, `${rec.id}.live`))).toBe(false);
    const after = await fresh.get(rec.id);
    expect(after.status).toBe('interrupted');
    expect(after.error?.hint).toMatch(/resume/);
  });

  it('marks a run live until it ends, and at start-up reads only the runs marked live', async () => {
    const m = manager();
    const rec = await m.start({ operation: 'demo', label: 'x', input: {}, work: ticking(3, 30) });
    expect(existsSync(path.join(dir, `${rec.id}.live`))).toBe(true);
    await m.wait(rec.id, { timeoutMs: 5_000 });
    expect(existsSync(path.join(dir, `${rec.id}.live`))).toBe(false);
    // An unfinished record of a dead process without a marker (an older version's): left for get/list.
    const file = path.join(dir, `${rec.id}.json`);
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), status: 'running', endedAt: null, owner: { pid: Number(dead), host: (await import('node:os')).hostname(), instance: 'gone' } }));
    const fresh = manager();
    await fresh.init();
    expect(JSON.parse(readFileSync(file, 'utf8')).status).toBe('running');
    expect((await fresh.list({ limit: 50 })).find((r) => r.id === rec.id)?.status).toBe('interrupted');
  });

  it('records shutdown as interrupted', async () => {
    const m = manager();
    const rec = await m.start({ operation: 'demo', label: 'x', input: {}, work: ticking(100, 50) });
    await sleep(80);
    await m.shutdown('test shutdown');
    const other = manager();
    expect((await other.get(rec.id)).status).toBe('interrupted');
  });

  it('sums usage and never stores secrets from the input', async () => {
    registerSecret('sk-live-abcdefghijklmnop');
    const m = manager();
    const rec = await m.start({
      operation: 'demo',
      label: 'uses sk-live-abcdefghijklmnop',
      input: { apiKey: 'whatever', note: 'key sk-live-abcdefghijklmnop', apiKeyEnv: 'OPENAI_API_KEY' },
      work: async (ctx) => {
        const base = { model: 'sim/x', route: 'sim/*', durationMs: 5, ok: true };
        ctx.onUsage({ ...base, usage: { input: 10, output: 5, cacheRead: 2, cacheWrite: 0 }, costUsd: 0.01, attempts: 2 });
        ctx.onUsage({ ...base, usage: { input: 1, output: 1, cacheRead: 0, cacheWrite: 0 }, costUsd: null, attempts: 1 });
        return {};
      },
    });
    const done = await m.wait(rec.id, { timeoutMs: 5_000 });
    expect(done.usage).toMatchObject({ calls: 2, retries: 1, tokens: { input: 11, output: 6, cacheRead: 2 }, costComplete: false });
    const text = readFileSync(path.join(dir, `${rec.id}.json`), 'utf8');
    expect(text).not.toContain('sk-live-abcdefghijklmnop');
    expect(text).not.toContain('whatever');
    expect(done.input.apiKeyEnv).toBe('OPENAI_API_KEY');
  });

  it('never exposes a torn record to a concurrent reader', async () => {
    const m = manager();
    const rec = await m.start({
      operation: 'demo',
      label: 'x',
      input: {},
      work: async (ctx) => {
        for (let i = 0; i < 300; i++) {
          ctx.progress(i, 300, 'x'.repeat(i * 10));
          if (i % 20 === 0) await sleep(5);
        }
        return {};
      },
    });
    const file = path.join(dir, `${rec.id}.json`);
    let reads = 0;
    while ((await m.get(rec.id)).status !== 'succeeded') {
      RunRecordSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
      reads++;
      await sleep(1);
    }
    expect(reads).toBeGreaterThan(0);
  });

  it('rejects malformed run ids and suggests close ones', async () => {
    const m = manager();
    const rec = await m.start({ operation: 'demo', label: 'x', input: {}, work: ticking(1, 1) });
    await m.wait(rec.id, { timeoutMs: 5_000 });
    await expect(m.get('../../etc/passwd')).rejects.toThrow(/not a run id/);
    const near = rec.id.slice(0, -1) + (rec.id.endsWith('0') ? '1' : '0');
    await expect(m.get(near)).rejects.toMatchObject({ suggestions: [rec.id] });
  });
});
