/**
 * The sandbox: confinement for everything an agent or a task's grader does. The configured
 * `sandbox.mode` is passed per command (`CommandOptions.mode`): `auto` (the default) runs
 * commands under bubblewrap and REFUSES them where it cannot run (SandboxUnavailableError, with
 * how to install it); `bwrap` is the same, named; `none` is the explicit opt-in to run
 * unconfined, warned about once through setSandboxLogger.
 *
 * | what                          | bubblewrap (auto, bwrap)                      | none (opt-in)                                 |
 * |-------------------------------|-----------------------------------------------|-----------------------------------------------|
 * | file tools                    | open.ts: race-free walk, no links followed,   | same                                          |
 * |                               | regular single-link files only                |                                               |
 * | cwd                           | validated inside the work dir                 | same                                          |
 * | environment                   | scrubbedEnv (built from nothing), --clearenv  | scrubbedEnv                                   |
 * | user (engine runs as root)    | an unprivileged uid per work dir (identity.ts)| same                                          |
 * | what the command sees         | allowlist (bwrap.ts): work dir, /usr, /etc,   | everything its user may read (as root: the    |
 * |                               | tool prefixes, private /tmp; never home,      | per-work-dir uid — not root's files)          |
 * |                               | cache root, config file, package folder       |                                               |
 * | writes outside the work dir   | none (read-only binds, private tmpfs /tmp)    | anything its user may write                   |
 * | other processes, their environ| own pid namespace and /proc                   | root engine: other uids — not readable or     |
 * |                               |                                               | signalable; same-user engine: NOT contained   |
 * | `kill $PPID`                  | hits our wrapper shell, never the engine      | same                                          |
 * | `kill -9 -1`                  | only the sandbox's own processes              | every process of its user (root engine: the   |
 * |                               |                                               | work dir's own uid only)                      |
 * | network                       | own net namespace unless `network: true`      | NOT contained                                 |
 * | host unix sockets (/run, /tmp)| not mounted                                   | NOT contained                                 |
 * | time limit, abort             | SIGTERM to the command, then kill bwrap: the  | SIGTERM to the group, then SIGKILL to group + |
 * |                               | namespace dies with everything in it          | tracked family (+ every process of the uid)   |
 * | background / daemonized procs | die with the namespace                        | group + tracked descendants + run token; a    |
 * |                               |                                               | root engine also kills all of the work dir's  |
 * |                               |                                               | uid once its last command ends                |
 * | process count (fork bomb)     | pids cgroup (root, writable controller):      | same                                          |
 * |                               | kernel-enforced; else RLIMIT_NPROC (any non-  |                                               |
 * |                               | root command user) plus a polling watchdog    |                                               |
 * | file size, CPU time, cores    | ulimit -f / -t / -c                           | same                                          |
 * | output size                   | per-stream cap, always drained                | same                                          |
 *
 * Not contained in either mode: disk filled by many files (each under the size cap), memory
 * (no memory cgroup), and — with `network: true` — everything on the host network including
 * services on 127.0.0.1 and abstract unix sockets.
 */
export type { CommandOptions, CommandResult, SandboxMode } from './types.js';
export { SandboxViolation, SandboxUnavailableError } from './errors.js';
export { createWorkDir, removeWorkDir, type CreateWorkDirOptions, type RemoveWorkDirOptions } from './workdir.js';
export { sweepLeftovers } from './leftovers.js';
export { resolveInWorkDir, relativeToWorkDir, isInside, type ResolveOptions } from './paths.js';
export { openForRead, openForWrite, listInWorkDir, type OpenedFile } from './open.js';
export { readConfinedText } from './read-text.js';
export { writeConfinedText } from './write-text.js';
export { scrubbedEnv, isSecretEnvName, primeToolPaths, primedPython3, SAFE_PATH, type EnvPlace } from './env.js';
export { runCommand, KILL_GRACE_MS, RUN_TOKEN_VAR } from './run.js';
export { sandboxSupport, type SandboxSupport, type BwrapFeatures } from './bwrap.js';
export { protectFromCommands } from './protect.js';
export { guardedRequest, hostAndPort, EgressRefused, type WebRequest, type WebResponse } from './web.js';
export { setSandboxLogger, type SandboxLogger } from './logger.js';
export { DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_PROCESSES } from './limits.js';
export { processLimitSupport, usePidCgroups } from './cgroup.js';
export { DEFAULT_OUTPUT_CAP_BYTES } from './capture.js';
