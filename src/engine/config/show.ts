import type { Engine } from '../engine.js';
import { DEFAULT_OPENROUTER_ROUTE } from '../llm/routes.js';
import { maskKey } from '../util/redact.js';
import type { Resolved, Source } from './paths.js';
import type { Route } from './schema.js';

/** How a route's key is found, without revealing it. */
export interface KeyInfo {
  source: 'config' | 'env' | 'none';
  variable?: string;
  present: boolean;
  masked?: string;
}

export interface RouteView {
  match: string;
  kind: Route['kind'];
  baseUrl?: string;
  key: KeyInfo;
  maxConcurrency?: number;
  timeoutMs?: number;
  checkModel?: string;
  origin: 'config' | 'built-in';
}

export interface PathView {
  path: string;
  source: Source;
  from?: string;
}

export function keyInfo(route: Route, env: NodeJS.ProcessEnv): KeyInfo {
  if (route.apiKey !== undefined) {
    return { source: 'config', present: true, masked: route.apiKey === '' ? '(auth-free endpoint)' : maskKey(route.apiKey) };
  }
  if (route.apiKeyEnv) {
    const v = env[route.apiKeyEnv];
    return { source: 'env', variable: route.apiKeyEnv, present: !!v, ...(v ? { masked: maskKey(v) } : {}) };
  }
  return { source: 'none', present: false };
}

export function routeView(route: Route, env: NodeJS.ProcessEnv, origin: RouteView['origin']): RouteView {
  return {
    match: route.match,
    kind: route.kind,
    ...(route.baseUrl ? { baseUrl: route.baseUrl } : {}),
    key: keyInfo(route, env),
    ...(route.maxConcurrency ? { maxConcurrency: route.maxConcurrency } : {}),
    ...(route.timeoutMs ? { timeoutMs: route.timeoutMs } : {}),
    ...(route.checkModel ? { checkModel: route.checkModel } : {}),
    origin,
  };
}

/** Configured routes in match order, then the built-in OpenRouter fallback unless a route replaces it. */
export function effectiveRoutes(routes: readonly Route[], env: NodeJS.ProcessEnv): RouteView[] {
  const views = routes.map((r) => routeView(r, env, 'config'));
  if (routes.some((r) => r.match === DEFAULT_OPENROUTER_ROUTE.match)) return views;
  return [...views, routeView(DEFAULT_OPENROUTER_ROUTE, env, 'built-in')];
}

function pathView(r: Resolved<string>): PathView {
  return { path: r.value, source: r.source, ...(r.from ? { from: r.from } : {}) };
}

/** Everything config_show reports: resolved values, where each came from, keys masked. */
export function describeConfig(engine: Engine) {
  const file = engine.configFile();
  const loaded = engine.config();
  const cfg = loaded.config;
  const adapters = Object.entries(cfg.adapters ?? {}).map(([name, entry]) => ({
    name,
    repoPath: typeof entry === 'string' ? entry : entry.repoPath,
    ...(typeof entry === 'object' && entry.extraCliArgs ? { extraCliArgs: entry.extraCliArgs } : {}),
  }));
  const envNames = ['SKVM_CACHE', 'SKVM_PROFILES_DIR', 'SKVM_LOGS_DIR', 'SKVM_PROPOSALS_DIR', 'SKVM_DATA_DIR', 'SKVM_TMP_DIR', 'SKVM_LOG_LEVEL'];
  return {
    configFile: { path: file.value, exists: loaded.exists, source: file.source },
    paths: {
      cache: pathView(engine.roots.cache),
      profiles: pathView(engine.roots.profiles),
      logs: pathView(engine.roots.logs),
      proposals: pathView(engine.roots.proposals),
      data: pathView(engine.roots.data),
      tmp: pathView(engine.tmpDir()),
      runs: pathView(engine.roots.runs),
    },
    routes: effectiveRoutes(cfg.providers?.routes ?? [], engine.env),
    adapters,
    headlessAgent: { driver: cfg.headlessAgent?.driver ?? 'pi', driverSource: cfg.headlessAgent?.driver ? 'config' : 'default' },
    defaults: {
      adapterConfigMode: cfg.defaults?.adapterConfigMode ?? 'managed',
      adapterConfigModeSource: cfg.defaults?.adapterConfigMode ? 'config' : 'default',
      maxConcurrentRuns: cfg.runs?.maxConcurrent ?? 4,
    },
    pricingOverrides: Object.keys(cfg.pricing ?? {}),
    environment: envNames.filter((n) => engine.env[n]).map((n) => ({ name: n, value: engine.env[n]! })),
    warnings: loaded.warnings,
  };
}
export type ConfigDescription = ReturnType<typeof describeConfig>;
