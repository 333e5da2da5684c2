import * as os from 'node:os';

/**
 * Kernel resource limits, applied by the shell wrapper that runs every command (both modes):
 *
 * - `ulimit -f` (RLIMIT_FSIZE): no file the command writes grows past `maxFileBytes`; the writer
 *   gets SIGXFSZ. Applies to root too, and to the private /tmp under bubblewrap.
 * - `ulimit -t` (RLIMIT_CPU): each process gets at most timeout × CPUs seconds of CPU. A
 *   backstop for a busy process that escaped the kill (it carries the limit with it); it does
 *   nothing against a process that sleeps.
 * - `ulimit -c 0`: no core dumps in the work directory.
 * - `ulimit -u` (RLIMIT_NPROC) whenever the command's user is not root — always, since a root
 *   engine runs commands as an unprivileged uid of their own (identity.ts). It counts every
 *   process of the user, zombies included, so it is set to "what the user has now + twice the
 *   budget" (run.ts): a backstop for a bomb faster than the watchdog, high enough that an
 *   ordinary overrun reaches the watchdog in procs.ts, which counts and reports in every mode.
 *   With a pids cgroup the kernel also caps the command itself.
 */

/** Processes (with a pids cgroup: tasks, i.e. threads count too — a JVM grader uses dozens). */
export const DEFAULT_MAX_PROCESSES = 512;
export const DEFAULT_MAX_FILE_BYTES = 256 * 1024 * 1024;

export interface LimitSettings {
  timeoutMs: number;
  maxFileBytes: number;
  /** RLIMIT_NPROC to set, or undefined (a root command user: it would not apply). */
  nproc?: number;
}

export function cpuSecondsFor(timeoutMs: number): number {
  const cpus = Math.max(1, typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);
  return Math.ceil(timeoutMs / 1000) * cpus + 1;
}

/**
 * The wrapper script: set the limits, then run the command (`$1`) in its own `sh -c`. The
 * command is not exec'd in place (the trailing `exit`), so its `$PPID` is this wrapper, not the
 * engine: `kill -9 $PPID` ends the command, never the skvm process.
 */
export function wrapperScript(l: LimitSettings): string {
  const blocks = Math.max(1, Math.floor(l.maxFileBytes / 512)); // POSIX sh counts -f in 512-byte blocks
  const lines = ['ulimit -c 0 2>/dev/null', `ulimit -f ${blocks} 2>/dev/null`, `ulimit -t ${cpuSecondsFor(l.timeoutMs)} 2>/dev/null`];
  if (l.nproc !== undefined) {
    // bash and zsh spell RLIMIT_NPROC -u; dash (Debian's and Ubuntu's /bin/sh) only knows -p.
    const n = Math.max(1, Math.floor(l.nproc));
    lines.push(`{ ulimit -u ${n} || ulimit -p ${n}; } 2>/dev/null`);
  }
  // `trap : TERM`: on a timeout the whole group gets SIGTERM; the wrapper then waits for the
  // command (which may clean up) instead of dying first. The command itself gets default
  // dispositions (a trap with an action is reset on exec).
  lines.push('trap : TERM', '/bin/sh -c "$1"', 'exit $?');
  return lines.join('; ');
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}
