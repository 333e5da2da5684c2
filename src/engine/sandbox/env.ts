import { execFile, spawnSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { redact } from '../util/redact.js';
import { which } from '../util/which.js';
import { SandboxViolation } from './errors.js';

/**
 * The environment of every sandboxed command is built from nothing: a fixed PATH, HOME, locale,
 * TMPDIR and TERM. Nothing is copied from process.env, so API keys and tokens the engine holds
 * (spec runtime §10 item 26: the reference's execute_command inherited them) never reach a
 * command, and a caller cannot add one through `extra` either.
 */

export const SAFE_PATH: readonly string[] = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** Variable names that look like credentials; refused in `extra`. */
const SECRET_NAME = /KEY|TOKEN|SECRET|PASSW|AUTH|CREDENTIAL/i;
const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function isSecretEnvName(name: string): boolean {
  return SECRET_NAME.test(name);
}

let toolDirsCache: string[] | undefined;

/**
 * Directories (outside SAFE_PATH) where `node` and `python3` are found on the host PATH, so
 * graders and agents find the same interpreters the user installed (nvm, pyenv, …). Computed
 * once per process.
 */
export function toolPathDirs(): string[] {
  if (toolDirsCache) return toolDirsCache;
  const dirs: string[] = [];
  const add = (file: string | undefined) => {
    if (!file) return;
    const dir = path.dirname(file);
    if (!SAFE_PATH.includes(dir) && !dirs.includes(dir)) dirs.push(dir);
  };
  add(which('node'));
  add(process.execPath);
  // Version managers (pyenv) put a shell shim on PATH that costs ~200 ms per start; the real
  // interpreter's directory goes first so graders and probes start python3 directly.
  add(python3Install()?.executable);
  add(which('python3'));
  toolDirsCache = dirs;
  return dirs;
}

let toolPrefixCache: string[] | undefined;

/**
 * Install prefixes of the node and python3 above (`~/.nvm/versions/node/v20`,
 * `~/.pyenv/versions/3.11.7`, a venv and the Python it was made from): the directories a
 * sandbox must show for those interpreters to start and find their libraries.
 */
export function toolPrefixes(): string[] {
  if (toolPrefixCache) return toolPrefixCache;
  const out = new Set<string>();
  for (const exe of [process.execPath, which('node')]) {
    if (!exe) continue;
    try {
      const dir = path.dirname(realpathSync(exe));
      out.add(path.basename(dir) === 'bin' ? path.dirname(dir) : dir);
    } catch {
      // broken link
    }
  }
  for (const p of python3Install()?.prefixes ?? []) out.add(p);
  toolPrefixCache = [...out];
  return toolPrefixCache;
}

interface Python3Install {
  executable: string;
  prefixes: string[];
}
let python3Cache: Python3Install | null | undefined;
let python3Pending: Promise<void> | undefined;

const PY_ARGS = ['-c', 'import sys; print(sys.executable); print(sys.prefix); print(sys.base_prefix)'];

function parsePython3(ok: boolean, stdout: string): Python3Install | null {
  const [exe, ...prefixes] = ok ? stdout.trim().split('\n') : [];
  return exe && path.isAbsolute(exe) ? { executable: exe, prefixes: prefixes.filter((p) => path.isAbsolute(p)) } : null;
}

/**
 * Looks python3 up without blocking the event loop. A pyenv shim takes ~100–200 ms to answer;
 * done synchronously at the first command it stalled every concurrent probe of a profile, so
 * runCommand awaits this (and the runtime starts it with an agent run's first model call).
 */
export function primeToolPaths(): Promise<void> {
  if (python3Cache !== undefined) return Promise.resolve();
  python3Pending ??= new Promise<void>((resolve) => {
    const shim = which('python3');
    if (!shim) {
      python3Cache ??= null;
      return resolve();
    }
    execFile(shim, PY_ARGS, { encoding: 'utf8', timeout: 10_000 }, (err, stdout) => {
      python3Cache ??= parsePython3(!err, stdout);
      resolve();
    });
  });
  return python3Pending;
}

/** The real python3 behind any shim, once primeToolPaths has found it (never starts a lookup). */
export function primedPython3(): string | undefined {
  return python3Cache?.executable;
}

/** Synchronous fallback for callers that did not prime (computed once per process). */
function python3Install(): Python3Install | undefined {
  if (python3Cache !== undefined) return python3Cache ?? undefined;
  const shim = which('python3');
  python3Cache = null;
  if (!shim) return undefined;
  const r = spawnSync(shim, PY_ARGS, { encoding: 'utf8', timeout: 10_000 });
  python3Cache = parsePython3(r.status === 0, r.stdout ?? '');
  return python3Cache ?? undefined;
}

export interface EnvPlace {
  /** HOME for the command (runCommand passes the work directory). Default: the OS temp dir. */
  home?: string;
  /** TMPDIR for the command. Default: the OS temp dir. */
  tmpDir?: string;
}

/**
 * A minimal fresh environment. `extra` adds variables (a task's settings); names that look like
 * credentials, invalid names, NUL bytes and values holding a registered API key are refused
 * with a SandboxViolation rather than silently dropped, so the caller learns about it.
 */
export function scrubbedEnv(extra?: Record<string, string>, place: EnvPlace = {}): Record<string, string> {
  const tmp = place.tmpDir ?? os.tmpdir();
  const env: Record<string, string> = {
    PATH: [...toolPathDirs(), ...SAFE_PATH].join(':'),
    HOME: place.home ?? tmp,
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
    TMPDIR: tmp,
    TERM: 'dumb',
  };
  for (const [name, value] of Object.entries(extra ?? {})) {
    if (!VAR_NAME.test(name)) throw new SandboxViolation(`Refused environment variable ${JSON.stringify(name)}: not a valid variable name.`, 'Use letters, digits and underscores, not starting with a digit.');
    if (isSecretEnvName(name)) {
      throw new SandboxViolation(
        `Refused environment variable ${name}: its name looks like a credential (KEY, TOKEN, SECRET, PASSWORD, AUTH, CREDENTIAL), and sandboxed commands never receive credentials.`,
        'Commands run untrusted code; give them no keys. Rename the variable if it holds no secret.',
      );
    }
    if (typeof value !== 'string' || value.includes('\0')) throw new SandboxViolation(`Refused environment variable ${name}: its value is not a string without NUL bytes.`);
    if (redact(value) !== value) throw new SandboxViolation(`Refused environment variable ${name}: its value contains an API key the engine holds.`, 'Commands run untrusted code; give them no keys.');
    env[name] = value;
  }
  return env;
}
