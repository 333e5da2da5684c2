import { spawn } from 'node:child_process';
import { promises as fsp, lstatSync, readlinkSync, realpathSync, type Stats } from 'node:fs';
import * as path from 'node:path';
import { SkvmError } from '../util/errors.js';
import { which } from '../util/which.js';
import { SAFE_PATH, toolPrefixes } from './env.js';
import { freshIdentity, reachableBy, type CommandIdentity } from './identity.js';
import { isRoot } from './limits.js';
import { isInside } from './paths.js';
import { protectedPaths } from './protect.js';

/**
 * bubblewrap layout: one set of namespaces per command, and an allowlist of what it sees.
 *
 *   --ro-bind /usr /etc /nix         read-only system paths; /bin /sbin /lib* the same symlinks as
 *                                    on the host (usr-merged) or read-only binds
 *   --ro-bind <prefix>               install prefixes of the node and python3 graders and agents
 *                                    use (~/.nvm/…, ~/.pyenv/versions/3.x, a venv), when elsewhere
 *   --dev /dev, --proc /proc         a minimal /dev; the sandbox's own /proc (pid namespace: no
 *                                    host process, no host /proc/<pid>/environ)
 *   --tmpfs /tmp /var/tmp            private and size-capped
 *   --ro-bind <expose>               what the caller needs (a grader's runner install)
 *   --bind <workDir>                 the only writable host directory, at the same path
 *   masks                            protected paths (protect.ts: cache root, config file, the
 *                                    package's folder) that lie inside a bound path, plus
 *                                    /etc/shadow & co.: an empty read-only tmpfs, files /dev/null
 *   --remount-ro /                   the root bwrap assembles is read-only as well
 *   --unshare-all --unshare-user     new user, pid, ipc, uts, net and cgroup namespaces
 *   --share-net                      only with `network: true` (the host's network namespace;
 *                                    127.0.0.1 is the host's loopback)
 *   --cap-drop ALL, --disable-userns no capabilities, no nested user namespaces to regain them
 *   --die-with-parent, --new-session killed with the engine; no TIOCSTI on the terminal
 *   --clearenv + --setenv            exactly the scrubbed environment
 *
 * Not there at all: the home directory, /root, /home, /opt, /srv, /mnt, /media, /run, /sys, /var
 * (but /var/tmp), other work directories, the cache root and the package folder.
 *
 * When the engine runs as root, bwrap itself is started as the work dir's unprivileged identity
 * (identity.ts), so it needs unprivileged user namespaces; paths that identity cannot reach
 * (a tool under /root, mode 0700) are left out rather than bound.
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
const SYSTEM_DIRS = ['/usr', '/etc', '/nix'];
const SYSTEM_LINKS = ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];
/** Root-only secrets that sit inside /etc. */
const ALWAYS_MASKED = ['/etc/shadow', '/etc/shadow-', '/etc/gshadow', '/etc/gshadow-'];

let supportPromise: Promise<SandboxSupport> | undefined;

/** Whether bubblewrap works here (as the identity commands would run as), by running a trivial command once (cached). */
export function sandboxSupport(): Promise<SandboxSupport> {
  supportPromise ??= detect();
  return supportPromise;
}

async function detect(): Promise<SandboxSupport> {
  const none: BwrapFeatures = { disableUserns: false, tmpfsSize: false };
  if (process.platform !== 'linux') return { available: false, reason: `bubblewrap needs Linux (this is ${process.platform})`, features: none };
  const bwrapPath = which('bwrap') ?? which('bwrap', { PATH: SAFE_PATH.join(':') });
  if (!bwrapPath) return { available: false, reason: 'bwrap is not installed (not found on PATH)', features: none };
  const identity = isRoot() ? freshIdentity() : undefined;
  const full: BwrapFeatures = { disableUserns: true, tmpfsSize: true };
  const first = await probe(bwrapPath, full, identity);
  if (first.ok) return { available: true, bwrapPath, features: full };
  // Older bubblewrap (< 0.8) lacks --disable-userns and --size; the rest is what matters.
  const second = await probe(bwrapPath, none, identity);
  if (second.ok) return { available: true, bwrapPath, features: none };
  const asWhom = identity ? ' as an unprivileged user (the engine runs as root; commands never do), which needs unprivileged user namespaces' : '';
  return { available: false, bwrapPath, reason: `${first.reason}${asWhom}`, features: none };
}

function probe(bwrapPath: string, features: BwrapFeatures, identity: CommandIdentity | undefined): Promise<{ ok: boolean; reason: string }> {
  const view: View = { system: systemView(identity), prefixes: [], expose: [], masks: { dirs: [], files: [] } };
  const args = buildBwrapArgs({ features, network: false, view, cwd: '/', env: { PATH: SAFE_PATH.join(':') } });
  return new Promise((resolve) => {
    let stderr = '';
    let settled = false;
    const done = (ok: boolean, reason: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ok, reason });
    };
    const child = spawn(bwrapPath, [...args, '--', '/bin/sh', '-c', 'exit 0'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { PATH: SAFE_PATH.join(':') },
      ...(identity ? { uid: identity.uid, gid: identity.gid } : {}),
    });
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

/** What a command sees besides its work directory. */
export interface View {
  system: SystemView;
  /** Tool install prefixes outside the system paths, bound read-only. */
  prefixes: string[];
  /** Caller-requested read-only binds (CommandOptions.expose), after the masks. */
  expose: string[];
  masks: { dirs: string[]; files: string[] };
}

export interface SystemView {
  binds: string[];
  /** [target, path]: /bin → usr/bin on a usr-merged system. */
  links: Array<[string, string]>;
}

function systemView(identity: CommandIdentity | undefined): SystemView {
  const view: SystemView = { binds: [], links: [] };
  for (const p of [...SYSTEM_DIRS, ...SYSTEM_LINKS]) {
    let st: Stats;
    try {
      st = lstatSync(p);
    } catch {
      continue;
    }
    if (st.isSymbolicLink()) view.links.push([readlinkSync(p), p]);
    else if (st.isDirectory() && reachableBy(p, identity)) view.binds.push(p);
  }
  return view;
}

/**
 * The view for one command: system paths, tool prefixes and `expose` paths the identity can
 * reach, and masks for every protected path (plus `hide`) that lies inside one of them. A work
 * directory that contains a protected path is refused: binding it would show that path.
 */
export async function planView(workDir: string, opts: { hide?: readonly string[]; expose?: readonly string[]; identity?: CommandIdentity | undefined } = {}): Promise<View> {
  const system = systemView(opts.identity);
  const bound = (p: string, list: readonly string[]) => list.some((b) => isInside(b, p));
  const prefixes = toolPrefixes().filter((p) => !bound(p, system.binds) && reachableBy(p, opts.identity));
  const expose = (await existingRealPaths(opts.expose ?? [])).filter((p) => reachableBy(p, opts.identity));
  const visible = [...system.binds, ...prefixes];
  const masks: View['masks'] = { dirs: [], files: [] };
  for (const p of [...ALWAYS_MASKED, ...protectedPaths(), ...(opts.hide ?? [])]) {
    let real: string;
    let dir: boolean;
    try {
      real = await fsp.realpath(path.resolve(p));
      dir = (await fsp.stat(real)).isDirectory();
    } catch {
      continue; // not there: nothing to hide
    }
    if (real === '/') continue;
    if (isInside(workDir, real)) {
      throw new SkvmError(`The work directory contains ${p}, which must stay hidden from sandboxed commands.`, {
        hint: 'Create work directories under a temp root (createWorkDir), not around the home directory, the cache root or the package folder.',
        code: 'sandbox_violation',
      });
    }
    if (!bound(real, visible)) continue; // not mounted at all
    (dir ? masks.dirs : masks.files).push(real);
  }
  return { system, prefixes, expose, masks };
}

export interface BwrapLayout {
  features: BwrapFeatures;
  network: boolean;
  view: View;
  /** Writable work directory (bound at the same path); omitted by the probe. */
  workDir?: string;
  cwd: string;
  env: Record<string, string>;
}

/** bwrap's arguments up to (not including) `--` and the command. */
export function buildBwrapArgs(l: BwrapLayout): string[] {
  const a: string[] = ['--unshare-all', '--unshare-user'];
  if (l.network) a.push('--share-net');
  a.push('--die-with-parent', '--new-session', '--cap-drop', 'ALL');
  if (l.features.disableUserns) a.push('--disable-userns');
  for (const p of l.view.system.binds) a.push('--ro-bind', p, p);
  for (const [target, p] of l.view.system.links) a.push('--symlink', target, p);
  for (const p of l.view.prefixes) a.push('--ro-bind', p, p);
  a.push('--dev', '/dev', '--proc', '/proc');
  for (const t of ['/tmp', '/var/tmp']) {
    if (l.features.tmpfsSize) a.push('--size', String(TMPFS_SIZE_BYTES));
    a.push('--tmpfs', t);
  }
  if (l.network) {
    // With network, DNS must work: resolv.conf may live under /run (systemd-resolved).
    const resolv = resolvConfDir();
    if (resolv) a.push('--ro-bind-try', resolv, resolv);
  }
  for (const d of l.view.masks.dirs) a.push('--tmpfs', d, '--remount-ro', d);
  for (const f of l.view.masks.files) a.push('--ro-bind', '/dev/null', f);
  // After the masks so they reappear; before the work dir so its writable bind wins.
  for (const p of l.view.expose) a.push('--ro-bind', p, p);
  if (l.workDir) a.push('--bind', l.workDir, l.workDir);
  a.push('--remount-ro', '/', '--chdir', l.cwd, '--clearenv');
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

/** Real paths of those that exist (exposing a missing path would make bwrap fail). */
async function existingRealPaths(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    try {
      out.push(await fsp.realpath(p));
    } catch {
      // not there: nothing to expose
    }
  }
  return out;
}
