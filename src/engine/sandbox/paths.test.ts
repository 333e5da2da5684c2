import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxViolation } from './errors.js';
import { relativeToWorkDir, resolveInWorkDir } from './paths.js';
import { createWorkDir, removeWorkDir } from './workdir.js';

// Escape attempts through the file API (read_file, write_file, file-check, cwd). Each case
// builds its own files under a fresh work dir; `outside` is a directory next to it.
let work: string;
let outside: string;

beforeAll(async () => {
  work = await createWorkDir({ tmpRoot: os.tmpdir(), prefix: 'skvm-pathtest-' });
  outside = await createWorkDir({ tmpRoot: os.tmpdir(), prefix: 'skvm-pathout-' });
  await fsp.writeFile(path.join(outside, 'secret.txt'), 'outside secret');
  await fsp.mkdir(path.join(work, 'sub', 'deep'), { recursive: true });
  await fsp.writeFile(path.join(work, 'sub', 'file.txt'), 'inside');
  // links that stay inside
  await fsp.symlink('sub/file.txt', path.join(work, 'ok-link'));
  await fsp.symlink(path.join(work, 'sub'), path.join(work, 'ok-dirlink'));
  // links that leave
  await fsp.symlink('/etc/passwd', path.join(work, 'to-passwd'));
  await fsp.symlink(outside, path.join(work, 'to-outside-dir'));
  await fsp.symlink('../../../../../../../../etc/passwd', path.join(work, 'sub', 'rel-escape'));
  await fsp.symlink(path.join(work, 'to-outside-dir'), path.join(work, 'sub', 'deep', 'nested'));
  await fsp.symlink('hop2', path.join(work, 'hop1'));
  await fsp.symlink(path.join(outside, 'secret.txt'), path.join(work, 'hop2'));
  await fsp.symlink(path.join(outside, 'not-yet-there.txt'), path.join(work, 'dangling-out'));
  await fsp.symlink('dangling-out', path.join(work, 'dangling-chain'));
  await fsp.symlink('sub/new-inside.txt', path.join(work, 'dangling-in'));
  await fsp.symlink('loop-b', path.join(work, 'loop-a'));
  await fsp.symlink('loop-a', path.join(work, 'loop-b'));
  await fsp.mkdir(`${work}-evil`, { recursive: true });
});

afterAll(async () => {
  await removeWorkDir(work);
  await removeWorkDir(outside);
  await fsp.rm(`${work}-evil`, { recursive: true, force: true });
});

describe('resolveInWorkDir refuses escapes', () => {
  const cases: Array<[string, () => string, boolean]> = [
    ['parent traversal ../../etc/passwd', () => '../../etc/passwd', false],
    ['traversal hidden mid-path a/../../x', () => 'a/../../x', false],
    ['traversal after a real dir sub/../../x', () => 'sub/../../x', false],
    ['absolute /etc/passwd', () => '/etc/passwd', false],
    ['absolute //etc/passwd', () => '//etc/passwd', false],
    ['absolute /proc/self/root/etc/passwd', () => '/proc/self/root/etc/passwd', false],
    ['sibling sharing the work dir prefix', () => `${work}-evil/x`, false],
    ['symlink to a file outside (read)', () => 'to-passwd', false],
    ['symlink to a file outside (write)', () => 'to-passwd', true],
    ['symlink to a directory outside', () => 'to-outside-dir/secret.txt', false],
    ['new file under a symlinked outside directory', () => 'to-outside-dir/new.txt', true],
    ['relative symlink climbing out', () => 'sub/rel-escape', false],
    ['nested symlink to a symlink to outside', () => 'sub/deep/nested/secret.txt', false],
    ['chain of symlinks ending outside', () => 'hop1', false],
    ['writing through a dangling symlink to outside', () => 'dangling-out', true],
    ['reading through a dangling symlink to outside', () => 'dangling-out', false],
    ['writing through a chain ending in a dangling link', () => 'dangling-chain', true],
    ['symlink loop', () => 'loop-a', false],
    ['NUL byte', () => 'sub/file.txt\0.png', false],
    ['NUL byte in traversal', () => '..\0/etc/passwd', false],
    ['empty path', () => '', false],
  ];
  it.each(cases)('%s', async (_name, p, forWrite) => {
    const err = await resolveInWorkDir(work, p(), { forWrite }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SandboxViolation);
    const msg = (err as Error).message;
    expect(msg).toMatch(/^Refused path/);
    // The message never shows where a link points (no host path beyond what was asked).
    expect(msg).not.toContain(outside);
    if (!p().includes('passwd')) expect(msg).not.toContain('/etc/passwd');
  });

  it('creates nothing outside when a dangling link is refused', async () => {
    await expect(resolveInWorkDir(work, 'dangling-out', { forWrite: true })).rejects.toThrow(SandboxViolation);
    await expect(fsp.access(path.join(outside, 'not-yet-there.txt'))).rejects.toThrow();
  });
});

describe('resolveInWorkDir keeps encoded and look-alike forms inside', () => {
  // These are literal file names on POSIX, not traversal: they must resolve inside the work dir.
  it.each(['%2e%2e/%2e%2e/etc/passwd', '..%2f..%2fetc%2fpasswd', '..\\..\\etc\\passwd', '\uff0e\uff0e/\uff0e\uff0e/etc/passwd', '....//....//etc/passwd', '~/.ssh/id_rsa', '.../x'])(
    '%s',
    async (p) => {
      const abs = await resolveInWorkDir(work, p);
      expect(abs.startsWith(work + path.sep)).toBe(true);
      await expect(fsp.readFile(abs)).rejects.toThrow(); // nothing there: not the host file
    },
  );
});

describe('resolveInWorkDir allows what is inside', () => {
  it.each([
    ['relative file', 'sub/file.txt', 'sub/file.txt'],
    ['dot', '.', ''],
    ['inner .. that stays inside', 'sub/deep/../file.txt', 'sub/file.txt'],
    ['symlink that stays inside', 'ok-link', 'sub/file.txt'],
    ['directory symlink that stays inside', 'ok-dirlink/file.txt', 'sub/file.txt'],
    ['not-yet-existing file in a new dir', 'new/dir/file.txt', 'new/dir/file.txt'],
  ])('%s', async (_n, p, expected) => {
    const abs = await resolveInWorkDir(work, p, { forWrite: p.startsWith('new') });
    expect(abs).toBe(expected ? path.join(work, expected) : work);
  });

  it('accepts an absolute path inside the work dir', async () => {
    expect(await resolveInWorkDir(work, path.join(work, 'sub/file.txt'))).toBe(path.join(work, 'sub/file.txt'));
  });

  it('follows a dangling link whose target is inside, to the target', async () => {
    expect(await resolveInWorkDir(work, 'dangling-in', { forWrite: true })).toBe(path.join(work, 'sub/new-inside.txt'));
  });

  it('refuses writing to the work directory itself', async () => {
    await expect(resolveInWorkDir(work, '.', { forWrite: true })).rejects.toThrow(/work directory itself/);
  });

  it('refuses when the work directory does not exist', async () => {
    await expect(resolveInWorkDir(path.join(work, 'no-such-dir'), 'x')).rejects.toThrow(/does not exist/);
  });

  it('names the offending link relative to the work dir, not its target', async () => {
    await expect(resolveInWorkDir(work, 'sub/deep/nested/secret.txt')).rejects.toThrow('"sub/deep/nested"');
  });
});

describe('relativeToWorkDir', () => {
  it('shows paths relative to the work dir', () => {
    expect(relativeToWorkDir(work, path.join(work, 'sub', 'file.txt'))).toBe('sub/file.txt');
    expect(relativeToWorkDir(work, work)).toBe('.');
    expect(relativeToWorkDir(work, '/etc/passwd')).toBe('(outside the work directory)');
  });
});
