import * as path from 'node:path';
import { AdapterUnavailableError } from '../agent/adapters/registry.js';
import type { RunResult } from '../agent/types.js';
import { computeWeightedScore } from '../eval/index.js';
import type { EvalResult } from '../eval/types.js';
import { LlmError } from '../llm/errors.js';
import { SandboxUnavailableError } from '../sandbox/errors.js';
import { skillContentHash } from '../skills/load.js';
import type { Skill, SkillMode } from '../skills/types.js';
import type { LoadedTask } from '../tasks/load.js';
import { closestMatches } from '../util/closest.js';
import { NotFoundError, SkvmError, errorMessage, isAbortError } from '../util/errors.js';
import { runTask, workDirPrefixFor, type RunTaskOptions } from '../runtime/index.js';
import { AOT_CONDITION_PREFIX, aotConditionPasses, type AotVariants } from './aot-compiled.js';
import { variantSkillName } from '../compiler/compile.js';
import type { JitOptimizedRounds } from './jit-optimized.js';
import { JIT_BOOST_CONDITION, JIT_BOOST_DESCRIPTION, jitBoostOptionsMissing, runJitBoostCell, type JitBoostOptions } from './jit-boost.js';
import { emptyTokens, type ConditionResult, type EvalDetail } from './types.js';

/**
 * Bench conditions: ONE registry, the single source of truth for condition names (spec runtime
 * §4.5). A condition decides which skills the agent gets and which bundle files are staged; the
 * shared scaffold (`runCondition`) runs the task through the runner and turns the outcome into a
 * ConditionResult. `aot-compiled` stands for a family: `aot-compiled-p<…>` names resolve on
 * demand (aot-compiled.ts). `jit-optimized` uses jit-optimize proposals (jit-optimized.ts);
 * `jit-boost` runs its cell itself (jit-boost.ts).
 */

export interface ConditionInput {
  task: LoadedTask;
  /** The task's own skills (from its `skill` field), loaded. */
  taskSkills: Skill[];
  /** The caller's skill for the `custom-skill` condition. */
  customSkill?: Skill;
}

export interface ConditionPlan {
  /** What the agent is given; several skills are combined into one bundle entry (see combineSkills). */
  skills: Skill[];
  /** Skills whose bundle files are copied into the work dir root. */
  stage: Skill[];
  /** The result's skill ids when they are not the skills' folder names (a compiled variant's folder is its pass tag). */
  skillIds?: string[];
}

/** What a cell's plan may depend on besides the task. */
export interface PlanContext {
  model: string;
  adapter: string;
  signal?: AbortSignal;
  /** Compiled variants (AOT conditions). */
  aot?: AotVariants;
  /** Optimized rounds (jit-optimized). */
  jit?: JitOptimizedRounds;
}

export interface ConditionDefinition {
  name: string;
  description: string;
  /** Why this condition does not apply to a task (the cell is skipped), or undefined. */
  skipReason(input: ConditionInput): string | undefined;
  /** May do work (an AOT condition looks up or compiles a variant); a throw makes the cell adapter-crashed. */
  plan(input: ConditionInput, ctx: PlanContext): ConditionPlan | Promise<ConditionPlan>;
  /** Conversation-log label (default: the name). */
  label?: string;
  /** llm-judge criteria may be deferred to the async judge (default true). */
  deferrable?: boolean;
  /** Runs the cell itself (several agent runs, as jit-boost) instead of the one task run of runCondition. */
  execute?(opts: RunConditionOptions, plan: ConditionPlan, meta: Partial<ConditionResult>): Promise<ConditionResult>;
}

const registry = new Map<string, ConditionDefinition>();

export function registerCondition(def: ConditionDefinition): void {
  if (registry.has(def.name)) throw new Error(`bench condition "${def.name}" is already registered`);
  registry.set(def.name, def);
}

/** Registered conditions, in registration order. */
export function listConditions(): ConditionDefinition[] {
  return [...registry.values()];
}

export function conditionNames(): string[] {
  return [...registry.keys()];
}

export function getCondition(name: string): ConditionDefinition {
  const def = registry.get(name) ?? aotFamilyMember(name);
  if (def) return def;
  throw new NotFoundError('bench condition', name, closestMatches(name, conditionNames()), `Known conditions: ${conditionNames().join(', ')}.`);
}

registerCondition({
  name: 'no-skill',
  description: 'The task alone: no skill, no bundle files (the baseline).',
  skipReason: () => undefined,
  plan: () => ({ skills: [], stage: [] }),
});

registerCondition({
  name: 'original',
  description: "The task's own skills (its `skill` field); several are joined into one bundle, bundle files staged.",
  skipReason: ({ taskSkills }) => (taskSkills.length === 0 ? 'the task names no skill' : undefined),
  plan: ({ taskSkills }) => ({ skills: taskSkills, stage: taskSkills }),
});

registerCondition({
  name: 'custom-skill',
  description: 'A skill given by the caller, used for every task; its bundle files staged.',
  skipReason: ({ customSkill }) => (customSkill ? undefined : 'no custom skill was given'),
  plan: ({ customSkill }) => ({ skills: customSkill ? [customSkill] : [], stage: customSkill ? [customSkill] : [] }),
});

function aotCondition(name: string, passes: number[]): ConditionDefinition {
  return {
    name,
    description: `The task's own skills compiled for the target model and harness with passes ${passes.join(', ')}: the published variant, or compiled on demand; the variant's bundle files staged, compiler output left out.`,
    skipReason: ({ taskSkills }) => (taskSkills.length === 0 ? 'the task names no skill' : undefined),
    async plan({ taskSkills }, ctx) {
      if (!ctx.aot) throw new Error(`bench condition ${name} needs compiled variants, and this bench was started without them`);
      const target = { model: ctx.model, harness: ctx.adapter, ...(ctx.signal ? { signal: ctx.signal } : {}) };
      const compiled = await Promise.all(taskSkills.map((s) => ctx.aot!.compiledSkill(s, passes, target)));
      return { skills: compiled, stage: compiled, skillIds: taskSkills.map(variantSkillName) };
    },
  };
}

registerCondition(aotCondition(AOT_CONDITION_PREFIX, aotConditionPasses(AOT_CONDITION_PREFIX)!));

export const JIT_OPTIMIZED = 'jit-optimized';

registerCondition({
  name: JIT_OPTIMIZED,
  description:
    "The task's own skills as jit-optimize left them for the target model and harness: the accepted proposal's deployed round, or (bench option jitOptimized best-completed) the best round of the newest finished proposal; never a rejected, failed or infra-blocked one. No such proposal ⇒ the cell fails with the reason.",
  skipReason: ({ taskSkills }) => (taskSkills.length === 0 ? 'the task names no skill' : undefined),
  async plan({ taskSkills }, ctx) {
    if (!ctx.jit) throw new Error(`bench condition ${JIT_OPTIMIZED} needs the proposals folder, and this bench was started without it`);
    const optimized = await Promise.all(taskSkills.map((s) => ctx.jit!.optimizedSkill(s, { model: ctx.model, harness: ctx.adapter })));
    return { skills: optimized, stage: optimized, skillIds: taskSkills.map(variantSkillName) };
  },
});

/** `aot-compiled-p…` names, made on first use (the family has no end). */
const aotFamily = new Map<string, ConditionDefinition>();
function aotFamilyMember(name: string): ConditionDefinition | undefined {
  let def = aotFamily.get(name);
  if (def) return def;
  const passes = aotConditionPasses(name);
  if (!passes) return undefined;
  def = aotCondition(name, passes);
  aotFamily.set(name, def);
  return def;
}

registerCondition({
  name: JIT_BOOST_CONDITION,
  description: JIT_BOOST_DESCRIPTION,
  skipReason: ({ taskSkills }) => (taskSkills.length === 0 ? 'the task names no skill' : undefined),
  plan: ({ taskSkills }) => ({ skills: taskSkills, stage: taskSkills }),
  deferrable: false,
  execute(opts, plan, meta) {
    if (!opts.jitBoost) throw jitBoostOptionsMissing();
    const skill = combineSkills(plan.skills)!;
    const base = taskRunOptions(opts, plan);
    return runJitBoostCell({
      ...opts,
      task: opts.input.task,
      jit: opts.jitBoost,
      skill,
      skillId: meta.skillId ?? skill.name,
      // Every run is graded at once (the warm-up decides nothing, but its score is reported).
      run: (convLogPath, llm, hooks) => runTask({ ...base, llm, convLogPath, deferJudge: undefined, ...(hooks ? { hooks } : {}) }),
      toResult: (r) => toConditionResult(JIT_BOOST_CONDITION, opts.input.task, r.runResult, r.evalResults, meta),
    });
  },
});

/** Whether a condition needs compiled variants. */
export function isAotCondition(name: string): boolean {
  return name === AOT_CONDITION_PREFIX || name.startsWith(`${AOT_CONDITION_PREFIX}-`);
}

/** The text separating several skills' SKILL.md in one bundle (spec §4.5). */
export const SKILL_JOINER = '\n\n---\n\n';

/**
 * Several skills as the one bundle entry the reference gives the agent: contents joined with
 * `\n\n---\n\n`, name `a+b`, description "Multi-skill bundle". One skill is returned as is.
 */
export function combineSkills(skills: Skill[]): Skill | undefined {
  if (skills.length === 0) return undefined;
  if (skills.length === 1) return skills[0];
  const content = skills.map((s) => s.content).join(SKILL_JOINER);
  const first = skills[0]!;
  return {
    name: skills.map((s) => s.name).join('+'),
    description: 'Multi-skill bundle',
    dir: first.dir,
    skillMdPath: first.skillMdPath,
    content,
    frontMatter: {},
    files: [],
    contentHash: skillContentHash(content),
  };
}

/** ConditionResult skill fields (spec §4.5): id = folder name(s) unless given, path(s), content hash, mode. */
export function skillMeta(skills: Skill[], mode: SkillMode, ids: string[] = skills.map((s) => path.basename(s.dir))): Partial<ConditionResult> {
  const combined = combineSkills(skills);
  if (!combined) return {};
  return {
    skillId: ids.join('+'),
    ...(skills.length === 1 ? { skillPath: skills[0]!.dir } : { skillPaths: skills.map((s) => s.dir) }),
    skillContentHash: combined.contentHash,
    skillMode: mode,
  };
}

/**
 * Errors that end the whole bench at once instead of tainting one cell: every other cell would
 * fail the same way, so a table of crashed rows would only hide the cause.
 * - LlmError `auth` (bad/missing key), `no_route` (no route for the model), `bad_request` with
 *   HTTP 404 (unknown model / wrong base URL);
 * - SandboxUnavailableError (sandbox.mode bwrap without bubblewrap), AdapterUnavailableError
 *   (the harness cannot run on this machine).
 * Everything else — transient vendor errors after retries, other 400s (one prompt too long),
 * tool-argument garbage, a task's `_setup.sh` failing — taints only its cell (`adapter-crashed`).
 */
export function isFatalBenchError(err: unknown): boolean {
  if (err instanceof LlmError) return err.kind === 'auth' || err.kind === 'no_route' || (err.kind === 'bad_request' && err.status === 404);
  return err instanceof SandboxUnavailableError || err instanceof AdapterUnavailableError;
}

/** An LLM error the retry policy gave up on (the vendor looks unavailable). */
export function isVendorOutage(err: unknown): boolean {
  return err instanceof LlmError && (err.kind === 'transient' || err.kind === 'rate_limit' || err.kind === 'timeout');
}

export function evalDetailsOf(results: EvalResult[]): EvalDetail[] {
  return results.map((r) => {
    const c = r.criterion;
    const d: EvalDetail = { method: c.method, score: r.score, details: r.details };
    if (c.id !== undefined) d.id = c.id;
    if (c.name !== undefined) d.name = c.name;
    if (c.weight !== undefined) d.weight = c.weight;
    if (r.checkpoints && r.checkpoints.length > 0) d.checkpoints = r.checkpoints.map((cp) => ({ ...cp }));
    if (r.infraError) d.infraError = r.infraError;
    return d;
  });
}

/** Score fields from eval details (bench aggregation §3.6 #2); also used after merging the async judge. */
export function scoreFromDetails(details: EvalDetail[], gradingWeights?: { automated: number; llmJudge: number }): Pick<ConditionResult, 'score' | 'pass' | 'automatedScore' | 'llmJudgeScore'> {
  const w = computeWeightedScore(
    details.map((d) => ({ method: d.method as EvalResult['criterion']['method'], score: d.score, ...(d.weight !== undefined ? { weight: d.weight } : {}), ...(d.id !== undefined ? { id: d.id } : {}) })),
    gradingWeights,
  );
  return {
    score: w.score,
    pass: w.pass,
    ...(w.automatedScore !== undefined ? { automatedScore: w.automatedScore } : {}),
    ...(w.llmJudgeScore !== undefined ? { llmJudgeScore: w.llmJudgeScore } : {}),
  };
}

export function toConditionResult(condition: string, task: LoadedTask, runResult: RunResult, evalResults: EvalResult[], meta: Partial<ConditionResult>): ConditionResult {
  const ok = runResult.runStatus === 'ok';
  const evalDetails = ok ? evalDetailsOf(evalResults) : [];
  const scored = ok ? scoreFromDetails(evalDetails, task.gradingWeights) : { score: 0, pass: false };
  const usageAvailable = runResult.usageAvailable !== false;
  const r: ConditionResult = {
    condition,
    ...scored,
    evalDetails,
    ...(task.gradingWeights ? { gradingWeights: task.gradingWeights } : {}),
    tokens: { ...runResult.tokens },
    // On disk the cost is always a number (the reference's shape); an unknown price is the flag.
    cost: usageAvailable ? (runResult.cost ?? 0) : 0,
    ...(usageAvailable && runResult.cost === null ? { costIncomplete: true } : {}),
    usageAvailable,
    durationMs: runResult.durationMs,
    llmDurationMs: runResult.llmDurationMs,
    steps: runResult.steps.length,
    ...meta,
    ...(runResult.skillLoaded !== undefined ? { skillLoaded: runResult.skillLoaded } : {}),
    runStatus: runResult.runStatus,
  };
  if (runResult.statusDetail) r.statusDetail = runResult.statusDetail;
  const error = runResult.adapterError?.stderr || (!ok ? runResult.statusDetail : undefined);
  if (error) r.error = error;
  return r;
}

/** The zero result of a cell whose orchestration threw: tainted, never an evaluable 0 (fix of §10 #6). */
export function crashedResult(condition: string, err: unknown, meta: Partial<ConditionResult> = {}): ConditionResult {
  const msg = errorMessage(err);
  const hint = err instanceof SkvmError && err.hint ? ` (${err.hint})` : '';
  return {
    condition,
    score: 0,
    pass: false,
    evalDetails: [],
    tokens: emptyTokens(),
    cost: 0,
    usageAvailable: false,
    durationMs: 0,
    llmDurationMs: 0,
    steps: 0,
    ...meta,
    runStatus: 'adapter-crashed',
    statusDetail: `bench orchestration threw: ${msg}${hint}`,
    error: msg,
  };
}

export interface RunConditionOptions extends Omit<RunTaskOptions, 'skills' | 'stageSkills' | 'stageBundles' | 'task' | 'executeOnly'> {
  condition: ConditionDefinition;
  input: ConditionInput;
  skillMode: SkillMode;
  aot?: AotVariants;
  jit?: JitOptimizedRounds;
  jitBoost?: JitBoostOptions;
}

/** The task run a plan asks for: the plan's skills combined into one bundle, its bundle files staged. */
function taskRunOptions(opts: RunConditionOptions, plan: ConditionPlan): RunTaskOptions {
  const combined = combineSkills(plan.skills);
  return {
    ...opts,
    task: opts.input.task,
    ...(combined ? { skills: { skills: [combined], mode: opts.skillMode } } : {}),
    stageSkills: plan.stage,
    stageBundles: plan.stage.length > 0,
    workDirPrefix: opts.workDirPrefix ?? workDirPrefixFor('bench', opts.input.task.id),
  };
}

export interface ConditionOutcome {
  result: ConditionResult;
  /** The error a crashed cell swallowed (classified by the orchestrator). */
  error?: unknown;
}

/**
 * One bench cell (one repetition of task × condition). Never throws for a cell failure: the
 * result is then `adapter-crashed` with the error in statusDetail. It does rethrow
 * cancellation and the fatal errors of isFatalBenchError.
 */
export async function runCondition(opts: RunConditionOptions): Promise<ConditionOutcome> {
  const { condition, input, skillMode } = opts;
  let meta: Partial<ConditionResult> = {};
  try {
    const plan = await condition.plan(input, { model: opts.model, adapter: opts.adapter, ...(opts.signal ? { signal: opts.signal } : {}), ...(opts.aot ? { aot: opts.aot } : {}), ...(opts.jit ? { jit: opts.jit } : {}) });
    meta = skillMeta(plan.skills, skillMode, plan.skillIds);
    if (condition.execute) return { result: await condition.execute(opts, plan, meta) };
    const out = await runTask(taskRunOptions(opts, plan));
    const result = toConditionResult(condition.name, input.task, out.runResult, out.evalResults, meta);
    if (out.workDir) result.workDir = out.workDir;
    return { result };
  } catch (err) {
    if (opts.signal?.aborted || isAbortError(err)) throw err;
    if (isFatalBenchError(err)) throw err;
    return { result: crashedResult(condition.name, err, meta), error: err };
  }
}
