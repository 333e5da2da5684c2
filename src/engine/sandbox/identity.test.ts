import { spawn } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usePidCgroups } from './cgroup.js';
import { isCommandUid } from './identity.js';
import { pidsOfUid } from './procs.js';
import { runCommand } from './run.js';
import { createWorkDir, removeWorkDir } from './workdir.js';

// What a root engine does so that commands never run as root (CI and this machine run as root).
const IS_ROOT = process.getuid?.() === 0;

let tmpRoot: string;
let outsideFile: string;
beforeAll(async () => {
  tmpRoot = await fsp.mkdtemp(path.join(os.tmpdir(), 'skvm-identity-'));
  await fsp.chmod(tmpRoot, 0o755);
  outsideFile = path.join(tmpRoot, 'root-owned.txt');
  await fsp.writeFile(outsideFile, 'root file');
});
afterAll(async () => {
  await fsp.rm(tmpRoot, { recursive: true, force: true });
});

describe.runIf(IS_ROOT)('command identity of a root engine', () => {
  it('each work dir gets an unprivileged uid of its own, kept across commands', async () => {
    const a = await createWorkDir({ tmpRoot, prefix: 'skvm-id-a-' });
    const b = await createWorkDir({ tmpRoot, prefix: 'skvm-id-b-' });
    const uidA1 = (await runCommand({ command: 'id -u', cwd: a, workDir: a, timeoutMs: 5000, mode: 'none' })).stdout.trim();
    const uidA2 = (await runCommand({ command: 'id -u', cwd: a, workDir: a, timeoutMs: 5000 })).stdout.trim();
    const uidB = (await runCommand({ command: 'id -u; id -G', cwd: b, workDir: b, timeoutMs: 5000, mode: 'none' })).stdout.trim().split('\n');
    expect(isCommandUid(Number(uidA1))).toBe(true);
    expect((await fsp.stat(a)).uid).toBe(Number(uidA1));
    expect(uidB[0]).not.toBe(uidA1);
    expect(uidB[1]).toBe(uidB[0]); // no supplementary groups (root's are dropped)
    // Under bubblewrap the same uid is mapped to itself inside the user namespace.
    expect(uidA2).toBe(uidA1);
    await removeWorkDir(a, { tmpRoot });
    await removeWorkDir(b, { tmpRoot });
  });

  it('hands over what the engine wrote, but never through a symlink or a second hard link', async () => {
    const w = await createWorkDir({ tmpRoot, prefix: 'skvm-id-hand-' });
    await fsp.mkdir(path.join(w, 'sub'));
    await fsp.writeFile(path.join(w, 'sub', 'fixture.txt'), 'fixture');
    await fsp.symlink(outsideFile, path.join(w, 'link'));
    await fsp.link(outsideFile, path.join(w, 'hard'));
    const r = await runCommand({ command: 'echo more >> sub/fixture.txt && echo ok', cwd: w, workDir: w, timeoutMs: 5000, mode: 'none' });
    expect(r.stdout).toBe('ok\n');
    const st = await fsp.stat(outsideFile);
    expect([st.uid, st.gid]).toEqual([0, 0]);
    await removeWorkDir(w, { tmpRoot });
  });

  it('kills what a command of the uid left running once its last command ends', async () => {
    const w = await createWorkDir({ tmpRoot, prefix: 'skvm-id-kill-' });
    // A daemon that leaves the process tree with a cleared environment (no run token), and no
    // pids cgroup to hold it: only the uid still tells it apart.
    usePidCgroups(false);
    await runCommand({ command: 'setsid env -i sh -c "sleep 300" </dev/null >/dev/null 2>&1 & sleep 0.2', cwd: w, workDir: w, timeoutMs: 5000, mode: 'none' });
    usePidCgroups(true);
    const uid = (await fsp.stat(w)).uid;
    expect(pidsOfUid(uid)).toEqual([]);
    await removeWorkDir(w, { tmpRoot });
  });

  it('refuses (unconfined) a work dir the command user could not enter, with the fix', async () => {
    // createWorkDir lets others through the temp root itself, not through a folder above it.
    const closed = await fsp.mkdtemp(path.join(tmpRoot, 'closed-'));
    const inner = path.join(closed, 'tmp');
    const w = await createWorkDir({ tmpRoot: inner, prefix: 'skvm-id-closed-' });
    // Unconfined the command user would have to pass `closed` itself; bubblewrap binds the dir for it.
    await expect(runCommand({ command: 'true', cwd: w, workDir: w, timeoutMs: 5000, mode: 'none' })).rejects.toMatchObject({
      message: expect.stringMatching(/cannot enter/),
      hint: expect.stringMatching(/tmpDir/),
    });
    expect((await runCommand({ command: 'echo in', cwd: w, workDir: w, timeoutMs: 5000, mode: 'bwrap' })).stdout).toBe('in\n');
    await removeWorkDir(w, { tmpRoot: inner });
  });

  it('a straggler started between commands of another work dir is not touched', async () => {
    const w = await createWorkDir({ tmpRoot, prefix: 'skvm-id-other-' });
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    await runCommand({ command: 'true', cwd: w, workDir: w, timeoutMs: 5000, mode: 'none' });
    expect(sleeper.exitCode).toBeNull();
    sleeper.kill('SIGKILL');
    await removeWorkDir(w, { tmpRoot });
  });
});
