import type { Engine } from '../engine/engine.js';

/**
 * Everything a command touches outside itself, so commands can be run in-process by tests
 * with captured output. stdout carries only results; progress, logs and errors go to stderr.
 */

export interface TextOut {
  write(text: string): void;
}

export type StopSignal = 'SIGINT' | 'SIGTERM';

/** The process-level part: streams, environment, signals. */
export interface BaseIo {
  stdout: TextOut;
  stderr: TextOut;
  /** stderr is a terminal: progress is a redrawn bar instead of lines. */
  isTTY: boolean;
  /** Results on stdout may be coloured (stdoutColor). */
  color?: boolean;
  /** Terminal width for the progress bar. */
  columns: number;
  env: NodeJS.ProcessEnv;
  /** Subscribe to SIGINT/SIGTERM while a command runs; returns the unsubscribe function. */
  onSignal(handler: (signal: StopSignal) => void): () => void;
  /** Leave at once (a second Ctrl-C). */
  exitNow(code: number): never;
}

/** What a command receives: the process io plus the parsed global flags. */
export interface CliIo extends BaseIo {
  /** `--json`: print the structured result as JSON on stdout. */
  json: boolean;
  /** `--quiet`: no progress output. */
  quiet: boolean;
  /** The engine for these global flags, created on first use (loads the engine lazily). */
  engine(): Promise<Engine>;
  /** Resolves on the first SIGINT or SIGTERM (for commands that serve until stopped). */
  untilSignal(): Promise<StopSignal>;
}

/** The real process. */
export function processIo(): BaseIo {
  return {
    stdout: { write: (t) => void process.stdout.write(t) },
    stderr: { write: (t) => void process.stderr.write(t) },
    isTTY: process.stderr.isTTY === true,
    color: stdoutColor(process.stdout.isTTY === true, process.env),
    columns: process.stderr.columns || 80,
    env: process.env,
    onSignal(handler) {
      const onInt = () => handler('SIGINT');
      const onTerm = () => handler('SIGTERM');
      process.on('SIGINT', onInt);
      process.on('SIGTERM', onTerm);
      return () => {
        process.off('SIGINT', onInt);
        process.off('SIGTERM', onTerm);
      };
    },
    exitNow(code) {
      process.exit(code);
    },
  };
}

/**
 * Whether results on stdout are coloured, by the conventions Node itself follows: FORCE_COLOR
 * decides when set (``, `1`, `2`, `3` or `true` colour, anything else does not — e.g. for
 * `| less -R`); otherwise a terminal does, unless NO_COLOR is set or TERM is `dumb`.
 */
export function stdoutColor(isTTY: boolean, env: NodeJS.ProcessEnv): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return ['', '1', '2', '3', 'true'].includes(force);
  return isTTY && !env.NO_COLOR && env.TERM !== 'dumb';
}
