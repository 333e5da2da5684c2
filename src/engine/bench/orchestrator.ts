import * as path from 'node:path';
import { assertRunnableAdapter } from '../agent/adapters/registry.js';
import { appendManifestEntry, buildManifestEntry, DEFERRED_PLACEHOLDER, readManifest, runDeferredJudge, type DeferredResultRow } from '../eval/index.js';
import type { JudgeInputs } from '../eval/types.js';
import type { ChatProvider } from '../llm/types.js';
import type { Skill, SkillMode } from '../skills/types.js';
import type { EvalCriterion } from '../tasks/criteria.js';
import { resolveTaskSkills, type LoadedTask } from '../tasks/load.js';
import { CancelledError, SkvmError, UsageError, errorMessage } from '../util/errors.js';
import { readJsonFile, writeFileAtomic, writeJsonAtomic } from '../util/fs.js';
import { silentLogger, type Logger } from '../util/log.js';
import { getCondition, isVendorOutage, runCondition, scoreFromDetails, type ConditionDefinition, type ConditionInput } from './conditions.js';
import { buildTaskReports, cellKey, createMutex, readProgress, writeProgress } from './progress.js';
import { buildModelComparison, generateReport, renderMultiModelMarkdown, renderReportMarkdown } from './reporter.js';
import type { RunTaskSandbox } from '../runtime/index.js';
import { assertSessionId, claimSessionDir, conditionTag, shortModel } from './session-id.js';
import { resolveSessionDir } from './sessions.js';
import {
  AnyBenchMetadataSchema,
  isEvaluable,
  type BenchMetadata,
  type BenchProgress,
  type BenchReport,
  type ConditionResult,
  type MultiModelMetadata,
  type MultiModelReport,
  type ProgressEntry,
} from './types.js';

/**
 * The bench orchestrator (spec runtime §4.4): tasks × conditions × repetitions, per model, each
 * cell through the shared runner, progress rewritten after every finished cell, resumable.
 *
 * Differences from the reference, on purpose:
 * - the session id is generated once and its directory claimed atomically; a clash (same second,
 *   same short model) gets a `-2` suffix (§10 #3, #27);
 * - a cell whose orchestration throws is `adapter-crashed` (tainted), never an evaluable 0 (§10 #6);
 * - errors every cell would repeat (bad key, no route, unknown model, no bubblewrap) end the bench
 *   at once with the error's message and hint; N (default 3) cells in a row lost to vendor
 *   outages (transient/rate-limit/timeout after retries) end it too. Cells lost that way are
 *   marked `infraFailure` and redone on resume;
 * - one conversation log per repetition: `<taskId>/<label>-run<i>.jsonl` when runsPerTask > 1 (§10 #7);
 * - work dirs are removed unless keepWorkDirs (§10 #23);
 * - async judge: deferred entries carry the repetition, a resumed session judges only what has no
 *   result yet, every repetition keeps its own judged score before averaging, and progress.json is
 *   rewritten with the judged scores (placeholders are flagged `judgePending` until then) (§10 #25).
 */

export interface BenchProgressCallback {
  (done: number, total: number, message: string): void;
}

export interface RunBenchOptions {
  /** One session per model; several ⇒ a multi-model parent session too. */
  models: string[];
  adapter: string;
  conditions: string[];
  /** Already loaded (and filtered) by the caller. */
  tasks: LoadedTask[];
  /** The skill of the `custom-skill` condition. */
  customSkill?: Skill;
  skillMode?: SkillMode;
  runsPerTask?: number;
  concurrency?: number;
  asyncJudge?: boolean;
  judgeModel?: string;
  /** Deferred-judge concurrency (default: `concurrency`, as the reference). */
  judgeConcurrency?: number;
  /** The provider for agents and judges (the run's usage-tracking one). */
  llm: ChatProvider;
  logsRoot: string;
  tmpRoot: string;
  sandbox: RunTaskSandbox;
  /** web_fetch may reach the network. */
  web?: boolean;
  /** Absolute per-run timeout; default each task's own timeoutMs. */
  timeoutMs?: number;
  maxSteps: number;
  keepWorkDirs?: boolean;
  /** A single-model or multi-model session id to continue. */
  resumeSessionId?: string;
  signal?: AbortSignal;
  onProgress?: BenchProgressCallback;
  log?: Logger;
  /** Recorded in metadata.json only: the task filter and source filter the caller applied. */
  taskFilter?: string[] | null;
  source?: string | string[] | null;
  /** Cells lost to vendor outages in a row before the bench stops (default 3). */
  maxConsecutiveOutages?: number;
  /**
   * Called for every agent model and the judge model before anything runs; throw (e.g. the
   * LlmError of `LlmClient.resolve`, which needs no network) to fail before a session exists.
   */
  preflight?: (model: string) => unknown;
}

export interface SkippedCell {
  taskId: string;
  condition: string;
  reason: string;
}

export interface ModelSessionOutcome {
  model: string;
  sessionId: string;
  sessionDir: string;
  report: BenchReport;
  markdown: string;
  /** Cells found finished in progress.json at start (resume). */
  resumedCells: number;
  /** Cells run by this call. */
  ranCells: number;
}

export interface BenchOutcome {
  /** The session (single model) or the multi-model parent session. */
  sessionId: string;
  sessionDir: string;
  /** Set when one model was benchmarked. */
  report?: BenchReport;
  /** Set when several models were benchmarked. */
  multi?: MultiModelReport;
  /** One per model, in the order given. */
  sessions: ModelSessionOutcome[];
  skipped: SkippedCell[];
  warnings: string[];
  /** Total cells (task × condition × repetition, all models) and how many ran in this call. */
  totalCells: number;
  ranCells: number;
}

/** A bench stopped by its AbortSignal; finished cells are in progress.json — resume with `sessionId`. */
export class BenchCancelledError extends CancelledError {
  readonly sessionId: string;
  constructor(sessionId: string, done: number, total: number) {
    super(`bench session ${sessionId} stopped after ${done}/${total} cells; resume it to finish`);
    this.sessionId = sessionId;
  }
}

interface SessionState {
  model: string;
  id: string;
  dir: string;
  manifestDir: string;
  progress: BenchProgress;
  lock: <T>(fn: () => Promise<T>) => Promise<T>;
  resumedCells: number;
  ranCells: number;
}

interface Cell {
  s: SessionState;
  task: LoadedTask;
  condition: ConditionDefinition;
  input: ConditionInput;
  runIndex: number;
}

const DEFAULT_MAX_OUTAGES = 3;

function positiveInt(name: string, v: number | undefined, dflt: number): number {
  const n = v ?? dflt;
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${name} must be a positive integer (got ${String(v)}).`);
  return n;
}

export async function runBench(opts: RunBenchOptions): Promise<BenchOutcome> {
  const log = opts.log ?? silentLogger;
  const signal = opts.signal;
  if (signal?.aborted) throw new CancelledError(signal.reason);
  assertRunnableAdapter(opts.adapter);
  const runsPerTask = positiveInt('runsPerTask', opts.runsPerTask, 1);
  const concurrency = positiveInt('concurrency', opts.concurrency, 1);
  const maxOutages = positiveInt('maxConsecutiveOutages', opts.maxConsecutiveOutages, DEFAULT_MAX_OUTAGES);
  const skillMode: SkillMode = opts.skillMode ?? 'inject';
  const asyncJudge = opts.asyncJudge === true;
  const warnings: string[] = [];
  const warn = (m: string) => {
    warnings.push(m);
    log.warn(m);
  };

  // ---- conditions
  const conditionNames = [...new Set(opts.conditions)];
  if (conditionNames.length === 0) throw new UsageError('No bench conditions given.', 'Use e.g. ["no-skill", "original"].');
  const conditions = conditionNames.map(getCondition);
  if (conditionNames.includes('custom-skill') && !opts.customSkill) {
    throw new UsageError('The custom-skill condition needs a skill.', 'Give the skill to benchmark (a folder with SKILL.md), or drop the custom-skill condition.');
  }
  if (opts.customSkill && !conditionNames.includes('custom-skill')) warn('A custom skill was given but the custom-skill condition is not requested; the skill is not used.');

  // ---- tasks
  const seenIds = new Set<string>();
  for (const t of opts.tasks) {
    if (seenIds.has(t.id)) throw new UsageError(`Task "${t.id}" is listed twice.`);
    seenIds.add(t.id);
  }
  const skipped: SkippedCell[] = [];
  const tasks: Array<{ task: LoadedTask; skills: Skill[] }> = [];
  for (const task of opts.tasks) {
    if (task.hostReady === false) {
      warn(`Task ${task.id} needs Docker (hostReady: false); skipped.`);
      for (const c of conditionNames) skipped.push({ taskId: task.id, condition: c, reason: 'Docker-only task (hostReady: false)' });
      continue;
    }
    if (task.eval.length === 0) {
      warn(`Task ${task.id} has no eval criteria; skipped.`);
      for (const c of conditionNames) skipped.push({ taskId: task.id, condition: c, reason: 'no eval criteria' });
      continue;
    }
    let skills: Skill[];
    try {
      skills = await resolveTaskSkills(task);
    } catch (err) {
      // As the reference: a task whose skills do not load is dropped (every condition), so all
      // conditions are compared on the same task set.
      warn(`Task ${task.id} dropped: ${errorMessage(err)}`);
      for (const c of conditionNames) skipped.push({ taskId: task.id, condition: c, reason: `skill did not load: ${errorMessage(err)}` });
      continue;
    }
    tasks.push({ task, skills });
  }
  if (tasks.length === 0) throw new UsageError('No runnable tasks to benchmark.', warnings.length > 0 ? warnings.join(' ') : 'Give at least one task with eval criteria.');

  const needsJudge = tasks.some(({ task }) => task.eval.some((c: EvalCriterion) => c.method === 'llm-judge'));
  if ((needsJudge || asyncJudge) && !opts.judgeModel) {
    throw new UsageError(
      asyncJudge ? 'The async judge needs a judge model.' : 'Some tasks have llm-judge criteria but no judge model was given.',
      'Pass a judge model (e.g. openrouter/anthropic/claude-sonnet-4.6) so llm-judge criteria are scored instead of zeroed.',
    );
  }
  const judge = opts.judgeModel ? { llm: opts.llm, model: opts.judgeModel } : undefined;
  const checked = new Set<string>();
  const preflight = async (models: string[]) => {
    for (const m of models) {
      if (!opts.preflight || checked.has(m)) continue;
      checked.add(m);
      await opts.preflight(m);
    }
  };
  await preflight([...opts.models, ...(opts.judgeModel ? [opts.judgeModel] : [])]);

  // ---- sessions
  const { parent, sessions } = await openSessions(opts, conditionNames, runsPerTask, skillMode, tasks.map((t) => t.task.id), asyncJudge, concurrency, warn);
  await preflight(sessions.map((s) => s.model)); // a resumed session's models

  // ---- cells
  const cells: Cell[] = [];
  let total = 0;
  let done = 0;
  for (const s of sessions) {
    const finished = new Set(s.progress.entries.map((e) => cellKey(e.taskId, e.condition, e.runIndex ?? 0)));
    for (const { task, skills } of tasks) {
      const input: ConditionInput = { task, taskSkills: skills, ...(opts.customSkill ? { customSkill: opts.customSkill } : {}) };
      for (const condition of conditions) {
        const why = condition.skipReason(input);
        if (why) {
          if (s === sessions[0]) skipped.push({ taskId: task.id, condition: condition.name, reason: why });
          continue;
        }
        for (let runIndex = 0; runIndex < runsPerTask; runIndex++) {
          total++;
          if (finished.has(cellKey(task.id, condition.name, runIndex))) {
            done++;
            s.resumedCells++;
          } else cells.push({ s, task, condition, input, runIndex });
        }
      }
    }
  }
  if (total === 0) throw new UsageError('No bench cell applies: every task × condition was skipped.', skipped.map((k) => `${k.taskId}/${k.condition}: ${k.reason}`).join('; '));
  const sessionLabel = parent?.id ?? sessions[0]!.id;
  log.info(`bench ${sessionLabel}: ${total} cells (${done} already done), concurrency ${concurrency}`);

  // ---- run
  const stop = new AbortController();
  const onAbort = () => stop.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  let fatal: unknown;
  let outages = 0;
  const multiModel = sessions.length > 1;

  const runCell = async (cell: Cell): Promise<void> => {
    if (stop.signal.aborted) return;
    const { s, task, condition, runIndex } = cell;
    const label = condition.label ?? condition.name;
    const convLogPath = path.join(s.dir, task.id, runsPerTask > 1 ? `${label}-run${runIndex + 1}.jsonl` : `${label}.jsonl`);
    const deferred: Array<{ criterionIndex: number; criterion: EvalCriterion; inputs: JudgeInputs }> = [];
    const defer = asyncJudge && condition.deferrable !== false;
    s.ranCells++;
    let outcome;
    try {
      outcome = await runCondition({
        condition,
        input: cell.input,
        skillMode,
        model: s.model,
        adapter: opts.adapter,
        llm: opts.llm,
        ...(judge ? { judge } : {}),
        tmpRoot: opts.tmpRoot,
        timeoutMs: opts.timeoutMs ?? task.timeoutMs,
        maxSteps: opts.maxSteps,
        keepWorkDir: opts.keepWorkDirs === true,
        convLogPath,
        sandbox: opts.sandbox,
        ...(opts.web !== undefined ? { web: opts.web } : {}),
        signal: stop.signal,
        ...(defer ? { deferJudge: (e: (typeof deferred)[number]) => void deferred.push(e) } : {}),
        log,
      });
    } catch (err) {
      // Not finished: cancelled (by the caller, or because another cell hit a fatal error), or
      // a fatal error of its own. Either way it is not recorded, so a resume redoes it.
      s.ranCells--;
      if (stop.signal.aborted) return;
      fatal ??= err;
      stop.abort();
      return;
    }
    const result = outcome.result;
    if (outcome.error !== undefined && isVendorOutage(outcome.error)) {
      result.infraFailure = true;
      outages++;
      if (outages >= maxOutages && fatal === undefined) {
        fatal = new SkvmError(`${outages} bench runs in a row failed because the model vendor did not answer: ${errorMessage(outcome.error)}`, {
          code: 'bench_vendor_unavailable',
          hint: `The vendor or route looks unavailable. Check it (config doctor), then resume bench session ${sessionLabel}; cells lost this way are redone.`,
          cause: outcome.error,
        });
        stop.abort();
      }
    } else outages = 0;

    if (deferred.length > 0) result.judgePending = true;
    await s.lock(async () => {
      for (const e of deferred) {
        await appendManifestEntry(
          s.manifestDir,
          buildManifestEntry({
            sessionId: s.id,
            taskId: task.id,
            condition: condition.name,
            criterionIndex: e.criterionIndex,
            criterion: e.criterion,
            inputs: e.inputs,
            ...(runsPerTask > 1 ? { runIndex } : {}),
          }),
        );
      }
      s.progress.entries.push({ taskId: task.id, condition: condition.name, runIndex, result });
      await writeProgress(s.dir, s.progress);
    });
    done++;
    const runTag = runsPerTask > 1 ? ` [run ${runIndex + 1}/${runsPerTask}]` : '';
    const outcomeText = isEvaluable(result)
      ? `${result.score.toFixed(2)}${result.judgePending ? ' (llm judge pending)' : ''}`
      : `⚠ ${result.runStatus}${result.statusDetail ? ` (${oneLine(result.statusDetail, 120)})` : ''}`;
    const message = `${multiModel ? `[${s.model}] ` : ''}${task.id} ${condition.name}${runTag} → ${outcomeText}`;
    log.info(message);
    try {
      opts.onProgress?.(done, total, message);
    } catch (err) {
      log.warn(`progress callback failed: ${errorMessage(err)}`);
    }
  };

  try {
    const { default: pLimit } = await import('p-limit');
    const limit = pLimit(concurrency);
    await Promise.all(
      cells.map((cell) =>
        limit(async () => {
          try {
            await runCell(cell);
          } catch (err) {
            // Progress writing or manifest appends failed: nothing else can be trusted.
            fatal ??= err;
            stop.abort();
          }
        }),
      ),
    );
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  if (fatal !== undefined) {
    log.error(`bench ${sessionLabel} stopped: ${errorMessage(fatal)} (finished cells are saved; resume session ${sessionLabel})`);
    throw fatal;
  }
  if (signal?.aborted) throw new BenchCancelledError(sessionLabel, done, total);

  // ---- finalize
  const taskInfo = tasks.map(({ task }) => ({ id: task.id, name: task.name ?? task.id, category: task.category, gradingType: task.gradingType }));
  const planned = new Set<string>();
  for (const { task, skills } of tasks) {
    const input: ConditionInput = { task, taskSkills: skills, ...(opts.customSkill ? { customSkill: opts.customSkill } : {}) };
    for (const c of conditions) if (!c.skipReason(input)) for (let i = 0; i < runsPerTask; i++) planned.add(cellKey(task.id, c.name, i));
  }
  const outcomes: ModelSessionOutcome[] = [];
  for (const s of sessions) {
    if (asyncJudge) {
      try {
        await judgeDeferred(s, opts, concurrency, log, sessionLabel);
      } catch (err) {
        if (signal?.aborted) throw new BenchCancelledError(sessionLabel, done, total);
        throw err;
      }
    }
    const entries = s.progress.entries.filter((e) => planned.has(cellKey(e.taskId, e.condition, e.runIndex ?? 0)));
    const report = generateReport({
      sessionId: s.id,
      model: s.model,
      adapter: opts.adapter,
      conditions: conditionNames,
      tasks: buildTaskReports(entries, conditionNames, taskInfo),
      runsPerTask,
      timestamp: s.progress.startedAt,
      completedAt: new Date().toISOString(),
    });
    const markdown = renderReportMarkdown(report);
    await writeJsonAtomic(path.join(s.dir, 'report.json'), report);
    await writeFileAtomic(path.join(s.dir, 'report.md'), markdown + '\n');
    outcomes.push({ model: s.model, sessionId: s.id, sessionDir: s.dir, report, markdown, resumedCells: s.resumedCells, ranCells: s.ranCells });
  }
  const ranCells = outcomes.reduce((n, o) => n + o.ranCells, 0);

  if (!parent) {
    const only = outcomes[0]!;
    return { sessionId: only.sessionId, sessionDir: only.sessionDir, report: only.report, sessions: outcomes, skipped, warnings, totalCells: total, ranCells };
  }
  const multi: MultiModelReport = {
    sessionId: parent.id,
    timestamp: parent.startedAt,
    completedAt: new Date().toISOString(),
    models: sessions.map((s) => s.model),
    reports: outcomes.map((o) => o.report),
    comparison: buildModelComparison(outcomes.map((o) => o.report)),
  };
  await writeJsonAtomic(path.join(parent.dir, 'report.json'), multi);
  await writeFileAtomic(path.join(parent.dir, 'report.md'), renderMultiModelMarkdown(multi) + '\n');
  return { sessionId: parent.id, sessionDir: parent.dir, multi, sessions: outcomes, skipped, warnings, totalCells: total, ranCells };
}

function oneLine(s: string, max: number): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? t.slice(0, max - 1) + '…' : t;
}

// ---------------------------------------------------------------------------------------------
// Sessions: new or resumed

interface ParentSession {
  id: string;
  dir: string;
  startedAt: string;
}

async function openSessions(
  opts: RunBenchOptions,
  conditions: string[],
  runsPerTask: number,
  skillMode: SkillMode,
  taskIds: string[],
  asyncJudge: boolean,
  concurrency: number,
  warn: (m: string) => void,
): Promise<{ parent?: ParentSession; sessions: SessionState[] }> {
  const models = [...new Set(opts.models)];
  if (opts.resumeSessionId) return resumeSessions(opts, models, conditions, runsPerTask, warn);
  if (models.length === 0) throw new UsageError('No model given.', 'Name at least one model as <provider>/<model-id>.');

  const startedAt = new Date().toISOString();
  const common = {
    adapter: opts.adapter,
    conditions,
    tasks: opts.taskFilter === undefined ? taskIds : opts.taskFilter,
    source: opts.source ?? null,
    concurrency,
    // Meaningless without jit-boost; the reference's default keeps the field's type.
    jitRuns: 3,
    maxSteps: opts.maxSteps,
    timeoutMult: 1,
    judgeModel: opts.judgeModel ?? null,
    compilerModel: null,
    asyncJudge,
    startedAt,
  };
  let parent: ParentSession | undefined;
  if (models.length > 1) {
    const claimed = await claimSessionDir(opts.logsRoot, `${models.length}m-${conditionTag(conditions)}`);
    parent = { id: claimed.id, dir: claimed.dir, startedAt };
  }
  const sessions: SessionState[] = [];
  for (const model of models) {
    const claimed = await claimSessionDir(opts.logsRoot, `${shortModel(model)}-${conditionTag(conditions)}`);
    const meta: BenchMetadata = {
      sessionId: claimed.id,
      type: 'single',
      model,
      ...common,
      runsPerTask,
      skillMode,
      timeoutMs: opts.timeoutMs ?? null,
      customSkill: opts.customSkill?.dir ?? null,
      ...(parent ? { parentSessionId: parent.id } : {}),
    };
    await writeJsonAtomic(path.join(claimed.dir, 'metadata.json'), meta);
    const progress: BenchProgress = { sessionId: claimed.id, model, adapter: opts.adapter, startedAt, entries: [] };
    await writeProgress(claimed.dir, progress);
    sessions.push(newState(model, claimed.id, claimed.dir, progress));
  }
  if (parent) {
    const meta: MultiModelMetadata = {
      sessionId: parent.id,
      type: 'multi-model',
      models,
      ...common,
      sessions: Object.fromEntries(sessions.map((s) => [s.model, s.id])),
    };
    await writeJsonAtomic(path.join(parent.dir, 'metadata.json'), meta);
  }
  return { ...(parent ? { parent } : {}), sessions };
}

function newState(model: string, id: string, dir: string, progress: BenchProgress): SessionState {
  return { model, id, dir, manifestDir: path.join(dir, 'deferred-evals'), progress, lock: createMutex(), resumedCells: 0, ranCells: 0 };
}

async function loadMetadata(logsRoot: string, id: string) {
  const dir = await resolveSessionDir(logsRoot, id); // validates the id; NotFoundError with the closest ids
  const raw = await readJsonFile(path.join(dir, 'metadata.json')).catch(() => undefined);
  const parsed = raw === undefined ? undefined : AnyBenchMetadataSchema.safeParse(raw);
  return { dir, meta: parsed?.success ? parsed.data : undefined };
}

async function resumeOne(logsRoot: string, id: string, model: string | undefined, adapter: string): Promise<SessionState> {
  const { dir, meta } = await loadMetadata(logsRoot, id);
  const progress = (await readProgress(dir)) ?? undefined;
  const sessionModel = progress?.model ?? meta?.model;
  if (!sessionModel) throw new SkvmError(`Bench session ${id} has neither progress.json nor a model in metadata.json; it cannot be resumed.`);
  if (model !== undefined && model !== sessionModel) {
    throw new UsageError(`Bench session ${id} benchmarks ${sessionModel}, not ${model}.`, 'Resume it without naming a model, or with the same one.');
  }
  const p: BenchProgress = progress ?? { sessionId: id, model: sessionModel, adapter, startedAt: meta?.startedAt ?? new Date().toISOString(), entries: [] };
  if (p.adapter !== adapter) throw new UsageError(`Bench session ${id} ran adapter ${p.adapter}, not ${adapter}.`);
  // Cells lost to vendor outages are redone.
  p.entries = p.entries.filter((e) => e.result.infraFailure !== true);
  return newState(sessionModel, id, dir, p);
}

async function resumeSessions(
  opts: RunBenchOptions,
  models: string[],
  conditions: string[],
  runsPerTask: number,
  warn: (m: string) => void,
): Promise<{ parent?: ParentSession; sessions: SessionState[] }> {
  const id = opts.resumeSessionId!;
  assertSessionId(id);
  const { dir, meta } = await loadMetadata(opts.logsRoot, id);
  if (meta?.conditions && [...meta.conditions].sort().join(',') !== [...conditions].sort().join(',')) {
    warn(`Session ${id} was started with conditions ${meta.conditions.join(', ')}; resuming with ${conditions.join(', ')}.`);
  }
  const metaRuns = (meta as { runsPerTask?: unknown } | undefined)?.runsPerTask;
  if (typeof metaRuns === 'number' && metaRuns !== runsPerTask) warn(`Session ${id} was started with runsPerTask ${metaRuns}; resuming with ${runsPerTask}.`);

  if (meta?.type === 'multi-model') {
    const children = (meta as { sessions?: Record<string, string> }).sessions;
    const metaModels = meta.models ?? [];
    if (!children) throw new SkvmError(`Multi-model session ${id} does not list its per-model sessions; resume each model's session instead.`);
    if (models.length > 0 && [...models].sort().join('\n') !== [...metaModels].sort().join('\n')) {
      throw new UsageError(`Session ${id} benchmarks ${metaModels.join(', ')}; the models given differ.`, 'Resume it without models, or with the same ones.');
    }
    const sessions: SessionState[] = [];
    for (const m of metaModels) {
      const child = children[m];
      if (!child) throw new SkvmError(`Multi-model session ${id} has no session for ${m}.`);
      assertSessionId(child);
      sessions.push(await resumeOne(opts.logsRoot, child, m, opts.adapter));
    }
    return { parent: { id, dir, startedAt: meta.startedAt ?? new Date().toISOString() }, sessions };
  }
  if (meta && meta.type !== 'single') throw new UsageError(`Session ${id} is a "${meta.type}" session; only bench sessions started here can be resumed.`);
  if (models.length > 1) throw new UsageError(`Session ${id} benchmarks one model; several were given.`);
  return { sessions: [await resumeOne(opts.logsRoot, id, models[0], opts.adapter)] };
}

// ---------------------------------------------------------------------------------------------
// Async judge (spec §3.8)

async function judgeDeferred(s: SessionState, opts: RunBenchOptions, concurrency: number, log: Logger, resumeId: string): Promise<void> {
  const manifest = await readManifest(s.manifestDir);
  if (manifest.length === 0 && !s.progress.entries.some((e) => e.result.judgePending)) return;
  const summary = await runDeferredJudge({
    manifestDir: s.manifestDir,
    llm: opts.llm,
    model: opts.judgeModel!,
    concurrency: opts.judgeConcurrency ?? concurrency,
    ...(opts.signal ? { signal: opts.signal } : {}),
    onProgress: (p) => log.debug(`async judge ${s.id}: ${p.done}/${p.total} ${p.id} → ${p.row.score.toFixed(2)}`),
  });
  log.info(`async judge ${s.id}: ${summary.judged} judged, ${summary.skipped} already judged, ${summary.infraErrors} infra errors`);
  if (summary.judged > 0 && summary.infraErrors === summary.judged) {
    const first = summary.results.find((r) => r.infraError)?.infraError ?? 'unknown error';
    throw new SkvmError(`The judge model ${opts.judgeModel} failed on every deferred judgement (${summary.judged}): ${first}`, {
      code: 'bench_judge_failed',
      hint: `Fix the judge route or model, then resume bench session ${resumeId}: finished runs are kept and only the judgements are redone.`,
    });
  }
  const changed = mergeDeferredResults(s.progress.entries, summary.results);
  if (changed > 0 || s.progress.entries.some((e) => e.result.judgePending !== undefined)) {
    for (const e of s.progress.entries) refreshPending(e.result);
    await s.lock(() => writeProgress(s.dir, s.progress));
  }
}

function refreshPending(r: ConditionResult): void {
  const pending = r.evalDetails.some((d) => d.method === 'llm-judge' && d.details === DEFERRED_PLACEHOLDER);
  if (pending) r.judgePending = true;
  else delete r.judgePending;
}

/**
 * Merge judged rows into progress entries (one entry = one repetition): found by task, condition
 * and repetition; rows for non-ok runs skipped; the criterion slot by criterionId, else by
 * index; score/pass recomputed with the bench aggregation. Returns the number of entries changed.
 */
export function mergeDeferredResults(entries: ProgressEntry[], rows: DeferredResultRow[]): number {
  const byCell = new Map(entries.map((e) => [cellKey(e.taskId, e.condition, e.runIndex ?? 0), e]));
  const touched = new Set<ProgressEntry>();
  for (const row of rows) {
    const ctx = row.context;
    const entry = byCell.get(cellKey(ctx.taskId, ctx.condition, ctx.runIndex ?? 0));
    if (!entry || !isEvaluable(entry.result)) continue;
    const details = entry.result.evalDetails;
    let slot = ctx.criterionId !== undefined ? details.findIndex((d) => d.id === ctx.criterionId) : -1;
    if (slot < 0) slot = ctx.criterionIndex;
    const d = details[slot];
    if (!d || d.method !== 'llm-judge') continue;
    d.score = row.score;
    d.details = row.details;
    if (row.infraError) d.infraError = row.infraError;
    else delete d.infraError;
    touched.add(entry);
  }
  for (const e of touched) {
    const r = e.result;
    delete r.automatedScore;
    delete r.llmJudgeScore;
    Object.assign(r, scoreFromDetails(r.evalDetails, r.gradingWeights));
    refreshPending(r);
  }
  return touched.size;
}
