import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { safeModelName } from '../config/paths.js';
import { sandboxMode } from '../config/sandbox.js';
import type { Engine } from '../engine.js';
import { assertRunnableAdapter } from '../agent/adapters/registry.js';
import type { RunStatus } from '../agent/types.js';
import { computeWeightedScore, toScoreDetails } from '../eval/scoring.js';
import type { ChatProvider } from '../llm/types.js';
import { resolveSkill } from '../skills/load.js';
import type { Skill, SkillMode } from '../skills/types.js';
import { resolveTask, resolveTaskSkills } from '../tasks/load.js';
import { UsageError } from '../util/errors.js';
import type { Logger } from '../util/log.js';
import { newSessionId, shortModel } from '../logs/session-id.js';
import { indexLogDir, recordSession, type SessionStart } from '../logs/sessions-index.js';
import { harnessHost, needsRoute, runTask } from '../runtime/index.js';
import type { AdapterMode } from '../agent/adapters/types.js';

/**
 * One task, one model, optionally one skill, executed and scored — what the run_task
 * operation asks for, with names resolved against the dataset root and paths from the cache.
 */
export interface SingleRunOptions {
  task: string;
  model: string;
  skill?: string;
  useTaskSkills: boolean;
  skillMode: SkillMode;
  adapter: string;
  /** CLI harnesses: managed or native (default: config defaults.adapterConfigMode, else managed). */
  adapterConfig?: AdapterMode;
  timeoutMs?: number;
  maxSteps?: number;
  evaluate: boolean;
  judgeModel?: string;
  keepWorkDir: boolean;
  web: boolean;
  llm: ChatProvider;
  signal?: AbortSignal;
  log?: Logger;
  /** Coarse progress: preparing, agent turns, evaluating. */
  onStage?: (done: number, total?: number, message?: string) => void;
}

export async function runSingleTask(engine: Engine, opts: SingleRunOptions) {
  assertRunnableAdapter(opts.adapter);
  const dataRoot = engine.roots.data.value;
  const task = await resolveTask(opts.task, dataRoot);
  const harness = harnessHost(engine.config().config, engine.env, opts.adapter, opts.adapterConfig);
  // Fail before any work on a model that has no route or key (no network needed); a native
  // harness uses its own login instead.
  if (needsRoute(harness, opts.adapter)) {
    engine.llm.resolve(opts.model);
    engine.llm.warm(opts.model);
  }
  const hasJudgeCriteria = task.eval.some((c) => c.method === 'llm-judge');
  if (opts.evaluate && hasJudgeCriteria) {
    if (!opts.judgeModel) {
      throw new UsageError(`Task "${task.id}" has llm-judge criteria, so it needs a judge model.`, 'Pass judgeModel (e.g. a strong model other than the agent), or evaluate: false.');
    }
    engine.llm.resolve(opts.judgeModel);
  }

  const skills: Skill[] = [];
  if (opts.skill) skills.push(await resolveSkill(opts.skill, dataRoot));
  if (opts.useTaskSkills) skills.push(...(await resolveTaskSkills(task)));
  if (opts.useTaskSkills && skills.length === 0) {
    throw new UsageError(`Task "${task.id}" names no skill.`, 'Pass skill explicitly, or leave useTaskSkills off.');
  }

  // One log per run: a millisecond stamp plus a random tail, so runs in the same second never share a file.
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('.', '-');
  const convLogPath = path.join(engine.roots.logs.value, 'runtime', opts.adapter, safeModelName(opts.model), task.id, `${stamp}-${randomBytes(2).toString('hex')}.jsonl`);
  const maxSteps = opts.maxSteps ?? task.maxSteps;
  opts.onStage?.(0, maxSteps + 2, 'preparing the work directory');

  // The reference's `run` session (spec runtime §4.1): tag <adapter>-<shortModel>-<taskId>, log dir the task's runtime log folder.
  const started = new Date();
  const session: SessionStart = {
    id: newSessionId('run', `${opts.adapter}-${shortModel(opts.model)}-${task.id}`, started),
    type: 'run',
    startedAt: started.toISOString(),
    logDir: indexLogDir(path.dirname(convLogPath), engine.roots.cache.value),
    models: [opts.model],
    harness: opts.adapter,
    ...(skills.length ? { skill: skills.map((s) => s.name).join('+') } : {}),
  };
  const runOnce = () => runTask({
    task,
    model: opts.model,
    adapter: opts.adapter,
    harness,
    ...(skills.length ? { skills: { skills, mode: opts.skillMode } } : {}),
    llm: opts.llm,
    ...(opts.judgeModel ? { judge: { llm: opts.llm, model: opts.judgeModel } } : {}),
    tmpRoot: engine.tmpDir().value,
    timeoutMs: opts.timeoutMs ?? task.timeoutMs,
    maxSteps,
    keepWorkDir: opts.keepWorkDir,
    convLogPath,
    sandbox: { mode: sandboxMode(engine), network: opts.web },
    web: opts.web,
    executeOnly: !opts.evaluate,
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.log ? { log: opts.log } : {}),
    hooks: {
      afterLLM: [({ iteration }) => opts.onStage?.(iteration + 1, maxSteps + 2, `agent turn ${iteration + 1}`)],
    },
  });
  const result = await recordSession(engine.roots.sessionsIndex, session, runOnce, (r) =>
    r.runResult.runStatus === 'ok' ? { summary: r.evalResults.length > 0 ? `score ${r.overallScore.toFixed(3)}` : 'ran (not scored)' } : { error: `runStatus ${r.runResult.runStatus}${r.runResult.statusDetail ? `: ${r.runResult.statusDetail}` : ''}` },
  );
  opts.onStage?.(maxSteps + 2, maxSteps + 2, 'done');

  const run = result.runResult;
  const evaluated = run.runStatus === 'ok' && opts.evaluate && task.eval.length > 0;
  const weighted = evaluated ? computeWeightedScore(toScoreDetails(result.evalResults), task.gradingWeights) : undefined;
  return {
    taskId: task.id,
    ...(task.name ? { taskName: task.name } : {}),
    model: opts.model,
    adapter: opts.adapter,
    skills: skills.map((s) => s.name),
    ...(skills.length ? { skillMode: opts.skillMode } : {}),
    ...(run.skillLoaded !== undefined ? { skillLoaded: run.skillLoaded } : {}),
    runStatus: run.runStatus as RunStatus,
    ...(run.statusDetail ? { statusDetail: run.statusDetail } : {}),
    evaluated,
    score: weighted ? weighted.score : null,
    meanScore: evaluated ? result.overallScore : null,
    passed: evaluated ? result.overallPass : null,
    evalTainted: result.evalTainted,
    criteria: result.evalResults.map((r) => ({
      ...(r.criterion.id ? { id: r.criterion.id } : {}),
      ...(r.criterion.name ? { name: r.criterion.name } : {}),
      method: r.criterion.method,
      ...(r.criterion.weight !== undefined ? { weight: r.criterion.weight } : {}),
      score: r.score,
      pass: r.pass,
      details: r.details,
      ...(r.checkpoints ? { checkpoints: r.checkpoints.map((c) => ({ name: c.name, score: c.score, ...(c.reason ? { reason: c.reason } : {}) })) } : {}),
      ...(r.infraError ? { infraError: r.infraError } : {}),
    })),
    tokens: run.tokens,
    costUsd: run.cost,
    durationMs: run.durationMs,
    llmDurationMs: run.llmDurationMs,
    steps: run.steps.filter((s) => s.role === 'assistant').length,
    toolCalls: run.steps.reduce((n, s) => n + (s.role === 'assistant' ? s.toolCalls.length : 0), 0),
    finalText: run.text,
    convLog: convLogPath,
    workDir: result.workDir,
  };
}
