import { EventEmitter } from 'node:events';

/**
 * Tells whoever listens (the MCP server, for `notifications/resources/list_changed`) that a
 * proposal appeared or changed. Module-wide because the store is called with a directory, not
 * an engine, and every writer in this process should be heard.
 */
export interface ProposalChange {
  dir: string;
  kind: 'created' | 'updated' | 'finalized' | 'failed';
}

const emitter = new EventEmitter();
emitter.setMaxListeners(0);

export function emitProposalChange(change: ProposalChange): void {
  emitter.emit('change', change);
}

/** Returns the function that stops listening. */
export function onProposalChange(listener: (change: ProposalChange) => void): () => void {
  emitter.on('change', listener);
  return () => emitter.off('change', listener);
}
