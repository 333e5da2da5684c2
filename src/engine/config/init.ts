import { UsageError } from '../util/errors.js';
import type { ADAPTER_NAMES, Route, RouteKind, SkvmConfig } from './schema.js';

export const PRESETS = {
  openrouter: { match: 'openrouter/*', kind: 'openrouter', apiKeyEnv: 'OPENROUTER_API_KEY' },
  anthropic: { match: 'anthropic/*', kind: 'anthropic', apiKeyEnv: 'ANTHROPIC_API_KEY' },
  openai: { match: 'openai/*', kind: 'openai-compatible', baseUrl: 'https://api.openai.com/v1', apiKeyEnv: 'OPENAI_API_KEY' },
} as const satisfies Record<string, Route>;
export type PresetName = keyof typeof PRESETS;

/** A route as config_init accepts it: keys only by variable name, never literally. */
export interface RouteSpec {
  match: string;
  kind: RouteKind;
  baseUrl?: string;
  apiKeyEnv?: string;
  /** The endpoint needs no key (local vLLM, Ollama, the simulator): written as apiKey "". */
  authFree?: boolean;
  maxConcurrency?: number;
  timeoutMs?: number;
  checkModel?: string;
}

export interface InitSpec {
  presets: PresetName[];
  routes: RouteSpec[];
  adapters?: Partial<Record<(typeof ADAPTER_NAMES)[number], string>>;
  headlessDriver?: 'pi' | 'opencode';
  adapterConfigMode?: 'native' | 'managed';
  tmpDir?: string;
  maxConcurrentRuns?: number;
}

function toRoute(spec: RouteSpec): Route {
  if (!spec.apiKeyEnv && !spec.authFree) {
    throw new UsageError(
      `Route "${spec.match}" needs apiKeyEnv (the name of the variable that holds its key) or authFree: true.`,
      'API keys are never passed as arguments; put the key in an environment variable and name it here.',
    );
  }
  const { authFree, ...rest } = spec;
  const route: Route = { ...rest };
  if (authFree) route.apiKey = '';
  return route;
}

/**
 * The config to write. `base` is the existing file in merge mode (kept, with routes of the
 * same `match` replaced in place and new routes put first, since the first match wins).
 */
export function buildConfig(base: SkvmConfig, spec: InitSpec): SkvmConfig {
  const incoming = [...spec.presets.map((p) => ({ ...PRESETS[p] }) as Route), ...spec.routes.map(toRoute)];
  if (incoming.length === 0 && Object.keys(base).length === 0 && !spec.adapters) {
    throw new UsageError('Nothing to write: give at least one preset or route.', 'E.g. presets=["openrouter"], or routes=[{"match":"local/*","kind":"openai-compatible","baseUrl":"http://127.0.0.1:8000/v1","authFree":true}].');
  }
  const seen = new Set<string>();
  for (const r of incoming) {
    if (seen.has(r.match)) throw new UsageError(`Two routes have match "${r.match}".`, 'Each match may appear once.');
    seen.add(r.match);
  }
  const existing = base.providers?.routes ?? [];
  const replaced = existing.map((r) => incoming.find((n) => n.match === r.match) ?? r);
  const added = incoming.filter((n) => !existing.some((r) => r.match === n.match));
  const out: SkvmConfig = { ...base, providers: { ...base.providers, routes: [...added, ...replaced] } };
  if (spec.adapters && Object.keys(spec.adapters).length) out.adapters = { ...base.adapters, ...spec.adapters };
  if (spec.headlessDriver) out.headlessAgent = { ...base.headlessAgent, driver: spec.headlessDriver };
  if (spec.adapterConfigMode) out.defaults = { ...base.defaults, adapterConfigMode: spec.adapterConfigMode };
  if (spec.tmpDir) out.paths = { ...base.paths, tmpDir: spec.tmpDir };
  if (spec.maxConcurrentRuns) out.runs = { ...base.runs, maxConcurrent: spec.maxConcurrentRuns };
  return out;
}
