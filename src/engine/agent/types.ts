import type { TokenUsage } from '../llm/types.js';

/**
 * The result of one agent run (spec runtime §2.2, MUST compat field names). `runStatus` is the
 * only trust signal: anything but `ok` is never evaluated or counted.
 */
export type RunStatus = 'ok' | 'timeout' | 'adapter-crashed' | 'parse-failed' | 'tainted';

export interface ToolCallRecord {
  id: string;
  name: string;
  input: Record<string, unknown>;
  output?: string;
  durationMs?: number;
  exitCode?: number;
}

export interface AgentStep {
  role: 'assistant' | 'tool';
  text?: string;
  toolCalls: ToolCallRecord[];
  /** ms since epoch */
  timestamp: number;
}

export interface AdapterError {
  exitCode: number;
  stderr: string;
  diagnosis?: { summary: string; hint?: string; source: string };
}

export interface RunResult {
  text: string;
  steps: AgentStep[];
  tokens: TokenUsage;
  /** USD; null when some call's price was unknown (rendered "n/a", never $0). */
  cost: number | null;
  durationMs: number;
  llmDurationMs: number;
  workDir: string;
  skillLoaded?: boolean;
  runStatus: RunStatus;
  statusDetail?: string;
  usageAvailable?: boolean;
  adapterError?: AdapterError;
}

/** Runtime hooks (spec runtime §2.3) so jit-boost can plug in later. */
export interface BeforeLlmContext {
  prompt: string;
  workDir: string;
  iteration: number;
  previousToolCalls: ToolCallRecord[];
  /** The run's signal (cancellation and its deadline), for hooks that do work of their own. */
  signal?: AbortSignal;
}
export type BeforeLlmDecision = { action: 'passthrough' } | { action: 'replace'; toolResults: ToolCallRecord[]; text?: string };

export interface RuntimeHooks {
  beforeLLM?: Array<(ctx: BeforeLlmContext) => BeforeLlmDecision | Promise<BeforeLlmDecision>>;
  afterLLM?: Array<(ctx: { response: import('../llm/types.js').ChatResponse; iteration: number; workDir: string }) => void | Promise<void>>;
  afterTool?: Array<(ctx: { toolCall: ToolCallRecord; workDir: string; iteration: number }) => void | Promise<void>>;
  afterRun?: Array<(ctx: { result: RunResult; skillId?: string; success: boolean }) => void | Promise<void>>;
}
