import { harnessEntry } from '../agent/adapters/harnesses.js';
import type { AdapterMode } from '../agent/adapters/types.js';
import type { SkvmConfig } from '../config/schema.js';
import type { AgentJob } from './run-agent.js';

/** The host side of a harness run: its mode, and where its binary and the user's own config are found. */
export type HarnessHost = Pick<AgentJob, 'mode' | 'env' | 'adapters'>;

/**
 * An operation's `adapterConfig` wins; else config `defaults.adapterConfigMode` when the harness
 * has that mode (bare-agent is managed only, so a native default does not refuse it); else the
 * harness's first mode (managed). An explicit mode the harness lacks is refused by the runtime.
 */
export function harnessHost(config: SkvmConfig, env: NodeJS.ProcessEnv, adapter: string, adapterConfig?: AdapterMode): HarnessHost {
  const fallback = config.defaults?.adapterConfigMode;
  const mode = adapterConfig ?? (fallback && harnessEntry(adapter)?.modes.includes(fallback) ? fallback : undefined);
  return { ...(mode ? { mode } : {}), env, adapters: config.adapters ?? {} };
}

/** Whether the run's model needs a route of ours (managed mode: the harness is configured from it). */
export function needsRoute(host: HarnessHost, adapter: string): boolean {
  return (host.mode ?? harnessEntry(adapter)?.modes[0] ?? 'managed') === 'managed';
}
