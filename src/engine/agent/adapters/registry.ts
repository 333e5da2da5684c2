import { closestMatches } from '../../util/closest.js';
import { NotFoundError, type SkvmError } from '../../util/errors.js';
import { ADAPTERS, isKnownAdapter, isRunnableAdapter, type RunnableAdapter } from './harnesses.js';
import { AdapterUnavailableError } from './unavailable.js';
import type { AgentAdapter } from './types.js';

export { AdapterUnavailableError };

/**
 * The adapter modules of the built harnesses (harnesses.ts names them all), loaded on first
 * use, and the errors for a harness that cannot run (AdapterUnavailableError lives in
 * unavailable.ts so adapter modules can throw it without importing the registry). A new harness is one adapter module plus
 * one line here; the type makes a built harness without a loader a compile error.
 */
const LOADERS: Record<RunnableAdapter, () => Promise<AgentAdapter>> = {
  'bare-agent': async () => (await import('./bare-agent.js')).bareAgentAdapter,
  opencode: async () => (await import('./opencode.js')).opencodeAdapter,
  openclaw: async () => (await import('./openclaw.js')).openclawAdapter,
  hermes: async () => (await import('./hermes.js')).hermesAdapter,
  jiuwenclaw: async () => (await import('./jiuwenclaw.js')).jiuwenclawAdapter,
  pi: async () => (await import('./pi.js')).piAdapter,
  'claude-code': async () => (await import('./claude-code.js')).claudeCodeAdapter,
  codex: async () => (await import('./codex.js')).codexAdapter,
};

/** The error for a harness name that cannot be run: not built yet, or unknown (with close names). */
export function unrunnableAdapterError(name: string): SkvmError {
  if (isKnownAdapter(name)) return new AdapterUnavailableError(name);
  return new NotFoundError('adapter', name, closestMatches(name, ADAPTERS), `Known adapters: ${ADAPTERS.join(', ')}.`);
}

/** Throws unless `name` is a harness this release can run (availability on this machine is checked at run time). */
export function assertRunnableAdapter(name: string): asserts name is RunnableAdapter {
  if (!isRunnableAdapter(name)) throw unrunnableAdapterError(name);
}

/** The adapter module for a runnable harness name. */
export async function loadAdapter(name: string): Promise<AgentAdapter> {
  if (!isRunnableAdapter(name)) throw unrunnableAdapterError(name);
  return LOADERS[name]();
}
