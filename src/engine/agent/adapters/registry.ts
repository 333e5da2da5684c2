import { closestMatches } from '../../util/closest.js';
import { NotFoundError, SkvmError } from '../../util/errors.js';
import { ADAPTERS, isKnownAdapter, isRunnableAdapter, RUNNABLE_ADAPTERS, type RunnableAdapter } from './harnesses.js';
import type { AgentAdapter } from './types.js';

/**
 * The adapter modules of the built harnesses (harnesses.ts names them all), loaded on first
 * use, and the errors for a harness that cannot run. A new harness is one adapter module plus
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

/** A known harness this release cannot run, or one that cannot run on this machine (code `adapter_unavailable`). */
export class AdapterUnavailableError extends SkvmError {
  readonly adapter: string;
  constructor(adapter: string, reason?: string, installHint?: string) {
    super(reason ? `Adapter "${adapter}" cannot run here: ${reason}` : `Adapter "${adapter}" is not available in this release (runnable: ${RUNNABLE_ADAPTERS.join(', ')}).`, {
      code: 'adapter_unavailable',
      hint: installHint ?? `Use ${RUNNABLE_ADAPTERS.map((a) => `"${a}"`).join(' or ')}; adapters_list shows every harness and what it needs.`,
    });
    this.adapter = adapter;
  }
}

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
