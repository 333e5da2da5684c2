import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine } from '../src/engine/engine.js';
import type { TcpInput } from '../src/engine/profiles/schema.js';
import { savePartialProfile } from '../src/engine/profiles/store.js';
import { NotFoundError, UsageError } from '../src/engine/util/errors.js';
import { profileResource } from './profiles.js';
import { requireUpstream } from '../test/upstream.js';

const UPSTREAM = path.join(requireUpstream(), 'profiles');
const cache = mkdtempSync(path.join(os.tmpdir(), 'skvm-res-profiles-'));
cpSync(UPSTREAM, path.join(cache, 'profiles'), { recursive: true });
afterAll(() => rmSync(cache, { recursive: true, force: true }));
const engine = createEngine({ flags: { cache: cache }, env: {} });

const read = (uri: string, vars: Record<string, string>) => profileResource.read(engine, new URL(uri), vars);

describe('profile resource', () => {
  it('is a template listed from directory names', async () => {
    expect(profileResource.uri).toBe('skvm://profiles/{harness}/{model}');
    const list = await profileResource.list!(engine);
    expect(list).toHaveLength(44);
    const e = list.find((x) => x.name === 'openclaw/qwen--qwen3.5-9b')!;
    expect(e).toMatchObject({ uri: 'skvm://profiles/openclaw/qwen--qwen3.5-9b', mimeType: 'application/json' });
    expect(e.description).toMatch(/no latest\.json/);
  });

  it('completes harness and model (filtered by harness)', async () => {
    expect(await profileResource.complete!.harness!(engine, '', {})).toEqual(['bare-agent', 'hermes', 'openclaw']);
    expect(await profileResource.complete!.harness!(engine, 'OP', {})).toEqual(['openclaw']);
    expect(await profileResource.complete!.model!(engine, 'deepseek--deepseek-v4', { harness: 'hermes' })).toEqual([
      'deepseek--deepseek-v4-flash',
      'deepseek--deepseek-v4-pro',
    ]);
    expect(await profileResource.complete!.model!(engine, 'anthropic--claude-h', { harness: 'bare-agent' })).toEqual([]);
    expect(await profileResource.complete!.model!(engine, 'anthropic/claude-h', {})).toEqual(['anthropic--claude-haiku-4.5']);
    expect((await profileResource.complete!.model!(engine, '', {})).length).toBeGreaterThan(20);
  });

  it('reads the TCP by directory name or URL-encoded model id', async () => {
    const uri = 'skvm://profiles/bare-agent/openrouter--qwen--qwen3.5-9b';
    const r = await read(uri, { harness: 'bare-agent', model: 'openrouter--qwen--qwen3.5-9b' });
    expect(r).toMatchObject({ uri, mimeType: 'application/json' });
    const tcp = JSON.parse(r.text) as Record<string, unknown>;
    const original = JSON.parse(readFileSync(path.join(UPSTREAM, 'bare-agent/openrouter--qwen--qwen3.5-9b/latest.json'), 'utf8')) as Record<string, unknown>;
    expect(tcp.model).toBe('openrouter/qwen/qwen3.5-9b');
    expect(tcp.capabilities).toEqual(original.capabilities);
    expect(tcp.details).toHaveLength((original.details as unknown[]).length);

    const encodedUri = 'skvm://profiles/bare-agent/openrouter%2Fqwen%2Fqwen3.5-9b';
    // Servers pass decoded variables; an undecoded one works too.
    const decoded = await read(encodedUri, { harness: 'bare-agent', model: 'openrouter/qwen/qwen3.5-9b' });
    const raw = await read(encodedUri, { harness: 'bare-agent', model: 'openrouter%2Fqwen%2Fqwen3.5-9b' });
    expect(JSON.parse(decoded.text)).toEqual(tcp);
    expect(JSON.parse(raw.text)).toEqual(tcp);
  });

  it('serves the newest complete version when latest.json is missing or partial, and ?version=', async () => {
    const noLatest = JSON.parse((await read('skvm://profiles/openclaw/qwen--qwen3.5-9b', { harness: 'openclaw', model: 'qwen--qwen3.5-9b' })).text) as Record<string, unknown>;
    expect(noLatest.profiledAt).toBe('2026-04-10T12:44:08.457Z');
    expect(noLatest.isPartial).toBe(false);

    const prof = path.join(cache, 'profiles');
    const latest = JSON.parse(readFileSync(path.join(prof, 'bare-agent/qwen--qwen3.5-9b/latest.json'), 'utf8')) as TcpInput;
    await savePartialProfile(prof, { ...latest, profiledAt: '2026-07-01T00:00:00.000Z' });
    const fallback = JSON.parse((await read('skvm://profiles/bare-agent/qwen--qwen3.5-9b', { harness: 'bare-agent', model: 'qwen--qwen3.5-9b' })).text) as Record<string, unknown>;
    expect(fallback.profiledAt).toBe('2026-04-06T08:43:17.405Z');

    const vUri = 'skvm://profiles/bare-agent/qwen--qwen3.5-9b?version=20260406T053925Z';
    const v1 = JSON.parse((await read(vUri, { harness: 'bare-agent', model: 'qwen--qwen3.5-9b?version=20260406T053925Z' })).text) as Record<string, unknown>;
    const v2 = JSON.parse((await read(vUri, { harness: 'bare-agent', model: 'qwen--qwen3.5-9b' })).text) as Record<string, unknown>;
    expect(v1.profiledAt).toBe('2026-04-06T05:39:25.037Z');
    expect(v2).toEqual(v1);
  });

  it('rejects unknown and malicious names', async () => {
    const err = await read('skvm://profiles/bare-agent/qwen--qwen3.5-9c', { harness: 'bare-agent', model: 'qwen--qwen3.5-9c' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as NotFoundError).suggestions).toContain('bare-agent/qwen--qwen3.5-9b');
    await expect(read('skvm://profiles/x/y', { harness: '..', model: 'x' })).rejects.toBeInstanceOf(UsageError);
    await expect(read('skvm://profiles/bare-agent/%2E%2E', { harness: 'bare-agent', model: '%2E%2E' })).rejects.toBeInstanceOf(UsageError);
    await expect(read('skvm://profiles/bare-agent/x', { harness: 'bare-agent', model: '..%2F..%2Fetc' })).rejects.toBeInstanceOf(UsageError);
    await expect(read('skvm://profiles/%2E%2E%2Fx/y', { harness: '%2E%2E%2Fx', model: 'y' })).rejects.toBeInstanceOf(UsageError);
  });
});
