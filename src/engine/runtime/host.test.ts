import { describe, expect, it } from 'vitest';
import { harnessHost, needsRoute } from './host.js';

describe('harnessHost', () => {
  const env = { PATH: '/bin' };

  it('an explicit adapterConfig wins; the config default applies only to harnesses that have that mode', () => {
    const cfg = { defaults: { adapterConfigMode: 'native' as const }, adapters: { codex: '/opt/codex' } };
    expect(harnessHost(cfg, env, 'codex')).toEqual({ mode: 'native', env, adapters: { codex: '/opt/codex' } });
    expect(harnessHost(cfg, env, 'codex', 'managed')).toMatchObject({ mode: 'managed' });
    // bare-agent has no native mode: the default leaves it alone, an explicit request is the runtime's to refuse.
    expect(harnessHost(cfg, env, 'bare-agent').mode).toBeUndefined();
    expect(harnessHost(cfg, env, 'bare-agent', 'native').mode).toBe('native');
    expect(harnessHost({}, env, 'pi')).toEqual({ env, adapters: {} });
  });

  it('only managed runs need a route of ours', () => {
    expect(needsRoute({}, 'codex')).toBe(true);
    expect(needsRoute({}, 'bare-agent')).toBe(true);
    expect(needsRoute({ mode: 'native' }, 'claude-code')).toBe(false);
  });
});
