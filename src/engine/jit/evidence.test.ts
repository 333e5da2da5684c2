import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirs } from '../../../test/tmp.js';
import { conversationFromSteps, evidenceRecordDir, isTainted, passTotals, runScore, safeTaskIds, scoreEvidences, snapshotWorkDir, writeEvidenceRecord } from './evidence.js';
import type { Evidence, EvidenceCriterion } from './types.js';

const tmp = tempDirs('skvm-jit-evidence-');
const crit = (score: number, weight = 1, extra: Partial<EvidenceCriterion> = {}): EvidenceCriterion => ({ id: `c${score}`, method: 'script', weight, score, passed: score >= 0.999, ...extra });
const ev = (taskId: string, criteria?: EvidenceCriterion[]): Evidence => ({ taskId, taskPrompt: 'p', conversationLog: [], ...(criteria ? { criteria } : {}) });

describe('evidence scoring (spec §5.4)', () => {
  it('a run is tainted by any infraError; its score ignores the tainted criteria', () => {
    const e = ev('t', [crit(1, 0.5), crit(0, 0.25, { infraError: 'python3 missing' }), crit(0.5, 0.25)]);
    expect(isTainted(e)).toBe(true);
    expect(runScore(e)).toBeCloseTo((1 * 0.5 + 0.5 * 0.25) / 0.75, 9);
    expect(runScore(ev('t', [crit(0, 1, { infraError: 'x' })]))).toBeNull();
    expect(runScore(ev('t'))).toBeNull();
  });

  it('scoreEvidences: per task mean over clean runs, each task weighs the same, tainted-only tasks omitted', () => {
    const s = scoreEvidences([
      ev('a', [crit(1)]),
      ev('a', [crit(0)]),
      ev('a', [crit(0, 1, { infraError: 'x' })]),
      ev('b', [crit(1)]),
      ev('c', [crit(1, 1, { infraError: 'x' })]),
    ]);
    expect(s.perTask).toEqual({ a: 0.5, b: 1 });
    expect(s.aggregate).toBe(0.75);
    expect(scoreEvidences([ev('c', [crit(1, 1, { infraError: 'x' })])]).aggregate).toBeNull();
  });

  it('pass totals count clean evidences with criteria; a pass needs every criterion', () => {
    expect(passTotals([ev('a', [crit(1), crit(1)]), ev('b', [crit(1), crit(0.5)]), ev('c', [crit(1, 1, { infraError: 'x' })]), ev('d')])).toEqual({ passed: 1, total: 2 });
  });
});

describe('safe task ids', () => {
  it('replaces, collapses, trims, names the empty, and suffixes case-insensitive collisions', () => {
    const m = safeTaskIds(['a b/c', '..', '', 'Report', 'report', 'REPORT', 'ok-1']);
    expect([...m.values()]).toEqual(['a-b-c', 'unnamed-task', 'unnamed-task-2', 'Report', 'report-2', 'REPORT-3', 'ok-1']);
  });
});

describe('work-dir snapshot and records', () => {
  it('skips dot paths, binary extensions and big files, and stops at 512 KB', async () => {
    const d = tmp();
    await fsp.mkdir(path.join(d, 'sub'));
    await fsp.mkdir(path.join(d, '.git'));
    await fsp.writeFile(path.join(d, 'out.txt'), 'hello');
    await fsp.writeFile(path.join(d, 'sub', 'n.md'), 'x');
    await fsp.writeFile(path.join(d, '.git', 'HEAD'), 'ref');
    await fsp.writeFile(path.join(d, '.env'), 'secret');
    await fsp.writeFile(path.join(d, 'pic.PNG'), 'png');
    await fsp.writeFile(path.join(d, 'big.txt'), 'y'.repeat(64 * 1024 + 1));
    const snap = await snapshotWorkDir(d);
    expect([...snap.keys()]).toEqual(['out.txt', 'sub/n.md']);

    const many = tmp();
    for (let i = 0; i < 10; i++) await fsp.writeFile(path.join(many, `f${i}.txt`), 'z'.repeat(60 * 1024));
    const capped = await snapshotWorkDir(many);
    expect(capped.size).toBe(8); // 8 × 60 KB ≤ 512 KB < 9 × 60 KB
  });

  it('writes evidence.json, conversation.jsonl and workdir/ at the record path', async () => {
    const root = tmp();
    const dir = evidenceRecordDir(root, 'round-1', 'train', 'my-task', 2);
    expect(path.relative(root, dir)).toBe(path.join('round-1-evidence', 'train', 'my-task-run2'));
    const e: Evidence = {
      ...ev('my task', [crit(0, 1, { details: 'missing' })]),
      conversationLog: conversationFromSteps('do it', [{ role: 'assistant', text: 'ok', toolCalls: [{ id: '1', name: 'write_file', input: { path: 'a' }, output: 'done' }], timestamp: 1000 }], 0),
      workDirSnapshot: { files: new Map([['out/a.txt', 'A']]) },
    };
    await writeEvidenceRecord(dir, e);
    expect(JSON.parse(await fsp.readFile(path.join(dir, 'evidence.json'), 'utf8'))).toEqual({ taskId: 'my task', taskPrompt: 'p', criteria: e.criteria });
    const lines = (await fsp.readFile(path.join(dir, 'conversation.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.type)).toEqual(['request', 'response']);
    expect(lines[0]).toMatchObject({ text: 'do it', ts: '1970-01-01T00:00:00.000Z' });
    expect(lines[1].toolCalls[0]).toMatchObject({ name: 'write_file', arguments: { path: 'a' }, output: 'done' });
    expect(await fsp.readFile(path.join(dir, 'workdir', 'out', 'a.txt'), 'utf8')).toBe('A');
  });
});
