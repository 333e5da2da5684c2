import { describe, expect, it } from 'vitest';
import type { Route } from '../../../config/schema.js';
import { LlmClient } from '../../../llm/client.js';
import { silentLogger } from '../../../util/log.js';
import { AUTH_FREE_PLACEHOLDER_KEY, managedEndpoint } from './endpoint.js';

const routes: Route[] = [
  { match: 'sim/*', kind: 'openai-compatible', baseUrl: 'http://127.0.0.1:7/v1', apiKeyEnv: 'SIM_KEY' },
  { match: 'anth/*', kind: 'anthropic', apiKeyEnv: 'ANTH_KEY' },
  { match: 'free/*', kind: 'anthropic', baseUrl: 'http://127.0.0.1:8', apiKey: '' },
];
const client = new LlmClient({ config: () => ({ providers: { routes } }), configFile: '/x/skvm.config.json', env: { SIM_KEY: 'k-sim-0123456789', ANTH_KEY: 'k-anth-0123456789', OPENROUTER_API_KEY: 'k-or-0123456789' }, log: silentLogger });

describe('managedEndpoint over LlmClient.endpoint', () => {
  it('gives the route, its base URL (or the vendor default), the key and the vendor id', () => {
    expect(managedEndpoint(client, 'sim/tiny-1', 'codex', ['openai-compatible', 'openrouter'])).toEqual({ kind: 'openai-compatible', baseUrl: 'http://127.0.0.1:7/v1', apiKey: 'k-sim-0123456789', backendModel: 'tiny-1', route: 'sim/*' });
    expect(managedEndpoint(client, 'anth/claude-x', 'claude-code', ['anthropic'])).toMatchObject({ baseUrl: 'https://api.anthropic.com', backendModel: 'claude-x' });
    expect(managedEndpoint(client, 'openrouter/qwen/qwen3', 'pi', ['openrouter'])).toMatchObject({ baseUrl: 'https://openrouter.ai/api/v1', apiKey: 'k-or-0123456789', backendModel: 'qwen/qwen3' });
    expect(client.withUsage(() => undefined).endpoint!('sim/a')).toMatchObject({ route: 'sim/*' });
  });

  it('refuses a route kind the harness does not speak, and a model without a route', () => {
    expect(() => managedEndpoint(client, 'anth/claude-x', 'codex', ['openai-compatible'])).toThrow(/kind anthropic, and codex speaks openai-compatible/);
    expect(() => managedEndpoint(client, 'nope/x', 'codex', ['openai-compatible'])).toThrow(/No providers.routes entry matches/);
    expect(() => managedEndpoint({ chat: () => Promise.reject(new Error('x')) }, 'sim/a', 'codex', ['openai-compatible'])).toThrow(/cannot tell it/);
  });

  it('an auth-free route: the empty key for a harness that goes without, the placeholder for one that needs a key; a real key is never replaced', () => {
    expect(managedEndpoint(client, 'free/m', 'openclaw', ['anthropic'])).toMatchObject({ apiKey: '' });
    expect(managedEndpoint(client, 'free/m', 'claude-code', ['anthropic'], true)).toMatchObject({ apiKey: AUTH_FREE_PLACEHOLDER_KEY, baseUrl: 'http://127.0.0.1:8' });
    expect(managedEndpoint(client, 'anth/claude-x', 'claude-code', ['anthropic'], true)).toMatchObject({ apiKey: 'k-anth-0123456789' });
  });
});
