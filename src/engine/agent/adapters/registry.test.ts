import { describe, expect, it } from 'vitest';
import { NotFoundError, SkvmError } from '../../util/errors.js';
import { ADAPTERS, CLI_HARNESSES, harnessEntry, isKnownAdapter, isRunnableAdapter, RUNNABLE_ADAPTERS } from './harnesses.js';
import { AdapterUnavailableError, assertRunnableAdapter, loadAdapter, unrunnableAdapterError } from './registry.js';

describe('harness registry', () => {
  it('names the eight reference harnesses, bare-agent first', () => {
    expect(ADAPTERS).toEqual(['bare-agent', 'opencode', 'openclaw', 'hermes', 'jiuwenclaw', 'pi', 'claude-code', 'codex']);
    expect(CLI_HARNESSES).toEqual(ADAPTERS.slice(1));
    expect(harnessEntry('claude-code')?.cli).toEqual({ bin: 'claude', envVar: 'SKVM_CLAUDE_CMD', pkg: '@anthropic-ai/claude-code' });
  });

  it('runnable means built: all eight', () => {
    expect(RUNNABLE_ADAPTERS).toEqual(ADAPTERS);
    expect(ADAPTERS.filter(isRunnableAdapter)).toEqual(RUNNABLE_ADAPTERS);
    expect(isRunnableAdapter('Bare-Agent')).toBe(false);
    expect(isKnownAdapter('codex')).toBe(true);
    expect(isKnownAdapter('cursor')).toBe(false);
    expect(() => assertRunnableAdapter('bare-agent')).not.toThrow();
  });

  it('loads a built adapter whose name and deliveries match its entry', async () => {
    const a = await loadAdapter('bare-agent');
    expect(a.name).toBe('bare-agent');
    expect(a.modes).toEqual(['managed']);
    expect(a.skillDelivery).toEqual(['inject', 'discover']);
    expect(await a.available(process.env)).toEqual({ ok: true });
    for (const name of CLI_HARNESSES) {
      const cli = await loadAdapter(name);
      expect(cli.name).toBe(name);
      expect(cli.modes).toEqual(harnessEntry(name)!.modes);
      expect(cli.skillDelivery).toEqual(harnessEntry(name)!.skillDelivery);
    }
  });

  it('a harness that cannot run on this machine carries its reason and install hint', () => {
    const err = new AdapterUnavailableError('codex', 'codex is not on PATH', 'npm install -g @openai/codex');
    expect(err.message).toBe('Adapter "codex" cannot run here: codex is not on PATH');
    expect(err.hint).toBe('npm install -g @openai/codex');
  });

  it('an unknown name is NotFound with suggestions', async () => {
    const err = unrunnableAdapterError('claude-cod');
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err).toBeInstanceOf(SkvmError);
    expect((err as NotFoundError).suggestions).toContain('claude-code');
    expect(err.hint).toContain('Known adapters: bare-agent');
    await expect(loadAdapter('cursor')).rejects.toBeInstanceOf(NotFoundError);
  });
});
