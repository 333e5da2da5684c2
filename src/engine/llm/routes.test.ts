import { describe, expect, it } from 'vitest';
import type { Route } from '../config/schema.js';
import { redact } from '../util/redact.js';
import { LlmError } from './errors.js';
import {
  DEFAULT_OPENROUTER_ROUTE,
  backendModel,
  matchesGlob,
  resolveApiKey,
  resolveRoute,
  routeProviderName,
  validateModelIdForRoute,
} from './routes.js';

const r = (match: string, kind: Route['kind'] = 'openai-compatible', extra: Partial<Route> = {}): Route =>
  ({ match, kind, baseUrl: 'http://localhost:1/v1', apiKey: '', ...extra }) as Route;

describe('model id convention', () => {
  it('backendModel strips everything up to the first slash', () => {
    expect(backendModel('openrouter/qwen/qwen3-30b')).toBe('qwen/qwen3-30b');
    expect(backendModel('anthropic/claude-sonnet-4.6')).toBe('claude-sonnet-4.6');
    expect(backendModel('plain')).toBe('plain');
    expect(backendModel('self/')).toBe('');
  });
  it('routeProviderName keeps what is before the first slash', () => {
    expect(routeProviderName('openrouter/qwen/qwen3-30b')).toBe('openrouter');
    expect(routeProviderName('anthropic/*')).toBe('anthropic');
    expect(routeProviderName('nothing')).toBe('nothing');
  });
});

describe('glob matching', () => {
  it('literal globs match only themselves, anchored at both ends', () => {
    expect(matchesGlob('self/qwen3-7b', 'self/qwen3-7b')).toBe(true);
    expect(matchesGlob('self/qwen3-7b', 'self/qwen3-7b-instruct')).toBe(false);
    expect(matchesGlob('self/qwen3-7b', 'xself/qwen3-7b')).toBe(false);
  });
  it('* matches any run of characters anywhere, including slashes and nothing', () => {
    expect(matchesGlob('openrouter/*', 'openrouter/qwen/qwen3-30b')).toBe(true);
    expect(matchesGlob('*/claude-*', 'anthropic/claude-sonnet-4.6')).toBe(true);
    expect(matchesGlob('self/*-7b', 'self/qwen3-7b')).toBe(true);
    expect(matchesGlob('self/*-7b', 'self/qwen3-8b')).toBe(false);
    expect(matchesGlob('self/*', 'self/')).toBe(true);
    expect(matchesGlob('*', 'anything at all')).toBe(true);
  });
  it('regex metacharacters are literal', () => {
    expect(matchesGlob('a.b/c', 'a.b/c')).toBe(true);
    expect(matchesGlob('a.b/c', 'axb/c')).toBe(false);
    expect(matchesGlob('m/(x)+?', 'm/(x)+?')).toBe(true);
    expect(matchesGlob('m/(x)+?', 'm/xx')).toBe(false);
    expect(matchesGlob('m/[ab]', 'm/a')).toBe(false);
    expect(matchesGlob('m/a|b', 'm/a')).toBe(false);
    expect(matchesGlob('m/^$\\', 'm/^$\\')).toBe(true);
  });
});

describe('resolveRoute', () => {
  const routes = [r('sim/special'), r('sim/*', 'anthropic'), r('*/gpt-*')];
  it('first match wins', () => {
    expect(resolveRoute(routes, 'sim/special').match).toBe('sim/special');
    expect(resolveRoute(routes, 'sim/other').match).toBe('sim/*');
    expect(resolveRoute(routes, 'sim/gpt-5').match).toBe('sim/*');
    expect(resolveRoute(routes, 'openai/gpt-5').match).toBe('*/gpt-*');
  });
  it('falls back to the built-in openrouter route, but user routes come first', () => {
    expect(resolveRoute(routes, 'openrouter/qwen/qwen3-30b')).toEqual(DEFAULT_OPENROUTER_ROUTE);
    expect(resolveRoute([r('openrouter/*', 'openai-compatible')], 'openrouter/a/b').kind).toBe('openai-compatible');
  });
  it('unprefixed ids match nothing unless a catch-all exists', () => {
    const err = (() => {
      try {
        resolveRoute(routes, 'gpt5');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(LlmError);
    expect((err as LlmError).kind).toBe('no_route');
    expect((err as LlmError).message).toMatch(/no prefix/);
    expect(resolveRoute([r('*')], 'gpt5').match).toBe('*');
  });
  it('no_route names the config file and lists configured matches', () => {
    try {
      resolveRoute(routes, 'vendor/model', '/home/u/.skvm/skvm.config.json');
      expect.unreachable();
    } catch (e) {
      const err = e as LlmError;
      expect(err.kind).toBe('no_route');
      expect(err.retryable).toBe(false);
      expect(err.hint).toContain('/home/u/.skvm/skvm.config.json');
      expect(err.hint).toContain('providers.routes');
      for (const m of ['"sim/special"', '"sim/*"', '"*/gpt-*"', 'openrouter/*']) expect(err.hint).toContain(m);
    }
  });
});

describe('validateModelIdForRoute', () => {
  it('rejects empty and whitespace backend ids', () => {
    expect(() => validateModelIdForRoute('self/', r('self/*'))).toThrow(/empty/);
    expect(() => validateModelIdForRoute('self/a b', r('self/*'))).toThrow(/whitespace/);
  });
  it('openrouter needs vendor/model', () => {
    const or = r('openrouter/*', 'openrouter');
    expect(() => validateModelIdForRoute('openrouter/qwen3', or)).toThrow(/vendor\/model/);
    expect(() => validateModelIdForRoute('openrouter/qwen/qwen3', or)).not.toThrow();
  });
  it('anthropic needs claude- only on the official endpoint', () => {
    const official = r('anthropic/*', 'anthropic', { baseUrl: undefined });
    expect(() => validateModelIdForRoute('anthropic/gpt-5', official)).toThrow(/claude-/);
    expect(() => validateModelIdForRoute('anthropic/Claude-sonnet-4.6', official)).not.toThrow();
    expect(() => validateModelIdForRoute('anthropic/gpt-5', r('anthropic/*', 'anthropic', { baseUrl: 'https://api.anthropic.com' }))).toThrow();
    expect(() => validateModelIdForRoute('gw/glm-5.1', r('gw/*', 'anthropic', { baseUrl: 'https://gw.example.com' }))).not.toThrow();
  });
  it('openai-compatible accepts any non-empty id', () => {
    expect(() => validateModelIdForRoute('self/qwen3-7b', r('self/*'))).not.toThrow();
  });
});

describe('resolveApiKey', () => {
  it('a literal apiKey wins over the env var, and "" is a legal auth-free value', () => {
    expect(resolveApiKey(r('a/*', 'openai-compatible', { apiKey: 'literal-key-123', apiKeyEnv: 'X_KEY' }), { X_KEY: 'env-key-456' })).toBe('literal-key-123');
    expect(resolveApiKey(r('a/*', 'openai-compatible', { apiKey: '' }), {})).toBe('');
  });
  it('reads the env var at call time and registers it for redaction', () => {
    const route = r('a/*', 'openai-compatible', { apiKey: undefined, apiKeyEnv: 'MY_TEST_KEY_VAR' });
    expect(resolveApiKey(route, { MY_TEST_KEY_VAR: 'sk-very-secret-value-9876' })).toBe('sk-very-secret-value-9876');
    expect(redact('key=sk-very-secret-value-9876')).toBe('key=***');
  });
  it('a missing env var is an auth error naming the variable and the config file', () => {
    const route = r('a/*', 'openai-compatible', { apiKey: undefined, apiKeyEnv: 'MISSING_KEY_VAR' });
    try {
      resolveApiKey(route, {}, { model: 'a/m', configFile: '/cfg/skvm.config.json' });
      expect.unreachable();
    } catch (e) {
      const err = e as LlmError;
      expect(err).toBeInstanceOf(LlmError);
      expect(err.kind).toBe('auth');
      expect(err.retryable).toBe(false);
      expect(err.message).toContain('MISSING_KEY_VAR');
      expect(err.hint).toContain('MISSING_KEY_VAR');
      expect(err.hint).toContain('/cfg/skvm.config.json');
    }
  });
  it('a route with neither key nor variable is an auth error', () => {
    expect(() => resolveApiKey(r('a/*', 'openai-compatible', { apiKey: undefined }), {})).toThrow(/neither apiKey nor apiKeyEnv/);
  });
});
