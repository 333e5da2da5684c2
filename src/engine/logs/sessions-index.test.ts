import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirs } from '../../../test/tmp.js';
import { appendSessionEntry, indexLogDir, readSessionEntries, recordSession, sessionsIndexPath, startIndexedSession, type SessionEntry } from './sessions-index.js';

const tmp = tempDirs('skvm-sessions-index-');

const entry = (id: string, over: Partial<SessionEntry> = {}): SessionEntry => ({ id, type: 'bench', status: 'running', startedAt: '2026-01-01T00:00:00.000Z', logDir: `log/bench/${id}`, ...over });

describe('sessions.jsonl', () => {
  it('lives at <logs>/sessions.jsonl and records log dirs relative to the cache root when inside it', () => {
    expect(sessionsIndexPath('/c/log')).toBe('/c/log/sessions.jsonl');
    expect(indexLogDir('/c/log/bench/x', '/c')).toBe('log/bench/x');
    expect(indexLogDir('/elsewhere/bench/x', '/c')).toBe('/elsewhere/bench/x');
    expect(indexLogDir('/c', '/c')).toBe('/c');
    expect(indexLogDir('/c/log/bench/x', undefined)).toBe('/c/log/bench/x');
  });

  it('reads the last line per id, newest id first, skipping malformed lines; filters by type; limits', async () => {
    const file = path.join(tmp(), 'log', 'sessions.jsonl');
    expect(await readSessionEntries(file)).toEqual([]);
    await appendSessionEntry(file, entry('20260101-100000-bench-a'));
    await appendSessionEntry(file, entry('20260102-100000-profile-b', { type: 'profile' }));
    await fsp.appendFile(file, 'not json\n{"id":"x"}\n\n');
    await appendSessionEntry(file, entry('20260101-100000-bench-a', { status: 'completed', completedAt: '2026-01-01T00:01:00.000Z', summary: 'no-skill 0.500' }));
    const all = await readSessionEntries(file);
    expect(all.map((e) => [e.id, e.status])).toEqual([
      ['20260102-100000-profile-b', 'running'],
      ['20260101-100000-bench-a', 'completed'],
    ]);
    expect(all[1]).toMatchObject({ summary: 'no-skill 0.500', completedAt: '2026-01-01T00:01:00.000Z' });
    expect((await readSessionEntries(file, { type: 'bench' })).map((e) => e.id)).toEqual(['20260101-100000-bench-a']);
    expect(await readSessionEntries(file, { limit: 1 })).toHaveLength(1);
  });

  it('a started session appends running, then exactly one terminal line', async () => {
    const file = path.join(tmp(), 'sessions.jsonl');
    const s = await startIndexedSession(file, { id: '20260101-100000-run-t', type: 'run', startedAt: '2026-01-01T00:00:00.000Z', logDir: 'log/runtime/x', models: ['sim/m'], harness: 'bare-agent' });
    await s.fail('boom');
    await s.complete('ignored: already ended');
    const lines = (await fsp.readFile(file, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as SessionEntry);
    expect(lines.map((l) => l.status)).toEqual(['running', 'failed']);
    expect(lines[1]).toMatchObject({ id: '20260101-100000-run-t', error: 'boom', models: ['sim/m'], harness: 'bare-agent', startedAt: '2026-01-01T00:00:00.000Z' });
    expect(typeof lines[1]!.completedAt).toBe('string');
  });

  it('concurrent appends never split a line', async () => {
    const file = path.join(tmp(), 'sessions.jsonl');
    const long = 'x'.repeat(3000);
    await Promise.all(Array.from({ length: 40 }, (_, i) => appendSessionEntry(file, entry(`20260101-1000${String(i).padStart(2, '0')}-bench-c`, { summary: long }))));
    const lines = (await fsp.readFile(file, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(40);
    for (const l of lines) expect((JSON.parse(l) as SessionEntry).summary).toBe(long);
    expect(await readSessionEntries(file)).toHaveLength(40);
  });

  it('recordSession: completed with the summary, failed with the outcome error or the thrown one', async () => {
    const file = path.join(tmp(), 'sessions.jsonl');
    const start = (id: string) => ({ id, type: 'profile', startedAt: '2026-01-01T00:00:00.000Z', logDir: 'log/profile' });
    expect(await recordSession(file, start('20260101-100000-profile-a'), async () => 7, (n) => ({ summary: `got ${n}` }))).toBe(7);
    await recordSession(file, start('20260101-100001-profile-b'), async () => 0, () => ({ error: 'job x failed' }));
    await expect(recordSession(file, start('20260101-100002-profile-c'), async () => Promise.reject(new Error('boom')), () => ({ summary: 'never' }))).rejects.toThrow('boom');
    const rows = await readSessionEntries(file);
    expect(rows.map((r) => [r.id.slice(-1), r.status, r.summary ?? r.error])).toEqual([
      ['c', 'failed', 'boom'],
      ['b', 'failed', 'job x failed'],
      ['a', 'completed', 'got 7'],
    ]);
  });
});
