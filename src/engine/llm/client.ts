import { createHash } from 'node:crypto';
import type { LimitFunction } from 'p-limit';
import type { Route, SkvmConfig } from '../config/schema.js';
import type { Logger } from '../util/log.js';
import { LlmError, toLlmError } from './errors.js';
import { costFor } from './pricing.js';
import type { ProviderCall, ProviderResult, RouteProvider } from './provider.js';
import { withRetry, type RetryOptions } from './retry.js';
import { backendModel as stripPrefix, resolveApiKey, resolveRoute, validateModelIdForRoute } from './routes.js';
import { OPENROUTER_BASE_URL } from './openai-provider.js';
import { emptyUsage, type CallOptions, type ChatProvider, type ChatRequest, type ChatResponse, type ModelEndpoint, type RouteLimit, type UsageRecord } from './types.js';

/** Anthropic's API root, for a route without baseUrl (the SDK's own default). */
const ANTHROPIC_BASE_URL = 'https://api.anthropic.com';

/**
 * The one entry point to LLMs: route → per-route concurrency limiter → retry loop → provider.
 * Every call, successful or not, yields one UsageRecord (tokens, cost, attempts).
 *
 * Cancellation: when the caller's signal aborts, the in-flight request and any backoff wait end
 * at once and the call rejects with LlmError{kind:'cancelled', code:'cancelled'} (its `name` is
 * 'AbortError', so util `isAbortError` recognises it too).
 */

export interface LlmClientOptions {
  /** Read on every call: the config file may change while the server runs. */
  config: () => SkvmConfig;
  /** Named in hints ("add a providers.routes entry to …"). */
  configFile: string;
  env: NodeJS.ProcessEnv;
  log: Logger;
  retry?: Partial<RetryOptions>;
  /** Per-request timeout when neither the call nor the route sets one. Default 120000. */
  defaultTimeoutMs?: number;
}

export const DEFAULT_TIMEOUT_MS = 120_000;
export const DEFAULT_ROUTE_CONCURRENCY = 8;

type UsageListener = (rec: UsageRecord) => void;

/** Calls on one route share its limit; the key names it by kind, pattern and base URL. */
function routeKey(route: Route): string {
  return `${route.kind}|${route.match}|${route.baseUrl ?? ''}`;
}

interface Resolved {
  route: Route;
  backendModel: string;
  apiKey: string;
}

export class LlmClient implements ChatProvider {
  private readonly providers = new Map<string, Promise<RouteProvider>>();
  private readonly limiters = new Map<string, LimitFunction>();
  private readonly listeners = new Set<UsageListener>();

  constructor(private readonly opts: LlmClientOptions) {}

  chat(req: ChatRequest, opts: CallOptions = {}): Promise<ChatResponse> {
    return this.run(req, opts, undefined);
  }

  /** The same client; every call made through the returned provider is also reported to `onUsage` (and to the listeners it adds). */
  withUsage(onUsage: UsageListener): ChatProvider {
    return {
      chat: (req, opts = {}) => this.run(req, opts, onUsage),
      supportsToolChoice: (model) => this.supportsToolChoice(model),
      endpoint: (model) => this.endpoint(model),
      routeLimit: (model) => this.routeLimit(model),
      withUsage: (next) =>
        this.withUsage((rec) => {
          onUsage(rec);
          next(rec);
        }),
    };
  }

  /** The model's route as a concurrency domain (see ChatProvider.routeLimit); throws like `resolve`. */
  routeLimit(model: string): RouteLimit {
    const { route } = this.resolve(model);
    return { key: routeKey(route), limit: route.maxConcurrency ?? DEFAULT_ROUTE_CONCURRENCY };
  }

  /** false only when the model's route sets `supportsToolChoice: false`; unknown routes say true. */
  supportsToolChoice(model: string): boolean {
    try {
      return resolveRoute(this.opts.config().providers?.routes ?? [], model).supportsToolChoice !== false;
    } catch {
      return true;
    }
  }

  /** Route and backend id for a model; throws LlmError(no_route | auth | bad_request) with hints. No network. */
  resolve(model: string): { route: Route; backendModel: string } {
    const { route, backendModel } = this.resolveFull(model);
    return { route, backendModel };
  }

  /** The model's route, base URL and key, for a harness CLI that calls the vendor itself. Throws like `resolve`. */
  endpoint(model: string): ModelEndpoint {
    const { route, backendModel, apiKey } = this.resolveFull(model);
    const baseUrl = route.baseUrl ?? (route.kind === 'openrouter' ? OPENROUTER_BASE_URL : ANTHROPIC_BASE_URL);
    return { kind: route.kind, baseUrl, apiKey, backendModel, route: route.match };
  }

  /**
   * Starts loading the route's SDK and client for a model a run is about to call (resolve errors
   * are left to `resolve`). The OpenAI SDK alone is ~150 modules; loaded here, it overlaps the
   * run's own set-up instead of holding up its first request.
   */
  warm(model: string): void {
    try {
      const { route, apiKey } = this.resolveFull(model);
      // Node compiles Headers and Response (undici, ~15 ms) on first use; touching Headers does it now, while the run still sets up.
      void this.providerFor(route, apiKey).then(() => void globalThis.Headers, () => undefined);
    } catch {
      // resolve() reports it
    }
  }

  /** Global usage listener; returns the unsubscribe function. */
  onUsage(listener: UsageListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // -------------------------------------------------------------------------------------------

  private resolveFull(model: string): Resolved {
    const cfg = this.opts.config();
    const route = resolveRoute(cfg.providers?.routes ?? [], model, this.opts.configFile);
    validateModelIdForRoute(model, route);
    const apiKey = resolveApiKey(route, this.opts.env, { model, configFile: this.opts.configFile });
    return { route, backendModel: stripPrefix(model), apiKey };
  }

  private async run(req: ChatRequest, opts: CallOptions, extra: UsageListener | undefined): Promise<ChatResponse> {
    const started = Date.now();
    const signal = opts.signal;
    let attempts = 0;
    let routeMatch = '';
    try {
      if (signal?.aborted) throw cancelled(req.model, routeMatch);
      const { route, backendModel, apiKey } = this.resolveFull(req.model);
      routeMatch = route.match;
      const provider = await this.providerFor(route, apiKey);
      const timeoutMs = opts.timeoutMs ?? route.timeoutMs ?? this.opts.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS;
      const log = this.opts.log;
      const result = await this.limited(route, signal, req.model, () =>
        withRetry(
          (n) => {
            attempts = n;
            return this.attempt(provider, { request: req, backendModel, route, timeoutMs }, signal);
          },
          {
            ...this.opts.retry,
            ...(opts.maxAttempts !== undefined ? { maxAttempts: opts.maxAttempts } : {}),
            signal,
            onRetry: ({ attempt, delayMs, error }) =>
              log.warn(`llm ${req.model} via "${route.match}": ${error.kind}${error.status ? ` (HTTP ${error.status})` : ''} on attempt ${attempt}; retrying in ${delayMs} ms`),
          },
        ),
      );
      const response = this.toResponse(req.model, route.match, result, Date.now() - started, attempts);
      log.debug(
        `llm ${req.model} via "${route.match}": ${response.stopReason} in ${response.durationMs} ms, attempts ${attempts}, tokens in ${response.usage.input}/out ${response.usage.output}/cache ${response.usage.cacheRead}+${response.usage.cacheWrite}, cost ${response.costUsd === null ? 'n/a' : '$' + response.costUsd.toFixed(6)} (${response.costSource})`,
      );
      this.emit({ model: req.model, route: route.match, usage: response.usage, costUsd: response.costUsd, durationMs: response.durationMs, attempts, ok: true }, extra);
      return response;
    } catch (err) {
      const final = finalError(err, req.model, routeMatch, signal);
      const durationMs = Date.now() - started;
      this.opts.log.debug(`llm ${req.model}${routeMatch ? ` via "${routeMatch}"` : ''}: failed (${final instanceof LlmError ? final.kind : final.name}) after ${durationMs} ms, attempts ${attempts}`);
      // A failed call reports no tokens, so the table gives $0 for a known model and null otherwise.
      const cost = costFor(req.model, emptyUsage(), undefined, this.opts.config().pricing);
      this.emit({ model: req.model, route: routeMatch, usage: emptyUsage(), costUsd: cost.costUsd, durationMs, attempts, ok: false }, extra);
      throw final;
    }
  }

  /** One HTTP request with its own timeout; the caller's abort and the timeout both end it at once. */
  private async attempt(provider: RouteProvider, call: Omit<ProviderCall, 'signal'>, signal: AbortSignal | undefined): Promise<ProviderResult> {
    const model = call.request.model;
    if (signal?.aborted) throw cancelled(model, call.route.match);
    const ctrl = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      ctrl.abort();
    }, call.timeoutMs);
    const onAbort = () => ctrl.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await provider.send({ ...call, signal: ctrl.signal });
    } catch (err) {
      if (signal?.aborted) throw cancelled(model, call.route.match, err);
      if (timedOut) {
        throw new LlmError({
          kind: 'timeout',
          route: call.route.match,
          model,
          cause: err,
          message: `No complete response from route "${call.route.match}" for ${model} within ${call.timeoutMs} ms.`,
          hint: 'Raise timeoutMs on the route (or for this call) if the model is slow; the call is retried within its budget.',
        });
      }
      throw toLlmError(err, { route: call.route, model, configFile: this.opts.configFile });
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Runs `fn` under the route's concurrency limit; a caller abort also ends the wait for a slot. */
  private async limited<T>(route: Route, signal: AbortSignal | undefined, model: string, fn: () => Promise<T>): Promise<T> {
    const limit = await this.limiterFor(route);
    if (!signal) return limit(fn);
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(cancelled(model, route.match));
      signal.addEventListener('abort', onAbort, { once: true });
      limit(() => (signal.aborted ? Promise.reject(cancelled(model, route.match)) : fn()))
        .then(resolve, reject)
        .finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  private async limiterFor(route: Route): Promise<LimitFunction> {
    const want = route.maxConcurrency ?? DEFAULT_ROUTE_CONCURRENCY;
    const key = routeKey(route);
    // p-limit loads with the first LLM call, not with the server.
    const { default: pLimit } = await import('p-limit');
    let limit = this.limiters.get(key);
    if (!limit) {
      limit = pLimit(want);
      this.limiters.set(key, limit);
    } else if (limit.concurrency !== want) limit.concurrency = want; // config edited while running
    return limit;
  }

  /** SDK clients are reused per (kind, baseUrl, key); the key is hashed so it is not kept as a map key. */
  private providerFor(route: Route, apiKey: string): Promise<RouteProvider> {
    const keyHash = createHash('sha256').update(apiKey).digest('hex').slice(0, 16);
    const cacheKey = `${route.kind}|${route.baseUrl ?? ''}|${keyHash}`;
    let p = this.providers.get(cacheKey);
    if (!p) {
      // Wire modules (and the SDKs behind them) load on first use, keeping server start-up fast.
      p =
        route.kind === 'anthropic'
          ? import('./anthropic-provider.js').then((m) => m.createAnthropicProvider(route, apiKey))
          : import('./openai-provider.js').then((m) => m.createOpenAiProvider(route, apiKey));
      this.providers.set(cacheKey, p);
      p.catch(() => this.providers.delete(cacheKey));
    }
    return p;
  }

  private toResponse(model: string, route: string, r: ProviderResult, durationMs: number, attempts: number): ChatResponse {
    const cost = costFor(model, r.usage, r.vendorCostUsd, this.opts.config().pricing);
    return {
      text: r.text,
      toolCalls: r.toolCalls,
      stopReason: r.stopReason,
      usage: r.usage,
      costUsd: cost.costUsd,
      costSource: cost.source,
      durationMs,
      attempts,
      model,
      route,
      ...(r.reasoning ? { reasoning: r.reasoning } : {}),
    };
  }

  private emit(rec: UsageRecord, extra: UsageListener | undefined): void {
    for (const l of [...this.listeners, ...(extra ? [extra] : [])]) {
      try {
        l(rec);
      } catch (err) {
        this.opts.log.warn(`usage listener failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
}

function cancelled(model: string, route: string, cause?: unknown): LlmError {
  return new LlmError({ kind: 'cancelled', route, model, message: `Call to ${model} was cancelled.`, cause });
}

/** Whatever escaped the pipeline, as the caller should see it (aborts always as kind 'cancelled'). */
function finalError(err: unknown, model: string, route: string, signal: AbortSignal | undefined): Error {
  if (err instanceof LlmError) return err;
  if (signal?.aborted) return cancelled(model, route, err);
  return err instanceof Error ? err : new Error(String(err));
}
