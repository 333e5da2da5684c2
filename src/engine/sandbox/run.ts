import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import { SkvmError, UsageError } from '../util/errors.js';
import { buildBwrapArgs, planHidden, sandboxSupport, type SandboxSupport } from './bwrap.js';
import { CappedBuffer, DEFAULT_OUTPUT_CAP_BYTES } from './capture.js';
import { createPidCgroup, joinArgs, type PidCgroup } from './cgroup.js';
import { scrubbedEnv } from './env.js';
import { SandboxUnavailableError, SandboxViolation } from './errors.js';
import { DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_PROCESSES, isRoot, wrapperScript } from './limits.js';
import { warnOnce } from './logger.js';
import { resolveInWorkDir } from './paths.js';
import { countProcessesOfUid, ProcessFamily, readProcTable, scanNow, watchFamily } from './procs.js';
import type { CommandOptions, CommandResult } from './types.js';
import { createWorkDir, removeWorkDir } from './workdir.js';

/** SIGTERM first; SIGKILL this long after (timeout, cancellation). */
export const KILL_GRACE_MS = 500;
/** After the family is dead, how long to wait for the pipes to close before cutting them. */
const PIPE_GRACE_MS = 250;
const MAX_TIMEOUT_MS = 24 * 60 * 60 * 1000;
/** Processes of ours inside the command's cgroup: joiner/wrapper shell, bwrap, bwrap's pid 1. */
const WRAPPER_PROCESSES = 4;
/** Name of the per-run marker variable (see procs.ts: finds daemons that left the process tree). */
export const RUN_TOKEN_VAR = 'SKVM_SANDBOX_RUN';

const UNSANDBOXED_WARNING =
  'bubblewrap is not usable here ({reason}); sandbox.mode "auto" runs commands WITHOUT it. Still in force: ' +
  'scrubbed environment, cwd confined to the work directory, time/output/file-size/process limits, whole-group kill. ' +
  'Lost: read-only host filesystem (commands can write anywhere this user can), hidden home directory and cache root ' +
  '(the config file is readable), network isolation, private /tmp, and the pid namespace (commands can see and signal ' +
  'other processes of this user, and read their /proc/<pid>/environ). Install bubblewrap or set sandbox.mode to "none" to silence this.';

/**
 * Runs `sh -c <command>` confined as described in index.ts. Never rejects for what the command
 * does (timeouts, signals, limits are reported in the result); rejects for invalid options
 * (SandboxViolation, UsageError) and for mode "bwrap" without a usable bubblewrap.
 */
export async function runCommand(opts: CommandOptions): Promise<CommandResult> {
  const started = Date.now();
  if (typeof opts.command !== 'string' || opts.command.includes('\0')) throw new UsageError('The command must be a string without NUL bytes.');
  if (!Number.isFinite(opts.timeoutMs) || opts.timeoutMs <= 0 || opts.timeoutMs > MAX_TIMEOUT_MS) {
    throw new UsageError(`timeoutMs must be between 1 and ${MAX_TIMEOUT_MS} (got ${opts.timeoutMs}).`);
  }
  const cap = positiveInt(opts.outputCapBytes, DEFAULT_OUTPUT_CAP_BYTES, 'outputCapBytes');
  const maxProcesses = positiveInt(opts.maxProcesses, DEFAULT_MAX_PROCESSES, 'maxProcesses');
  const maxFileBytes = positiveInt(opts.maxFileBytes, DEFAULT_MAX_FILE_BYTES, 'maxFileBytes');
  const workDir = await realWorkDir(opts.workDir);
  const cwd = await resolveCwd(workDir, opts.cwd);
  scrubbedEnv(opts.env); // refuse credential-like variables before anything is created

  if (opts.signal?.aborted) return { ...emptyResult(started), cancelled: true };

  const mode = opts.mode ?? 'auto';
  let support: SandboxSupport | undefined;
  if (mode !== 'none') {
    const s = await sandboxSupport();
    if (s.available) support = s;
    else if (mode === 'bwrap') throw new SandboxUnavailableError(s.reason ?? 'unknown reason');
    else warnOnce('unsandboxed', UNSANDBOXED_WARNING.replace('{reason}', s.reason ?? 'unknown reason'));
  }
  const hide = support ? await planHidden(workDir, opts.hide ?? []) : undefined;
  const expose = support ? await existingRealPaths(opts.expose ?? []) : [];

  const token = randomBytes(16).toString('hex');
  // Without bubblewrap the command gets a private TMPDIR (removed afterwards); with it, /tmp is private.
  const privateTmp = support ? undefined : await createWorkDir({ tmpRoot: os.tmpdir(), prefix: 'skvm-cmdtmp-' });
  let cgroup: PidCgroup | undefined;
  try {
    const env = { ...scrubbedEnv(opts.env, { home: workDir, tmpDir: privateTmp ?? '/tmp' }), [RUN_TOKEN_VAR]: token };
    const nproc = isRoot() ? undefined : countProcessesOfUid(process.getuid!()) + maxProcesses;
    const shArgs = ['-c', wrapperScript({ timeoutMs: opts.timeoutMs, maxFileBytes, ...(nproc !== undefined ? { nproc } : {}) }), 'skvm-sandbox', opts.command];
    let spawnSpec =
      support && hide
        ? {
            file: support.bwrapPath!,
            args: [...buildBwrapArgs({ features: support.features, network: opts.network === true, hide, workDir, cwd, env, expose }), '--', '/bin/sh', ...shArgs],
          }
        : { file: '/bin/sh', args: shArgs };
    // Room for our own processes: the joiner/wrapper shell, bwrap and its pid-1 reaper.
    cgroup = await createPidCgroup(token, maxProcesses + WRAPPER_PROCESSES);
    if (cgroup) spawnSpec = joinArgs(cgroup, spawnSpec.file, spawnSpec.args);
    return await execute(spawnSpec.file, spawnSpec.args, {
      ...(cgroup ? { cgroup } : {}),
      cwd,
      env,
      token: `${RUN_TOKEN_VAR}=${token}`,
      timeoutMs: opts.timeoutMs,
      cap,
      maxProcesses,
      sandboxed: support !== undefined,
      started,
      ...(opts.stdin !== undefined ? { stdin: opts.stdin } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  } finally {
    cgroup?.remove();
    if (privateTmp) await removeWorkDir(privateTmp).catch(() => undefined);
  }
}

interface ExecSpec {
  cgroup?: PidCgroup;
  cwd: string;
  env: Record<string, string>;
  token: string;
  timeoutMs: number;
  cap: number;
  maxProcesses: number;
  sandboxed: boolean;
  started: number;
  stdin?: string;
  signal?: AbortSignal;
}

function execute(file: string, args: string[], s: ExecSpec): Promise<CommandResult> {
  return new Promise<CommandResult>((resolve, reject) => {
    const out = new CappedBuffer(s.cap);
    const err = new CappedBuffer(s.cap);
    let timedOut = false;
    let cancelled = false;
    let limitExceeded: CommandResult['limitExceeded'];
    let stopping = false;
    let killTimer: NodeJS.Timeout | undefined;

    const child = spawn(file, args, {
      cwd: s.cwd,
      env: s.env,
      detached: true, // own session and process group: the whole group can be signalled
      stdio: [s.stdin !== undefined ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    if (child.pid === undefined) {
      child.once('error', (e) => reject(new SkvmError(`Could not start the command: ${e.message}`, { cause: e })));
      return;
    }
    const pid = child.pid;
    const stdout = child.stdout!;
    const stderr = child.stderr!;
    const family = new ProcessFamily(pid, s.token, s.cgroup);

    let graceEnds = 0;
    const stop = (first: 'SIGTERM' | 'SIGKILL') => {
      if (stopping) {
        if (first === 'SIGKILL') family.signal('SIGKILL');
        return;
      }
      stopping = true;
      const opts = { spareRoot: first === 'SIGTERM' && s.sandboxed };
      family.signal(first, opts); // the group first: one cheap syscall, before any /proc scan
      if (family.needsTable) scanNow();
      family.signal(first, opts);
      if (first === 'SIGTERM') {
        graceEnds = Date.now() + KILL_GRACE_MS;
        killTimer = setTimeout(() => family.signal('SIGKILL'), KILL_GRACE_MS);
      }
    };
    const unwatch = watchFamily(family, s.maxProcesses, () => {
      limitExceeded = 'processes';
      stop('SIGKILL');
    });
    const timer = setTimeout(() => {
      timedOut = true;
      stop('SIGTERM');
    }, s.timeoutMs);
    const onAbort = () => {
      cancelled = true;
      stop('SIGTERM');
    };
    s.signal?.addEventListener('abort', onAbort, { once: true });
    if (s.signal?.aborted) onAbort(); // aborted while the sandbox was being prepared

    stdout.on('data', (d: Buffer) => out.push(d));
    stderr.on('data', (d: Buffer) => err.push(d));
    const closed = (stream: NodeJS.ReadableStream) => new Promise<void>((r) => stream.once('close', () => r()));
    const pipesClosed = Promise.all([closed(stdout), closed(stderr)]);
    if (child.stdin) {
      child.stdin.on('error', () => undefined); // the command may exit without reading
      child.stdin.end(s.stdin);
    }
    child.on('error', () => undefined); // signalling a gone process; exit still follows

    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      s.signal?.removeEventListener('abort', onAbort);
      void (async () => {
        try {
          // Within a SIGTERM grace period the rest of the family may still be cleaning up.
          while (Date.now() < graceEnds && family.update() > 0) await delay(25);
          await reap(family);
          clearTimeout(killTimer);
          await Promise.race([pipesClosed, delay(PIPE_GRACE_MS)]);
        } finally {
          unwatch();
          clearTimeout(killTimer);
          // A process that escaped every kill may still hold a pipe: stop reading, do not wait.
          stdout.destroy();
          stderr.destroy();
          resolve({
            exitCode: code,
            signal: signal ?? null,
            stdout: out.text(),
            stderr: err.text(),
            timedOut,
            cancelled,
            truncated: out.truncated || err.truncated,
            durationMs: Date.now() - s.started,
            sandboxed: s.sandboxed,
            ...(limitExceeded ? { limitExceeded } : {}),
            pid,
          });
        }
      })();
    });
  });
}

/**
 * The command's main process has exited: everything left of its family (background jobs,
 * daemons, a fork bomb's remains) is killed now, until none is left (bounded).
 */
async function reap(family: ProcessFamily): Promise<void> {
  family.signal('SIGKILL');
  for (let i = 0; i < 60; i++) {
    if (family.needsTable) {
      const table = i === 0 ? scanNow() : readProcTable();
      family.update(table);
      if (i === 0) family.addByToken(table);
    } else {
      family.update();
    }
    if (family.size === 0) return;
    family.signal('SIGKILL');
    await delay(i < 5 ? 5 : 20);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function emptyResult(started: number): CommandResult {
  return { exitCode: null, signal: null, stdout: '', stderr: '', timedOut: false, cancelled: false, truncated: false, durationMs: Date.now() - started, sandboxed: false };
}

function positiveInt(v: number | undefined, fallback: number, name: string): number {
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || v <= 0) throw new UsageError(`${name} must be a positive integer (got ${v}).`);
  return v;
}

async function realWorkDir(workDir: string): Promise<string> {
  if (typeof workDir !== 'string' || workDir.includes('\0')) throw new SandboxViolation('Refused work directory: it is not a path without NUL bytes.');
  let real: string;
  try {
    real = await fsp.realpath(workDir);
  } catch {
    throw new SandboxViolation(`Refused work directory ${JSON.stringify(workDir)}: it does not exist.`, 'Create it with createWorkDir first.');
  }
  if (!(await fsp.stat(real)).isDirectory()) throw new SandboxViolation(`Refused work directory ${JSON.stringify(workDir)}: it is not a directory.`);
  if (real === '/') throw new SandboxViolation('Refused work directory "/": commands need a directory of their own.');
  return real;
}

async function resolveCwd(workDir: string, cwd: string): Promise<string> {
  let real: string;
  try {
    real = await resolveInWorkDir(workDir, cwd);
  } catch (e) {
    if (e instanceof SandboxViolation) throw new SandboxViolation(e.message.replace(/^Refused path/, 'Refused cwd'), e.hint);
    throw e;
  }
  const st = await fsp.stat(real).catch(() => undefined);
  if (!st?.isDirectory()) throw new SandboxViolation(`Refused cwd ${JSON.stringify(cwd)}: it is not an existing directory inside the work directory.`);
  return real;
}

/** Real paths of those that exist (exposing a missing path would make bwrap fail). */
async function existingRealPaths(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    try {
      out.push(await fsp.realpath(p));
    } catch {
      // not there: nothing to expose
    }
  }
  return out;
}
