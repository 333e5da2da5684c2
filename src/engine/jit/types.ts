import type { TokenUsage } from '../llm/types.js';
import type { AdapterError, RunStatus } from '../agent/types.js';
import type { EvidenceCriterion } from '../eval/scoring.js';

/**
 * Types shared by the transcript parsers, the optimizer loop and the proposal store.
 *
 * What the optimizer learns from one agent run or one transcript (spec runtime §5.4, MUST compat
 * field names: the durable `evidence.json` sidecars and `.optimize/` files are read by people and
 * by the reference's tools). Transcript parsers produce it for the `log` source; task runs
 * produce it for `real` and `synthetic`.
 */

/** One line of an evidence conversation: `request` (user/task text), `response` (assistant), `tool` (a result). */
export interface ConversationLogEntry {
  type: 'request' | 'response' | 'tool';
  ts: string;
  text?: string;
  toolCalls?: Array<{ id?: string; name: string; arguments: unknown; output?: string; isError?: boolean; exitCode?: number }>;
  [extra: string]: unknown;
}

/** One weighted criterion of an evidence (spec §5.4); built from grader results in eval/scoring.ts. */
export type { EvidenceCriterion } from '../eval/scoring.js';

export interface RunMeta {
  tokens: TokenUsage;
  costUsd: number;
  durationMs: number;
  adapterError?: AdapterError;
  skillLoaded?: boolean;
  runStatus?: RunStatus;
  statusDetail?: string;
}

export interface Evidence {
  taskId: string;
  taskPrompt: string;
  conversationLog: ConversationLogEntry[];
  criteria?: EvidenceCriterion[];
  /** Relative path → content (text files only; caps in spec §5.4). */
  workDirSnapshot?: { files: Map<string, string> };
  runMeta?: RunMeta;
}

/** One optimizer round as recorded in history.json and fed back to the next round (spec §5.5). */
export interface HistoryChange {
  file: string;
  section?: string;
  description: string;
  generality: string;
  linesDelta?: number;
}

export interface HistoryEntry {
  timestamp: string;
  round: number;
  rootCause: string;
  reasoning: string;
  changes: HistoryChange[];
  changedFiles: string[];
  confidence: number;
  trainScore: number | null;
  testScore: number | null;
  improved: boolean | null;
  /** The round whose skill this round's optimizer edited (ours: a worse round is never the base of the next). */
  basedOnRound?: number;
  infraBlocked?: boolean;
  blockedEvidenceIds?: string[];
  blockedReason?: string;
}

export interface SpendSlice {
  tokens: TokenUsage;
  costUsd: number;
}

/** The scored (or unscored placeholder) result of one round (spec §5.4). */
export interface RoundResult {
  round: number;
  isBaseline: boolean;
  trainScore: number | null;
  /** null when the test set is the train set. */
  testScore: number | null;
  trainPassed: number;
  trainTotal: number;
  testPassed: number;
  testTotal: number;
  perTaskTrainScores: Record<string, number>;
  perTaskTestScores: Record<string, number>;
  targetAgent: SpendSlice & { runs: number; durationMs: number };
  evalJudge: SpendSlice & { calls: number };
  optimizer: SpendSlice | null;
  historyEntry: HistoryEntry | null;
}

/** Persisted in meta.json by finalize (non-log sources). */
export interface SelectionConfig {
  minImprovement: number;
  epsilon: number;
  convergenceThreshold: number;
  perTaskRegressionTolerance?: number;
  minCostReductionRatio?: number;
  scoreEquivalenceBand?: number;
}
