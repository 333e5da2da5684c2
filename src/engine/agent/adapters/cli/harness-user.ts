import { realpathSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { enterWorkDir, freshIdentity, handOverTree, reachableBy, runnableBy, type CommandIdentity } from '../../../sandbox/identity.js';
import { isRoot } from '../../../sandbox/limits.js';
import type { SandboxMode } from '../../../sandbox/types.js';
import type { Logger } from '../../../util/log.js';
import { which } from '../../../util/which.js';
import { AdapterUnavailableError } from '../unavailable.js';
import type { RunScope } from '../types.js';
import { shebang } from './binary.js';
import { harnessPath } from './child-env.js';

/**
 * Who a harness process runs as (issue 8: when the engine runs as root, agent commands never
 * do). A CLI harness runs outside bubblewrap, so as root it would run its tool commands as root
 * too. Instead, a root engine runs the harness — and whatever the adapter starts beside it (a
 * sidecar, an export command) — as the work directory's unprivileged identity (identity.ts):
 * the work dir and the private home are handed over to it before the first process starts, and
 * every process of the uid is killed when the run's scope closes. The engine, as root, still
 * reads everything back afterwards.
 *
 * The binary, its interpreter and the work dir must be reachable by that uid; when they are not
 * (a CLI installed under /root, mode 0700) the run is refused with how to fix it — unless the
 * user opted in to running unconfined (`sandbox.mode` "none"), in which case the harness runs as
 * root as it did before this rule, with a warning. A non-root engine runs harnesses as itself.
 */
export interface HarnessUser {
  /** The identity harness processes run as; undefined when they run as the engine's own user. */
  readonly identity?: CommandIdentity;
  /** Whether harness processes run as root (Claude Code then refuses bypassPermissions). */
  readonly root: boolean;
  /**
   * Gives the work dir and the private home to the identity. Call after the engine's last write
   * for the run and before the first process starts: it runs once, and later calls only wait
   * for it (a hand-over walk must never race a process of the uid).
   */
  handOver(): Promise<void>;
  /** The `uid`/`gid` spawn options of a harness process (none when it runs as the engine's user). */
  readonly spawnIds: { uid: number; gid: number } | Record<string, never>;
}

export interface HarnessUserOptions {
  harness: string;
  binary: string;
  /** The harness's PATH, where a `#!/usr/bin/env <name>` interpreter is looked up. */
  pathVar: string;
  workDir: string;
  home: string;
  sandboxMode: SandboxMode;
  log: Logger;
  scope: RunScope;
}

const engineUser: HarnessUser = { root: false, handOver: async () => undefined, spawnIds: {} };

export async function harnessUser(o: HarnessUserOptions): Promise<HarnessUser> {
  if (!isRoot()) return engineUser;
  const entered = await enterWorkDir(o.workDir);
  if (!entered) return engineUser;
  o.scope.defer(() => entered.leave());
  const { identity } = entered;
  const blocked = await unreachable(o, identity);
  if (blocked) {
    if (o.sandboxMode !== 'none') {
      const { reason, hint } = unreachableReport(o.harness, blocked);
      throw new AdapterUnavailableError(o.harness, reason, hint);
    }
    o.log.warn(`${o.harness}: runs as root (sandbox.mode "none"): the unprivileged user cannot ${blocked}`);
    await entered.leave();
    return { root: true, handOver: async () => undefined, spawnIds: {} };
  }
  let handed: Promise<void> | undefined;
  return {
    identity,
    root: false,
    handOver: () => (handed ??= handOverTree(o.workDir, identity).then(() => handOverTree(o.home, identity))),
    spawnIds: { uid: identity.uid, gid: identity.gid },
  };
}

/** What of the run the identity cannot reach ("run its binary …"), or undefined when it reaches all. */
async function unreachable(o: HarnessUserOptions, identity: CommandIdentity): Promise<string | undefined> {
  if (!reachableBy(o.workDir, identity)) return `enter the work directory ${o.workDir} (put the temp root under a folder everyone may enter, such as /tmp)`;
  return binaryUnreachable(o.binary, o.pathVar, identity);
}

/** What of the binary and its interpreter the identity cannot run, or undefined when it runs them all. */
async function binaryUnreachable(binary: string, pathVar: string, identity: CommandIdentity): Promise<string | undefined> {
  const real = realPath(binary);
  const line = await shebang(real);
  if (!runnableBy(real, identity, line !== undefined)) return `run its binary ${real}`;
  if (!line) return undefined;
  const interpreters = [line.interpreter];
  // `#!/usr/bin/env node`: the harness's PATH decides which node.
  if (path.basename(line.interpreter) === 'env' && line.arg) interpreters.push(which(line.arg, { PATH: pathVar }) ?? line.arg);
  for (const i of interpreters) {
    const r = realPath(i);
    if (!path.isAbsolute(r) || !runnableBy(r, identity, false)) return `run the interpreter of its binary, ${r}`;
  }
  return undefined;
}

function unreachableReport(harness: string, blocked: string): { reason: string; hint: string } {
  return {
    reason: `the server runs as root, so ${harness} runs as an unprivileged user, and that user cannot ${blocked}.`,
    hint: `Install ${harness} where every user can read it (e.g. a global npm prefix such as /usr/local, or a folder of mode 0755 outside /root) and point adapters.${harness} at it; with sandbox.mode "none" (running unconfined) it would run as root instead.`,
  };
}

/**
 * For adapters_list and config_doctor, before any run: why a root engine could not run this
 * harness binary (its unprivileged user cannot reach the binary or its interpreter), with the
 * fix; undefined when it can, when the engine is not root, or when sandbox.mode "none" runs
 * harnesses as root anyway. The PATH is the one a run gives the harness.
 */
export async function harnessUserProblem(harness: string, binary: string, sandboxMode: SandboxMode): Promise<{ reason: string; hint: string } | undefined> {
  // A checkout directory (config adapters.<name>.repoPath) is resolved and checked by the run.
  if (!isRoot() || sandboxMode === 'none' || !statSync(binary, { throwIfNoEntry: false })?.isFile()) return undefined;
  const blocked = await binaryUnreachable(binary, harnessPath(binary), freshIdentity());
  return blocked ? unreachableReport(harness, blocked) : undefined;
}

function realPath(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}
