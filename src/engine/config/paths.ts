import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync, readFileSync } from 'node:fs';
import { expandPath } from '../util/fs.js';

/** Where a resolved value came from, shown by config_show. */
export type Source = 'flag' | 'env' | 'config' | 'default' | 'legacy';

export interface Resolved<T> {
  value: T;
  source: Source;
  /** The flag or variable name when source is flag/env. */
  from?: string;
}

/** Every root the engine writes under (spec runtime §1.8; reference layout). */
export interface Roots {
  installRoot: Resolved<string>;
  cache: Resolved<string>;
  profiles: Resolved<string>;
  logs: Resolved<string>;
  proposals: Resolved<string>;
  data: Resolved<string>;
  /** `tmp` depends on the config file (paths.tmpDir), so it is resolved with the config. */
  runs: Resolved<string>;
  sessionsIndex: string;
}

/**
 * Root locations the caller was given on its command line (the front ends parse
 * `--skvm-cache=`, `--skvm-data-dir=` and `--tmp-dir=`; the engine never reads argv).
 */
export interface RootFlags {
  cache?: string;
  dataDir?: string;
  tmpDir?: string;
}

export interface RootInputs {
  flags: RootFlags;
  env: NodeJS.ProcessEnv;
  home?: string;
  cwd?: string;
  installRoot?: string;
}

/** The package root: the directory holding our package.json (bundled skvm-data lives there). */
export function findInstallRoot(from: string = fileURLToPath(import.meta.url)): string {
  let dir = path.dirname(from);
  for (;;) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'skvm-data'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve(path.dirname(from), '../../..');
    dir = parent;
  }
}

/** How config_show names a flag-given root (the reference's flag names). */
const FLAG_LABELS: Record<keyof RootFlags, string> = { cache: '--skvm-cache', dataDir: '--skvm-data-dir', tmpDir: '--tmp-dir' };

let version: string | undefined;

/** The version in the install root's package.json ("0.0.0" when it cannot be read). */
export function packageVersion(): string {
  if (version) return version;
  try {
    version = (JSON.parse(readFileSync(path.join(findInstallRoot(), 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    version = '0.0.0';
  }
  return version;
}


export function resolveRoots(inp: RootInputs): Roots {
  const home = inp.home ?? os.homedir();
  const cwd = inp.cwd ?? process.cwd();
  const installRoot = inp.installRoot ?? findInstallRoot();
  const abs = (p: string) => expandPath(p, home, cwd);
  const pick = (flag: keyof RootFlags | undefined, envName: string | undefined, fallback: () => string): Resolved<string> => {
    if (flag) {
      const v = inp.flags[flag];
      if (v) return { value: abs(v), source: 'flag', from: FLAG_LABELS[flag] };
    }
    if (envName) {
      const v = inp.env[envName];
      if (v) return { value: abs(v), source: 'env', from: envName };
    }
    return { value: fallback(), source: 'default' };
  };

  const cache = pick('cache', 'SKVM_CACHE', () => path.join(home, '.skvm'));
  const profiles = pick(undefined, 'SKVM_PROFILES_DIR', () => path.join(cache.value, 'profiles'));
  const logs = pick(undefined, 'SKVM_LOGS_DIR', () => path.join(cache.value, 'log'));
  const proposals = pick(undefined, 'SKVM_PROPOSALS_DIR', () => path.join(cache.value, 'proposals'));
  const data = pick('dataDir', 'SKVM_DATA_DIR', () => path.join(installRoot, 'skvm-data'));
  const runs: Resolved<string> = { value: path.join(cache.value, 'runs'), source: 'default' };


  return {
    installRoot: { value: installRoot, source: 'default' },
    cache,
    profiles,
    logs,
    proposals,
    data,
    runs,
    sessionsIndex: path.join(logs.value, 'sessions.jsonl'),
  };
}

/**
 * Config location: `<cache>/skvm.config.json` if present, else the legacy install-root file,
 * else the cache path (where config_init writes). Re-evaluated on every config read.
 */
export function locateConfigFile(cacheDir: string, installRoot: string): Resolved<string> {
  const cacheConfig = path.join(cacheDir, 'skvm.config.json');
  if (existsSync(cacheConfig)) return { value: cacheConfig, source: 'default' };
  const legacyConfig = path.join(installRoot, 'skvm.config.json');
  if (existsSync(legacyConfig)) return { value: legacyConfig, source: 'legacy' };
  return { value: cacheConfig, source: 'default' };
}

/** Temp root: `--tmp-dir=` > SKVM_TMP_DIR > config paths.tmpDir > os.tmpdir(). */
export function resolveTmpDir(inp: RootInputs, configTmpDir: string | undefined): Resolved<string> {
  const home = inp.home ?? os.homedir();
  const cwd = inp.cwd ?? process.cwd();
  const flag = inp.flags.tmpDir;
  if (flag) return { value: expandPath(flag, home, cwd), source: 'flag', from: FLAG_LABELS.tmpDir };
  const env = inp.env.SKVM_TMP_DIR;
  if (env) return { value: expandPath(env, home, cwd), source: 'env', from: 'SKVM_TMP_DIR' };
  if (configTmpDir) return { value: expandPath(configTmpDir, home, cwd), source: 'config', from: 'paths.tmpDir' };
  return { value: os.tmpdir(), source: 'default' };
}

/** The reference's model-id → directory-name mapping alone: `/` → `--`, `:` → `_`. */
export function modelDirKey(model: string): string {
  return model.replace(/\//g, '--').replace(/:/g, '_');
}

/**
 * The reference's on-disk key for a model id (modelDirKey); empty or dot-only results are
 * refused (they would name the parent directory).
 */
export function safeModelName(model: string): string {
  const out = modelDirKey(model);
  if (out.length === 0 || /^\.+$/.test(out)) throw new Error(`Model id "${model}" cannot be used as a directory name.`);
  return out;
}

/** Where the profiler logs one job's probes (spec §5.1): `<logs>/profile/<harness>/<safeModel>`. */
export function profileLogDir(logsRoot: string, harness: string, model: string): string {
  return path.join(logsRoot, 'profile', harness, safeModelName(model));
}
