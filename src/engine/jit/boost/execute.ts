import { COMMAND_OUTPUT_CAP_BYTES, DEFAULT_COMMAND_TIMEOUT_MS } from '../../agent/tools.js';
import { runCommand, writeConfinedText } from '../../sandbox/index.js';
import type { SandboxMode } from '../../sandbox/types.js';
import { CancelledError } from '../../util/errors.js';
import { redact } from '../../util/redact.js';
import type { BoostCandidate } from './schema.js';

/**
 * Runs materialized candidate code exactly as the agent's own execute_command would: through the
 * sandbox's runCommand (bubblewrap, scrubbed environment, the work dir only, time limit, output
 * cap) — never an unconfined `sh -c`. Python code is written to `_boost_solidified.py` in the
 * work dir (never through a link) and run with python3.
 */

export const PYTHON_SCRIPT_FILE = '_boost_solidified.py';

export interface ExecuteOptions {
  workDir: string;
  sandbox: { mode: SandboxMode; network: boolean };
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface Execution {
  /** The command line run (the code itself for shell, the interpreter call for python). */
  command: string;
  exitCode: number | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  timedOut: boolean;
}

export async function executeMaterialized(kind: BoostCandidate['materializationType'], code: string, opts: ExecuteOptions): Promise<Execution> {
  let command = code;
  if (kind === 'python') {
    await writeConfinedText(opts.workDir, PYTHON_SCRIPT_FILE, code);
    command = `python3 ${PYTHON_SCRIPT_FILE}`;
  }
  const res = await runCommand({
    command,
    cwd: opts.workDir,
    workDir: opts.workDir,
    timeoutMs: opts.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
    outputCapBytes: COMMAND_OUTPUT_CAP_BYTES,
    network: opts.sandbox.network,
    mode: opts.sandbox.mode,
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  if (res.cancelled || opts.signal?.aborted) throw new CancelledError(opts.signal?.reason);
  return { command, exitCode: res.exitCode, stdout: redact(res.stdout), stderr: redact(res.stderr), durationMs: res.durationMs, timedOut: res.timedOut };
}
