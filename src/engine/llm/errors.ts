import type { Route } from '../config/schema.js';
import { CancelledError, SkvmError } from '../util/errors.js';

/**
 * Typed LLM failures. Callers branch on `kind`; people read `message` + `hint`.
 * Retry decisions use `retryable` only, so the policy lives here in one place.
 */
export type LlmErrorKind = 'auth' | 'bad_request' | 'rate_limit' | 'transient' | 'timeout' | 'cancelled' | 'no_route';

const RETRYABLE_KINDS: ReadonlySet<LlmErrorKind> = new Set(['rate_limit', 'transient', 'timeout']);

export interface LlmErrorInit {
  kind: LlmErrorKind;
  message: string;
  /** The route's `match` ('' when no route resolved). */
  route: string;
  /** Full model id as the caller gave it. */
  model: string;
  status?: number;
  retryAfterMs?: number;
  hint?: string;
  cause?: unknown;
  attempts?: number;
}

export class LlmError extends SkvmError {
  readonly kind: LlmErrorKind;
  readonly route: string;
  readonly model: string;
  readonly status?: number;
  readonly retryAfterMs?: number;
  readonly retryable: boolean;
  /** Attempts made before this error was final (set by the retry loop). */
  readonly attempts?: number;

  constructor(init: LlmErrorInit) {
    super(init.message, { hint: init.hint, code: init.kind === 'cancelled' ? 'cancelled' : `llm_${init.kind}`, cause: init.cause });
    this.kind = init.kind;
    this.route = init.route;
    this.model = init.model;
    this.status = init.status;
    this.retryAfterMs = init.retryAfterMs;
    this.retryable = RETRYABLE_KINDS.has(init.kind);
    this.attempts = init.attempts;
    // A cancelled call looks like any other abort to code that only knows the DOM convention
    // (util/errors `isAbortError` checks name === 'AbortError').
    if (init.kind === 'cancelled') this.name = 'AbortError';
  }

  /** The same error, final after `n` attempts (said in the message so logs and tool results show it). */
  afterAttempts(n: number): LlmError {
    if (n <= 1) return this;
    return new LlmError({
      kind: this.kind,
      message: `${this.message} (gave up after ${n} attempts)`,
      route: this.route,
      model: this.model,
      status: this.status,
      retryAfterMs: this.retryAfterMs,
      hint: this.hint,
      cause: this.cause ?? this,
      attempts: n,
    });
  }
}

/** The vendor returned tool-call arguments that are not a JSON object. Not retryable. */
export class ToolArgumentsParseError extends SkvmError {
  readonly route: string;
  readonly model: string;
  readonly toolName: string;
  /** First 120 characters of what the vendor sent. */
  readonly rawPreview: string;
  constructor(init: { route: string; model: string; toolName: string; raw: string }) {
    const preview = init.raw.slice(0, 120);
    super(`Model ${init.model} returned arguments for tool "${init.toolName}" that are not a JSON object: ${JSON.stringify(preview)}`, {
      code: 'llm_tool_args',
      hint: 'Some gateways leak reasoning text into tool arguments; try another route kind for this model (e.g. an anthropic-shaped endpoint) or a different model.',
    });
    this.route = init.route;
    this.model = init.model;
    this.toolName = init.toolName;
    this.rawPreview = preview;
  }
}

export function isLlmError(err: unknown, kind?: LlmErrorKind): err is LlmError {
  return err instanceof LlmError && (kind === undefined || err.kind === kind);
}

/** A 400 whose text says the vendor refuses forced `tool_choice` (thinking-mode models do). */
export function isToolChoiceUnsupported(err: unknown): boolean {
  return err instanceof LlmError && err.kind === 'bad_request' && /tool[_ ]?choice/i.test(err.message);
}

// ---------------------------------------------------------------------------------------------
// Mapping SDK / network failures. Both SDKs share the Stainless error shapes, so we duck-type
// (status, headers, name) instead of importing either SDK here — that keeps start-up lazy.

export interface ErrorContext {
  route: Route;
  model: string;
  /** Config file named in hints. */
  configFile?: string;
}

const TRANSIENT_STATUS = new Set([408, 425, 500, 502, 503, 504, 529]);
const MAX_RETRY_AFTER_MS = 60_000;
const NETWORKISH =
  /socket|fetch failed|network|connection|econnreset|econnrefused|etimedout|ehostunreach|enotfound|epipe|tls|closed unexpectedly|terminated|other side closed|premature close/i;

/**
 * Map any failure of one request to an LlmError. Errors that are not transport/vendor failures
 * (our own bugs, ToolArgumentsParseError) come back unchanged, so they are neither retried nor
 * mislabelled as a vendor problem.
 */
export function toLlmError(err: unknown, ctx: ErrorContext): Error {
  if (err instanceof LlmError || err instanceof ToolArgumentsParseError) return err;
  const base = { route: ctx.route.match, model: ctx.model, cause: err };
  if (err instanceof CancelledError) return new LlmError({ ...base, kind: 'cancelled', message: `Call to ${ctx.model} was cancelled.` });
  if (typeof err !== 'object' || err === null) return new Error(String(err));
  const e = err as { name?: unknown; status?: unknown; headers?: unknown; message?: unknown; cause?: unknown; constructor?: { name?: string } };
  const name = String(e.constructor?.name ?? e.name ?? '');
  const errName = String(e.name ?? '');
  const message = typeof e.message === 'string' ? e.message : String(err);

  if (name === 'APIUserAbortError' || errName === 'APIUserAbortError' || errName === 'AbortError') {
    return new LlmError({ ...base, kind: 'cancelled', message: `Call to ${ctx.model} was cancelled.` });
  }
  if (name === 'APIConnectionTimeoutError') {
    return new LlmError({ ...base, kind: 'timeout', message: `Request to ${ctx.model} timed out (route "${ctx.route.match}").` });
  }
  const status = typeof e.status === 'number' ? e.status : undefined;
  if (status !== undefined) return fromStatus(status, message, headerGetter(e.headers), ctx, err);
  if (name === 'APIConnectionError' || err instanceof SyntaxError || NETWORKISH.test(message) || NETWORKISH.test(causeText(e.cause))) {
    const why = err instanceof SyntaxError ? 'returned a malformed response' : 'connection failed';
    return new LlmError({ ...base, kind: 'transient', message: `Route "${ctx.route.match}" ${why} for ${ctx.model}: ${message}` });
  }
  return err instanceof Error ? err : new Error(message);
}

function fromStatus(status: number, vendorMessage: string, header: (n: string) => string | undefined, ctx: ErrorContext, cause: unknown): LlmError {
  const base = { route: ctx.route.match, model: ctx.model, status, cause };
  const where = `route "${ctx.route.match}" (kind ${ctx.route.kind})`;
  if (status === 401 || status === 403) {
    return new LlmError({
      ...base,
      kind: 'auth',
      message: `The vendor rejected the credentials for ${ctx.model} on ${where}: HTTP ${status}.`,
      hint: authHint(ctx, 'a valid key'),
    });
  }
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(header('retry-after'));
    return new LlmError({
      ...base,
      kind: 'rate_limit',
      retryAfterMs,
      message: `Rate limited by ${where} for ${ctx.model} (HTTP 429${retryAfterMs !== undefined ? `, retry after ${Math.ceil(retryAfterMs / 1000)} s` : ''}).`,
      hint: 'Lower maxConcurrency on this route or wait; the call is retried automatically within its budget.',
    });
  }
  if (TRANSIENT_STATUS.has(status) || status >= 500) {
    return new LlmError({ ...base, kind: 'transient', message: `Vendor error on ${where} for ${ctx.model}: HTTP ${status} ${trimVendor(vendorMessage)}` });
  }
  return new LlmError({
    ...base,
    kind: 'bad_request',
    message: `The vendor refused the request for ${ctx.model} on ${where}: HTTP ${status} ${trimVendor(vendorMessage)}`,
    hint:
      status === 404
        ? `The vendor does not know model "${ctx.model}" or the baseUrl is wrong; check the model id and the route in ${ctx.configFile ?? 'the config file'}.`
        : `The vendor said: ${trimVendor(vendorMessage)}. Fix the request (model id, parameters) or the route.`,
  });
}

/** Hint for a missing or rejected key: which variable or config key to set. */
export function authHint(ctx: { route: Route; configFile?: string }, what: string): string {
  const file = ctx.configFile ?? 'the config file';
  const r = ctx.route;
  if (r.apiKey !== undefined) return `Route "${r.match}" in ${file} sets apiKey literally; put ${what} there, or remove it and set apiKeyEnv.`;
  if (r.apiKeyEnv) return `Set ${what} in the environment variable ${r.apiKeyEnv} (used by route "${r.match}" in ${file}).`;
  return `Give route "${r.match}" in ${file} an apiKeyEnv (an environment variable name) or apiKey.`;
}

/** Retry-After as seconds or an HTTP date, in ms, capped at 60 s; undefined when absent/unparseable. */
export function parseRetryAfter(value: string | undefined | null, now = Date.now()): number | undefined {
  if (value === undefined || value === null) return undefined;
  const v = value.trim();
  if (v === '') return undefined;
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(v)) ms = Number(v) * 1000;
  else {
    const at = Date.parse(v);
    if (Number.isNaN(at)) return undefined;
    ms = at - now;
  }
  return Math.min(Math.max(0, Math.round(ms)), MAX_RETRY_AFTER_MS);
}

function headerGetter(headers: unknown): (name: string) => string | undefined {
  if (headers && typeof (headers as Headers).get === 'function') return (n) => (headers as Headers).get(n) ?? undefined;
  if (headers && typeof headers === 'object') {
    const rec = headers as Record<string, unknown>;
    return (n) => {
      const hit = Object.keys(rec).find((k) => k.toLowerCase() === n);
      return hit === undefined ? undefined : String(rec[hit]);
    };
  }
  return () => undefined;
}

function causeText(cause: unknown): string {
  if (!cause || typeof cause !== 'object') return '';
  const c = cause as { message?: unknown; code?: unknown };
  return `${String(c.message ?? '')} ${String(c.code ?? '')}`;
}

function trimVendor(msg: string): string {
  const one = msg.replace(/\s+/g, ' ').trim();
  return one.length > 300 ? one.slice(0, 300) + '…' : one;
}
