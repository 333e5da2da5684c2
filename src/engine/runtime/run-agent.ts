import { loadAdapter, AdapterUnavailableError } from '../agent/adapters/registry.js';
import type { AdapterMode, AgentAdapter, RunScope } from '../agent/adapters/types.js';
import type { RunResult, RuntimeHooks } from '../agent/types.js';
import { withChat, type ChatProvider } from '../llm/types.js';
import { createWorkDir, primeToolPaths, removeWorkDir } from '../sandbox/index.js';
import type { SandboxMode } from '../sandbox/types.js';
import type { SkillBundle } from '../skills/types.js';
import { CancelledError, errorMessage, UsageError } from '../util/errors.js';
import { silentLogger, type Logger } from '../util/log.js';

/**
 * THE runtime: the one way anything in the engine runs an agent — a run_task, a bench cell, a
 * profiler probe, and the compiler's and JIT's runs to come. In order:
 *
 *   1. the adapter is loaded and asked whether it can run here (AdapterUnavailableError with
 *      its install hint otherwise), and the skill delivery and mode are checked against it;
 *   2. a fresh work directory is created under `tmpRoot` and the workload prepares it
 *      (a task's fixtures and `_setup.sh`, a probe's setup files) — or the job brings one
 *      staged ahead with `stageWorkDir` (the profiler prepares the next probe while the
 *      current one waits for the model);
 *   3. the adapter runs inside a cleanup scope that is closed however the run ends —
 *      result, error or cancellation; the workload hears right away that the agent is done
 *      (no model call follows: a scheduler may hand the model slot on);
 *   4. the runStatus gate: only an `ok` run is evaluated by the workload;
 *   5. the workload may inspect the outcome while the work directory still exists;
 *   6. the work directory is removed unless the job keeps it.
 *
 * Errors from preparation, the adapter (provider errors) and evaluation propagate unchanged;
 * so does CancelledError. The work directory is removed on those paths too, unless kept.
 */

export interface AgentJob {
  /** Harness name from the registry. */
  adapter: string;
  /** Default: the adapter's first mode. */
  mode?: AdapterMode;
  /** `<provider>/<model-id>` of the agent. */
  model: string;
  llm: ChatProvider;
  prompt: string;
  skills?: SkillBundle;
  maxSteps: number;
  timeoutMs: number;
  /** Whether the agent may reach the network (public addresses only). */
  web: boolean;
  /** Local `host:port`s the agent may reach besides (a profiler probe's own server). */
  allowLocalHosts?: readonly string[];
  sandbox: { mode: SandboxMode; network: boolean };
  tmpRoot: string;
  /** Work directory name prefix ([A-Za-z0-9._-], see createWorkDir). */
  workDirPrefix: string;
  /** Keep the work directory whatever happens (its path is returned; never swept as a leftover). Default false. */
  keepWorkDir?: boolean;
  /** A work directory made and filled ahead by stageWorkDir; the workload's prepare is then not called. */
  staged?: StagedWorkDir;
  convLogPath?: string;
  hooks?: RuntimeHooks;
  signal?: AbortSignal;
  log?: Logger;
  /** Host environment for CLI harnesses (binary lookup, native config); default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Config `adapters` (binary paths and settings of CLI harnesses). */
  adapters?: Record<string, unknown>;
}

export interface Workload<E> {
  /** Fill the fresh work directory before the agent starts (unless the job brings a prepared one). */
  prepare?(workDir: string): Promise<void>;
  /** The agent has returned (before any grading): no model call of this job follows. */
  agentDone?(run: RunResult): Promise<void>;
  /** Grade the run; called only for runStatus `ok` (the gate). */
  evaluate?(ctx: { run: RunResult; workDir: string }): Promise<E>;
  /** After grading (or the gate), while the work directory still exists (diagnostics of a failure). */
  inspect?(ctx: { run: RunResult; evaluation: E | undefined; workDir: string }): Promise<void>;
}

export interface AgentJobOutcome<E> {
  run: RunResult;
  /** Absent when the run was gated or the workload does not evaluate. */
  evaluation?: E;
  /** The kept work directory, or null when it was removed. */
  workDir: string | null;
}

/** A work directory created and filled ahead of its run. */
export interface StagedWorkDir {
  readonly workDir: string;
  /** Removes it, for a run that will not take place. */
  discard(): Promise<void>;
}

/** Creates a work directory under `tmpRoot` and fills it; nothing is left behind when filling fails. */
export async function stageWorkDir(opts: Pick<AgentJob, 'tmpRoot' | 'workDirPrefix'>, fill: (workDir: string) => Promise<void>): Promise<StagedWorkDir> {
  const workDir = await createWorkDir({ tmpRoot: opts.tmpRoot, prefix: opts.workDirPrefix });
  const discard = () => removeWorkDir(workDir, { tmpRoot: opts.tmpRoot });
  try {
    await fill(workDir);
  } catch (err) {
    await discard().catch(() => undefined);
    throw err;
  }
  return { workDir, discard };
}

/** Runs a job on the harness its `adapter` names (see the module comment). */
export async function runAgent<E>(job: AgentJob, workload: Workload<E>): Promise<AgentJobOutcome<E>> {
  let adapter: AgentAdapter;
  try {
    if (job.signal?.aborted) throw new CancelledError(job.signal.reason);
    adapter = await loadAdapter(job.adapter);
  } catch (err) {
    await job.staged?.discard().catch(() => undefined);
    throw err;
  }
  return runAdapter(adapter, job, workload);
}

/** Checks that an adapter can take this job here (availability, mode, skill delivery). */
export async function readyAdapter(adapter: AgentAdapter, job: Pick<AgentJob, 'mode' | 'skills' | 'env' | 'adapters'>): Promise<AdapterMode> {
  const availability = await adapter.available(job.env ?? process.env, job.adapters);
  if (!availability.ok) throw new AdapterUnavailableError(adapter.name, availability.reason, availability.installHint);
  const mode = job.mode ?? adapter.modes[0]!;
  if (!adapter.modes.includes(mode)) {
    throw new UsageError(`Adapter "${adapter.name}" has no ${mode} mode.`, `Use ${adapter.modes.join(' or ')}.`);
  }
  const delivery = job.skills && job.skills.skills.length > 0 ? job.skills.mode : undefined;
  if (delivery && !adapter.skillDelivery.includes(delivery)) {
    throw new UsageError(`Adapter "${adapter.name}" cannot deliver skills in ${delivery} mode.`, `Use skill mode ${adapter.skillDelivery.join(' or ')}.`);
  }
  return mode;
}

/** `runAgent` with the adapter already in hand (the registry's loader, or a test's own). */
export async function runAdapter<E>(adapter: AgentAdapter, job: AgentJob, workload: Workload<E>): Promise<AgentJobOutcome<E>> {
  const log = job.log ?? silentLogger;
  const { signal } = job;
  let mode: AdapterMode;
  try {
    if (signal?.aborted) throw new CancelledError(signal.reason);
    mode = await readyAdapter(adapter, job);
  } catch (err) {
    await job.staged?.discard().catch(() => undefined);
    throw err;
  }

  const workDir = job.staged?.workDir ?? (await createWorkDir({ tmpRoot: job.tmpRoot, prefix: job.workDirPrefix, keep: job.keepWorkDir === true }));
  const keep = job.keepWorkDir === true;
  try {
    if (!job.staged) await workload.prepare?.(workDir);
    if (signal?.aborted) throw new CancelledError(signal.reason);
    const scope = openScope(adapter, log);
    let run: RunResult;
    try {
      run = await adapter.run(
        {
          model: job.model,
          llm: primingToolsOnFirstCall(job.llm),
          prompt: job.prompt,
          workDir,
          ...(job.skills && job.skills.skills.length > 0 ? { skills: job.skills } : {}),
          mode,
          maxSteps: job.maxSteps,
          timeoutMs: job.timeoutMs,
          ...(signal ? { signal } : {}),
          web: job.web,
          ...(job.allowLocalHosts ? { allowLocalHosts: job.allowLocalHosts } : {}),
          sandbox: job.sandbox,
          ...(job.convLogPath ? { convLogPath: job.convLogPath } : {}),
          ...(job.hooks ? { hooks: job.hooks } : {}),
          log,
          ...(job.env ? { env: job.env } : {}),
          ...(job.adapters ? { adapters: job.adapters } : {}),
        },
        scope,
      );
    } catch (err) {
      await scope.close();
      throw err;
    }
    void primeToolPaths(); // for the graders, when no model call started it (a harness CLI calls the model itself)
    // The model slot is handed on before the cleanups (the conversation log write among them),
    // so a scheduler's next run does not wait for this one's file work.
    try {
      await workload.agentDone?.(run);
    } finally {
      await scope.close();
    }
    let evaluation: E | undefined;
    if (run.runStatus === 'ok' && workload.evaluate) evaluation = await workload.evaluate({ run, workDir });
    else if (run.runStatus !== 'ok') log.debug(`${adapter.name}: runStatus ${run.runStatus}, not evaluated (${run.statusDetail ?? 'no detail'})`);
    await workload.inspect?.({ run, evaluation, workDir });
    return { run, ...(evaluation !== undefined ? { evaluation } : {}), workDir: keep ? workDir : null };
  } catch (err) {
    if (keep) log.info(`work directory kept at ${workDir}`);
    throw err;
  } finally {
    if (!keep) await removeWorkDir(workDir, { tmpRoot: job.tmpRoot }).catch((err: unknown) => log.warn(`could not remove work directory ${workDir}: ${errorMessage(err)}`));
  }
}

/**
 * The job's model client, starting the interpreter lookup (primeToolPaths) once the first
 * request is on its way. Agent commands and graders need it, and they only run after the model
 * has answered; started earlier, its python3 process (behind a pyenv shim, ~200 ms of CPU)
 * competes with the first request on a small machine (first requests ~10 ms later, measured).
 */
function primingToolsOnFirstCall(llm: ChatProvider): ChatProvider {
  let primed = false;
  return withChat(llm, (req, opts) => {
    const reply = llm.chat(req, opts);
    if (!primed) {
      primed = true;
      setImmediate(() => void primeToolPaths());
    }
    return reply;
  });
}

/** A cleanup scope for one adapter run; `close` runs the cleanups newest first, each once, and never throws. */
function openScope(adapter: AgentAdapter, log: Logger): RunScope & { close(): Promise<void> } {
  const cleanups: Array<() => void | Promise<void>> = [];
  return {
    defer: (c) => void cleanups.push(c),
    async close() {
      for (let c = cleanups.pop(); c; c = cleanups.pop()) {
        try {
          await c();
        } catch (err) {
          log.warn(`${adapter.name}: a cleanup step failed: ${errorMessage(err)}`);
        }
      }
    },
  };
}
