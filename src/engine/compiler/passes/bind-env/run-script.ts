import { spawn } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { CappedBuffer } from '../../../sandbox/capture.js';
import { createWorkDir, isSecretEnvName, KILL_GRACE_MS, removeWorkDir, runCommand, SandboxUnavailableError, type SandboxMode } from '../../../sandbox/index.js';
import { CancelledError } from '../../../util/errors.js';

/**
 * Runs one attempt of the env-setup script. Always in a throwaway copy of the bundle (the
 * script may read its requirements.txt; nothing it writes can reach the variant), and the
 * attempt file lives only there. Where it runs:
 * - `sandbox`: runCommand under the configured sandbox, network on (installs download). Under
 *   bubblewrap the host is read-only and HOME is the copy, so the run proves the script's logic
 *   and whatever it can install into the copy (user-level pip/npm installs); it installs nothing
 *   on the host.
 * - `host`: the user passed allowHostInstall. A plain `bash` as this user with its PATH and
 *   HOME (so installs land where the user will need them) but without variables that look like
 *   credentials; time-limited, the whole process group killed at the end.
 */

export type Runner = { kind: 'sandbox'; mode: SandboxMode } | { kind: 'host' };

export type AttemptResult = { kind: 'ok' } | { kind: 'failed'; reason: string } | { kind: 'no-sandbox'; reason: string };

export interface AttemptOptions {
  runner: Runner;
  /** The bundle to copy (the staging workDir; only read). */
  bundleDir: string;
  tmpRoot: string;
  script: string;
  attempt: number;
  timeoutMs: number;
  signal: AbortSignal;
}

const OUTPUT_CAP = 256 * 1024;
/** Tail of the output kept in a failure reason (the end says what went wrong). */
const REASON_CHARS = 4000;
const NOT_COPIED: ReadonlySet<string> = new Set(['_artifacts', '_profiling', '.git', 'node_modules']);

export function attemptFileName(attempt: number): string {
  return `.skvm-env-setup-attempt-${attempt}.sh`;
}

export async function runAttempt(o: AttemptOptions): Promise<AttemptResult> {
  const dir = await createWorkDir({ tmpRoot: o.tmpRoot, prefix: 'skvm-envsim-' });
  try {
    await fsp.cp(o.bundleDir, dir, {
      recursive: true,
      verbatimSymlinks: true,
      filter: async (src) => {
        if (NOT_COPIED.has(path.basename(src)) && path.dirname(src) === o.bundleDir) return false;
        const st = await fsp.lstat(src).catch(() => undefined);
        return !!st && (st.isFile() || st.isDirectory() || st.isSymbolicLink());
      },
    });
    const file = attemptFileName(o.attempt);
    await fsp.writeFile(path.join(dir, file), o.script, { mode: 0o644 });
    return o.runner.kind === 'sandbox' ? await inSandbox(o, o.runner.mode, dir, file) : await onHost(o, dir, file);
  } finally {
    await removeWorkDir(dir, { tmpRoot: o.tmpRoot });
  }
}

async function inSandbox(o: AttemptOptions, mode: SandboxMode, dir: string, file: string): Promise<AttemptResult> {
  try {
    const r = await runCommand({ command: `bash ./${file}`, cwd: dir, workDir: dir, timeoutMs: o.timeoutMs, network: true, mode, signal: o.signal, outputCapBytes: OUTPUT_CAP });
    if (r.cancelled) throw new CancelledError(o.signal.reason);
    if (r.exitCode === 0 && !r.timedOut) return { kind: 'ok' };
    return { kind: 'failed', reason: failureReason(r.stdout + r.stderr, { exitCode: r.exitCode, signal: r.signal, timedOut: r.timedOut, timeoutMs: o.timeoutMs }) };
  } catch (err) {
    if (err instanceof SandboxUnavailableError) return { kind: 'no-sandbox', reason: err.message };
    throw err;
  }
}

/** Variables the host run keeps: all but those named like credentials. */
export function hostEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && !isSecretEnvName(k)) out[k] = v;
  return out;
}

function onHost(o: AttemptOptions, dir: string, file: string): Promise<AttemptResult> {
  return new Promise((resolve, reject) => {
    const out = new CappedBuffer(OUTPUT_CAP);
    const child = spawn('bash', [file], { cwd: dir, env: hostEnv(process.env), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let timedOut = false;
    let cancelled = false;
    let killTimer: NodeJS.Timeout | undefined;
    const stop = () => {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        return; // already gone
      }
      killTimer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // gone
        }
      }, KILL_GRACE_MS);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, o.timeoutMs);
    const onAbort = () => {
      cancelled = true;
      stop();
    };
    o.signal.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => out.push(d));
    child.once('error', (e) => {
      clearTimeout(timer);
      o.signal.removeEventListener('abort', onAbort);
      reject(e);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(killTimer);
      o.signal.removeEventListener('abort', onAbort);
      if (cancelled) return reject(new CancelledError(o.signal.reason));
      if (code === 0 && !timedOut) return resolve({ kind: 'ok' });
      resolve({ kind: 'failed', reason: failureReason(out.text(), { exitCode: code, signal, timedOut, timeoutMs: o.timeoutMs }) });
    });
  });
}

export function failureReason(output: string, r: { exitCode: number | null; signal: string | null; timedOut: boolean; timeoutMs: number }): string {
  const how = r.timedOut ? `timed out after ${r.timeoutMs} ms` : r.signal ? `was killed by ${r.signal}` : `exited with ${r.exitCode}`;
  const text = output.trim();
  const tail = text.length > REASON_CHARS ? `…${text.slice(-REASON_CHARS)}` : text;
  return tail ? `The script ${how}:\n${tail}` : `The script ${how} without output.`;
}
