import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { resolveInWorkDir, runCommand, SandboxUnavailableError } from '../sandbox/index.js';
import type { CommandResult, SandboxMode } from '../sandbox/types.js';
import type { Skill } from '../skills/types.js';
import { isInside, walkContained } from '../skills/walk.js';
import { CancelledError, SkvmError, errorMessage } from '../util/errors.js';
import { FIXTURES_DIR, SETUP_SCRIPT, fixturePathProblem, type LoadedTask } from './load.js';

/**
 * THE work-directory preparation routine (spec runtime §4.5, §10 items 8 and 21). Every caller
 * — run, bench, jit-optimize, jit-boost — prepares a task's work directory through this one
 * function, so a task sees the same files whichever command runs it:
 *
 *   1. inline `fixtures` of task.json are written (paths confined to the work directory);
 *   2. the task's `fixtures/` tree is copied, except `_setup.sh` (symlinks leading out of
 *      `fixtures/` are not followed);
 *   3. `fixtures/_setup.sh` runs in the sandbox with the work directory as cwd — the script is
 *      handed to bash through the environment (stdin for very large scripts), so it is never a
 *      file in the work directory;
 *   4. each skill's bundle files are staged into the work directory root (when asked).
 *
 * Files copied in are owner-writable whatever their mode in the dataset (which may be
 * read-only), so the agent can edit its inputs.
 */

/** What preparation needs of a task: inline fixtures, and its folder for `fixtures/`. */
export type PreparableTask = Pick<LoadedTask, 'id'> & { fixtures?: Record<string, string>; dir?: string };

export interface PrepareWorkDirOptions {
  task: PreparableTask;
  /** An existing work directory (see createWorkDir); created when missing. */
  workDir: string;
  skills?: Skill[];
  /** Copy each skill's bundle files (everything but SKILL.md) into the work directory root. */
  stageBundles: boolean;
  /** How `_setup.sh` runs. */
  sandbox: { mode: SandboxMode; network: boolean; timeoutMs: number };
  signal?: AbortSignal;
}

export interface SetupRun {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  durationMs: number;
  sandboxed: boolean;
  /** The last few thousand characters of stdout, then stderr. */
  outputTail: string;
  /** How the script reached bash. */
  via: 'env' | 'stdin';
}

export interface PrepareResult {
  workDir: string;
  /** Relative paths written from task.json `fixtures`. */
  inlineFixtures: string[];
  /** Relative paths copied from the task's `fixtures/` folder. */
  fixtureFiles: string[];
  /** Bundle files staged, per skill. */
  staged: Array<{ skill: string; file: string }>;
  /** Present when `_setup.sh` ran (it succeeded, or this would have thrown). */
  setup?: SetupRun;
  /** Skipped symlinks, overwritten files and similar. */
  notes: string[];
}

/** A fixture or bundle file that cannot be placed inside the work directory. */
export class FixtureError extends SkvmError {
  constructor(message: string, opts: { hint?: string; cause?: unknown } = {}) {
    super(message, { code: 'fixture_invalid', hint: opts.hint, cause: opts.cause });
  }
}

/** `_setup.sh` failed (non-zero exit, killed, timed out): the task could not be prepared — an infra problem, not the agent's. */
export class SetupScriptError extends SkvmError {
  readonly setup: SetupRun;
  constructor(taskId: string, setup: SetupRun) {
    const why = setup.timedOut
      ? 'timed out'
      : setup.exitCode !== null
        ? `exited with code ${setup.exitCode}`
        : `was killed by ${setup.signal ?? 'a signal'}`;
    const tail = setup.outputTail.trim() ? `\n${setup.outputTail.trim().split('\n').slice(-10).join('\n')}` : '';
    super(`Task "${taskId}": ${FIXTURES_DIR}/${SETUP_SCRIPT} ${why}.${tail}`, {
      code: 'setup_failed',
      hint: 'The task could not be prepared; fix the setup script or the environment it needs. This is not a score for the agent.',
    });
    this.setup = setup;
  }
}

/** Scripts up to this many bytes go through an environment variable (Linux caps one string at 128 KiB). */
const ENV_SCRIPT_MAX_BYTES = 100_000;
const SETUP_ENV_VAR = 'SKVM_SETUP_SCRIPT';
const TAIL_CHARS = 4000;

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError(signal.reason);
}

function tail(text: string, max: number): string {
  return text.length <= max ? text : `…${text.slice(-max)}`;
}

/**
 * The absolute destination of `rel` in the work directory, confined to it. A symlink sitting at
 * the destination (left by a setup script, say) is removed first, so writing never follows it.
 */
async function destination(workDir: string, rel: string, what: string): Promise<string> {
  const why = fixturePathProblem(rel);
  if (why) throw new FixtureError(`${what} ${JSON.stringify(rel)}: ${why}; it must stay inside the work directory.`);
  const lexical = path.join(workDir, rel);
  const st = await fsp.lstat(lexical).catch(() => null);
  if (st?.isSymbolicLink()) await fsp.unlink(lexical);
  let resolved: string;
  try {
    resolved = await resolveInWorkDir(workDir, rel, { forWrite: true });
  } catch (err) {
    throw new FixtureError(`${what} ${JSON.stringify(rel)}: ${errorMessage(err)}`, { cause: err });
  }
  await fsp.mkdir(path.dirname(resolved), { recursive: true });
  return resolved;
}

async function copyInto(source: string, dest: string, mode: number): Promise<void> {
  await fsp.copyFile(source, dest);
  await fsp.chmod(dest, (mode & 0o777) | 0o200);
}

export async function prepareWorkDir(opts: PrepareWorkDirOptions): Promise<PrepareResult> {
  const { task, workDir, signal } = opts;
  throwIfAborted(signal);
  await fsp.mkdir(workDir, { recursive: true });
  const result: PrepareResult = { workDir, inlineFixtures: [], fixtureFiles: [], staged: [], notes: [] };
  const written = new Set<string>();

  // 1. Inline fixtures.
  for (const [rel, content] of Object.entries(task.fixtures ?? {})) {
    const dest = await destination(workDir, rel, 'Inline fixture');
    await fsp.writeFile(dest, content);
    result.inlineFixtures.push(rel);
    written.add(path.posix.normalize(rel.replace(/\\/g, '/')));
  }

  // 2. The fixtures/ tree, 3. its _setup.sh.
  let setupSource: string | undefined;
  const fixturesDir = task.dir ? path.join(task.dir, FIXTURES_DIR) : undefined;
  const fixturesStat = fixturesDir ? await fsp.lstat(fixturesDir).catch(() => null) : null;
  if (fixturesDir && fixturesStat?.isDirectory()) {
    throwIfAborted(signal);
    const walked = await walkContained(fixturesDir, { skip: (rel) => rel === SETUP_SCRIPT });
    result.notes.push(...walked.notes.map((n) => `${FIXTURES_DIR}/: ${n}`));
    for (const file of walked.files) {
      const dest = await destination(workDir, file.rel, 'Fixture file');
      if (written.has(file.rel)) result.notes.push(`${FIXTURES_DIR}/${file.rel} replaced the inline fixture of the same path`);
      await copyInto(file.source, dest, file.mode);
      result.fixtureFiles.push(file.rel);
      written.add(file.rel);
    }
    const setupPath = path.join(fixturesDir, SETUP_SCRIPT);
    const real = await fsp.realpath(setupPath).catch(() => undefined);
    if (real) {
      if (isInside(await fsp.realpath(fixturesDir), real) && (await fsp.stat(real)).isFile()) setupSource = await fsp.readFile(real, 'utf8');
      else result.notes.push(`${FIXTURES_DIR}/${SETUP_SCRIPT} leads outside ${FIXTURES_DIR}/; not run`);
    }
  } else if (fixturesStat?.isSymbolicLink()) {
    result.notes.push(`${FIXTURES_DIR}/ is a symlink; not copied`);
  }

  if (setupSource !== undefined) {
    throwIfAborted(signal);
    result.setup = await runSetupScript(task.id, setupSource, workDir, opts);
  }

  // 4. Skill bundles.
  if (opts.stageBundles) {
    for (const skill of opts.skills ?? []) {
      throwIfAborted(signal);
      const realSkillDir = await fsp.realpath(skill.dir);
      for (const rel of skill.files) {
        const source = await fsp.realpath(path.join(skill.dir, rel)).catch(() => undefined);
        if (!source || !isInside(realSkillDir, source)) {
          result.notes.push(`skill ${skill.name}: ${rel} is gone or leads outside the skill folder; not staged`);
          continue;
        }
        const st = await fsp.stat(source);
        if (!st.isFile()) continue;
        const dest = await destination(workDir, rel, `Skill ${skill.name} bundle file`);
        if (written.has(rel)) result.notes.push(`skill ${skill.name}: ${rel} replaced a file of the same path`);
        await copyInto(source, dest, st.mode);
        result.staged.push({ skill: skill.name, file: rel });
        written.add(rel);
      }
    }
  }
  return result;
}

async function runSetupScript(taskId: string, script: string, workDir: string, opts: PrepareWorkDirOptions): Promise<SetupRun> {
  const viaEnv = Buffer.byteLength(script) <= ENV_SCRIPT_MAX_BYTES;
  let res: CommandResult;
  try {
    res = await runCommand({
      // `$0` is "_setup.sh" and the cwd is the work directory, as with `bash _setup.sh` there.
      command: viaEnv ? `bash -c "$${SETUP_ENV_VAR}" ${SETUP_SCRIPT}` : 'bash -s',
      cwd: workDir,
      workDir,
      timeoutMs: opts.sandbox.timeoutMs,
      network: opts.sandbox.network,
      mode: opts.sandbox.mode,
      ...(viaEnv ? { env: { [SETUP_ENV_VAR]: script } } : { stdin: script }),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  } catch (err) {
    if (opts.signal?.aborted) throw new CancelledError(opts.signal.reason);
    if (err instanceof SandboxUnavailableError) throw err; // its message and hint say what to install
    throw new SkvmError(`Task "${taskId}": ${FIXTURES_DIR}/${SETUP_SCRIPT} could not be started: ${errorMessage(err)}`, {
      code: 'setup_failed',
      cause: err,
    });
  }
  if (res.cancelled) throw new CancelledError(opts.signal?.reason);
  const out = res.stdout + (res.stderr ? `${res.stdout && !res.stdout.endsWith('\n') ? '\n' : ''}[stderr]\n${res.stderr}` : '');
  const setup: SetupRun = {
    exitCode: res.exitCode,
    signal: res.signal,
    timedOut: res.timedOut,
    durationMs: res.durationMs,
    sandboxed: res.sandboxed,
    outputTail: tail(out, TAIL_CHARS),
    via: viaEnv ? 'env' : 'stdin',
  };
  if (res.timedOut || res.exitCode !== 0) throw new SetupScriptError(taskId, setup);
  return setup;
}
