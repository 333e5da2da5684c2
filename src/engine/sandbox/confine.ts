import { sandboxSupport, type SandboxSupport } from './bwrap.js';
import { SandboxUnavailableError } from './errors.js';
import { warnOnce } from './logger.js';
import { srtSupport } from './srt.js';
import type { SandboxMode } from './types.js';

/**
 * Which confinement a command gets for a configured mode. `auto` (the default) is bubblewrap on
 * Linux and @anthropic-ai/sandbox-runtime elsewhere (macOS), and never falls back to nothing:
 * without a working sandbox it refuses (with how to get one). Running unconfined is `none`, an explicit opt-in, warned about once with what it gives up.
 */
export type Confinement = { kind: 'bwrap'; support: SandboxSupport } | { kind: 'sandbox-runtime' } | { kind: 'none' };

const UNCONFINED_WARNING =
  'sandbox.mode "none": agent and grader commands run WITHOUT a sandbox. Still in force: scrubbed environment, cwd confined to the work ' +
  'directory, the file tools’ checks, time/output/file-size/process limits, whole-group kill, and — when the server runs as root — an ' +
  'unprivileged user per work directory. Given up: read-only host filesystem (commands can write anywhere their user can), hidden home ' +
  'directory, cache root and config file, network isolation, private /tmp, and the pid namespace (as the same user, commands can see and ' +
  'signal this server and read its /proc/<pid>/environ, API keys included). Remove the setting to get the sandbox back.';

export async function chooseConfinement(mode: SandboxMode): Promise<Confinement> {
  if (mode === 'none') {
    warnOnce('unconfined', UNCONFINED_WARNING);
    return { kind: 'none' };
  }
  if (mode === 'sandbox-runtime' || (mode === 'auto' && process.platform !== 'linux')) {
    const srt = await srtSupport();
    if (!srt.available) throw new SandboxUnavailableError(mode, srt.reason ?? 'unknown reason');
    return { kind: 'sandbox-runtime' };
  }
  const support = await sandboxSupport();
  if (!support.available) throw new SandboxUnavailableError(mode, support.reason ?? 'unknown reason');
  return { kind: 'bwrap', support };
}
