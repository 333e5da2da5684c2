import { describe, expect, it } from 'vitest';
import { NotFoundError, SkvmError } from '../util/errors.js';
import { ADAPTERS, AdapterUnavailableError, assertSupportedAdapter, isKnownAdapter, isSupportedAdapter, unsupportedAdapterError } from './registry.js';

describe('adapter registry', () => {
  it('names the eight reference adapters, bare-agent first', () => {
    expect(ADAPTERS).toEqual(['bare-agent', 'opencode', 'openclaw', 'hermes', 'jiuwenclaw', 'pi', 'claude-code', 'codex']);
  });

  it('only bare-agent is supported in this release', () => {
    expect(ADAPTERS.filter(isSupportedAdapter)).toEqual(['bare-agent']);
    expect(isSupportedAdapter('Bare-Agent')).toBe(false);
    expect(isKnownAdapter('codex')).toBe(true);
    expect(isKnownAdapter('cursor')).toBe(false);
    expect(() => assertSupportedAdapter('bare-agent')).not.toThrow();
  });

  it('a known harness gets a clear "later release" error', () => {
    const err = unsupportedAdapterError('claude-code');
    expect(err).toBeInstanceOf(AdapterUnavailableError);
    expect(err.code).toBe('adapter_unavailable');
    expect(err.message).toContain('"claude-code"');
    expect(err.message).toContain('only bare-agent');
    expect(err.message).toMatch(/arrive in a later release/);
    expect(err.hint).toContain('bare-agent');
    expect(() => assertSupportedAdapter('opencode')).toThrow(AdapterUnavailableError);
  });

  it('an unknown name is NotFound with suggestions', () => {
    const err = unsupportedAdapterError('claude-cod');
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err).toBeInstanceOf(SkvmError);
    expect((err as NotFoundError).suggestions).toContain('claude-code');
    expect(err.hint).toContain('Known adapters: bare-agent');
  });
});
