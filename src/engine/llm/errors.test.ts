import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import type { Route } from '../config/schema.js';
import { CancelledError, isAbortError } from '../util/errors.js';
import { LlmError, ToolArgumentsParseError, isToolChoiceUnsupported, parseRetryAfter, toLlmError } from './errors.js';

// Real SDK error objects (as the SDKs construct them from a response); no SDK behaviour is stubbed.
const route = { match: 'sim/*', kind: 'openai-compatible', baseUrl: 'http://x/v1', apiKeyEnv: 'SIM_KEY' } as Route;
const ctx = { route, model: 'sim/m', configFile: '/c/skvm.config.json' };
const openaiStatus = (status: number, headers: Record<string, string> = {}, message = 'vendor says no') =>
  APIError.generate(status, { error: { message } }, undefined, new Headers(headers));
const map = (e: unknown) => toLlmError(e, ctx) as LlmError;

describe('parseRetryAfter', () => {
  it('parses seconds and HTTP dates, caps at 60 s', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter('0.5')).toBe(500);
    expect(parseRetryAfter('3600')).toBe(60_000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:07 GMT', now)).toBe(7000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});

describe('toLlmError', () => {
  it.each([401, 403])('%i → auth with a hint naming the env var and config file', (status) => {
    const e = map(openaiStatus(status));
    expect(e.kind).toBe('auth');
    expect(e.status).toBe(status);
    expect(e.retryable).toBe(false);
    expect(e.hint).toContain('SIM_KEY');
    expect(e.hint).toContain('/c/skvm.config.json');
  });
  it('429 → rate_limit with retry-after', () => {
    const e = map(openaiStatus(429, { 'retry-after': '3' }));
    expect(e).toMatchObject({ kind: 'rate_limit', retryAfterMs: 3000, retryable: true, route: 'sim/*', model: 'sim/m' });
    expect(map(openaiStatus(429, { 'retry-after': '999' })).retryAfterMs).toBe(60_000);
    expect(map(openaiStatus(429)).retryAfterMs).toBeUndefined();
  });
  it.each([408, 425, 500, 502, 503, 504, 529])('%i → transient', (status) => {
    expect(map(openaiStatus(status))).toMatchObject({ kind: 'transient', retryable: true, status });
  });
  it.each([400, 404, 413, 422])('%i → bad_request with what the vendor said', (status) => {
    const e = map(openaiStatus(status, {}, 'tool_choice is not supported'));
    expect(e).toMatchObject({ kind: 'bad_request', retryable: false, status });
    expect(e.message).toContain('tool_choice is not supported');
    expect(e.hint).toBeTruthy();
  });
  it('recognises tool_choice refusals', () => {
    expect(isToolChoiceUnsupported(map(openaiStatus(400, {}, 'tool_choice forced is not supported in thinking mode')))).toBe(true);
    expect(isToolChoiceUnsupported(map(openaiStatus(400, {}, 'bad')))).toBe(false);
    expect(isToolChoiceUnsupported(map(openaiStatus(500, {}, 'tool_choice')))).toBe(false);
  });
  it('maps Anthropic SDK errors the same way', () => {
    const e = map(Anthropic.APIError.generate(529, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, undefined, new Headers()));
    expect(e.kind).toBe('transient');
    expect(map(Anthropic.APIError.generate(401, { type: 'error', error: { type: 'authentication_error', message: 'bad key' } }, undefined, new Headers())).kind).toBe('auth');
    expect(map(new Anthropic.APIConnectionTimeoutError()).kind).toBe('timeout');
    expect(map(new Anthropic.APIUserAbortError()).kind).toBe('cancelled');
  });
  it('connection problems and malformed bodies are transient', () => {
    expect(map(new APIConnectionError({ message: 'Connection error.', cause: new Error('ECONNRESET') })).kind).toBe('transient');
    expect(map(new SyntaxError('Unexpected token < in JSON')).kind).toBe('transient');
    expect(map(new TypeError('terminated')).kind).toBe('transient');
  });
  it('SDK timeout → timeout; abort → cancelled (also recognised by isAbortError)', () => {
    expect(map(new APIConnectionTimeoutError()).kind).toBe('timeout');
    const c = map(new APIUserAbortError());
    expect(c.kind).toBe('cancelled');
    expect(c.code).toBe('cancelled');
    expect(isAbortError(c)).toBe(true);
    expect(map(new CancelledError()).kind).toBe('cancelled');
  });
  it('leaves our own bugs and tool-argument errors alone', () => {
    const bug = new TypeError('cannot read properties of undefined');
    expect(toLlmError(bug, ctx)).toBe(bug);
    const tap = new ToolArgumentsParseError({ route: 'sim/*', model: 'sim/m', toolName: 't', raw: 'x'.repeat(500) });
    expect(toLlmError(tap, ctx)).toBe(tap);
    expect(tap.rawPreview).toHaveLength(120);
  });
  it('afterAttempts keeps the kind and says how many attempts were made', () => {
    const e = map(openaiStatus(503)).afterAttempts(4);
    expect(e.kind).toBe('transient');
    expect(e.attempts).toBe(4);
    expect(e.message).toMatch(/gave up after 4 attempts/);
  });
});
