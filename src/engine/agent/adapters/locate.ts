import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import * as os from 'node:os';
import { expandPath } from '../../util/fs.js';
import { which } from '../../util/which.js';
import { harnessEntry } from './harnesses.js';

/**
 * Where a harness's CLI is, by the reference's precedence (spec runtime §2.12/2.13): the
 * harness's override variable (`SKVM_CLAUDE_CMD`, `SKVM_CODEX_CMD`), then config
 * `adapters.<name>` (a binary or a checkout directory), then the binary on PATH.
 */
export interface HarnessCliLocation {
  /** Absolute path when found (a binary, or a checkout directory from the config). */
  path?: string;
  via: 'env' | 'config' | 'PATH';
  /** What was looked for, for messages: `$SKVM_CODEX_CMD`, `adapters.codex`, `codex on PATH`. */
  looked: string;
}

type AdapterConfigEntry = string | { repoPath?: string } | undefined;

export function locateHarnessCli(name: string, env: NodeJS.ProcessEnv, adapters: Record<string, unknown> = {}): HarnessCliLocation | undefined {
  const cli = harnessEntry(name)?.cli;
  if (!cli) return undefined;
  const home = env.HOME ?? os.homedir();
  const fromEnv = cli.envVar ? env[cli.envVar] : undefined;
  if (fromEnv) {
    // A bare name is looked up on PATH; a path (also ~/…) is taken as given.
    const found = which(fromEnv.includes('/') || fromEnv.startsWith('~') ? expandPath(fromEnv, home) : fromEnv, env);
    return { ...(found ? { path: found } : {}), via: 'env', looked: `$${cli.envVar} (${fromEnv})` };
  }
  const entry = adapters[name] as AdapterConfigEntry;
  const configured = typeof entry === 'string' ? entry : entry?.repoPath;
  if (configured) {
    const abs = expandPath(configured, home);
    return { ...(existsSync(abs) ? { path: abs } : {}), via: 'config', looked: `adapters.${name} (${configured})` };
  }
  const found = which(cli.bin, env);
  return { ...(found ? { path: found } : {}), via: 'PATH', looked: `${cli.bin} on PATH` };
}

/** `<bin> --version`, first line, or undefined (not a file, no answer within 5 s, non-zero exit). */
export function cliVersion(binary: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  try {
    if (!statSync(binary).isFile()) return Promise.resolve(undefined);
  } catch {
    return Promise.resolve(undefined);
  }
  // Only what a version flag needs: no keys reach the harness binary.
  const childEnv = { PATH: env.PATH ?? '', HOME: env.HOME ?? os.homedir() };
  return new Promise((resolve) => {
    execFile(binary, ['--version'], { timeout: 5_000, env: childEnv, maxBuffer: 64 * 1024 }, (err, stdout) => {
      const line = String(stdout).trim().split('\n')[0]?.trim();
      resolve(err || !line ? undefined : line.slice(0, 200));
    });
  });
}
