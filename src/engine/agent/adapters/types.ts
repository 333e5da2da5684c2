import type { ChatProvider } from '../../llm/types.js';
import type { SandboxMode } from '../../sandbox/types.js';
import type { SkillBundle, SkillMode } from '../../skills/types.js';
import type { Logger } from '../../util/log.js';
import type { RunResult, RuntimeHooks } from '../types.js';

/**
 * The harness seam (spec runtime §2.1, reshaped): every agent harness is one module exporting an
 * `AgentAdapter`, registered by name in `registry.ts`. Callers never run an adapter directly —
 * they hand a job to the runtime (`src/engine/runtime`), which prepares the work dir, checks the
 * adapter can run here, calls `run` inside a cleanup scope, and evaluates.
 */

/**
 * managed: we build the harness's whole configuration from our routes (reproducible);
 * native: the harness runs with the user's own configuration copied in.
 */
export type AdapterMode = 'managed' | 'native';

export interface Availability {
  ok: boolean;
  /** Why it cannot run here (when not ok). */
  reason?: string;
  /** How to make it run (when not ok). */
  installHint?: string;
}

/** Cleanups the runtime runs after `run` settles — resolved, rejected or cancelled. */
export interface RunScope {
  /** Registered cleanups run in reverse order; a failing one is logged and the rest still run. */
  defer(cleanup: () => void | Promise<void>): void;
}

export interface AdapterRunOptions {
  /** Full model id `<provider>/<model-id>`. */
  model: string;
  llm: ChatProvider;
  prompt: string;
  /** An existing, prepared work directory. */
  workDir: string;
  skills?: SkillBundle;
  mode: AdapterMode;
  /** LLM turns at most (a normal finish when reached). */
  maxSteps: number;
  /** Wall-clock budget of the whole run. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Whether the agent may reach the network (web_fetch, commands): public addresses only. */
  web: boolean;
  /** Local `host:port`s the agent may reach besides (a profiler probe's own server). */
  allowLocalHosts?: readonly string[];
  sandbox: { mode: SandboxMode; network: boolean };
  /** Write the conversation log (JSONL) here; folders are created. */
  convLogPath?: string;
  hooks?: RuntimeHooks;
  log?: Logger;
  /** The host environment a CLI harness's binary and native config are looked up in (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Config `adapters` (binary paths, native settings per harness). */
  adapters?: Record<string, unknown>;
}

export interface AgentAdapter {
  readonly name: string;
  readonly modes: readonly AdapterMode[];
  readonly skillDelivery: readonly SkillMode[];
  /** Whether this harness can run on this machine now (binary present, platform supported…). */
  available(env: NodeJS.ProcessEnv, adapters?: Record<string, unknown>): Promise<Availability>;
  /**
   * One agent run. Resolves with a RunResult for every outcome the harness itself produced
   * (runStatus says which); rejects on provider errors and with CancelledError on cancel.
   * Anything it starts that outlives the call (processes, temp homes) is registered on `scope`.
   */
  run(opts: AdapterRunOptions, scope: RunScope): Promise<RunResult>;
}
