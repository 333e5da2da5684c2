import { describe, expect, it } from 'vitest';
import type { Route } from '../config/schema.js';
import { LlmClient } from '../llm/client.js';
import { withChat } from '../llm/types.js';
import { silentLogger } from '../util/log.js';
import { routeOf } from './job.js';

const routes: Route[] = [
  { match: 'fast/*', kind: 'openai-compatible', baseUrl: 'http://127.0.0.1:7/v1', apiKey: '', maxConcurrency: 24 },
  { match: 'plain/*', kind: 'anthropic', baseUrl: 'http://127.0.0.1:8', apiKey: '' },
];
const client = new LlmClient({ config: () => ({ providers: { routes } }), configFile: '/x/skvm.config.json', env: {}, log: silentLogger });

describe('routeOf: the window a model’s probe runs share', () => {
  it('is the route’s, with its maxConcurrency (8 when unset) whatever was asked, through the wrappers runs and probes put around the client', () => {
    const wrapped = withChat(client.withUsage(() => undefined).withUsage!(() => undefined), (req, o) => client.chat(req, o));
    const a = routeOf(wrapped, 'fast/a', false, 40);
    expect(a.limit).toBe(24);
    expect(routeOf(client, 'fast/b', false)).toEqual(a); // two models of one route share a window
    expect(routeOf(client, 'plain/c', false)).toMatchObject({ limit: 8 });
    expect(routeOf(client, 'plain/c', false).key).not.toBe(a.key);
  });

  it('is the model’s own when the harness uses its own login (no route needed), and a missing route is an error otherwise', () => {
    expect(routeOf(client, 'nowhere/x', true)).toEqual({ key: 'model:nowhere/x', limit: 8 });
    expect(routeOf(client, 'fast/a', true, 32)).toEqual({ key: 'model:fast/a', limit: 32 }); // no route of ours caps its own login
    expect(() => routeOf(client, 'nowhere/x', false)).toThrow(/No providers.routes entry matches/);
    expect(routeOf({ chat: () => Promise.reject(new Error('unused')) }, 'fast/a', false)).toEqual({ key: 'model:fast/a', limit: 8 });
  });
});
