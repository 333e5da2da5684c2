import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { HARNESS_CLI_CACHE_ENV, harnessCliBinPath, harnessCliCacheRoot, harnessCliInstallDirName } from '../../src/engine/agent/adapters/cli-cache.js';
import { pathExists } from '../../src/engine/util/fs.js';
import { SkvmError } from '../../src/engine/util/errors.js';

/**
 * Resolve-or-install a harness CLI from the npm registry into a cache outside the repo, one
 * directory per package@version, so fixture generation and adapter integration tests run the
 * real binary without touching the user's global installs. Never part of `npm test`.
 */

export interface HarnessCliPackage {
  /** npm package, e.g. `@openai/codex`. */
  pkg: string;
  /** Exact version: fixtures and tests name the CLI version they were made with. */
  version: string;
  /** Executable name the package declares in `bin`. */
  bin: string;
}

export interface InstalledHarnessCli extends HarnessCliPackage {
  /** Absolute path of the executable to run. */
  binPath: string;
  /** The package@version install directory inside the cache. */
  dir: string;
  /** False when it was already in the cache. */
  installed: boolean;
}


async function installedVersion(dir: string, pkg: string): Promise<string | undefined> {
  try {
    const manifest = JSON.parse(await readFile(join(dir, 'node_modules', pkg, 'package.json'), 'utf8')) as { version?: unknown };
    return typeof manifest.version === 'string' ? manifest.version : undefined;
  } catch {
    return undefined;
  }
}

/** npm error codes meaning "the registry could not be reached", as opposed to a bad package name or version. */
const OFFLINE_CODES = /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|CERT_|UNABLE_TO_GET_ISSUER)/;

function npmInstall(prefix: string, spec: HarnessCliPackage, signal?: AbortSignal): Promise<void> {
  const args = ['install', '--prefix', prefix, '--no-audit', '--no-fund', '--loglevel=error', `${spec.pkg}@${spec.version}`];
  return new Promise((resolve, reject) => {
    execFile('npm', args, { signal, maxBuffer: 4 * 1024 * 1024, timeout: 10 * 60_000 }, (err, _stdout, stderr) => {
      if (!err) return resolve();
      // npm puts the error code and its reason first, then a stack trace.
      const detail = String(stderr).trim().split('\n').slice(0, 4).join('\n');
      const what = `${spec.pkg}@${spec.version}`;
      if (OFFLINE_CODES.test(String(stderr))) {
        reject(
          new SkvmError(`Cannot install ${what}: the npm registry is unreachable.\n${detail}`, {
            hint: `Check network access to the registry (npm config get registry), or install it yourself with "npm install --prefix <dir> ${what}" and set ${HARNESS_CLI_CACHE_ENV}.`,
            code: 'registry_unreachable',
            cause: err,
          }),
        );
      } else {
        reject(new SkvmError(`npm install ${what} failed.\n${detail}`, { hint: 'Check the package name and version with "npm view <pkg> versions".', cause: err }));
      }
    });
  });
}

/**
 * The CLI's executable, installing `pkg@version` into the cache first when it is not there.
 * Installs go to a temporary sibling directory that is renamed into place, so an interrupted
 * install is never mistaken for a complete one.
 */
export async function ensureHarnessCli(
  spec: HarnessCliPackage,
  opts: { cacheRoot?: string; signal?: AbortSignal; log?: (line: string) => void } = {},
): Promise<InstalledHarnessCli> {
  const root = opts.cacheRoot ?? harnessCliCacheRoot();
  const dir = join(root, harnessCliInstallDirName(spec.pkg, spec.version));
  const binPath = harnessCliBinPath(dir, spec.bin);
  let installed = false;
  if ((await installedVersion(dir, spec.pkg)) !== spec.version || !(await pathExists(binPath))) {
    await mkdir(root, { recursive: true, mode: 0o755 });
    const staging = await mkdtemp(join(root, `.installing-${harnessCliInstallDirName(spec.pkg, spec.version)}-`));
    try {
      opts.log?.(`installing ${spec.pkg}@${spec.version} into ${dir}`);
      // mkdtemp makes it 0700: a root engine's unprivileged harness user must reach the CLI.
      await chmod(staging, 0o755);
      await npmInstall(staging, spec, opts.signal);
      await rm(dir, { recursive: true, force: true });
      await rename(staging, dir);
      installed = true;
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }
  if (!(await pathExists(binPath))) {
    throw new SkvmError(`${spec.pkg}@${spec.version} installed, but it has no "${spec.bin}" executable at ${binPath}.`, {
      hint: `Check the package's "bin" field; remove ${dir} to reinstall.`,
    });
  }
  return { ...spec, binPath, dir, installed };
}
