import { closestMatches } from '../util/closest.js';
import { NotFoundError, SkvmError } from '../util/errors.js';

/**
 * The adapter names, the single source of truth (spec runtime §2.1 registry). Only bare-agent
 * runs in this release; the harness adapters keep their names here so configs, profiles and
 * error messages already use them.
 */
export const ADAPTERS = ['bare-agent', 'opencode', 'openclaw', 'hermes', 'jiuwenclaw', 'pi', 'claude-code', 'codex'] as const;
export type AdapterName = (typeof ADAPTERS)[number];

export const SUPPORTED_ADAPTERS = ['bare-agent'] as const satisfies readonly AdapterName[];
export type SupportedAdapter = (typeof SUPPORTED_ADAPTERS)[number];

export function isKnownAdapter(name: string): name is AdapterName {
  return (ADAPTERS as readonly string[]).includes(name);
}

export function isSupportedAdapter(name: string): name is SupportedAdapter {
  return (SUPPORTED_ADAPTERS as readonly string[]).includes(name);
}

/** A known harness this release cannot run yet (code `adapter_unavailable`). */
export class AdapterUnavailableError extends SkvmError {
  readonly adapter: string;
  constructor(adapter: AdapterName) {
    const later = ADAPTERS.filter((a) => !isSupportedAdapter(a));
    super(
      `Adapter "${adapter}" cannot run tasks in this release: only ${SUPPORTED_ADAPTERS.join(', ')} is available. ` +
        `The harness adapters (${later.join(', ')}) arrive in a later release.`,
      { code: 'adapter_unavailable', hint: `Use adapter "bare-agent" for now; it runs the model directly with the reference's five tools.` },
    );
    this.adapter = adapter;
  }
}

/**
 * The error for an adapter name run_task cannot use: AdapterUnavailableError for a known
 * harness this release does not run yet, NotFoundError (with close names) for anything else.
 */
export function unsupportedAdapterError(name: string): SkvmError {
  if (isKnownAdapter(name)) return new AdapterUnavailableError(name);
  return new NotFoundError('adapter', name, closestMatches(name, ADAPTERS), `Known adapters: ${ADAPTERS.join(', ')}.`);
}

/** Throws unless `name` is an adapter this release can run. */
export function assertSupportedAdapter(name: string): asserts name is SupportedAdapter {
  if (!isSupportedAdapter(name)) throw unsupportedAdapterError(name);
}
