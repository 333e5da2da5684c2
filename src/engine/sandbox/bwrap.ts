import { spawn } from 'node:child_process';
import { promises as fsp, lstatSync, readlinkSync, realpathSync, type Stats } from 'node:fs';
import * as path from 'node:path';
import { SkvmError } from '../util/errors.js';
import { which } from '../util/which.js';
import { SAFE_PATH, toolPrefixes } from './env.js';
import { freshIdentity, type CommandIdentity } from './identity.js';
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
 * When the engine runs as root, bwrap runs privileged (no user namespace: it mounts as root, so a
 * python under /root can still be bound) keeping only CAP_SETUID/SETGID/DAC_OVERRIDE, and the
 * command starts through `setpriv` as the work dir's unprivileged identity (identity.ts) with no
 * capabilities and no_new_privs; folders bwrap creates on the way to a bind are mode 0755 and
 * /tmp is 1777, so that identity can use them. A privileged bwrap has no user namespace to
 * apply --disable-userns to, so a second bwrap, run as the identity over the same root, adds one
 * with it (where the identity can get user namespaces at all; where it cannot, none is needed).
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
  /** Root engine: the setpriv that moves commands to their unprivileged identity. */
  setprivPath?: string;
  /** Root engine: a second, unprivileged bwrap after setpriv closes user namespaces (see the header). */
  innerBwrap?: boolean;
}

/** How a root engine's commands leave root inside the sandbox. */
export interface PrivilegeDrop {
  setprivPath: string;
  identity: CommandIdentity;
  /** bwrap run again as the identity, only to give it a user namespace with --disable-userns. */
  innerBwrap?: string | undefined;
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
  const full: BwrapFeatures = { disableUserns: true, tmpfsSize: true };
  if (!isRoot()) {
    const first = await probe(bwrapPath, full, undefined);
    if (first.ok) return { available: true, bwrapPath, features: full };
    // Older bubblewrap (< 0.8) lacks --disable-userns and --size; the rest is what matters.
    if ((await probe(bwrapPath, none, undefined)).ok) return { available: true, bwrapPath, features: none };
    return { available: false, bwrapPath, reason: first.reason, features: none };
  }
  const setprivPath = which('setpriv', { PATH: SAFE_PATH.join(':') });
  if (!setprivPath) return { available: false, bwrapPath, reason: 'the server runs as root and commands must not: that needs setpriv (util-linux), which is not installed', features: none };
  const identity = freshIdentity();
  let first: { ok: boolean; reason: string } | undefined;
  for (const features of [full, none]) {
    const withInner = await probe(bwrapPath, features, { setprivPath, identity, innerBwrap: bwrapPath });
    first ??= withInner;
    if (withInner.ok) return { available: true, bwrapPath, features, setprivPath, innerBwrap: true };
    // The inner layer fails where the identity gets no user namespace — then it needs none.
    const plain = { setprivPath, identity };
    if ((await probe(bwrapPath, features, plain)).ok && !(await probe(bwrapPath, features, plain, ['unshare', '--user', 'true'])).ok) {
      return { available: true, bwrapPath, features, setprivPath, innerBwrap: false };
    }
  }
  return { available: false, bwrapPath, reason: first!.reason, features: none };
}

function probe(bwrapPath: string, features: BwrapFeatures, dropTo: PrivilegeDrop | undefined, command = ['/bin/sh', '-c', 'exit 0']): Promise<{ ok: boolean; reason: string }> {
  const view: View = { system: systemView(), prefixes: [], expose: [], masks: { dirs: [], files: [] } };
  const layout: BwrapLayout = { features, network: false, view, cwd: '/', env: { PATH: SAFE_PATH.join(':') }, ...(dropTo ? { dropTo } : {}) };
  const args = [...buildBwrapArgs(layout), '--', ...commandPrefix(layout), ...command];
  return new Promise((resolve) => {
    let stderr = '';
    let settled = false;
    const done = (ok: boolean, reason: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ok, reason });
    };
    const child = spawn(bwrapPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: SAFE_PATH.join(':') } });
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

function systemView(): SystemView {
  const view: SystemView = { binds: [], links: [] };
  for (const p of [...SYSTEM_DIRS, ...SYSTEM_LINKS]) {
    let st: Stats;
    try {
      st = lstatSync(p);
    } catch {
      continue;
    }
    if (st.isSymbolicLink()) view.links.push([readlinkSync(p), p]);
    else if (st.isDirectory()) view.binds.push(p);
  }
  return view;
}

/**
 * The view for one command: system paths, tool prefixes and `expose` paths, and masks for every protected path (plus `hide`) that lies inside one of them. A work
 * directory that contains a protected path is refused: binding it would show that path.
 */
export async function planView(workDir: string, opts: { hide?: readonly string[]; expose?: readonly string[] } = {}): Promise<View> {
  const system = systemView();
  const bound = (p: string, list: readonly string[]) => list.some((b) => isInside(b, p));
  const prefixes = toolPrefixes().filter((p) => !bound(p, system.binds));
  const expose = await existingRealPaths(opts.expose ?? []);
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
  /** Root engine: run the command as this identity (see the header). */
  dropTo?: PrivilegeDrop;
}

/** bwrap's arguments up to (not including) `--` and the command. */
export function buildBwrapArgs(l: BwrapLayout): string[] {
  const a: string[] = [];
  if (l.dropTo) {
    a.push('--unshare-ipc', '--unshare-pid', '--unshare-uts', '--unshare-cgroup-try');
    if (!l.network) a.push('--unshare-net');
  } else {
    a.push('--unshare-all', '--unshare-user');
    if (l.network) a.push('--share-net');
  }
  a.push('--die-with-parent', '--new-session', '--cap-drop', 'ALL');
  // Until setpriv: become the identity (SETUID/SETGID) and enter its 0700 work dir (DAC_OVERRIDE).
  if (l.dropTo) a.push('--cap-add', 'CAP_SETUID', '--cap-add', 'CAP_SETGID', '--cap-add', 'CAP_DAC_OVERRIDE');
  if (l.features.disableUserns && !l.dropTo) a.push('--disable-userns');
  const walkable = (p: string) => (l.dropTo ? openWay(p) : []);
  for (const p of l.view.system.binds) a.push('--ro-bind', p, p);
  for (const [target, p] of l.view.system.links) a.push('--symlink', target, p);
  for (const p of l.view.prefixes) a.push(...walkable(p), '--ro-bind', p, p);
  a.push('--dev', '/dev', '--proc', '/proc');
  for (const t of ['/tmp', '/var/tmp']) {
    if (l.features.tmpfsSize) a.push('--size', String(TMPFS_SIZE_BYTES));
    a.push('--perms', '1777', '--tmpfs', t);
  }
  if (l.network) {
    // With network, DNS must work: resolv.conf may live under /run (systemd-resolved).
    const resolv = resolvConfDir();
    if (resolv) a.push(...walkable(resolv), '--ro-bind-try', resolv, resolv);
  }
  for (const d of l.view.masks.dirs) a.push('--tmpfs', d, '--remount-ro', d);
  for (const f of l.view.masks.files) a.push('--ro-bind', '/dev/null', f);
  // After the masks so they reappear; before the work dir so its writable bind wins.
  for (const p of l.view.expose) a.push(...walkable(p), '--ro-bind', p, p);
  if (l.workDir) a.push(...walkable(l.workDir), '--bind', l.workDir, l.workDir);
  a.push('--remount-ro', '/', '--chdir', l.cwd, '--clearenv');
  for (const [k, v] of Object.entries(l.env)) a.push('--setenv', k, v);
  return a;
}

/**
 * What goes between `--` and the command: for a root engine, setpriv to the identity, then (where
 * the identity could create user namespaces) an unprivileged bwrap that only adds one with
 * --disable-userns over the same root; else nothing.
 */
export function commandPrefix(l: Pick<BwrapLayout, 'dropTo' | 'features' | 'cwd'>): string[] {
  if (!l.dropTo) return [];
  const { uid, gid } = l.dropTo.identity;
  const out = [l.dropTo.setprivPath, `--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--inh-caps=-all', '--no-new-privs', '--'];
  if (l.dropTo.innerBwrap) {
    out.push(l.dropTo.innerBwrap, '--unshare-user', ...(l.features.disableUserns ? ['--disable-userns'] : []), '--dev-bind', '/', '/', '--die-with-parent', '--chdir', l.cwd, '--');
  }
  return out;
}

/**
 * Folders on the way to a bind that bwrap creates itself get mode 0755 (else they copy the host's
 * 0700 of /root, and the unprivileged command could not pass). Existing ones are left as they are.
 */
function openWay(p: string): string[] {
  const out: string[] = [];
  let cur = path.dirname(p);
  const chain: string[] = [];
  while (cur !== '/' && cur !== path.dirname(cur)) {
    chain.unshift(cur);
    cur = path.dirname(cur);
  }
  for (const d of chain) out.push('--perms', '0755', '--dir', d);
  return out;
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
