/**
 * Confinement for everything an agent (or a task's grader) does: file access stays inside the
 * run's work directory, commands run in their own process group with a scrubbed environment,
 * a time limit and an output cap, inside a sandbox — or, only when opted into, without one.
 */

/**
 * `auto`: the platform's sandbox (bubblewrap on Linux, sandbox-runtime on macOS), refused where
 * none runs; `bwrap` / `sandbox-runtime`: that one; `none`: unconfined (explicit opt-in).
 */
export type SandboxMode = 'auto' | 'bwrap' | 'sandbox-runtime' | 'none';

export interface CommandOptions {
  /** Shell command line, run with `sh -c`. */
  command: string;
  /** Working directory; must be the work directory or inside it. */
  cwd: string;
  /** The work directory: the only writable place (plus a private /tmp and /var/tmp under bwrap). */
  workDir: string;
  timeoutMs: number;
  /** Bytes kept per stream; the rest is dropped and `truncated` set. */
  outputCapBytes?: number;
  /** Aborting kills the whole process group. */
  signal?: AbortSignal;
  /** Extra variables, added to the scrubbed base (never API keys). */
  env?: Record<string, string>;
  /** Allow network access (tasks that need web access). Default false. */
  network?: boolean;
  /** Overrides the configured mode for this command. */
  mode?: SandboxMode;
  /** Text fed to stdin (default: closed). */
  stdin?: string;
  /**
   * Host paths that must be invisible to the command, on top of those the engine protects
   * (protect.ts: home, cache root, config file, package folder). Under bubblewrap nothing
   * outside its allowlist is mounted; one of these inside a mounted path is covered by an empty
   * read-only tmpfs (a file by /dev/null). Without a sandbox they stay readable (index.ts).
   */
  hide?: string[];
  /**
   * Host paths the command needs to read although the sandbox does not show them — e.g. a test
   * runner installed in a temporary checkout or in ~/.bun. Bound read-only at the same path under
   * bwrap (when the command's user can reach them); ignored without it.
   */
  expose?: string[];
  /**
   * Most processes the command may have alive at once (default 512). Enforced by a pids cgroup
   * where one is writable (then threads count too), else by a polling watchdog.
   */
  maxProcesses?: number;
  /** Largest file the command may write, in bytes (RLIMIT_FSIZE; default 256 MiB). */
  maxFileBytes?: number;
}

export interface CommandResult {
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  cancelled: boolean;
  truncated: boolean;
  durationMs: number;
  /** Whether the command ran inside a sandbox (false only with mode "none"). */
  sandboxed: boolean;
  /** Set when the command was killed for going over `maxProcesses` (a refused fork, or the watchdog's count). */
  limitExceeded?: 'processes';
  /** Host pid of the spawned process (its process group id); absent when nothing was spawned. */
  pid?: number;
}
