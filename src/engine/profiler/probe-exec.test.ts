import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeSetupFiles } from './probe-exec.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('writeSetupFiles', () => {
  it('writes every file, in folders made as needed', async () => {
    const work = mkdtempSync(path.join(tmpdir(), 'skvm-setup-'));
    dirs.push(work);
    await writeSetupFiles(work, { 'a.txt': 'A', 'data/x/b.csv': 'B', 'data/x/c.csv': 'C' });
    expect(readFileSync(path.join(work, 'data/x/b.csv'), 'utf8')).toBe('B');
    expect(readFileSync(path.join(work, 'data/x/c.csv'), 'utf8')).toBe('C');
    expect(readdirSync(work).sort()).toEqual(['a.txt', 'data']);
  });

  it.each(['../outside.txt', 'a/../../outside.txt', '/etc/outside.txt', '.', 'nul\0.txt'])('refuses %j and writes nothing', async (name) => {
    const parent = mkdtempSync(path.join(tmpdir(), 'skvm-setup-'));
    dirs.push(parent);
    const work = path.join(parent, 'work');
    await writeSetupFiles(parent, {}); // an empty set is fine
    await expect(writeSetupFiles(work, { 'ok.txt': 'fine', [name]: 'x' })).rejects.toThrow(/Refused setup file/);
    expect(readdirSync(parent)).toEqual([]);
  });
});
