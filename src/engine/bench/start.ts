import type { AdapterMode } from '../agent/adapters/types.js';
import { harnessHost, needsRoute } from '../runtime/index.js';
import { sandboxMode } from '../config/sandbox.js';
import type { Engine } from '../engine.js';
import type { ChatProvider } from '../llm/types.js';
import { resolveSkill } from '../skills/load.js';
import type { SkillMode } from '../skills/types.js';
import { loadTasks, resolveTask, tasksDir, type LoadedTask } from '../tasks/load.js';
import { SkvmError, UsageError } from '../util/errors.js';
import { compileLoadedSkill } from '../compiler/start.js';
import type { CompileVariant } from './aot-compiled.js';
import type { JitOptimizedSelection } from '../proposals/lookup.js';
import type { Logger } from '../util/log.js';
import { runBench, type BenchOutcome } from './orchestrator.js';
import { latestIncompleteSession } from './sessions.js';

/**
 * A bench as the `bench` operation asks for it: task ids and skill names resolved against the
 * dataset root, session files under the cache's logs, the configured sandbox, and models
 * checked for a route and key before anything runs.
 */
export interface StartBenchOptions {
  models: string[];
  tasks?: string[];
  conditions: string[];
  skill?: string;
  skillMode: SkillMode;
  /** One harness (default bare-agent); a resume without it takes its sessions' own. */
  adapter?: string;
  /** Several harnesses, each crossed with every model; not together with `adapter`. */
  adapters?: string[];
  /** CLI harnesses: managed or native (default: config defaults.adapterConfigMode, else managed). */
  adapterConfig?: AdapterMode;
  runsPerTask: number;
  concurrency: number;
  asyncJudge: boolean;
  judgeModel?: string;
  /** Runs per jit-boost cell (default 3). */
  jitRuns?: number;
  /** Compiles missing variants for the aot-compiled conditions. */
  compilerModel?: string;
  /** Which proposal rounds the jit-optimized condition may use (default accepted). */
  jitOptimized?: JitOptimizedSelection;
  timeoutMs?: number;
  maxSteps: number;
  keepWorkDirs: boolean;
  /** A session id to continue, or "latest" for the newest unfinished one. */
  resume?: string;
  web: boolean;
  llm: ChatProvider;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number, message: string) => void;
  log?: Logger;
}

export async function startBench(engine: Engine, opts: StartBenchOptions): Promise<BenchOutcome> {
  if (opts.adapter !== undefined && opts.adapters !== undefined) {
    throw new UsageError(`Both adapter (${opts.adapter}) and adapters (${opts.adapters.join(', ')}) were given.`, 'Give adapter for one harness or adapters for several, not both.');
  }
  const adapters = opts.adapters ?? (opts.adapter !== undefined ? [opts.adapter] : undefined);
  if (opts.compilerModel) engine.llm.resolve(opts.compilerModel);
  const dataRoot = engine.roots.data.value;
  const logsRoot = engine.roots.logs.value;
  let resumeSessionId: string | undefined;
  if (opts.resume === 'latest') {
    resumeSessionId = await latestIncompleteSession(logsRoot);
    if (!resumeSessionId) throw new UsageError('There is no unfinished bench session to resume.', 'Start a new bench, or name the session to resume.');
  } else if (opts.resume) resumeSessionId = opts.resume;

  let tasks: LoadedTask[];
  const warnings: string[] = [];
  if (opts.tasks && opts.tasks.length > 0) {
    tasks = [];
    for (const ref of opts.tasks) tasks.push(await resolveTask(ref, dataRoot));
  } else {
    const listing = await loadTasks(tasksDir(dataRoot));
    tasks = listing.tasks;
    for (const p of listing.problems) warnings.push(`task folder ${p.dir} not loaded: ${p.error}`);
    if (tasks.length === 0) throw new UsageError(`No tasks found under ${tasksDir(dataRoot)}.`, 'Point SKVM_DATA_DIR (or --skvm-data-dir) at a dataset with tasks/, or name tasks explicitly.');
  }
  const customSkill = opts.skill ? await resolveSkill(opts.skill, dataRoot) : undefined;

  // Each (model, adapter) session gets its adapter's own host.
  const hostFor = (adapter: string) => harnessHost(engine.config().config, engine.env, adapter, opts.adapterConfig);
  const outcome = await runBench({
    models: opts.models,
    ...(adapters ? { adapters } : {}),
    harness: hostFor,
    conditions: opts.conditions,
    tasks,
    ...(customSkill ? { customSkill } : {}),
    skillMode: opts.skillMode,
    runsPerTask: opts.runsPerTask,
    concurrency: opts.concurrency,
    asyncJudge: opts.asyncJudge,
    ...(opts.judgeModel ? { judgeModel: opts.judgeModel } : {}),
    aot: {
      proposalsRoot: engine.roots.proposals.value,
      ...(opts.compilerModel ? { compilerModel: opts.compilerModel, compile: onDemandCompiler(engine, opts.compilerModel, opts) } : {}),
    },
    jit: { proposalsRoot: engine.roots.proposals.value, use: opts.jitOptimized ?? 'accepted' },
    jitBoost: { proposalsRoot: engine.roots.proposals.value, ...(opts.jitRuns ? { runs: opts.jitRuns } : {}), ...(opts.compilerModel ? { generatorModel: opts.compilerModel } : {}) },
    llm: opts.llm,
    logsRoot,
    cacheRoot: engine.roots.cache.value,
    tmpRoot: engine.tmpDir().value,
    sandbox: { mode: sandboxMode(engine), network: opts.web },
    web: opts.web,
    ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
    maxSteps: opts.maxSteps,
    keepWorkDirs: opts.keepWorkDirs,
    ...(resumeSessionId ? { resumeSessionId } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    ...(opts.log ? { log: opts.log } : {}),
    taskFilter: opts.tasks && opts.tasks.length ? opts.tasks : null,
    // A native harness uses its own login: its model needs no route of ours. The judge (no adapter) always does.
    preflight: (model, adapter) => (adapter === undefined || needsRoute(hostFor(adapter), adapter) ? engine.llm.resolve(model) : undefined),
  });
  return { ...outcome, warnings: [...warnings, ...outcome.warnings] };
}

/** Compiles a task skill that has no published variant, with the cached profile of the cell's target. */
function onDemandCompiler(engine: Engine, compilerModel: string, opts: StartBenchOptions): CompileVariant {
  return async (req) => {
    const outcome = await compileLoadedSkill(engine, req.skill, {
      model: req.model,
      harness: req.harness,
      passes: req.passes.map(String),
      compilerModel,
      llm: opts.llm,
      ...(req.signal ? { signal: req.signal } : {}),
      ...(opts.log ? { log: opts.log } : {}),
    });
    if (!outcome.published) {
      throw new SkvmError(`the guard rejected the compiled ${outcome.skillName}: ${outcome.guard.violations.join('; ')}`, {
        code: 'compiler_failed',
        hint: 'Nothing was published. Compile the skill with compile (detail "full" shows the diff) and look at the violations.',
      });
    }
    return { variantDir: outcome.variantDir };
  };
}
