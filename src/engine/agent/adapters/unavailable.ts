import { SkvmError } from '../../util/errors.js';
import { RUNNABLE_ADAPTERS } from './harnesses.js';

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
