import { statSync } from 'node:fs';
import { LlmClient } from './llm/client.js';
import { bootstrapDotEnv, loadConfigFile, type LoadedConfig } from './config/load.js';
import { findInstallRoot, locateConfigFile, resolveRoots, resolveTmpDir, type Resolved, type RootInputs, type Roots } from './config/paths.js';
import { RunManager } from './runs/manager.js';
import { createLogger, parseLogLevel, type Logger } from './util/log.js';
import { registerEnvSecrets, registerRouteSecrets } from './util/redact.js';
import { protectFromCommands } from './sandbox/protect.js';
import { setSandboxLogger } from './sandbox/logger.js';

/**
 * The engine's services for one process: resolved roots, the config (re-read when the file
 * changes), the LLM client and the run manager. Both front ends build exactly one.
 */
export interface Engine {
  readonly roots: Roots;
  readonly env: NodeJS.ProcessEnv;
  readonly log: Logger;
  /** The current config (re-located and re-read when the file changes); throws ConfigError when invalid. */
  config(): LoadedConfig;
  configFile(): Resolved<string>;
  tmpDir(): Resolved<string>;
  readonly llm: LlmClient;
  readonly runs: RunManager;
}

export interface EngineOptions extends Partial<RootInputs> {
  log?: Logger;
}

export function createEngine(opts: EngineOptions = {}): Engine {
  const flags = opts.flags ?? {};
  const env = opts.env ?? process.env;
  const installRoot = opts.installRoot ?? findInstallRoot();
  // Before the roots: a .env beside the install may set SKVM_CACHE and friends.
  bootstrapDotEnv(installRoot, env);
  // Every key this process could hold is masked from the start, not only once a route uses it.
  registerEnvSecrets(env);
  const inputs: RootInputs = { flags, env, home: opts.home, cwd: opts.cwd, installRoot };
  const roots = resolveRoots(inputs);
  const log = opts.log ?? createLogger({ level: parseLogLevel(env.SKVM_LOG_LEVEL) });
  // Agent commands never see the cache (config file with keys, profiles, logs) or this package.
  protectFromCommands([roots.cache.value, roots.profiles.value, roots.logs.value, roots.proposals.value, roots.installRoot.value]);
  setSandboxLogger(log.child('sandbox'));

  let cached: LoadedConfig | undefined;
  const configFile = () => locateConfigFile(roots.cache.value, roots.installRoot.value);
  const config = (): LoadedConfig => {
    const file = configFile().value;
    let mtimeMs = 0;
    try {
      mtimeMs = statSync(file).mtimeMs;
    } catch {
      mtimeMs = 0;
    }
    if (!cached || cached.mtimeMs !== mtimeMs || cached.file !== file) {
      cached = loadConfigFile(file);
      registerRouteSecrets(cached.config.providers?.routes ?? [], env);
    }
    return cached;
  };

  let llm: LlmClient | undefined;
  let runs: RunManager | undefined;
  return {
    roots,
    env,
    log,
    config,
    configFile,
    tmpDir: () => resolveTmpDir(inputs, config().config.paths?.tmpDir),
    get llm() {
      llm ??= new LlmClient({ config: () => config().config, configFile: configFile().value, env, log: log.child('llm') });
      return llm;
    },
    get runs() {
      runs ??= new RunManager(roots.runs.value, log, readMaxRuns(config));
      return runs;
    },
  };
}

function readMaxRuns(config: () => LoadedConfig): number {
  try {
    return config().config.runs?.maxConcurrent ?? 4;
  } catch {
    // An invalid config must not stop runs_list / run_status from working.
    return 4;
  }
}
