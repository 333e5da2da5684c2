import type { TokenUsage } from '../llm/types.js';
import type { EvidenceCriterion } from '../jit/types.js';

/** Every transcript shape the parsers recognise (contract in notes/i10-contracts.md). */
export type TranscriptFormat =
  | 'claude-code-session'
  | 'claude-code-stream-json'
  | 'codex-rollout'
  | 'codex-exec-json'
  | 'opencode'
  | 'pi'
  | 'gemini-cli'
  | 'skvm-conversation-log'
  | 'skvm-evidence-jsonl' /* Format B */
  | 'simple-report';

export interface TranscriptTurn {
  kind: 'user' | 'assistant' | 'tool-call' | 'tool-result';
  ts?: string;
  text?: string;
  toolName?: string;
  toolCallId?: string;
  arguments?: unknown;
  isError?: boolean;
  exitCode?: number;
  /** A sub-agent's turn (Claude Code `isSidechain`). */
  sidechain?: boolean;
}

export type OutcomeStatus = 'pass' | 'fail' | 'partial' | 'error' | 'unknown';

export interface ParsedTranscript {
  format: TranscriptFormat;
  path: string;
  sessionId?: string;
  cwd?: string;
  model?: string;
  startedAt?: string;
  taskPrompt?: string;
  turns: TranscriptTurn[];
  skillsLoaded: string[];
  usage: TokenUsage;
  costUsd?: number;
  outcome?: { status: OutcomeStatus; text?: string };
  /** Only from a simple report (spec §5.6 item 2). */
  criteria?: EvidenceCriterion[];
  /** Non-empty lines that were not JSON objects (torn, garbage). */
  skippedLines: number;
  warnings: string[];
}

export type DiscoverableHarness = 'claude-code' | 'codex';

export interface TranscriptSummary {
  path: string;
  harness: DiscoverableHarness;
  sessionId?: string;
  modifiedAt: string;
  project?: string;
  firstPrompt?: string;
  sizeBytes: number;
  skillsLoaded: string[];
}
