/**
 * Confinement for everything an agent (or a task's grader) does: file access stays inside the
 * run's work directory, commands run in their own process group with a scrubbed environment,
 * a time limit and an output cap, inside bubblewrap where available.
 */

export type SandboxMode = 'auto' | 'bwrap' | 'none';

export interface CommandOptions {
  /** Shell command line, run with `sh -c`. */
  command: string;
  /** Working directory; must be the work directory or inside it. */
  cwd: string;
  /** The work directory: the only writable place (plus a private /tmp under bwrap). */
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
  /** Whether the command actually ran under bubblewrap. */
  sandboxed: boolean;
}
