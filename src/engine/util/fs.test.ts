import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileMakingDirs, writeFilesAtomic } from './fs.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function scratch(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'skvm-fs-'));
  dirs.push(d);
  return d;
}

describe('writeFilesAtomic', () => {
  it('writes every file, replacing what was there, and leaves no temp file', async () => {
    const d = scratch();
    writeFileSync(path.join(d, 'latest.json'), 'old');
    await writeFilesAtomic([
      [path.join(d, 'v_1.json'), 'new'],
      [path.join(d, 'latest.json'), 'new'],
    ]);
    expect(readFileSync(path.join(d, 'v_1.json'), 'utf8')).toBe('new');
    expect(readFileSync(path.join(d, 'latest.json'), 'utf8')).toBe('new');
    expect(readdirSync(d).sort()).toEqual(['latest.json', 'v_1.json']);
  });

  it('when one file cannot be written, none is replaced and no temp file is left', async () => {
    const d = scratch();
    writeFileSync(path.join(d, 'latest.json'), 'old');
    writeFileSync(path.join(d, 'blocker'), 'a file where a directory should be');
    await expect(
      writeFilesAtomic([
        [path.join(d, 'latest.json'), 'new'],
        [path.join(d, 'blocker', 'v_1.json'), 'new'],
      ]),
    ).rejects.toThrow();
    expect(readFileSync(path.join(d, 'latest.json'), 'utf8')).toBe('old');
    expect(existsSync(path.join(d, 'blocker', 'v_1.json'))).toBe(false);
    expect(readdirSync(d).sort()).toEqual(['blocker', 'latest.json']);
  });
});

describe('writeFileMakingDirs', () => {
  it('writes into folders that exist and makes the ones that do not', async () => {
    const d = scratch();
    await writeFileMakingDirs(path.join(d, 'a.txt'), 'one');
    await writeFileMakingDirs(path.join(d, 'x', 'y', 'b.txt'), 'two');
    expect(readFileSync(path.join(d, 'a.txt'), 'utf8')).toBe('one');
    expect(readFileSync(path.join(d, 'x', 'y', 'b.txt'), 'utf8')).toBe('two');
  });

  it('passes on errors other than a missing folder', async () => {
    const d = scratch();
    writeFileSync(path.join(d, 'file'), '');
    await expect(writeFileMakingDirs(path.join(d, 'file', 'under-a-file.txt'), 'x')).rejects.toThrow(/ENOTDIR/);
  });
});
