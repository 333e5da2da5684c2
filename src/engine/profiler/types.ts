import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AgentStep } from '../agent/types.js';
import type { ProbeLevel } from '../primitives/catalog.js';
import type { CommandResult } from '../sandbox/types.js';

/**
 * Probes: one generated instance of a primitive at a level. Every instance carries the means
 * to grade it (a TypeScript check over the work directory and the final answer) and two
 * scripted ways to answer it — a reference solution that passes and a plausible near-miss that
 * fails — so the generator itself is testable without a model, and the planted-capability
 * simulator can play a model of known ability.
 */

/** One assistant turn of a scripted solution: tool calls (run by the real bare-agent tools) and/or text. */
export interface SolutionTurn {
  toolCalls?: Array<{ name: string; arguments: Record<string, unknown> }>;
  text?: string;
}

/** Turns played in order; the last turn is text only: the final answer. */
export interface ProbeSolution {
  turns: SolutionTurn[];
}

export interface ProbeCheckpoint {
  name: string;
  /** In [0, 1]; an instance passes when every checkpoint scores ≥ 0.5 (the reference's rule). */
  score: number;
  reason?: string;
}

export interface ProbeCheckContext {
  /** The agent's work directory as it left it (response.txt holds the final answer). */
  workDir: string;
  /** The agent's final answer. */
  finalText: string;
  /** Every agent step, with tool calls (name, input, output, exitCode) — for checks on how the work was done. */
  steps: AgentStep[];
  /** A file of the work dir (path relative to it, confined); undefined when missing. */
  readFile(rel: string): Promise<string | undefined>;
  /** Run a command in the work dir through the sandbox (e.g. re-run the agent's script). */
  run(command: string, opts?: { timeoutMs?: number; stdin?: string }): Promise<CommandResult>;
}

/** Tools a probe's task needs on the machine; a missing one makes the instance a skip, never a failure. */
export type ProbeRequirement = 'python3' | 'node' | 'sqlite3' | 'bash' | `python3:${string}`;

/**
 * A local HTTP API a probe talks to (tool.web): the runner serves it from this process on
 * 127.0.0.1 and replaces `{{BASE_URL}}` (e.g. http://127.0.0.1:40123) in the prompt, the setup
 * files and the solutions before anything runs.
 */
export interface ProbeServer {
  handle(req: IncomingMessage, res: ServerResponse): void;
}

export const BASE_URL_PLACEHOLDER = '{{BASE_URL}}';

export interface ProbeInstance {
  primitiveId: string;
  level: ProbeLevel;
  /** The seed this instance was generated from: generate(level, seed) reproduces it exactly. */
  seed: number;
  prompt: string;
  /** Files written into the work dir before the agent starts (relative path → content). */
  setupFiles: Record<string, string>;
  requires: ProbeRequirement[];
  server?: ProbeServer;
  /** The agent needs network access (web_fetch and commands may reach the probe's server). */
  web?: boolean;
  check(ctx: ProbeCheckContext): Promise<ProbeCheckpoint[]>;
  reference: ProbeSolution;
  nearMiss: ProbeSolution;
}

export interface ProbeGenerator {
  primitiveId: string;
  /** One line per level: what the level's probes ask (recorded as the TCP's testDescription). */
  descriptions: Record<ProbeLevel, string>;
  /** Deterministic: the same level and seed always give the same instance. */
  generate(level: ProbeLevel, seed: number): ProbeInstance;
  /** Present when the generator's code loads on demand: loads it (once); generate works after. */
  ready?(): Promise<void>;
}
