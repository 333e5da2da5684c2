import { spawn } from 'node:child_process';
import { existsSync, promises as fsp, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxViolation } from './errors.js';
import { sweepLeftovers } from './leftovers.js';
import { createWorkDir, removeWorkDir } from './workdir.js';

let root: string;
beforeAll(async () => {
  root = await fsp.mkdtemp(path.join(os.tmpdir(), 'wdtest-root-'));
});
afterAll(async () => {
  await fsp.rm(root, { recursive: true, force: true });
});

describe('createWorkDir', () => {
  it('makes a private real directory under the root, with our prefix', async () => {
    const dir = await createWorkDir({ tmpRoot: path.join(root, 'nested'), prefix: 'skvm-eval-' });
    expect(path.dirname(dir)).toBe(await fsp.realpath(path.join(root, 'nested')));
    expect(path.basename(dir)).toMatch(new RegExp(`^skvm-eval-_o${process.pid}\\.\\d+_[A-Za-z0-9]{6}$`));
    expect((await fsp.stat(dir)).mode & 0o777).toBe(0o700);
    expect(await fsp.realpath(dir)).toBe(dir);
  });

  it('makes the temp root again when it was removed after an earlier work dir', async () => {
    const tmpRoot = path.join(root, 'removed-later');
    const first = await createWorkDir({ tmpRoot, prefix: 'skvm-eval-' });
    await fsp.rm(tmpRoot, { recursive: true });
    const second = await createWorkDir({ tmpRoot, prefix: 'skvm-eval-' });
    expect(path.dirname(second)).toBe(path.dirname(first));
    expect((await fsp.stat(second)).isDirectory()).toBe(true);
  });

  it('prepends skvm- to other prefixes', async () => {
    const dir = await createWorkDir({ tmpRoot: root, prefix: 'run-' });
    expect(path.basename(dir)).toMatch(/^skvm-run-_o\d+\.\d+_[A-Za-z0-9]{6}$/);
    const kept = await createWorkDir({ tmpRoot: root, prefix: 'run-', keep: true });
    expect(path.basename(kept)).toMatch(/^skvm-run-[A-Za-z0-9]{6}$/);
  });

  it.each(['../x', 'a/b', '', 'x'.repeat(65), 'a b'])('refuses the prefix %j', async (prefix) => {
    await expect(createWorkDir({ tmpRoot: root, prefix })).rejects.toThrow(/prefix/);
  });

  it('resolves a symlinked temp root to its real path', async () => {
    await fsp.mkdir(path.join(root, 'real-root'));
    await fsp.symlink(path.join(root, 'real-root'), path.join(root, 'link-root'));
    const dir = await createWorkDir({ tmpRoot: path.join(root, 'link-root'), prefix: 'skvm-x-' });
    expect(dir.startsWith(await fsp.realpath(path.join(root, 'real-root')))).toBe(true);
  });
});

describe('removeWorkDir', () => {
  it('removes a work dir with its contents, including read-only subdirs and links (not followed)', async () => {
    const keep = path.join(root, 'keep.txt');
    await fsp.writeFile(keep, 'must survive');
    const dir = await createWorkDir({ tmpRoot: root, prefix: 'skvm-rm-' });
    await fsp.mkdir(path.join(dir, 'a/b'), { recursive: true });
    await fsp.writeFile(path.join(dir, 'a/b/f'), 'x');
    await fsp.symlink(keep, path.join(dir, 'link-to-outside'));
    await fsp.symlink(root, path.join(dir, 'dirlink-to-outside'));
    await fsp.chmod(path.join(dir, 'a'), 0o500);
    await removeWorkDir(dir);
    await expect(fsp.access(dir)).rejects.toThrow();
    expect(await fsp.readFile(keep, 'utf8')).toBe('must survive');
  });

  it('is a no-op for a directory that is already gone', async () => {
    const dir = await createWorkDir({ tmpRoot: root, prefix: 'skvm-gone-' });
    await fsp.rm(dir, { recursive: true });
    await expect(removeWorkDir(dir)).resolves.toBeUndefined();
  });

  const refusals: Array<[string, () => Promise<string>]> = [
    ['a relative path', async () => 'skvm-eval-abcdef'],
    ['the temp root itself', async () => os.tmpdir()],
    ['the filesystem root', async () => '/'],
    ['the home directory', async () => os.homedir()],
    ['a directory without our name pattern', async () => fsp.mkdtemp(path.join(root, 'other-'))],
    [
      'a directory with our pattern outside any temp root',
      async () => {
        const parent = await fsp.mkdtemp(path.join(root, 'deep-'));
        const d = path.join(parent, 'skvm-eval-abcdef');
        await fsp.mkdir(d);
        return d;
      },
    ],
    [
      'a symlink to a work dir',
      async () => {
        const dir = await createWorkDir({ tmpRoot: root, prefix: 'skvm-target-' });
        const link = path.join(root, 'skvm-linkxx-abcdef');
        await fsp.symlink(dir, link);
        return link;
      },
    ],
    [
      'a work dir reached through a symlinked parent',
      async () => {
        const dir = await createWorkDir({ tmpRoot: root, prefix: 'skvm-via-' });
        const linkParent = path.join(os.tmpdir(), `wdtest-linkparent-${process.pid}`);
        await fsp.rm(linkParent, { force: true });
        await fsp.symlink(root, linkParent);
        return path.join(linkParent, path.basename(dir));
      },
    ],
    [
      'a regular file named like a work dir',
      async () => {
        const f = path.join(root, 'skvm-file-abcdef');
        await fsp.writeFile(f, 'x');
        return f;
      },
    ],
    ['a path with a NUL byte', async () => path.join(root, 'skvm-nul-abc\0def')],
  ];
  it.each(refusals)('refuses %s', async (_n, make) => {
    const p = await make();
    await expect(removeWorkDir(p)).rejects.toThrow(SandboxViolation);
    if (path.isAbsolute(p) && !p.includes('\0') && p !== '/') await expect(fsp.lstat(p)).resolves.toBeDefined();
  });

  it('accepts a temp root given explicitly (cleanup from another process)', async () => {
    const otherRoot = await fsp.mkdtemp(path.join(os.tmpdir(), 'wdtest-other-'));
    try {
      const d = path.join(await fsp.realpath(otherRoot), 'skvm-old-abcdef');
      await fsp.mkdir(d);
      await removeWorkDir(d, { tmpRoot: otherRoot });
      await expect(fsp.access(d)).rejects.toThrow();
    } finally {
      await fsp.rm(otherRoot, { recursive: true, force: true });
      await fsp.rm(path.join(os.tmpdir(), `wdtest-linkparent-${process.pid}`), { force: true });
    }
  });
});

describe('sweeping what dead processes left', () => {
  /** pid and start time of a process that has exited. */
  async function deadOwner(): Promise<string> {
    const child = spawn('sh', ['-c', 'exit 0']);
    const pid = child.pid!;
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    await new Promise((r) => child.on('exit', r));
    return `_o${pid}.${start}_`;
  }

  it('removes the work dirs of a dead creator, keeps those of live ones, kept ones and anything not ours', async () => {
    const sweepRoot = await fsp.mkdtemp(path.join(root, 'sweep-'));
    // Ours first: the first one sweeps the (still empty) root in the background.
    const mine = await createWorkDir({ tmpRoot: sweepRoot, prefix: 'skvm-mine-' });
    const kept = await createWorkDir({ tmpRoot: sweepRoot, prefix: 'skvm-kept-', keep: true });
    await new Promise((r) => setTimeout(r, 50));
    const dead = await fsp.mkdtemp(path.join(sweepRoot, `skvm-run-slugify-${await deadOwner()}`));
    await fsp.writeFile(path.join(dead, 'left.txt'), 'x');
    const sleeper = spawn('sleep', ['30']);
    const st = readFileSync(`/proc/${sleeper.pid}/stat`, 'latin1');
    const live = await fsp.mkdtemp(path.join(sweepRoot, `skvm-profile-x-_o${sleeper.pid}.${st.slice(st.lastIndexOf(')') + 2).split(' ')[19]}_`));
    const reused = await fsp.mkdtemp(path.join(sweepRoot, `skvm-eval-_o${sleeper.pid}.1_`)); // same pid, another start: dead
    const foreign = await fsp.mkdtemp(path.join(sweepRoot, `not-skvm-${await deadOwner()}`));
    await fsp.symlink(mine, path.join(sweepRoot, `skvm-link-${await deadOwner()}abcdef`));
    try {
      expect(await sweepLeftovers(sweepRoot, (d) => removeWorkDir(d, { tmpRoot: sweepRoot }))).toBe(2);
      expect(existsSync(dead)).toBe(false);
      expect(existsSync(reused)).toBe(false);
      for (const d of [live, mine, kept, foreign]) expect(existsSync(d)).toBe(true);
    } finally {
      sleeper.kill('SIGKILL');
    }
  });

  it('the first work dir a process makes in a root sweeps it in the background', async () => {
    const fresh = await fsp.mkdtemp(path.join(root, 'sweep-first-'));
    const dead = await fsp.mkdtemp(path.join(fresh, `skvm-run-t-${await deadOwner()}`));
    await createWorkDir({ tmpRoot: fresh, prefix: 'skvm-next-' });
    for (let i = 0; i < 100 && existsSync(dead); i++) await new Promise((r) => setTimeout(r, 20));
    expect(existsSync(dead)).toBe(false);
  });
});
