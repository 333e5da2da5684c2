import type { HarnessHost } from './host.js';
import type { RunResult, RuntimeHooks } from '../agent/types.js';
import { evaluateAll, taskScore } from '../eval/index.js';
import type { EvalContext, EvalResult } from '../eval/types.js';
import type { ChatProvider } from '../llm/types.js';
import type { SandboxMode } from '../sandbox/types.js';
import type { Skill, SkillBundle } from '../skills/types.js';
import type { LoadedTask } from '../tasks/load.js';
import { prepareWorkDir, type PrepareResult } from '../tasks/prepare.js';
import type { Logger } from '../util/log.js';
import { runAgent } from './run-agent.js';

/**
 * A task run (spec runtime §3.7), shared by the run_task operation and every bench cell: the
 * runtime (`runAgent`) with the task as its workload — THE preparation routine, then the
 * agent, then the task's graders behind the runStatus gate; the work dir is removed unless
 * kept (fix of §10 #23: the reference always kept bench work dirs).
 *
 * - Gate: a run whose runStatus is not `ok` is never evaluated (evalResults [], score 0).
 * - Provider / infrastructure errors thrown by the agent (LlmError, …) propagate as errors —
 *   they are never turned into a score. So do cancellation (CancelledError) and preparation
 *   failures (FixtureError, SetupScriptError).
 */

export const DEFAULT_SETUP_TIMEOUT_MS = 120_000;
export const DEFAULT_GRADER_TIMEOUT_MS = 300_000;

export interface RunTaskSandbox {
  mode: SandboxMode;
  /** Network for the agent's commands, `_setup.sh` and graders. Default false. */
  network: boolean;
  /** Limit of `fixtures/_setup.sh` (default 120 s). */
  setupTimeoutMs?: number;
  /** Limit of each grader command (default 300 s). */
  graderTimeoutMs?: number;
}

export interface RunTaskOptions {
  task: LoadedTask;
  /** `<provider>/<model-id>` of the agent. */
  model: string;
  /** Harness name from the registry (AdapterUnavailableError / NotFoundError when it cannot run). */
  adapter: string;
  /** Skills given to the agent (one bundle, inject or discover). */
  skills?: SkillBundle;
  /**
   * Skills whose bundle files are staged into the work dir (default: the bundle's skills). The
   * bench passes the task's real skills here when it gives the agent their combined text.
   */
  stageSkills?: Skill[];
  /** Stage bundle files at all (default true when there are skills). */
  stageBundles?: boolean;
  llm: ChatProvider;
  /** LLM judge for llm-judge criteria (without it they score 0 with a reason). */
  judge?: { llm: ChatProvider; model: string };
  tmpRoot: string;
  timeoutMs: number;
  maxSteps: number;
  /** Keep the work dir after the run (its path is returned); default: removed. */
  keepWorkDir: boolean;
  /** Work dir name prefix (default `skvm-run-<id>-`). */
  workDirPrefix?: string;
  convLogPath?: string;
  sandbox: RunTaskSandbox;
  /** Whether the agent's web_fetch may reach the network. */
  web?: boolean;
  signal?: AbortSignal;
  /** Defer llm-judge criteria: their inputs go to this sink and a placeholder is recorded. */
  deferJudge?: EvalContext['deferJudge'];
  /** Skip evaluation entirely (execute-only runs). Default false. */
  executeOnly?: boolean;
  hooks?: RuntimeHooks;
  log?: Logger;
  /** CLI harnesses: mode, binary lookup and native config (harnessHost). */
  harness?: HarnessHost;
  onJudgeUsage?: EvalContext['onJudgeUsage'];
}

export interface RunTaskResult {
  runResult: RunResult;
  evalResults: EvalResult[];
  /** Every criterion passed (false when the run was gated or there are no criteria). */
  overallPass: boolean;
  /** Unweighted mean of the criteria (spec §3.6 #1); 0 when gated. */
  overallScore: number;
  /** Some grader reported an infrastructure error: the score is not trustworthy. */
  evalTainted: boolean;
  /** The kept work dir, or null when it was removed. */
  workDir: string | null;
  prepared: PrepareResult;
}

/** A safe work-dir prefix from a task id (createWorkDir accepts [A-Za-z0-9._-], ≤ 64). */
export function workDirPrefixFor(kind: string, taskId: string): string {
  const id = taskId.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 40) || 'task';
  return `skvm-${kind}-${id}-`;
}

export async function runTask(opts: RunTaskOptions): Promise<RunTaskResult> {
  const { task, signal } = opts;
  const bundle = opts.skills && opts.skills.skills.length > 0 ? opts.skills : undefined;
  const stageSkills = opts.stageSkills ?? bundle?.skills ?? [];
  let prepared: PrepareResult | undefined;
  const evaluateRun = !opts.executeOnly && task.eval.length > 0;
  const outcome = await runAgent<EvalResult[]>(
    {
      adapter: opts.adapter,
      model: opts.model,
      llm: opts.llm,
      prompt: task.prompt,
      ...(bundle ? { skills: bundle } : {}),
      maxSteps: opts.maxSteps,
      timeoutMs: opts.timeoutMs,
      web: opts.web === true,
      sandbox: { mode: opts.sandbox.mode, network: opts.sandbox.network },
      tmpRoot: opts.tmpRoot,
      workDirPrefix: opts.workDirPrefix ?? workDirPrefixFor('run', task.id),
      keepWorkDir: opts.keepWorkDir,
      ...(opts.convLogPath ? { convLogPath: opts.convLogPath } : {}),
      ...(opts.hooks ? { hooks: opts.hooks } : {}),
      ...(signal ? { signal } : {}),
      ...(opts.log ? { log: opts.log } : {}),
      ...opts.harness,
    },
    {
      prepare: async (workDir) => {
        prepared = await prepareWorkDir({
          task,
          workDir,
          skills: stageSkills,
          stageBundles: opts.stageBundles ?? stageSkills.length > 0,
          sandbox: { mode: opts.sandbox.mode, network: opts.sandbox.network, timeoutMs: opts.sandbox.setupTimeoutMs ?? DEFAULT_SETUP_TIMEOUT_MS },
          ...(signal ? { signal } : {}),
        });
      },
      ...(evaluateRun
        ? {
            evaluate: ({ run, workDir }: { run: RunResult; workDir: string }) =>
              evaluateAll(task.eval, {
                runResult: run,
                workDir,
                taskDir: task.dir,
                ...(signal ? { signal } : {}),
                ...(opts.judge ? { judge: opts.judge } : {}),
                sandbox: { mode: opts.sandbox.mode, network: opts.sandbox.network, timeoutMs: opts.sandbox.graderTimeoutMs ?? DEFAULT_GRADER_TIMEOUT_MS },
                ...(opts.deferJudge ? { deferJudge: opts.deferJudge } : {}),
                tmpRoot: opts.tmpRoot,
                ...(opts.onJudgeUsage ? { onJudgeUsage: opts.onJudgeUsage } : {}),
              }),
          }
        : {}),
    },
  );
  const evalResults = outcome.evaluation ?? [];
  const score = evalResults.length > 0 ? taskScore(evalResults) : undefined;
  return {
    runResult: outcome.run,
    evalResults,
    overallPass: score?.overallPass ?? false,
    overallScore: score?.overallScore ?? 0,
    evalTainted: score?.tainted ?? false,
    workDir: outcome.workDir,
    prepared: prepared!,
  };
}
