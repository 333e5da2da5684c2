import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { OpContext } from '../src/contract/operation.js';
import { createEngine } from '../src/engine/engine.js';
import { profilesListTool } from './profiles_list.js';
import { requireUpstream } from '../test/upstream.js';

const UPSTREAM = path.join(requireUpstream(), 'profiles');

const cache = mkdtempSync(path.join(os.tmpdir(), 'skvm-tool-list-'));
cpSync(UPSTREAM, path.join(cache, 'profiles'), { recursive: true });
afterAll(() => rmSync(cache, { recursive: true, force: true }));

function ctxFor(cacheDir: string): OpContext {
  const engine = createEngine({ flags: { cache: cacheDir }, env: {} });
  return { progress() {}, signal: new AbortController().signal, log: engine.log, engine, llm: undefined } as unknown as OpContext;
}
const call = (input: Record<string, unknown>, dir = cache) => profilesListTool.handler(profilesListTool.input.parse(input), ctxFor(dir));

describe('profiles_list', () => {
  it('is read-only with described fields', () => {
    expect(profilesListTool).toMatchObject({ effect: 'read', mode: 'instant' });
    for (const [k, s] of Object.entries(profilesListTool.input.shape)) expect(s.description, k).toBeTruthy();
    expect(profilesListTool.input.parse({}).limit).toBe(10);
  });

  it('lists cached profiles with their URIs, limited', async () => {
    expect(await call({})).toMatchObject({ total: 44, returned: 10 });
    const out = await call({ limit: 100 });
    expect(profilesListTool.output.parse(out)).toEqual(out);
    expect(out).toMatchObject({ total: 44, returned: 44, profilesDir: path.join(cache, 'profiles') });
    const row = out.profiles.find((p) => p.harness === 'openclaw' && p.dirName === 'qwen--qwen3.5-9b')!;
    expect(row).toMatchObject({ model: 'qwen/qwen3.5-9b', isPartial: false, versions: 1, uri: 'skvm://profiles/openclaw/qwen--qwen3.5-9b' });
    expect(row.latestComplete?.file).toBe('v_20260410T124408..json');
    const partial = out.profiles.find((p) => p.harness === 'bare-agent' && p.dirName === 'openai--gpt-5.4')!;
    expect(partial).toMatchObject({ isPartial: true, latestComplete: null });
    const limited = await call({ limit: 5 });
    expect(limited).toMatchObject({ total: 44, returned: 5 });
    expect(limited.hint).toMatch(/39 more/);
    const text = profilesListTool.summarize(limited);
    expect(text.split('\n')[0]).toMatch(/^model\s+harness\s+profiledAt\s+state\s+versions$/);
    expect(text).toContain('(5 of 44 shown)');
  });

  it('filters by harness and model substring (id or directory form)', async () => {
    expect((await call({ harness: 'hermes' })).total).toBe(2);
    const q = await call({ model: 'OpenRouter/Qwen/qwen3.5-9b' });
    expect(q.profiles.map((p) => `${p.harness}/${p.dirName}`)).toEqual(['bare-agent/openrouter--qwen--qwen3.5-9b', 'openclaw/openrouter--qwen--qwen3.5-9b']);
    expect((await call({ model: 'qwen3.5-9b', harness: 'openclaw' })).total).toBe(2);
    const none = await call({ model: 'gpt-9' });
    expect(none.total).toBe(0);
    expect(none.hint).toMatch(/No profile matches/);
  });

  it('says how to fill an empty cache', async () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'skvm-tool-empty-'));
    try {
      const out = await call({}, empty);
      expect(out.total).toBe(0);
      expect(out.hint).toMatch(/profiles_import/);
      expect(profilesListTool.summarize(out)).toMatch(/No profiles/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
