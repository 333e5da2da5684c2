import { execFile } from 'node:child_process';
import { existsSync, promises as fsp, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freshIdentity } from '../../sandbox/identity.js';
import { isRoot } from '../../sandbox/limits.js';
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

/**
 * `<bin> --version`, its first line (stdout, else stderr: pi prints it there), or undefined (not a
 * file, no answer within 5 s, non-zero exit). It runs with a throwaway HOME (opencode creates its
 * data folders even for --version) and, under a root engine, as an unprivileged user, as a run
 * would: a CLI that user cannot start has no version here either.
 */
export async function cliVersion(binary: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  try {
    if (!statSync(binary).isFile()) return undefined;
  } catch {
    return undefined;
  }
  const home = await fsp.mkdtemp(path.join(os.tmpdir(), 'skvm-version-'));
  try {
    const id = isRoot() ? freshIdentity() : undefined;
    if (id) await fsp.chown(home, id.uid, id.gid);
    // Only what a version flag needs: no keys reach the harness binary.
    const childEnv = { PATH: env.PATH ?? '', HOME: home };
    return await new Promise((resolve) => {
      execFile(binary, ['--version'], { timeout: 5_000, env: childEnv, cwd: home, maxBuffer: 64 * 1024, ...(id ? { uid: id.uid, gid: id.gid } : {}) }, (err, stdout, stderr) => {
        const line = (String(stdout).trim() || String(stderr).trim()).split('\n')[0]?.trim();
        resolve(err || !line ? undefined : line.slice(0, 200));
      });
    });
  } finally {
    await fsp.rm(home, { recursive: true, force: true });
  }
}
