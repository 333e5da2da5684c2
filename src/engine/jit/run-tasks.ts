import { AdapterUnavailableError } from '../agent/adapters/registry.js';
import { buildEvidenceCriteria } from '../eval/scoring.js';
import { LlmError } from '../llm/errors.js';
import { addUsage, emptyUsage, type ChatProvider, type TokenUsage } from '../llm/types.js';
import { runTask, workDirPrefixFor } from '../runtime/task.js';
import { removeWorkDir } from '../sandbox/index.js';
import type { SandboxMode } from '../sandbox/types.js';
import type { Skill, SkillMode } from '../skills/types.js';
import type { LoadedTask } from '../tasks/load.js';
import { FixtureError, SetupScriptError } from '../tasks/prepare.js';
import { mapLimit } from '../util/async.js';
import { CancelledError, errorMessage } from '../util/errors.js';
import type { Logger } from '../util/log.js';
import { conversationFromSteps, evidenceRecordDir, isTainted, runScore, runtimeErrorCriterion, snapshotWorkDir, writeEvidenceRecord } from './evidence.js';
import type { Evidence } from './types.js';

/**
 * The target agent's runs of one round (spec runtime §5.4): every (task, run) through runTask —
 * the same preparation as run_task (inline fixtures, `_setup.sh`; fix of §10) and the same
 * runStatus gate and graders — then one Evidence each, written to its durable record. The work
 * dir is kept only long enough to snapshot it.
 */

export interface TargetConfig {
  model: string;
  adapter: string;
  skillMode: SkillMode;
  /** Wall-clock limit per run; default the task's own timeoutMs. */
  timeoutMs?: number;
  maxSteps?: number;
}

export interface RoundRunContext {
  llm: ChatProvider;
  target: TargetConfig;
  judge?: { llm: ChatProvider; model: string };
  tmpRoot: string;
  sandbox: { mode: SandboxMode; network: boolean };
  proposalDir: string;
  /** task id → safe id, resolved once for the whole optimization. */
  safeIds: Map<string, string>;
  runsPerTask: number;
  concurrency: number;
  signal?: AbortSignal;
  log?: Logger;
  /** One completed run (for progress). */
  onRun?: (info: { roundLabel: string; split: 'train' | 'test'; taskId: string; runIdx: number; score: number | null }) => void;
}

export interface RoundRuns {
  evidences: Evidence[];
  judge: { tokens: TokenUsage; costUsd: number; calls: number };
}

/** Errors that say nothing about the skill: the provider, the harness, the task's own preparation. */
function isInfraError(err: unknown): boolean {
  return err instanceof LlmError || err instanceof AdapterUnavailableError || err instanceof FixtureError || err instanceof SetupScriptError;
}

export async function runTasksForRound(ctx: RoundRunContext, roundLabel: string, split: 'train' | 'test', tasks: readonly LoadedTask[], skill: Skill | null): Promise<RoundRuns> {
  const jobs = tasks.flatMap((task) => Array.from({ length: ctx.runsPerTask }, (_, runIdx) => ({ task, runIdx })));
  const judge = { tokens: emptyUsage(), costUsd: 0, calls: 0 };
  const evidences = await mapLimit(jobs, Math.max(1, ctx.concurrency), async ({ task, runIdx }) => {
    const started = Date.now();
    const recordDir = evidenceRecordDir(ctx.proposalDir, roundLabel, split, ctx.safeIds.get(task.id) ?? task.id, runIdx);
    let evidence: Evidence;
    try {
      const r = await runTask({
        task,
        model: ctx.target.model,
        adapter: ctx.target.adapter,
        ...(skill ? { skills: { skills: [skill], mode: ctx.target.skillMode } } : {}),
        llm: ctx.llm,
        ...(ctx.judge ? { judge: ctx.judge } : {}),
        tmpRoot: ctx.tmpRoot,
        timeoutMs: ctx.target.timeoutMs ?? task.timeoutMs,
        maxSteps: ctx.target.maxSteps ?? task.maxSteps,
        keepWorkDir: true,
        workDirPrefix: workDirPrefixFor('jit', task.id),
        sandbox: ctx.sandbox,
        ...(ctx.signal ? { signal: ctx.signal } : {}),
        ...(ctx.log ? { log: ctx.log } : {}),
        onJudgeUsage: (usage, cost) => {
          judge.tokens = addUsage(judge.tokens, usage);
          judge.costUsd += cost ?? 0;
          judge.calls++;
        },
      });
      const run = r.runResult;
      let files = new Map<string, string>();
      if (r.workDir) {
        files = await snapshotWorkDir(r.workDir).catch(() => new Map<string, string>());
        await removeWorkDir(r.workDir, { tmpRoot: ctx.tmpRoot }).catch((err: unknown) => ctx.log?.warn(`could not remove ${r.workDir}: ${errorMessage(err)}`));
      }
      const criteria =
        run.runStatus === 'ok'
          ? buildEvidenceCriteria(r.evalResults)
          : [runtimeErrorCriterion(`the run ended with runStatus ${run.runStatus}${run.statusDetail ? `: ${run.statusDetail}` : ''}; it was not evaluated`, run.statusDetail ?? `adapter runStatus=${run.runStatus}`)];
      evidence = {
        taskId: task.id,
        taskPrompt: task.prompt,
        conversationLog: conversationFromSteps(task.prompt, run.steps, started),
        criteria,
        workDirSnapshot: { files },
        runMeta: {
          tokens: run.tokens,
          costUsd: run.cost ?? 0,
          durationMs: run.durationMs,
          runStatus: run.runStatus,
          ...(run.adapterError ? { adapterError: run.adapterError } : {}),
          ...(run.skillLoaded !== undefined ? { skillLoaded: run.skillLoaded } : {}),
          ...(run.statusDetail ? { statusDetail: run.statusDetail } : {}),
        },
      };
    } catch (err) {
      if (err instanceof CancelledError) throw err;
      const message = errorMessage(err);
      evidence = { taskId: task.id, taskPrompt: task.prompt, conversationLog: [], criteria: [runtimeErrorCriterion(message, isInfraError(err) ? message : undefined)], workDirSnapshot: { files: new Map() } };
    }
    await writeEvidenceRecord(recordDir, evidence);
    ctx.onRun?.({ roundLabel, split, taskId: task.id, runIdx, score: isTainted(evidence) ? null : runScore(evidence) });
    return evidence;
  });
  return { evidences, judge };
}
