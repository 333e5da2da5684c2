import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxViolation } from './errors.js';
import { listInWorkDir, openForRead, openForWrite } from './open.js';
import { resolveInWorkDir } from './paths.js';
import { createWorkDir, removeWorkDir } from './workdir.js';

let work: string;
let outside: string;
let secret: string;

beforeAll(async () => {
  work = await createWorkDir({ tmpRoot: os.tmpdir(), prefix: 'skvm-opentest-' });
  outside = await createWorkDir({ tmpRoot: os.tmpdir(), prefix: 'skvm-openout-' });
  secret = path.join(outside, 'secret.txt');
  await fsp.writeFile(secret, 'SECRET');
});

afterAll(async () => {
  await removeWorkDir(work);
  await removeWorkDir(outside);
});

async function readAll(rel: string): Promise<string> {
  const { handle } = await openForRead(work, rel);
  try {
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

async function writeAll(rel: string, text: string): Promise<void> {
  const { handle } = await openForWrite(work, rel);
  try {
    await handle.truncate(0);
    await handle.writeFile(text);
  } finally {
    await handle.close();
  }
}

describe('opening files of the work directory', () => {
  it('reads and writes ordinary files, creating parent folders', async () => {
    await writeAll('a/b/c.txt', 'hello');
    expect(await readAll('a/b/c.txt')).toBe('hello');
    await writeAll('a/b/c.txt', 'hi');
    expect(await readAll('a/b/c.txt')).toBe('hi');
    expect((await listInWorkDir(work, 'a')).map((e) => e.name)).toEqual(['b']);
    expect((await listInWorkDir(work, '.')).map((e) => e.name)).toContain('a');
  });

  it('follows symlinks that stay inside', async () => {
    await fsp.symlink('a/b/c.txt', path.join(work, 'inside-link'));
    expect(await readAll('inside-link')).toBe('hi');
  });

  it('refuses a hard link to a file outside, for reading and for writing, and leaves it intact', async () => {
    await fsp.link(secret, path.join(work, 'hl'));
    await expect(readAll('hl')).rejects.toThrow(/2 hard links/);
    await expect(writeAll('hl', 'overwritten')).rejects.toBeInstanceOf(SandboxViolation);
    await expect(resolveInWorkDir(work, 'hl')).rejects.toThrow(/hard links/);
    expect(await fsp.readFile(secret, 'utf8')).toBe('SECRET');
    await fsp.rm(path.join(work, 'hl'));
  });

  it('refuses a fifo at once instead of blocking on it', async () => {
    const fifo = path.join(work, 'pipe');
    await new Promise<void>((resolve, reject) => spawn('mkfifo', [fifo]).on('exit', (c) => (c === 0 ? resolve() : reject(new Error(`mkfifo ${c}`)))));
    await expect(readAll('pipe')).rejects.toThrow(/not a regular file/);
    await expect(writeAll('pipe', 'x')).rejects.toThrow(/not a regular file|ENXIO/);
    await fsp.rm(fifo);
  });

  it('reports missing files and directories with the code the tools map', async () => {
    await expect(readAll('missing.txt')).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(readAll('a')).rejects.toMatchObject({ code: 'EISDIR' });
    await expect(listInWorkDir(work, 'a/b/c.txt')).rejects.toMatchObject({ code: 'ENOTDIR' });
  });

  it('never reads or writes outside while another process swaps a folder for a symlink', async () => {
    // The race the name check alone loses: `d` flips between a real folder and a link to `outside`.
    await fsp.mkdir(path.join(work, 'd-real'));
    await fsp.writeFile(path.join(work, 'd-real', 'secret.txt'), 'inside');
    const swapper: ChildProcess = spawn(
      'sh',
      ['-c', `cd ${work} && while :; do ln -sfn ${outside} d.tmp && mv -T d.tmp d; rm -f d; cp -a d-real d.new 2>/dev/null && mv -T d.new d 2>/dev/null; rm -rf d; done`],
      { stdio: 'ignore' },
    );
    const seen = { inside: 0, refused: 0, missing: 0 };
    try {
      const until = Date.now() + 1500;
      while (Date.now() < until) {
        try {
          const text = await readAll('d/secret.txt');
          expect(['inside', 'written']).toContain(text);
          seen.inside++;
        } catch (err) {
          if (err instanceof SandboxViolation) seen.refused++;
          else if (['ENOENT', 'ENOTDIR'].includes((err as NodeJS.ErrnoException).code ?? '')) seen.missing++;
          else throw err;
        }
        await writeAll('d/secret.txt', 'written').catch(() => undefined);
      }
    } finally {
      swapper.kill('SIGKILL');
    }
    expect(await fsp.readFile(secret, 'utf8')).toBe('SECRET');
    expect(existsSync(path.join(outside, 'd'))).toBe(false);
    expect(seen.inside + seen.refused + seen.missing).toBeGreaterThan(20);
  });
});
