import type { Route } from '../config/schema.js';
import { registerSecret } from '../util/redact.js';
import { LlmError, authHint } from './errors.js';

/**
 * Model id convention (`<provider>/<model-id>`) and route resolution (spec runtime §1.1–1.2).
 * Pure functions: no network, no config loading.
 */

/** Used when no user route matches an `openrouter/…` id. */
export const DEFAULT_OPENROUTER_ROUTE: Route = Object.freeze({
  match: 'openrouter/*',
  kind: 'openrouter',
  apiKeyEnv: 'OPENROUTER_API_KEY',
}) as Route;

/** What the vendor receives: everything after the first `/` (unchanged when there is none). */
export function backendModel(id: string): string {
  const i = id.indexOf('/');
  return i < 0 ? id : id.slice(i + 1);
}

/** Everything before the first `/` (the whole string when there is none). */
export function routeProviderName(idOrGlob: string): string {
  const i = idOrGlob.indexOf('/');
  return i < 0 ? idOrGlob : idOrGlob.slice(0, i);
}

const globCache = new Map<string, RegExp>();

/** Anchored glob over the full model id: `*` matches any run of characters, everything else is literal. */
export function globToRegExp(glob: string): RegExp {
  let re = globCache.get(glob);
  if (!re) {
    const body = glob
      .split('*')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*');
    re = new RegExp(`^${body}$`, 's');
    globCache.set(glob, re);
  }
  return re;
}

export function matchesGlob(glob: string, id: string): boolean {
  return globToRegExp(glob).test(id);
}

/** First user route whose glob matches wins; then the built-in OpenRouter default; else no_route. */
export function resolveRoute(routes: readonly Route[], model: string, configFile?: string): Route {
  for (const r of routes) if (matchesGlob(r.match, model)) return r;
  if (matchesGlob(DEFAULT_OPENROUTER_ROUTE.match, model)) return DEFAULT_OPENROUTER_ROUTE;
  const file = configFile ?? 'the config file';
  const configured = routes.map((r) => `"${r.match}"`);
  const builtIn = routes.some((r) => r.match === DEFAULT_OPENROUTER_ROUTE.match) ? [] : [`"${DEFAULT_OPENROUTER_ROUTE.match}" (built-in)`];
  const known = [...configured, ...builtIn].join(', ');
  const unprefixed = model.includes('/') ? '' : ` Model ids have the form <provider>/<model-id>; "${model}" has no prefix.`;
  throw new LlmError({
    kind: 'no_route',
    route: '',
    model,
    message: `No providers.routes entry matches model id "${model}".${unprefixed}`,
    hint: `Add an entry to providers.routes in ${file} whose match covers "${model}" (e.g. {"match": "${routeProviderName(model)}/*", "kind": "openai-compatible", "baseUrl": "…", "apiKeyEnv": "…"}), or use a configured prefix. Configured matches: ${known}.`,
  });
}

/**
 * Checks an id against its route's vendor conventions before anything is sent (spec §1.2).
 * Throws LlmError(bad_request) with the reason.
 */
export function validateModelIdForRoute(id: string, route: Route): void {
  const backend = backendModel(id);
  const fail = (why: string, hint: string): never => {
    throw new LlmError({ kind: 'bad_request', route: route.match, model: id, message: `Model id "${id}" is not valid for route "${route.match}" (kind ${route.kind}): ${why}.`, hint });
  };
  if (backend.length === 0) fail('the part after the provider prefix is empty', 'Use <provider>/<model-id>, e.g. openrouter/qwen/qwen3-30b.');
  if (/\s/.test(backend)) fail('it contains whitespace', 'Remove the whitespace from the model id.');
  if (route.kind === 'openrouter' && !backend.includes('/')) {
    fail('OpenRouter model ids have the form vendor/model', `Use e.g. openrouter/${backend.includes('claude') ? 'anthropic' : 'vendor'}/${backend}.`);
  }
  if (route.kind === 'anthropic' && isOfficialAnthropic(route.baseUrl) && !/^claude-/i.test(backend)) {
    fail('Anthropic model ids start with "claude-"', 'Use e.g. anthropic/claude-sonnet-4.6, or point the route at a gateway with baseUrl.');
  }
}

function isOfficialAnthropic(baseUrl: string | undefined): boolean {
  if (!baseUrl) return true;
  try {
    return new URL(baseUrl).hostname === 'api.anthropic.com';
  } catch {
    return false;
  }
}

/**
 * The key for a route: a literal `apiKey` wins (`""` = auth-free endpoint), else `env[apiKeyEnv]`.
 * Missing → LlmError(auth) naming the variable. The key is registered so logs redact it.
 */
export function resolveApiKey(route: Route, env: NodeJS.ProcessEnv, ctx: { model?: string; configFile?: string } = {}): string {
  const model = ctx.model ?? route.match;
  if (route.apiKey !== undefined) {
    registerSecret(route.apiKey);
    return route.apiKey;
  }
  if (!route.apiKeyEnv) {
    throw new LlmError({
      kind: 'auth',
      route: route.match,
      model,
      message: `Route "${route.match}" (kind ${route.kind}) has neither apiKey nor apiKeyEnv set.`,
      hint: authHint({ route, configFile: ctx.configFile }, 'the key'),
    });
  }
  const value = env[route.apiKeyEnv];
  if (value === undefined || value === '') {
    throw new LlmError({
      kind: 'auth',
      route: route.match,
      model,
      message: `Route "${route.match}" (kind ${route.kind}) requires env var ${route.apiKeyEnv}, which is not set.`,
      hint: authHint({ route, configFile: ctx.configFile }, 'the API key'),
    });
  }
  registerSecret(value);
  return value;
}
