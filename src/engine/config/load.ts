import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { SkvmError } from '../util/errors.js';
import { ADAPTER_NAMES, ConfigSchema, formatIssues, unknownKeys, type SkvmConfig } from './schema.js';

export interface LoadedConfig {
  config: SkvmConfig;
  /** Absolute path of the file read (or where one would be written). */
  file: string;
  exists: boolean;
  warnings: string[];
  /** mtime of the file when read, for cache invalidation. */
  mtimeMs: number;
}

export class ConfigError extends SkvmError {
  constructor(file: string, problems: string[]) {
    super(`${file} is invalid:\n  ${problems.join('\n  ')}`, {
      code: 'config',
      hint: 'Fix the listed keys, or run config_show to see what is resolved. config_init writes a fresh file.',
    });
  }
}

/** Read and validate a config file. A missing file is an empty config, not an error. */
export function loadConfigFile(file: string): LoadedConfig {
  let text: string;
  let mtimeMs = 0;
  try {
    mtimeMs = statSync(file).mtimeMs;
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { config: {}, file, exists: false, warnings: [], mtimeMs: 0 };
    throw err;
  }
  return parseConfigText(text, file, mtimeMs);
}

export function parseConfigText(text: string, file: string, mtimeMs = 0): LoadedConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(file, [`not valid JSON: ${(err as Error).message}`]);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(file, ['(root): expected a JSON object']);
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(file, formatIssues(parsed.error));
  const warnings = unknownKeys(ConfigSchema, raw).map((p) => `unknown key ${p} (ignored)`);
  const cfg = parsed.data;
  for (const name of Object.keys(cfg.adapters ?? {})) {
    if (!(ADAPTER_NAMES as readonly string[]).includes(name)) warnings.push(`adapters.${name}: not a known harness (${ADAPTER_NAMES.join(', ')})`);
  }
  if (cfg.headlessAgent?.providerOverride !== undefined || cfg.headlessAgent?.modelPrefix !== undefined) {
    warnings.push('headlessAgent.providerOverride / modelPrefix are legacy keys: route models through providers.routes instead');
  }
  if (cfg.proposalsDir !== undefined) warnings.push('proposalsDir is ignored: set SKVM_PROPOSALS_DIR to move proposals');
  return { config: cfg, file, exists: true, warnings, mtimeMs };
}

/**
 * `<installRoot>/.env` bootstrap (reference behaviour): KEY=value lines, `#` comments,
 * optional quotes; variables already set are never overwritten. Returns the keys it set.
 */
export function bootstrapDotEnv(installRoot: string, env: NodeJS.ProcessEnv): string[] {
  let text: string;
  try {
    text = readFileSync(path.join(installRoot, '.env'), 'utf8');
  } catch {
    return [];
  }
  const set: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!m || line.trimStart().startsWith('#')) continue;
    const key = m[1]!;
    let value = m[2]!;
    if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.at(-1) === value[0]) value = value.slice(1, -1);
    if (env[key] === undefined) {
      env[key] = value;
      set.push(key);
    }
  }
  return set;
}
