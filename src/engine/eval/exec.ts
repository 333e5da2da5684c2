import { runCommand } from '../sandbox/index.js';
import type { CommandResult } from '../sandbox/types.js';
import type { EvalContext, EvalSpace } from './types.js';

/** Bytes kept per stream of a grader command. */
export const GRADER_OUTPUT_CAP = 1024 * 1024;

/**
 * Runs a grader command inside an eval space: cwd is the workspace copy (unless given), the
 * sandbox's writable directory is the whole space (workspace + grader scratch dir), with the
 * context's sandbox mode, network setting, timeout and cancellation signal.
 */
export function runGraderCommand(
  space: EvalSpace,
  ctx: EvalContext,
  command: string,
  opts: { timeoutMs?: number; cwd?: string; env?: Record<string, string>; expose?: string[] } = {},
): Promise<CommandResult> {
  return runCommand({
    command,
    cwd: opts.cwd ?? space.workspace,
    workDir: space.root,
    timeoutMs: opts.timeoutMs ?? ctx.sandbox.timeoutMs,
    outputCapBytes: GRADER_OUTPUT_CAP,
    network: ctx.sandbox.network,
    mode: ctx.sandbox.mode,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    ...(opts.env ? { env: opts.env } : {}),
    ...(opts.expose ? { expose: opts.expose } : {}),
  });
}

export { shellQuote } from '../util/shell.js';

/** "exit code 3", "killed by SIGKILL"… for reasons. */
export function describeExit(r: CommandResult): string {
  if (r.exitCode !== null) return `exit code ${r.exitCode}`;
  return r.signal ? `killed by ${r.signal}` : 'no exit code';
}

export function firstChars(text: string, n: number): string {
  const t = text.trim();
  return t.length > n ? `${t.slice(0, n)}…` : t;
}
