import { spawn } from 'node:child_process';
import { existsSync, promises as fsp, realpathSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SkvmError } from '../util/errors.js';
import { which } from '../util/which.js';
import { SAFE_PATH, toolPathDirs } from './env.js';
import { isInside } from './paths.js';

/**
 * bubblewrap layout (one mount namespace per command):
 *
 *   --ro-bind / /                 the host, read-only
 *   --dev /dev, --proc /proc      a minimal /dev and the sandbox's own /proc (its pid namespace:
 *                                 no host process, no host /proc/<pid>/environ)
 *   --tmpfs /tmp, --tmpfs /run    private /tmp (size-capped); /run hidden — it holds sockets
 *                                 (docker, dbus) that a read-only mount does not protect
 *   --tmpfs $HOME + opts.hide     empty and read-only: a read-only `/` would still expose
 *                                 ~/.skvm/skvm.config.json, the cache root, ssh keys…; hidden
 *                                 files are covered by /dev/null (unreadable: binds are nodev)
 *   --ro-bind <tool root>         the node/python3 installs found on the host PATH when they live
 *                                 under the home directory (~/.pyenv, ~/.nvm), read-only
 *   --bind <workDir> <workDir>    the only writable host directory, at the same path
 *   --unshare-all --unshare-user  new user, pid, ipc, uts, net, cgroup namespaces
 *   --share-net                   only with `network: true` (the host's network namespace, so
 *                                 127.0.0.1 is the host's loopback)
 *   --cap-drop ALL, --disable-userns   no capabilities (no umount of the hiding tmpfs), no
 *                                 nested user namespaces to regain them
 *   --die-with-parent, --new-session   killed with the engine; no TIOCSTI on the terminal
 *   --clearenv + --setenv         exactly the scrubbed environment
 */

export interface BwrapFeatures {
  disableUserns: boolean;
  tmpfsSize: boolean;
}

export interface SandboxSupport {
  available: boolean;
  bwrapPath?: string;
  /** Why bubblewrap is not usable (when `available` is false). */
  reason?: string;
  features: BwrapFeatures;
}

export const TMPFS_SIZE_BYTES = 512 * 1024 * 1024;
const PROBE_TIMEOUT_MS = 5000;

let supportPromise: Promise<SandboxSupport> | undefined;

/** Whether bubblewrap works here, found by running a trivial sandboxed command once (cached). */
export function sandboxSupport(): Promise<SandboxSupport> {
  supportPromise ??= detect();
  return supportPromise;
}

async function detect(): Promise<SandboxSupport> {
  const none: BwrapFeatures = { disableUserns: false, tmpfsSize: false };
  if (process.platform !== 'linux') return { available: false, reason: `bubblewrap needs Linux (this is ${process.platform})`, features: none };
  const bwrapPath = which('bwrap') ?? which('bwrap', { PATH: SAFE_PATH.join(':') });
  if (!bwrapPath) return { available: false, reason: 'bwrap is not installed (not found on PATH)', features: none };
  const full: BwrapFeatures = { disableUserns: true, tmpfsSize: true };
  const first = await probe(bwrapPath, full);
  if (first.ok) return { available: true, bwrapPath, features: full };
  // Older bubblewrap (< 0.8) lacks --disable-userns and --size; the rest is what matters.
  const second = await probe(bwrapPath, none);
  if (second.ok) return { available: true, bwrapPath, features: none };
  return { available: false, bwrapPath, reason: first.reason, features: none };
}

function probe(bwrapPath: string, features: BwrapFeatures): Promise<{ ok: boolean; reason: string }> {
  const args = buildBwrapArgs({ features, network: false, hide: { dirs: [], files: [], reexpose: [] }, cwd: '/', env: { PATH: SAFE_PATH.join(':') } });
  return new Promise((resolve) => {
    let stderr = '';
    let settled = false;
    const done = (ok: boolean, reason: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ok, reason });
    };
    const child = spawn(bwrapPath, [...args, '--', '/bin/sh', '-c', 'exit 0'], { stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: SAFE_PATH.join(':') } });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      done(false, `bwrap did not finish a trivial command within ${PROBE_TIMEOUT_MS / 1000}s`);
    }, PROBE_TIMEOUT_MS);
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 2000) stderr += d.toString('utf8');
    });
    child.on('error', (err) => done(false, `bwrap could not be started: ${err.message}`));
    child.on('close', (code, signal) => {
      const detail = stderr.trim().split('\n')[0] ?? '';
      if (code === 0) done(true, '');
      else done(false, `a trivial sandboxed command failed (${signal ?? `exit ${code}`})${detail ? `: ${detail}` : ''}`);
    });
  });
}

/**
 * Hidden besides the home directory: when the engine runs as root the sandbox's uid 0 (with no
 * capabilities) still owns root's files, so root-only secrets under `/` must be covered.
 */
const ALWAYS_HIDDEN = ['/etc/shadow', '/etc/shadow-', '/etc/gshadow', '/etc/gshadow-'];

export interface HidePlan {
  /** Directories covered by an empty read-only tmpfs. */
  dirs: string[];
  /** Files covered by /dev/null. */
  files: string[];
  /** Tool install roots under a hidden directory, bound back read-only. */
  reexpose: string[];
}

/**
 * What to hide for a command: the host home directory and `hide`, by real path. Paths that do
 * not exist are skipped (nothing to see), so are those under /tmp and /run (hidden anyway).
 * A work directory that contains a hidden path is refused: binding it would expose that path.
 */
export async function planHidden(workDir: string, hide: readonly string[] = []): Promise<HidePlan> {
  const home = os.homedir();
  const entries: Array<{ real: string; dir: boolean; explicit: boolean }> = [];
  for (const [i, p] of [home, ...ALWAYS_HIDDEN, ...hide].entries()) {
    if (typeof p !== 'string' || p === '' || p.includes('\0')) continue;
    let real: string;
    let dir: boolean;
    try {
      real = await fsp.realpath(path.resolve(p));
      dir = (await fsp.stat(real)).isDirectory();
    } catch {
      continue;
    }
    if (real === '/') {
      if (i === 0) continue; // HOME=/ (some containers): nothing sensible to hide
      throw new SkvmError('sandbox hide list contains "/", which cannot be hidden.', { code: 'usage' });
    }
    if (isInside(workDir, real)) {
      throw new SkvmError(`The work directory contains ${p}, which must stay hidden from sandboxed commands.`, {
        hint: 'Create work directories under a temp root (createWorkDir), not around the home directory or the cache root.',
        code: 'sandbox_violation',
      });
    }
    if (isInside('/tmp', real) || isInside('/run', real)) continue; // covered by their tmpfs
    entries.push({ real, dir, explicit: i > ALWAYS_HIDDEN.length });
  }
  const dirs = entries.filter((e) => e.dir).map((e) => e.real);
  const covered = (p: string, self?: string) => dirs.some((d) => d !== self && isInside(d, p));
  const plan: HidePlan = {
    dirs: [...new Set(dirs.filter((d) => !covered(d, d)))],
    files: [...new Set(entries.filter((e) => !e.dir && !covered(e.real)).map((e) => e.real))],
    reexpose: [],
  };
  const explicitDirs = entries.filter((e) => e.explicit).map((e) => e.real);
  for (const t of toolRoots()) {
    const h = plan.dirs.find((d) => isInside(d, t) && d !== t);
    if (!h) continue;
    const top = path.join(h, path.relative(h, t).split(path.sep)[0]!);
    if (explicitDirs.some((e) => isInside(e, top) || isInside(top, e))) continue; // never re-expose something asked to be hidden
    if (!plan.reexpose.includes(top)) plan.reexpose.push(top);
  }
  return plan;
}

/** Directories holding the node / python3 found on the host PATH, and their real locations. */
function toolRoots(): string[] {
  const out = new Set<string>();
  for (const d of toolPathDirs()) {
    out.add(d);
    for (const name of ['node', 'python3']) {
      const f = path.join(d, name);
      if (!existsSync(f)) continue;
      try {
        out.add(path.dirname(realpathSync(f)));
      } catch {
        // broken link
      }
    }
  }
  return [...out];
}

export interface BwrapLayout {
  features: BwrapFeatures;
  network: boolean;
  hide: HidePlan;
  /** Writable work directory (bound at the same path); omitted by the probe. */
  workDir?: string;
  /** Existing real paths bound read-only over the masks (CommandOptions.expose). */
  expose?: string[];
  cwd: string;
  env: Record<string, string>;
}

/** bwrap's arguments up to (not including) `--` and the command. */
export function buildBwrapArgs(l: BwrapLayout): string[] {
  const a: string[] = ['--unshare-all', '--unshare-user'];
  if (l.network) a.push('--share-net');
  a.push('--die-with-parent', '--new-session', '--cap-drop', 'ALL');
  if (l.features.disableUserns) a.push('--disable-userns');
  a.push('--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc');
  if (l.features.tmpfsSize) a.push('--size', String(TMPFS_SIZE_BYTES));
  a.push('--tmpfs', '/tmp', '--tmpfs', '/run');
  if (l.network) {
    // With network, DNS must work: resolv.conf may live under /run (systemd-resolved).
    const resolv = resolvConfDir();
    if (resolv) a.push('--ro-bind-try', resolv, resolv);
  }
  for (const d of l.hide.dirs) a.push('--tmpfs', d);
  for (const r of l.hide.reexpose) a.push('--ro-bind', r, r);
  for (const f of l.hide.files) a.push('--ro-bind', '/dev/null', f);
  // After the masks so they reappear; before the work dir so its writable bind wins.
  for (const p of l.expose ?? []) a.push('--ro-bind', p, p);
  if (l.workDir) a.push('--bind', l.workDir, l.workDir);
  for (const d of ['/run', ...l.hide.dirs]) a.push('--remount-ro', d);
  a.push('--chdir', l.cwd, '--clearenv');
  for (const [k, v] of Object.entries(l.env)) a.push('--setenv', k, v);
  return a;
}

function resolvConfDir(): string | undefined {
  try {
    const real = realpathSync('/etc/resolv.conf');
    return isInside('/run', real) ? path.dirname(real) : undefined;
  } catch {
    return undefined;
  }
}
