import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { shellQuote } from '../util/shell.js';
import { toolPrefixes } from './env.js';
import { reachableBy, type CommandIdentity } from './identity.js';
import { protectedPaths } from './protect.js';

/**
 * @anthropic-ai/sandbox-runtime (Seatbelt on macOS, bubblewrap on Linux), the only module that
 * loads it. It is the sandbox for macOS, where we have none of our own and cannot test one; on
 * Linux it can be chosen (`sandbox.mode: "sandbox-runtime"`) but `auto` keeps our bubblewrap
 * layout, which holds more of the escape suite (allowlist view, pid cgroup, root engines).
 *
 * It is an optional dependency: npm installs it only on Node >= 22.12, its declared range. It ran
 * on Node 20 here (Linux), but macOS is the path we cannot test, so there it runs only on the
 * Node versions its authors test.
 *
 * Configuration, within its documented recipes: reads are denied for the home and user folders,
 * the temp root holding other runs, and every protected path (cache, config file, package
 * folder), then re-allowed for the work dir, the node/python3 installs and `expose`; writes are
 * allowed in the work dir and the command's private TMPDIR only; the network is closed (no
 * allowed domain, no ask callback: its proxy decides per session, not per command, so a command
 * never gets more than the strictest command would). web_fetch, run by the server, is how an
 * agent reaches the web there.
 */

interface SrtManager {
  initialize(config: unknown): Promise<void>;
  checkDependencies(): { errors: string[]; warnings: string[] };
  wrapWithSandbox(command: string, binShell?: string, customConfig?: unknown): Promise<string>;
}

export interface SrtSupport {
  available: boolean;
  reason?: string;
}

const PACKAGE = '@anthropic-ai/sandbox-runtime';
const MIN_NODE = [22, 12] as const;
const USER_AREAS = ['/home', '/Users', '/root', '/Volumes', '/mnt', '/media', '/srv', '/opt'];

let manager: SrtManager | undefined;
let supportPromise: Promise<SrtSupport> | undefined;

export function srtSupport(): Promise<SrtSupport> {
  supportPromise ??= load();
  return supportPromise;
}

async function load(): Promise<SrtSupport> {
  if (process.platform !== 'darwin' && process.platform !== 'linux') return { available: false, reason: `${PACKAGE} does not support ${process.platform} here` };
  const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
  if (process.platform === 'darwin' && (major < MIN_NODE[0] || (major === MIN_NODE[0] && minor < MIN_NODE[1]))) {
    return { available: false, reason: `${PACKAGE} needs Node >= ${MIN_NODE.join('.')} (this is ${process.versions.node})` };
  }
  let m: SrtManager;
  try {
    // A variable specifier: the package is optional, so its types may be absent when this compiles.
    const name: string = PACKAGE;
    m = ((await import(name)) as { SandboxManager: SrtManager }).SandboxManager;
  } catch {
    return { available: false, reason: `${PACKAGE} is not installed (npm installs it only on Node >= ${MIN_NODE.join('.')})` };
  }
  const deps = m.checkDependencies();
  if (deps.errors.length > 0) return { available: false, reason: `${PACKAGE} is missing ${deps.errors.join('; ')}` };
  try {
    await m.initialize({ network: { allowedDomains: [], deniedDomains: [] }, filesystem: { denyRead: [], allowRead: [], allowWrite: [], denyWrite: [] } });
  } catch (err) {
    return { available: false, reason: `${PACKAGE} could not start: ${err instanceof Error ? err.message : String(err)}` };
  }
  manager = m;
  return { available: true };
}

export interface SrtCommand {
  /** `sh -c` arguments: the wrapper script, $0, the command. */
  shArgs: string[];
  workDir: string;
  /** The command's private TMPDIR. */
  tmpDir: string;
  expose: readonly string[];
  hide: readonly string[];
  /** A root engine's command identity (the library then runs as it): paths it cannot reach are left out. */
  identity?: CommandIdentity | undefined;
}

/** The spawn spec of a command under sandbox-runtime (srtSupport() must have said available). */
export async function srtSpawnSpec(c: SrtCommand): Promise<{ file: string; args: string[] }> {
  if (!manager) throw new Error(`${PACKAGE} is not initialised`);
  const script = ['/bin/sh', ...c.shArgs].map(shellQuote).join(' ');
  const wrapped = await manager.wrapWithSandbox(script, '/bin/sh', { filesystem: srtFilesystem(c) });
  return { file: '/bin/sh', args: ['-c', wrapped] };
}

/** The library's per-command filesystem rules (see the header); only paths that exist and the command user can reach. */
export function srtFilesystem(c: Omit<SrtCommand, 'shArgs'>): { denyRead: string[]; allowRead: string[]; allowWrite: string[]; denyWrite: string[] } {
  const existing = (list: readonly string[]) => [...new Set(list.filter((p) => p && existsSync(p) && reachableBy(p, c.identity)))];
  return {
    denyRead: existing([...USER_AREAS, path.dirname(c.workDir), path.dirname(c.tmpDir), ...protectedPaths(), ...c.hide]),
    allowRead: existing([c.workDir, c.tmpDir, ...toolPrefixes(), ...c.expose]),
    allowWrite: [c.workDir, c.tmpDir],
    denyWrite: [],
  };
}
