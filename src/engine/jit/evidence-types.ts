import type { TokenUsage } from '../llm/types.js';
import type { AdapterError, RunStatus } from '../agent/types.js';

/**
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

export interface EvidenceCriterion {
  id: string;
  name?: string;
  method: 'script' | 'file-check' | 'llm-judge' | 'custom';
  description?: string;
  /** Σ weight = 1 within one evidence. */
  weight: number;
  score: number;
  passed: boolean;
  /** Omitted when the criterion fully passed. */
  details?: string;
  /** Set when the grader or the run hit an infrastructure problem: the evidence is tainted. */
  infraError?: string;
}

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
