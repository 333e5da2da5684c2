import { existsSync, readdirSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { harnessEntry } from './harnesses.js';

/**
 * The cache of harness CLIs installed per package@version outside any project
 * (scripts/harness-cli/install.ts fills it for test:adapters and the transcript fixtures): its
 * layout, and the newest install of a harness in it, for the demo to use when the CLI is not
 * on PATH.
 */

export const HARNESS_CLI_CACHE_ENV = 'SKVM_HARNESS_CLI_CACHE';

/** Root's cache: a root engine runs harnesses as an unprivileged user, who cannot enter /root (mode 0700). */
const ROOT_CACHE = '/var/cache/skvm-mcp/harness-clis';

/** `$SKVM_HARNESS_CLI_CACHE`, else ~/.cache/skvm-mcp/harness-clis — for root /var/cache/skvm-mcp/harness-clis. */
export function harnessCliCacheRoot(env: NodeJS.ProcessEnv = process.env, uid = process.getuid?.()): string {
  if (env[HARNESS_CLI_CACHE_ENV]) return env[HARNESS_CLI_CACHE_ENV];
  if (uid === 0) return ROOT_CACHE;
  return join(env.HOME || os.homedir(), '.cache', 'skvm-mcp', 'harness-clis');
}

/** `@openai/codex` + `0.169.0` → `@openai__codex@0.169.0`: one flat directory per install. */
export function harnessCliInstallDirName(pkg: string, version: string): string {
  return `${pkg.replace(/\//g, '__')}@${version}`;
}

/** The executable of an install directory. */
export function harnessCliBinPath(installDir: string, bin: string): string {
  return join(installDir, 'node_modules', '.bin', bin);
}

function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map(Number);
  const pb = b.split(/[.-]/).map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0 && !Number.isNaN(d)) return d;
  }
  return 0;
}

/** The newest cached install of a harness's CLI, or undefined when there is none. */
export function cachedHarnessCli(name: string, env: NodeJS.ProcessEnv = process.env): { binPath: string; version: string } | undefined {
  const cli = harnessEntry(name)?.cli;
  if (!cli || !('pkg' in cli) || !cli.pkg) return undefined;
  const root = harnessCliCacheRoot(env);
  const prefix = harnessCliInstallDirName(cli.pkg, '');
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return undefined;
  }
  const found = names
    .filter((n) => n.startsWith(prefix))
    .map((n) => ({ version: n.slice(prefix.length), binPath: harnessCliBinPath(join(root, n), cli.bin) }))
    .filter((c) => existsSync(c.binPath))
    .sort((a, b) => compareVersions(b.version, a.version));
  return found[0];
}
