import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, readdirSync, readFileSync, promises as fsp } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { survivors } from '../../../test/proc-marks.js';
import { registerSecret } from '../util/redact.js';
import { sandboxSupport, TMPFS_SIZE_BYTES } from './bwrap.js';
import { toolPrefixes } from './env.js';
import { processLimitSupport } from './cgroup.js';
import { SandboxUnavailableError, SandboxViolation } from './errors.js';
import { openForRead, openForWrite } from './open.js';
import { isInside, resolveInWorkDir } from './paths.js';
import { runCommand } from './run.js';
import type { CommandOptions, CommandResult, SandboxMode } from './types.js';
import { createWorkDir, removeWorkDir } from './workdir.js';

/*
 * Escape attempts against runCommand + the file API, each asserted refused or contained, in
 * both modes where the protection exists in both. Attempts that would harm the machine when
 * they are NOT contained (kill -9 -1, touching /etc, reading other processes' environ) run only
 * under bubblewrap, and each carries its own guard (e.g. kill -1 only fires when the shell sees
 * itself inside a pid namespace). What none-mode does not contain is listed in index.ts.
 */

const rand = () => randomBytes(8).toString('hex');
const KEY = `sk-test-${rand()}${rand()}`;
const FAKE_KEY = `acme-${rand()}${rand()}`;
const HOST_ONLY = `host-only-${rand()}`;
const CONFIG_MARK = `CONFIG-MARK-${rand()}`;

const support = await sandboxSupport();
const HAVE_BWRAP = support.available;
/*
 * SKVM_ESCAPE_MODES=sandbox-runtime (comma-separated) runs the suite against other modes: that is
 * how @anthropic-ai/sandbox-runtime was evaluated (see srt.ts). By default: bubblewrap where it
 * runs, and unconfined.
 */
const MODES: SandboxMode[] = process.env.SKVM_ESCAPE_MODES
  ? (process.env.SKVM_ESCAPE_MODES.split(',') as SandboxMode[])
  : HAVE_BWRAP
    ? ['bwrap', 'none']
    : ['none'];
const SANDBOXED = MODES.filter((m) => m !== 'none');
const IS_ROOT = process.getuid?.() === 0;

let work: string;
let other: string;
let cacheRoot: string;
let secretFile: string;
let decoy: ChildProcess;
let server: http.Server;
let port: number;
const sockets: Array<{ server: net.Server; file: string }> = [];
const hostTmpMarker = path.join(os.tmpdir(), `skvm-escape-visible-${rand()}`);
const outputs: string[] = [];
const savedEnv = { ...process.env };

beforeAll(async () => {
  process.env.OPENAI_API_KEY = KEY;
  process.env.ACME_SERVICE_API_KEY = FAKE_KEY;
  process.env.HARMLESS_LOOKING = HOST_ONLY;
  registerSecret(KEY);
  work = await createWorkDir({ tmpRoot: os.tmpdir(), prefix: 'skvm-escape-' });
  other = await createWorkDir({ tmpRoot: os.tmpdir(), prefix: 'skvm-escape-other-' });
  await fsp.writeFile(path.join(other, 'other-run.txt'), 'another run');
  await fsp.writeFile(hostTmpMarker, 'host tmp');
  // A fake skvm cache root with a config file, outside /tmp (which is hidden anyway).
  cacheRoot = await fsp.mkdtemp('/var/tmp/skvm-escape-cache-');
  await fsp.chmod(cacheRoot, 0o755); // like ~/.skvm of a user whose home others may enter
  await fsp.writeFile(path.join(cacheRoot, 'skvm.config.json'), JSON.stringify({ note: CONFIG_MARK }));
  await fsp.mkdir(path.join(cacheRoot, 'profiles'));
  secretFile = path.join('/var/tmp', `skvm-escape-secret-${rand()}.txt`);
  await fsp.writeFile(secretFile, CONFIG_MARK);
  // A host process whose /proc/<pid>/environ holds the key (spawned after the key was set).
  decoy = spawn('sleep', ['300'], { env: { ...process.env }, stdio: 'ignore' });
  server = http.createServer((_req, res) => res.end(`pong-${CONFIG_MARK.slice(-6)}`));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as net.AddressInfo).port;
  for (const dir of [os.tmpdir(), '/run']) {
    try {
      accessSync(dir, constants.W_OK);
    } catch {
      continue;
    }
    const file = path.join(dir, `skvm-escape-${rand()}.sock`);
    const s = net.createServer((c) => c.end('socket-reached\n'));
    await new Promise<void>((r) => s.listen(file, r));
    sockets.push({ server: s, file });
  }
});

afterAll(async () => {
  // Whatever ran, no output of any command may contain a credential or a host-only value.
  const all = outputs.join('\n');
  process.env = savedEnv;
  if (decoy.pid) decoy.kill('SIGKILL');
  await new Promise<void>((r) => server.close(() => r()));
  for (const s of sockets) await new Promise<void>((r) => s.server.close(() => r()));
  await removeWorkDir(work);
  await removeWorkDir(other);
  await fsp.rm(cacheRoot, { recursive: true, force: true });
  await fsp.rm(secretFile, { force: true });
  await fsp.rm(hostTmpMarker, { force: true });
  expect(outputs.length).toBeGreaterThan(0);
  for (const s of [KEY, FAKE_KEY, HOST_ONLY]) expect(all).not.toContain(s);
});

async function sh(mode: SandboxMode, command: string, extra: Partial<CommandOptions> = {}): Promise<CommandResult> {
  const r = await runCommand({ command, cwd: work, workDir: work, timeoutMs: 10_000, mode, hide: [cacheRoot, secretFile], ...extra });
  outputs.push(r.stdout, r.stderr);
  return r;
}

function expectClean(r: CommandResult): void {
  for (const s of [KEY, FAKE_KEY, HOST_ONLY]) {
    expect(r.stdout).not.toContain(s);
    expect(r.stderr).not.toContain(s);
  }
}


/** kill -0 succeeds and the process is not a zombie (a zombie is dead, only not yet reaped). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return !/^[ZX]$/.test(stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3));
  } catch {
    return false;
  }
}

function describePid(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'latin1') + ' ' + readFileSync(`/proc/${pid}/cmdline`, 'latin1');
  } catch {
    return 'gone';
  }
}

const fetchScript = (p: number) =>
  `node -e "require('http').get('http://127.0.0.1:${p}/', r => { let b = ''; r.on('data', d => b += d); r.on('end', () => console.log('GOT ' + b)); }).on('error', e => { console.log('ERR ' + e.code); process.exit(3); })"`;

describe.each(MODES)('escape attempts contained in mode %s', (mode) => {
  it('env / printenv show no credentials and nothing of the host environment', async () => {
    const r = await sh(mode, 'env; echo ---; printenv');
    expectClean(r);
    const names = r.stdout
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => l.slice(0, l.indexOf('=')));
    expect(new Set(names)).toEqual(new Set(['PATH', 'HOME', 'LANG', 'LC_ALL', 'TMPDIR', 'TERM', 'PWD', 'SKVM_SANDBOX_RUN']));
  });

  it('/proc/self/environ and /proc/$PPID/environ hold no key', async () => {
    const r = await sh(mode, `tr '\\0' '\\n' < /proc/self/environ; echo ---; tr '\\0' '\\n' < /proc/$PPID/environ; echo "ppid=$PPID"`);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('PATH=');
    expect(r.stdout).not.toContain(`ppid=${process.pid}\n`); // the parent is our wrapper, never the engine
    expectClean(r);
  });

  it('a credential cannot be passed in through opts.env', async () => {
    await expect(sh(mode, 'env', { env: { OPENAI_API_KEY: KEY } })).rejects.toThrow(SandboxViolation);
    await expect(sh(mode, 'env', { env: { INNOCENT: KEY } })).rejects.toThrow(/contains an API key/);
  });

  it('symlinks a command creates cannot be read through the file API', async () => {
    const r = await sh(mode, `ln -s /etc/passwd cmd-file-link && ln -s / cmd-root-link && ln -s ${other} cmd-dir-link && mkdir -p n/e && ln -s ../../cmd-root-link n/e/st && echo made`);
    expect(r.stdout).toBe('made\n');
    for (const p of ['cmd-file-link', 'cmd-root-link/etc/passwd', 'cmd-dir-link/other-run.txt', 'n/e/st/etc/passwd']) {
      await expect(resolveInWorkDir(work, p)).rejects.toThrow(SandboxViolation);
      await expect(resolveInWorkDir(work, p, { forWrite: true })).rejects.toThrow(SandboxViolation);
    }
    await sh(mode, 'rm -rf cmd-file-link cmd-root-link cmd-dir-link n');
  });

  it('a dangling symlink a command plants cannot be written through', async () => {
    const target = path.join(other, `planted-${rand()}.txt`);
    await sh(mode, `ln -s ${target} plant`);
    await expect(resolveInWorkDir(work, 'plant', { forWrite: true })).rejects.toThrow(SandboxViolation);
    expect(existsSync(target)).toBe(false);
    await sh(mode, 'rm -f plant');
  });

  it('cwd through a symlink to outside is refused', async () => {
    await sh(mode, 'ln -s /etc etc-link');
    await expect(sh(mode, 'pwd', { cwd: path.join(work, 'etc-link') })).rejects.toThrow(/Refused cwd/);
    await sh(mode, 'rm -f etc-link');
  });

  // Unconfined as a non-root engine this is exactly what mode none gives up (see index.ts).
  it.runIf(mode !== 'none' || IS_ROOT)('commands cannot read any key from /proc, signal the engine, or run as root', async () => {
    const r = await sh(
      mode,
      `id -u; tr '\\0' '\\n' < /proc/${process.pid}/environ; kill -0 ${process.pid} && echo SIGNALLED; kill -0 ${decoy.pid} && echo DECOY; ` +
        `for p in /proc/[0-9]*; do tr '\\0' '\\n' < $p/environ 2>/dev/null; done; cat /etc/shadow; echo end`,
    );
    expectClean(r);
    expect(r.stdout).not.toMatch(/SIGNALLED|DECOY/);
    expect(r.stdout).not.toMatch(/^root:/m);
    expect(r.stdout).toMatch(/end\n$/);
    if (IS_ROOT) expect(r.stdout.split('\n')[0]).not.toBe('0');
    expect(alive(process.pid)).toBe(true);
  });

  it('a hard link to a file outside can neither be read nor written through the file API', async () => {
    // bubblewrap: EXDEV (another mount); a root engine's command user: EPERM (fs.protected_hardlinks);
    // the engine's own user, unconfined: the link is made, and the file API must refuse it.
    const r = await sh(mode, `ln ${secretFile} hl-secret 2>/dev/null && echo LINKED; echo done`);
    expect(r.stdout).toMatch(/done\n$/);
    if (r.stdout.includes('LINKED')) {
      await expect(openForRead(work, 'hl-secret')).rejects.toThrow(/2 hard links/);
      await expect(openForWrite(work, 'hl-secret')).rejects.toThrow(SandboxViolation);
    } else {
      expect(mode !== 'none' || IS_ROOT).toBe(true);
      const { handle } = await openForWrite(work, 'hl-secret'); // a new file of its own
      await handle.close();
    }
    expect(await fsp.readFile(secretFile, 'utf8')).toBe(CONFIG_MARK);
    await fsp.rm(path.join(work, 'hl-secret'), { force: true });
  });

  it('kill -9 $PPID ends the command, never the engine', async () => {
    const t = Date.now();
    const r = await sh(mode, `if [ "$PPID" = "${process.pid}" ]; then echo UNSAFE; exit 99; fi; kill -9 $PPID; sleep 5; echo still-here`);
    expect(r.stdout).not.toContain('UNSAFE');
    expect(r.stdout).not.toContain('still-here');
    expect(Date.now() - t).toBeLessThan(3000);
    expect(alive(process.pid)).toBe(true);
  });

  it('a fork bomb is contained, killed, and leaves nothing behind', async () => {
    const mark = rand();
    const limit = await processLimitSupport();
    // As root without a pids cgroup nothing kernel-side caps forks (see procs.ts); there the
    // bomb is bounded (about 1000 processes) so the test cannot take the machine down.
    const bomb = limit === 'watchdog' ? 'b(){ if [ $1 -gt 0 ]; then b $(($1-1)) & b $(($1-1)) & fi; sleep 30; }; b 9' : 'f(){ f | f & }; f; sleep 30';
    const t = Date.now();
    const r = await sh(mode, bomb, { timeoutMs: 5000, maxProcesses: 64, env: { SKVM_TEST_MARK: mark } });
    expect(r.limitExceeded === 'processes' || r.timedOut).toBe(true);
    expect(Date.now() - t).toBeLessThan(5000 + 3000);
    expect(survivors(mark)).toEqual([]);
    expect((await sh(mode, 'echo recovered')).stdout).toBe('recovered\n');
  });

  it('a command that sleeps forever is killed with its grandchildren (kill -0 finds none)', async () => {
    const mark = rand();
    const r = await sh(mode, 'sleep 1000 & echo $!; nohup sleep 1000 >/dev/null 2>&1 & echo $!; setsid sh -c "echo \\$\\$; exec sleep 1000" & sleep 1000', {
      timeoutMs: 800,
      env: { SKVM_TEST_MARK: mark },
    });
    expect(r.timedOut).toBe(true);
    const pids = r.stdout.trim().split('\n').map(Number);
    expect(pids).toHaveLength(3);
    if (mode === 'none') for (const p of pids) expect(alive(p), `pid ${p}: ${describePid(p)}`).toBe(false); // host pids only without a pid namespace
    expect(survivors(mark)).toEqual([]);
  });

  it('filling the disk with one file stops at the file-size limit', async () => {
    const r = await sh(mode, 'yes > fill.txt; echo "rc=$?"', { maxFileBytes: 2 * 1024 * 1024 });
    expect(r.stdout).toBe('rc=153\n'); // yes was killed by SIGXFSZ
    expect((await fsp.stat(path.join(work, 'fill.txt'))).size).toBeLessThanOrEqual(2 * 1024 * 1024);
    await fsp.rm(path.join(work, 'fill.txt'));
  });

  it('writing to $HOME lands in the work dir', async () => {
    const r = await sh(mode, 'touch "$HOME/home-file" && echo ok');
    expect(r.stdout).toBe('ok\n');
    expect(existsSync(path.join(work, 'home-file'))).toBe(true);
    await fsp.rm(path.join(work, 'home-file'));
  });

  it('TMPDIR is private to the command and gone afterwards', async () => {
    const r = await sh(mode, 'echo "$TMPDIR"; echo x > "$TMPDIR/t" && ls "$TMPDIR"');
    const [tmp, ...listing] = r.stdout.trim().split('\n');
    expect(listing).toContain('t');
    if (mode === 'none') {
      expect(tmp).not.toBe(os.tmpdir());
      expect(existsSync(tmp!)).toBe(false);
    } else {
      expect(tmp).toBe('/tmp');
      expect(existsSync(path.join(os.tmpdir(), 't'))).toBe(false);
    }
  });

  it('abort ends a command that ignores SIGTERM and SIGINT within 2 s', async () => {
    const ac = new AbortController();
    const p = sh(mode, "trap '' TERM INT HUP; sleep 1000 & wait; sleep 1000", { signal: ac.signal, timeoutMs: 60_000 });
    await new Promise((r) => setTimeout(r, 200));
    const t = Date.now();
    ac.abort();
    expect((await p).cancelled).toBe(true);
    expect(Date.now() - t).toBeLessThan(2000);
  });

  it('network: true reaches a local server', async () => {
    const r = await sh(mode, fetchScript(port), { network: true });
    expect(r.stdout).toBe(`GOT pong-${CONFIG_MARK.slice(-6)}\n`);
  });
});

/** Runs `fn` under bubblewrap; where bubblewrap is missing, asserts mode "bwrap" is refused instead. */
/** Runs `fn` in the sandbox of `mode`; where it cannot run, asserts the mode is refused instead. */
async function inSandbox(mode: SandboxMode, fn: () => Promise<void>): Promise<void> {
  if (SANDBOXED.includes(mode)) return fn();
  await expect(runCommand({ command: 'true', cwd: work, workDir: work, timeoutMs: 1000, mode })).rejects.toBeInstanceOf(SandboxUnavailableError);
}

describe.each(SANDBOXED.length ? SANDBOXED : (['bwrap'] as SandboxMode[]))('escape attempts contained only in a sandbox (mode %s)', (smode) => {
  it('the skvm config file, the cache root and other hidden paths are invisible', () =>
    inSandbox(smode, async () => {
      const r = await sh(smode, `cat ${cacheRoot}/skvm.config.json; ls -A ${cacheRoot}; echo "[$(cat ${secretFile})]"; grep -r ${CONFIG_MARK} /var/tmp 2>/dev/null; echo end`);
      expect(r.stdout).not.toContain(CONFIG_MARK);
      expect(r.stdout).toBe('[]\nend\n'); // the hidden file reads as nothing (Permission denied)
      expect(r.stderr).toMatch(/skvm\.config\.json: No such file/);
    }));

  it('a work dir inside the hidden cache root works; the rest of the cache stays hidden', () =>
    inSandbox(smode, async () => {
      const runs = path.join(cacheRoot, 'runs');
      const inner = await createWorkDir({ tmpRoot: runs, prefix: 'skvm-run-' });
      try {
        await fsp.writeFile(path.join(inner, 'task.txt'), 'task input\n');
        const r = await runCommand({
          command: `cat task.txt && echo out > result.txt && ls -A ${cacheRoot} && cat ${cacheRoot}/skvm.config.json`,
          cwd: inner,
          workDir: inner,
          timeoutMs: 10_000,
          mode: smode,
          hide: [cacheRoot],
        });
        outputs.push(r.stdout, r.stderr);
        expect(r.stdout).toBe('task input\nruns\n');
        expect(r.stderr).toMatch(/skvm\.config\.json: No such file/);
        expect(await fsp.readFile(path.join(inner, 'result.txt'), 'utf8')).toBe('out\n');
      } finally {
        await removeWorkDir(inner);
      }
    }));

  it('a work dir that contains a hidden path is refused', () =>
    inSandbox(smode, async () => {
      await expect(sh(smode, 'true', { hide: [path.join(work)] })).rejects.toThrow(/must stay hidden/);
    }));

  it('root-only files such as /etc/shadow are covered', () =>
    inSandbox(smode, async () => {
      const r = await sh(smode, 'cat /etc/shadow');
      expect(r.stdout).toBe('');
      if (existsSync('/etc/shadow')) expect(r.stderr).toMatch(/Permission denied/);
    }));

  it('the host home directory shows nothing but the way to tool installs', () =>
    inSandbox(smode, async () => {
      const home = os.homedir();
      const viaTools = new Set(toolPrefixes().filter((p) => isInside(home, p) && p !== home).map((p) => path.relative(home, p).split(path.sep)[0]));
      const hostEntries = readdirSync(home).filter((e) => !viaTools.has(e));
      expect(hostEntries.length).toBeGreaterThan(0);
      const r = await sh(smode, `ls -A ${home}`);
      const inside = r.stdout.split('\n').filter(Boolean);
      for (const e of hostEntries) expect(inside).not.toContain(e);
    }));

  it('the package’s own folder and system paths outside the allowlist are absent', () =>
    inSandbox(smode, async () => {
      const pkg = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
      const r = await sh(smode, `cat ${pkg}/package.json; ls / | tr '\\n' ' '`);
      expect(r.stdout).not.toContain('skvm-mcp');
      const top = r.stdout.trim().split(' ');
      const onTheWay = new Set(toolPrefixes().map((p) => p.split('/')[1])); // /root of ~/.pyenv/versions/3.x
      for (const d of ['root', 'home', 'opt', 'srv', 'mnt', 'media', 'run', 'sys', 'boot']) if (!onTheWay.has(d)) expect(top).not.toContain(d);
      for (const d of ['usr', 'etc', 'bin', 'tmp', 'proc', 'dev']) expect(top).toContain(d);
    }));

  it('writing into /var/tmp lands in a private tmpfs, never on the host', () =>
    inSandbox(smode, async () => {
      const file = `/var/tmp/skvm-escape-${rand()}`;
      const r = await sh(smode, `touch ${file} && echo WROTE`);
      expect(r.stdout).toBe('WROTE\n');
      expect(existsSync(file)).toBe(false);
    }));

  it.each([
    ['/etc', () => `/etc/skvm-escape-${rand()}`],
    ['/usr', () => `/usr/skvm-escape-${rand()}`],
    ['/', () => `/skvm-escape-${rand()}`],
    ['the host home', () => path.join(os.homedir(), `skvm-escape-${rand()}`)],
    ['the cache root', () => path.join(cacheRoot, `skvm-escape-${rand()}`)],
    ['another run’s work dir', () => path.join(other, `skvm-escape-${rand()}`)],
  ])('writing into %s is refused', (_n, target) =>
    inSandbox(smode, async () => {
      const file = target();
      const r = await sh(smode, `touch ${file} && echo WROTE; mkdir ${file}.d && echo MADE`);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/Read-only file system|No such file or directory/);
      expect(existsSync(file)).toBe(false);
      expect(existsSync(`${file}.d`)).toBe(false);
    }),
  );

  it('kill -9 -1 inside the pid namespace leaves the engine and host processes alive', () =>
    inSandbox(smode, async () => {
      const r = await sh(smode, `if [ $$ -lt 10 ] && tr '\\0' ' ' < /proc/1/cmdline | grep -q '^[^ ]*bwrap '; then kill -9 -1; echo after; else echo NOT-IN-PIDNS; fi`);
      expect(r.stdout).not.toContain('NOT-IN-PIDNS');
      expect(alive(process.pid)).toBe(true);
      expect(alive(decoy.pid!)).toBe(true);
    }));

  it('no host process is visible: every readable environ is free of keys', () =>
    inSandbox(smode, async () => {
      const r = await sh(smode, `ls /proc | grep -c '^[0-9]'; for p in /proc/[0-9]*; do tr '\\0' '\\n' < $p/environ 2>/dev/null; done; kill -0 ${decoy.pid} && echo DECOY-SIGNALABLE`);
      expectClean(r);
      expect(Number(r.stdout.split('\n')[0])).toBeLessThan(10);
      expect(r.stdout).not.toContain('DECOY-SIGNALABLE');
    }));

  it('network is refused without network: true', () =>
    inSandbox(smode, async () => {
      const r = await sh(smode, fetchScript(port));
      expect(r.exitCode).toBe(3);
      expect(r.stdout).toMatch(/^ERR (ECONNREFUSED|ENETUNREACH|EHOSTUNREACH)/);
    }));

  it('host unix sockets under /tmp and /run are unreachable (even with network)', () =>
    inSandbox(smode, async () => {
      expect(sockets.length).toBeGreaterThan(0);
      for (const s of sockets) {
        for (const network of [false, true]) {
          const r = await sh(smode, `node -e "require('net').connect('${s.file}').on('data', d => process.stdout.write(String(d))).on('error', e => { console.log('ERR ' + e.code); })"`, { network });
          expect(r.stdout).not.toContain('socket-reached');
          expect(r.stdout).toMatch(/^ERR /);
        }
      }
    }));

  it('other runs in /tmp and host /tmp files are invisible', () =>
    inSandbox(smode, async () => {
      const r = await sh(smode, `ls -A /tmp; cat ${path.join(other, 'other-run.txt')}; cat ${hostTmpMarker}`);
      expect(r.stdout).toBe(`${path.basename(work)}\n`);
    }));

  it('the hiding cannot be undone: no umount, no remount, no new user namespace, no sysrq', () =>
    inSandbox(smode, async () => {
      const r = await sh(
        smode,
        `umount ${os.homedir()} && echo UMOUNTED; umount -l ${cacheRoot} && echo UMOUNTED2; mount -o remount,rw / && echo REMOUNTED; ` +
          `unshare -Ur true && echo USERNS; echo h > /proc/sysrq-trigger && echo SYSRQ; grep CapEff /proc/self/status`,
      );
      expect(r.stdout).not.toMatch(/UMOUNTED|REMOUNTED|USERNS|SYSRQ/);
      expect(r.stdout).toMatch(/CapEff:\s+0+\n/);
    }));

  it('the private /tmp is a size-capped tmpfs (it lives in memory)', () =>
    inSandbox(smode, async () => {
      const r = await sh(smode, 'df -k /tmp | tail -1');
      const [fs, sizeKb] = r.stdout.trim().split(/\s+/);
      expect(fs).toBe('tmpfs');
      if (support.features.tmpfsSize) expect(Number(sizeKb)).toBe(TMPFS_SIZE_BYTES / 1024);
    }));

  it('no host block devices in /dev', () =>
    inSandbox(smode, async () => {
      const r = await sh(smode, `ls /dev`);
      expect(r.stdout.split('\n').filter((d) => /^(sd|vd|xvd|nvme|loop|mem$|kmem$|port$)/.test(d))).toEqual([]);
    }));
});
