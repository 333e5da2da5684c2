import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirs } from '../../../test/tmp.js';
import { loadLogEvidences } from './log-source.js';

const tmp = tempDirs('skvm-jit-logs-');

async function write(dir: string, rel: string, value: unknown): Promise<string> {
  const file = path.join(dir, rel);
  await fsp.mkdir(path.dirname(file), { recursive: true });
  await fsp.writeFile(file, typeof value === 'string' ? value : JSON.stringify(value));
  return file;
}

describe('log source (spec §5.2 execution-log)', () => {
  it('one evidence per transcript, task ids from file names with #2 for repeats, criteria files replace criteria', async () => {
    const d = tmp();
    const a = await write(d, 'a/report.json', { task: 'Tidy the notes', outcome: 'fail', issues: ['notes.txt was empty'] });
    const b = await write(d, 'b/report.json', { task: 'Tidy again', outcome: 'pass' });
    const crit = await write(d, 'crit.json', { id: 'notes-written', method: 'file-check', weight: 1, score: 0, passed: false, details: 'notes.txt empty' });
    const r = await loadLogEvidences([{ path: a }, { path: b, criteriaPath: crit }]);
    expect(r.evidences.map((e) => [e.taskId, e.taskPrompt])).toEqual([['report', 'Tidy the notes'], ['report#2', 'Tidy again']]);
    expect(r.evidences[0]!.criteria).toMatchObject([{ id: 'agent-reported', passed: false }]);
    expect(r.evidences[1]!.criteria).toEqual([{ id: 'notes-written', method: 'file-check', weight: 1, score: 0, passed: false, details: 'notes.txt empty' }]);
  });

  it('an unreadable log is skipped with a warning; none usable is an error', async () => {
    const d = tmp();
    const good = await write(d, 'ok.json', { task: 't', outcome: 'partial' });
    const bad = await write(d, 'bad.txt', 'not a transcript at all');
    const r = await loadLogEvidences([{ path: bad }, { path: good }]);
    expect(r.evidences.map((e) => e.taskId)).toEqual(['ok']);
    expect(r.warnings.some((w) => w.startsWith(`${bad} skipped:`))).toBe(true);
    await expect(loadLogEvidences([{ path: bad }, { path: path.join(d, 'missing.jsonl') }])).rejects.toThrow(/None of the transcripts could be used/);
  });

  it('a criteria file of the wrong shape is refused with what is wrong', async () => {
    const d = tmp();
    const log = await write(d, 'ok.json', { task: 't', outcome: 'fail' });
    const crit = await write(d, 'c.json', [{ id: 'x', method: 'file-check' }]);
    await expect(loadLogEvidences([{ path: log, criteriaPath: crit }])).rejects.toThrow(/is not a criterion or a list of criteria/);
  });
});
