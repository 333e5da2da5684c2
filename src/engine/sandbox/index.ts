/**
 * The sandbox: confinement for everything an agent or a task's grader does. The configured
 * `sandbox.mode` is passed per command (`CommandOptions.mode`): `bwrap` requires bubblewrap,
 * `auto` uses it when a probe command works (else runs unsandboxed and warns once through
 * setSandboxLogger), `none` never uses it.
 *
 * | what                          | mode bwrap                                    | mode none (or auto without bwrap)             |
 * |-------------------------------|-----------------------------------------------|-----------------------------------------------|
 * | file API paths                | resolveInWorkDir: real path inside, no escape | same                                          |
 * | cwd                           | validated inside the work dir                 | same                                          |
 * | environment                   | scrubbedEnv (built from nothing), --clearenv  | scrubbedEnv                                   |
 * | writes outside the work dir   | read-only `/`; private size-capped /tmp       | NOT contained (anything this user may write)  |
 * | home, cache root, config file | empty read-only tmpfs ($HOME + opts.hide)     | NOT contained (readable)                      |
 * | /etc/shadow & co. (as root)   | covered by /dev/null                          | NOT contained                                 |
 * | other processes, their environ| own pid namespace and /proc                   | NOT contained (visible, signalable)           |
 * | `kill $PPID`                  | hits our wrapper shell, never the engine      | same                                          |
 * | `kill -9 -1`                  | only the sandbox's own processes              | NOT contained (as root: every process!)       |
 * | network                       | own net namespace unless `network: true`      | NOT contained                                 |
 * | host unix sockets (/run, /tmp)| hidden by tmpfs                               | NOT contained                                 |
 * | time limit, abort             | SIGTERM to the command, then kill bwrap: the  | SIGTERM to the group, then SIGKILL to group + |
 * |                               | namespace dies with everything in it          | tracked family                                |
 * | background / daemonized procs | die with the namespace                        | group + tracked descendants + run token;      |
 * |                               |                                               | a double fork with a cleared env escapes      |
 * |                               |                                               | unless a pids cgroup is in use                |
 * | process count (fork bomb)     | pids cgroup (root, writable controller):      | same                                          |
 * |                               | kernel-enforced; else a polling watchdog,     |                                               |
 * |                               | which a real bomb outruns as root (procs.ts); |                                               |
 * |                               | non-root also gets `ulimit -u`                |                                               |
 * | file size, CPU time, cores    | ulimit -f / -t / -c                           | same                                          |
 * | output size                   | per-stream cap, always drained                | same                                          |
 *
 * Not contained in either mode: disk filled by many files (each under the size cap), memory
 * (no memory cgroup), world-readable (and, as root, root-owned) host files outside the hidden
 * paths, and — with `network: true` — everything on the host network including services on
 * 127.0.0.1 and abstract unix sockets.
 */
export type { CommandOptions, CommandResult, SandboxMode } from './types.js';
export { SandboxViolation, SandboxUnavailableError } from './errors.js';
export { createWorkDir, removeWorkDir, type CreateWorkDirOptions, type RemoveWorkDirOptions } from './workdir.js';
export { resolveInWorkDir, relativeToWorkDir, isInside, type ResolveOptions } from './paths.js';
export { openForRead, openForWrite, listInWorkDir, type OpenedFile } from './open.js';
export { scrubbedEnv, isSecretEnvName, SAFE_PATH, type EnvPlace } from './env.js';
export { runCommand, KILL_GRACE_MS, RUN_TOKEN_VAR } from './run.js';
export { sandboxSupport, type SandboxSupport, type BwrapFeatures } from './bwrap.js';
export { setSandboxLogger, type SandboxLogger } from './logger.js';
export { DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_PROCESSES } from './limits.js';
export { processLimitSupport, usePidCgroups } from './cgroup.js';
export { DEFAULT_OUTPUT_CAP_BYTES } from './capture.js';
