import { spawn } from 'node:child_process';
import { createWriteStream, promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { KILL_GRACE_MS } from '../../../sandbox/index.js';
import { CancelledError } from '../../../util/errors.js';
import type { RunScope } from '../types.js';

/**
 * Runs a harness CLI as the leader of its own process group, stdin closed, stdout streamed
 * verbatim to a file (the run's conversation log) and the tail of stderr kept for diagnosis.
 * On timeout or cancellation the whole group gets SIGTERM, then SIGKILL after a grace; after a
 * normal exit the group is killed too, so a tool process the harness left behind never outlives
 * the run. Processes are only ever addressed by their group id, never by name. A root engine
 * passes an unprivileged uid (harness-user.ts), which the child takes before it executes the CLI.
 */

export interface HarnessProcessOptions {
  binary: string;
  args: readonly string[];
  cwd: string;
  env: Record<string, string>;
  /** The unprivileged user to run as (harness-user.ts); absent: the engine's own. */
  ids?: { uid: number; gid: number } | Record<string, never>;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Receives stdout byte for byte; folders are created. */
  stdoutPath: string;
}

export interface HarnessProcessResult {
  exitCode: number | null;
  /** The signal that ended it, when one did. */
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** The last STDERR_TAIL_BYTES of stderr. */
  stderrTail: string;
  durationMs: number;
}

const STDERR_TAIL_BYTES = 16 * 1024;
/** After the process group is killed, how long its pipes may take to close. */
const PIPE_GRACE_MS = 2_000;

/** Resolves when the process has exited and its output is flushed; rejects with CancelledError when `signal` aborts. */
export async function runHarnessProcess(opts: HarnessProcessOptions, scope: RunScope): Promise<HarnessProcessResult> {
  if (opts.signal?.aborted) throw new CancelledError(opts.signal.reason);
  await fsp.mkdir(path.dirname(opts.stdoutPath), { recursive: true });
  const out = createWriteStream(opts.stdoutPath);
  await new Promise<void>((resolve, reject) => out.once('open', () => resolve()).once('error', reject));
  const started = Date.now();
  const child = spawn(opts.binary, opts.args, { cwd: opts.cwd, env: opts.env, ...opts.ids, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const pgid = child.pid;
  const killGroup = (sig: NodeJS.Signals) => {
    if (pgid === undefined) return;
    try {
      process.kill(-pgid, sig);
    } catch {
      // the group is gone already
    }
  };
  // Whatever happens to the caller, nothing of this run survives the scope.
  scope.defer(() => killGroup('SIGKILL'));

  let stderr = Buffer.alloc(0);
  child.stderr.on('data', (d: Buffer) => {
    stderr = Buffer.concat([stderr, d]);
    if (stderr.length > 2 * STDERR_TAIL_BYTES) stderr = stderr.subarray(stderr.length - STDERR_TAIL_BYTES);
  });
  child.stdout.pipe(out);

  let timedOut = false;
  let cancelled = false;
  let killTimer: NodeJS.Timeout | undefined;
  const stop = () => {
    killGroup('SIGTERM');
    killTimer ??= setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS);
  };
  const timer = setTimeout(() => {
    timedOut = true;
    stop();
  }, opts.timeoutMs);
  const onAbort = () => {
    cancelled = true;
    stop();
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });

  try {
    const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
    const { code, sig } = await new Promise<{ code: number | null; sig: NodeJS.Signals | null }>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (c, s) => resolve({ code: c, sig: s }));
    });
    // A leftover tool process would hold the pipes open: end the group, then stop waiting for them.
    killGroup('SIGKILL');
    await Promise.race([closed, new Promise((r) => setTimeout(r, PIPE_GRACE_MS).unref())]);
    child.stdout.unpipe(out);
    child.stdout.destroy();
    child.stderr.destroy();
    await new Promise<void>((resolve, reject) => {
      if (out.writableFinished) return resolve();
      out.once('finish', resolve).once('error', reject);
      if (!out.writableEnded) out.end();
    });
    if (cancelled) throw new CancelledError(opts.signal?.reason);
    const tail = stderr.length > STDERR_TAIL_BYTES ? stderr.subarray(stderr.length - STDERR_TAIL_BYTES) : stderr;
    return { exitCode: code, signal: sig, timedOut, stderrTail: tail.toString('utf8'), durationMs: Date.now() - started };
  } finally {
    clearTimeout(timer);
    clearTimeout(killTimer);
    opts.signal?.removeEventListener('abort', onAbort);
    out.destroy();
  }
}
