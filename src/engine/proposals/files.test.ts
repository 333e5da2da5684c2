import { mkdtempSync, rmSync } from 'node:fs';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeProposal } from '../../../test/proposals.js';
import { readRoundFile, roundFiles } from './files.js';

const base = mkdtempSync(path.join(os.tmpdir(), 'skvm-proposals-files-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('round files', () => {
  it('serves text files of a round and refuses escapes, symlinks and binaries', async () => {
    const p = await makeProposal(base);
    expect(await roundFiles(p.dir, 1)).toEqual(['SKILL.md', 'assets/logo.bin', 'docs/new.md', 'keep.md']);
    expect(await readRoundFile(p.dir, p.id, 1, 'docs/new.md')).toEqual({ path: 'docs/new.md', text: 'added\n' });
    await expect(readRoundFile(p.dir, p.id, 1, '../meta.json')).rejects.toThrow(/not a file path inside a round/);
    await expect(readRoundFile(p.dir, p.id, 1, '/etc/passwd')).rejects.toThrow(/not a file path inside a round/);
    await fsp.symlink('/etc/hostname', path.join(p.dir, 'round-1', 'host'));
    await expect(readRoundFile(p.dir, p.id, 1, 'host')).rejects.toThrow(/Unknown file of round 1/);
    await expect(readRoundFile(p.dir, p.id, 1, 'assets/logo.bin')).rejects.toThrow(/not a text file/);
  });
});
