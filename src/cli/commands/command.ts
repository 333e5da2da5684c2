import type { CliIo } from '../io.js';

/**
 * A CLI-only command: something a terminal needs that is not an operation (serving the
 * simulator, the demo). Keep each command module light at import time: load heavy modules
 * inside `run`, so `skvm --help` stays fast.
 */
export interface CliCommand {
  /** Command words, e.g. ['sim', 'serve'] for `skvm sim serve`. */
  words: string[];
  /** One line for `skvm --help`. */
  summary: string;
  /** Full text for `skvm <words> --help` (usage, flags, examples). */
  help: string;
  /**
   * Run with the tokens after the command words (global flags already removed and reflected
   * in `io`). Returns the exit code: 0 ok, 1 failed, 2 bad usage. Throwing a UsageError
   * also exits 2 (use parseFlagsOrThrow from ../flags.js); any other error exits 1.
   */
  run(args: readonly string[], io: CliIo): Promise<number>;
}
