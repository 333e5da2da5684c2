import type { ChatProvider } from '../llm/types.js';
import type { Skill, SkillMode } from '../skills/types.js';
import type { LoadedTask } from '../tasks/load.js';
import { CancelledError } from '../util/errors.js';
import type { Logger } from '../util/log.js';
import type { HarnessHost, RunTaskSandbox } from '../runtime/index.js';
import type { AotOptions } from './aot-compiled.js';
import type { JitOptimizedOptions } from './jit-optimized.js';
import type { JitBoostOptions } from './jit-boost.js';
import type { BenchReport, WrittenParentReport } from './types.js';

/** What runBench takes and returns (orchestrator.ts), shared by its steps. */

export interface BenchProgressCallback {
  (done: number, total: number, message: string): void;
}

export interface RunBenchOptions {
  /** One session per model × adapter; more than one ⇒ a parent (comparison) session too. */
  models: string[];
  /** Harness names (default bare-agent); a resumed session keeps its own, which these must then match. */
  adapters?: string[];
  /** Each adapter's host (CLI harnesses: mode, binary lookup and native config). */
  harness?: (adapter: string) => HarnessHost;
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
  /** Published variants and on-demand compiling, for the aot-compiled conditions. */
  aot?: AotOptions;
  /** Where proposals are and which rounds count, for the jit-optimized condition. */
  jit?: JitOptimizedOptions;
  /** Where the jit-boost condition keeps candidates and state, its runs per cell and generator model. */
  jitBoost?: JitBoostOptions;
  /** Deferred-judge concurrency (default: `concurrency`, as the reference). */
  judgeConcurrency?: number;
  /** The provider for agents and judges (the run's usage-tracking one). */
  llm: ChatProvider;
  logsRoot: string;
  /** The cache root: sessions.jsonl records log dirs relative to it (absolute when not given). */
  cacheRoot?: string;
  tmpRoot: string;
  sandbox: RunTaskSandbox;
  /** web_fetch may reach the network. */
  web?: boolean;
  /** Absolute per-run timeout; default each task's own timeoutMs. */
  timeoutMs?: number;
  maxSteps: number;
  keepWorkDirs?: boolean;
  /** A single session or a parent session id to continue. */
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
   * Called once per agent (model, adapter) pair and once for the judge model (no adapter) before
   * anything runs; throw (e.g. the LlmError of `LlmClient.resolve`, which needs no network) to fail
   * before a session exists.
   */
  preflight?: (model: string, adapter?: string) => unknown;
}

export interface SkippedCell {
  taskId: string;
  condition: string;
  reason: string;
}

export interface ModelSessionOutcome {
  model: string;
  adapter: string;
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
  /** The session (one model × adapter) or the parent session. */
  sessionId: string;
  sessionDir: string;
  /** Set when one model × adapter was benchmarked. */
  report?: BenchReport;
  /** Set when several were (the parent's comparison report). */
  multi?: WrittenParentReport;
  /** One per model × adapter: models in the order given, each model's adapters in theirs. */
  sessions: ModelSessionOutcome[];
  skipped: SkippedCell[];
  warnings: string[];
  /** Total cells (task × condition × repetition, all sessions) and how many ran in this call. */
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
