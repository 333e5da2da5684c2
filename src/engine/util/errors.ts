/**
 * Errors the engine raises on purpose. Each carries a hint that tells the user how to
 * recover; the MCP server and the CLI render `message` and `hint` the same way.
 */
export class SkvmError extends Error {
  readonly hint?: string;
  readonly code: string;
  constructor(message: string, opts: { hint?: string; code?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.hint = opts.hint;
    this.code = opts.code ?? 'error';
  }
}

/** The caller asked for something malformed (CLI exit code 2). */
export class UsageError extends SkvmError {
  constructor(message: string, hint?: string) {
    super(message, { hint, code: 'usage' });
  }
}

/** A named thing (profile, run, primitive…) does not exist; suggests the closest names. */
export class NotFoundError extends SkvmError {
  readonly suggestions: string[];
  constructor(what: string, name: string, suggestions: string[], extraHint?: string) {
    const hintParts: string[] = [];
    if (suggestions.length > 0) hintParts.push(`Closest existing: ${suggestions.join(', ')}.`);
    if (extraHint) hintParts.push(extraHint);
    super(`Unknown ${what} "${name}".`, { hint: hintParts.join(' ') || undefined, code: 'not_found' });
    this.suggestions = suggestions;
  }
}

/** The operation was cancelled through its AbortSignal. */
export class CancelledError extends SkvmError {
  constructor(reason?: unknown) {
    super(typeof reason === 'string' && reason ? `Cancelled: ${reason}` : 'Cancelled.', { code: 'cancelled' });
  }
}

export function isAbortError(err: unknown): boolean {
  if (err instanceof CancelledError) return true;
  if (typeof err !== 'object' || err === null) return false;
  const name = (err as { name?: unknown }).name;
  return name === 'AbortError' || name === 'APIUserAbortError';
}

/** One line for a person: message plus hint, never a stack. */
export function describeError(err: unknown): string {
  if (err instanceof SkvmError) return err.hint ? `${err.message}\nHint: ${err.hint}` : err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
