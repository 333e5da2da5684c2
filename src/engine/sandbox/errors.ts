import { SkvmError } from '../util/errors.js';

/**
 * A path, command option or variable was refused because it would reach outside the sandbox.
 * Messages name only what the caller supplied (and paths relative to the work directory),
 * never a host path the caller did not already know.
 */
export class SandboxViolation extends SkvmError {
  constructor(message: string, hint?: string) {
    super(message, { hint: hint ?? 'Use a path inside the work directory; relative paths are resolved against it.', code: 'sandbox_violation' });
  }
}

/** `sandbox.mode` is `bwrap` but bubblewrap cannot run here. */
export class SandboxUnavailableError extends SkvmError {
  constructor(reason: string) {
    super(`sandbox.mode is "bwrap" but bubblewrap cannot run here: ${reason}`, {
      hint: 'Install bubblewrap (e.g. `apt-get install bubblewrap`) and make sure user namespaces are allowed, or set sandbox.mode to "auto" (falls back to unsandboxed commands with a warning) or "none".',
      code: 'sandbox_unavailable',
    });
  }
}
