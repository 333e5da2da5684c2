import type { RunResult } from '../agent/types.js';
import type { ChatProvider, TokenUsage } from '../llm/types.js';
import type { SandboxMode } from '../sandbox/types.js';
import type { EvalCriterion } from '../tasks/criteria.js';

/** One scored sub-check of a criterion (script checkpoints, grade.py records, junit criteria). */
export interface Checkpoint {
  name: string;
  score: number;
  weight?: number;
  description?: string;
  reason?: string;
}

/** spec runtime §3.3 */
export interface EvalResult {
  pass: boolean;
  /** In [0, 1]. */
  score: number;
  details: string;
  criterion: EvalCriterion;
  checkpoints?: Checkpoint[];
  /** Set when the grader could not run for reasons outside the agent's work (excluded from averages). */
  infraError?: string;
}

export interface EvalContext {
  runResult: RunResult;
  /** The agent's work directory, as the agent left it. */
  workDir: string;
  /** The task's directory (sidecars such as grade.py, fixtures/ with test files). */
  taskDir?: string;
  signal?: AbortSignal;
  /** Needed by llm-judge; without it llm-judge criteria score 0 with a clear reason. */
  judge?: { llm: ChatProvider; model: string };
  /** How grader commands run. */
  sandbox: { mode: SandboxMode; network: boolean; timeoutMs: number };
  /** When set, llm-judge criteria are not judged now: their inputs go to this sink (deferred judging). */
  deferJudge?: (entry: { criterionIndex: number; criterion: EvalCriterion; inputs: JudgeInputs }) => void;
  /** Where private evaluation copies of the work dir are made (default: the OS temp dir). */
  tmpRoot?: string;
  /** Called after each successful (synchronous) judge call with its usage and cost (null = unknown price). */
  onJudgeUsage?: (usage: TokenUsage, costUsd: number | null) => void;
  /**
   * Set by `evaluateAll` for graders that run code (script, custom): a private copy of the work dir
   * (`workspace`, which is then also `workDir`) and a scratch dir beside it for grader artefacts.
   * Evaluators called directly without it make their own.
   */
  evalSpace?: EvalSpace;
}

/**
 * A private place to grade in: `root` is the sandbox's writable directory, `workspace` a copy of the
 * agent's work dir inside it, `graderDir` a sibling for artefacts (runner scripts, transcripts,
 * junit XML) that the grader's subject never sees in its workspace.
 */
export interface EvalSpace {
  root: string;
  workspace: string;
  graderDir: string;
}

/** What an LLM judge sees, captured at run time (also the deferred manifest's `inputs`). */
export interface JudgeInputs {
  trace: string;
  finalOutput: string;
  workDirFiles: string;
}

/** A `custom` evaluator (python-grade, junit-grade, …), registered by id. */
export interface CustomEvaluator {
  id: string;
  /** Throws with a clear message when a task's payload is unusable (checked at load time). */
  validatePayload?(payload: unknown): void;
  /** Reads a sidecar payload (e.g. grade.py) when task.json has none. */
  loadPayload?(taskDir: string): Promise<unknown | undefined>;
  run(criterion: Extract<EvalCriterion, { method: 'custom' }>, ctx: EvalContext): Promise<Omit<EvalResult, 'criterion'>>;
}
