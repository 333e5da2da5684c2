import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import { SkvmError, UsageError } from '../util/errors.js';
import { buildBwrapArgs, commandPrefix, planView, type BwrapLayout } from './bwrap.js';
import { CappedBuffer, DEFAULT_OUTPUT_CAP_BYTES } from './capture.js';
import { admit, createPidCgroup, gateArgs, type PidCgroup } from './cgroup.js';
import { chooseConfinement } from './confine.js';
import { primeToolPaths, scrubbedEnv } from './env.js';
import { srtSpawnSpec } from './srt.js';
import { SandboxViolation } from './errors.js';
import { enterWorkDir, giveTo, reachableBy, type CommandIdentity } from './identity.js';
import { DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_PROCESSES, wrapperScript } from './limits.js';
import { resolveInWorkDir } from './paths.js';
import { processCountOfUid, ProcessFamily, readProcTable, scanNow, watchFamily } from './procs.js';
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

/**
 * Runs `sh -c <command>` confined as described in index.ts. Never rejects for what the command
 * does (timeouts, signals, limits are reported in the result); rejects for invalid options
 * (SandboxViolation, UsageError) and when the mode asks for a sandbox that cannot run here
 * (SandboxUnavailableError — the default mode included: it never falls back to no sandbox).
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
  await primeToolPaths();
  scrubbedEnv(opts.env); // refuse credential-like variables before anything is created
  const confinement = await chooseConfinement(opts.mode ?? 'auto');

  if (opts.signal?.aborted) return { ...emptyResult(started), cancelled: true };

  const entered = await enterWorkDir(workDir);
  const identity = entered?.identity;
  const token = randomBytes(16).toString('hex');
  let privateTmp: string | undefined;
  let cgroup: PidCgroup | undefined;
  try {
    if (identity && confinement.kind !== 'bwrap' && !reachableBy(workDir, identity)) {
      throw new SandboxViolation(
        'Refused work directory: it lies inside a folder that unprivileged users cannot enter, and commands of a server running as root run as one.',
        'Put the temp root (paths.tmpDir, SKVM_TMP_DIR or --tmp-dir) under a folder everyone may enter, such as /tmp (the default).',
      );
    }
    const view = confinement.kind === 'bwrap' ? await planView(workDir, { hide: opts.hide ?? [], expose: opts.expose ?? [] }) : undefined;
    // Without bubblewrap the command gets a private TMPDIR (removed afterwards); with it, /tmp is private.
    if (!view) {
      privateTmp = await createWorkDir({ tmpRoot: os.tmpdir(), prefix: 'skvm-cmdtmp-' });
      if (identity) await giveTo(privateTmp, identity);
    }
    const env = { ...scrubbedEnv(opts.env, { home: workDir, tmpDir: privateTmp ?? '/tmp' }), [RUN_TOKEN_VAR]: token };
    const uid = identity?.uid ?? process.getuid?.();
    // RLIMIT_NPROC is the backstop, the watchdog the referee: at twice the budget the kernel stops a
    // bomb the watchdog is too slow for, while an ordinary overrun still reaches the watchdog and is reported.
    const nproc = uid !== undefined && uid !== 0 ? processCountOfUid(uid) + 2 * maxProcesses + WRAPPER_PROCESSES : undefined;
    const shArgs = ['-c', wrapperScript({ timeoutMs: opts.timeoutMs, maxFileBytes, ...(nproc !== undefined ? { nproc } : {}) }), 'skvm-sandbox', opts.command];
    let spawnSpec: { file: string; args: string[] };
    if (confinement.kind === 'bwrap' && view) {
      const { support } = confinement;
      const layout: BwrapLayout = { features: support.features, network: opts.network === true, view, workDir, cwd, env };
      if (identity) layout.dropTo = { setprivPath: support.setprivPath!, identity, innerBwrap: support.innerBwrap ? support.bwrapPath : undefined };
      spawnSpec = { file: support.bwrapPath!, args: [...buildBwrapArgs(layout), '--', ...commandPrefix(layout), '/bin/sh', ...shArgs] };
    } else if (confinement.kind === 'sandbox-runtime') {
      spawnSpec = await srtSpawnSpec({ shArgs, workDir, tmpDir: privateTmp!, expose: opts.expose ?? [], hide: opts.hide ?? [], identity });
    } else {
      spawnSpec = { file: '/bin/sh', args: shArgs };
    }
    // Room for our own processes: the gate/wrapper shell, bwrap and its pid-1 reaper.
    cgroup = await createPidCgroup(token, maxProcesses + WRAPPER_PROCESSES);
    if (cgroup) spawnSpec = gateArgs(spawnSpec.file, spawnSpec.args);
    return await execute(spawnSpec.file, spawnSpec.args, {
      ...(cgroup ? { cgroup } : {}),
      // bwrap of a root engine starts as root and drops to the identity itself (bwrap.ts).
      ...(identity && confinement.kind !== 'bwrap' ? { identity } : {}),
      cwd,
      env,
      token: `${RUN_TOKEN_VAR}=${token}`,
      timeoutMs: opts.timeoutMs,
      cap,
      maxProcesses,
      sandboxed: confinement.kind !== 'none',
      started,
      ...(opts.stdin !== undefined ? { stdin: opts.stdin } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  } finally {
    cgroup?.remove();
    if (privateTmp) await removeWorkDir(privateTmp).catch(() => undefined);
    await entered?.leave();
  }
}

interface ExecSpec {
  cgroup?: PidCgroup;
  identity?: CommandIdentity;
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
      // fd 3: the cgroup gate (cgroup.ts gateArgs) waits on it until the process is admitted.
      stdio: [s.stdin !== undefined ? 'pipe' : 'ignore', 'pipe', 'pipe', ...(s.cgroup ? (['pipe'] as const) : [])],
      ...(s.identity ? { uid: s.identity.uid, gid: s.identity.gid } : {}),
    });
    if (child.pid === undefined) {
      child.once('error', (e) => reject(new SkvmError(`Could not start the command: ${e.message}`, { cause: e })));
      return;
    }
    const pid = child.pid;
    if (s.cgroup) {
      const gate = child.stdio[3] as NodeJS.WritableStream;
      gate.on('error', () => undefined);
      void admit(s.cgroup, pid).then((ok) => gate.end(ok ? 'go\n' : 'no\n'));
    }
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
    await delay(Math.min(20, 2 ** i)); // the last members are usually already exiting: look again soon
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

