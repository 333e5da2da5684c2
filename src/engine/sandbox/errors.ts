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

const UNCONFINED_OPT_IN =
  'Or, knowing what it gives up, set "sandbox": { "mode": "none" } in skvm.config.json: commands then run unconfined — they can read and write ' +
  'whatever this user can (the skvm cache and config file included), use the network, and see and signal this user’s processes, reading their ' +
  'environment and so the API keys this server holds (unless the server runs as root: commands then run as an unprivileged user of their own). ' +
  'See docs/configuration.md.';

/** How to get a sandbox on this platform. */
function howToSandbox(): string {
  if (process.platform === 'darwin') {
    return 'On macOS commands run under @anthropic-ai/sandbox-runtime (installed with skvm-mcp), which needs Node >= 22.12 and ripgrep (brew install ripgrep).';
  }
  return 'Install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap; Fedora: dnf install bubblewrap; Arch: pacman -S bubblewrap) and allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1 where that setting exists).';
}

/** The configured sandbox cannot run here; the default mode never falls back to running unconfined. */
export class SandboxUnavailableError extends SkvmError {
  constructor(mode: string, reason: string) {
    super(
      mode === 'auto'
        ? `Agent and grader commands need a sandbox, and none can run here: ${reason}. Commands were not run.`
        : `sandbox.mode is "${mode}" but it cannot run here: ${reason}.`,
      { hint: `${howToSandbox()} ${UNCONFINED_OPT_IN}`, code: 'sandbox_unavailable' },
    );
  }
}
