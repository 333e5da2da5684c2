import { mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NotFoundError, UsageError } from '../util/errors.js';
import { importProfiles, listProfiles, loadProfile } from './store.js';
import { requireUpstream } from '../../../test/upstream.js';
import { tempDirs } from '../../../test/tmp.js';

const UPSTREAM_ROOT = requireUpstream();
const UPSTREAM = path.join(UPSTREAM_ROOT, 'profiles');

const tmp = tempDirs('skvm-import-');

/** Every file under <root>/<harness>/<model>/, relative. */
function treeFiles(root: string): string[] {
  const out: string[] = [];
  for (const h of readdirSync(root)) for (const m of readdirSync(path.join(root, h))) for (const f of readdirSync(path.join(root, h, m))) out.push(`${h}/${m}/${f}`);
  return out.sort();
}

const VALID_TCP = {
  version: '1.0',
  model: 'sim/ok',
  harness: 'h',
  profiledAt: '2026-01-01T00:00:00.000Z',
  capabilities: { 'tool.exec': 'L2' },
  details: [],
  cost: { totalUsd: 0, totalTokens: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 }, durationMs: 1 },
};

describe('importProfiles', () => {
  it('imports the upstream tree, then skips existing files, then replaces with overwrite', async () => {
    const upstreamFiles = treeFiles(UPSTREAM);
    expect(upstreamFiles.length).toBe(65);
    const cache = path.join(tmp(), 'profiles');

    const first = await importProfiles(UPSTREAM, cache);
    expect(first.source).toBe(UPSTREAM);
    expect(first.destination).toBe(cache);
    expect(first.counts).toEqual({ imported: 65, replaced: 0, skippedExisting: 0, invalid: 0, ignored: 0, total: 65 });
    expect(treeFiles(cache)).toEqual(upstreamFiles);
    // Byte-for-byte copies, odd names included.
    for (const rel of ['openclaw/qwen--qwen3.5-9b/v_20260410T124408..json', 'bare-agent/z-ai--glm-5-turbo/failure-reports.json']) {
      expect(readFileSync(path.join(cache, rel))).toEqual(readFileSync(path.join(UPSTREAM, rel)));
    }
    expect((await listProfiles(cache)).length).toBe(44);

    const second = await importProfiles(UPSTREAM, cache);
    expect(second.counts).toEqual({ imported: 0, replaced: 0, skippedExisting: 65, invalid: 0, ignored: 0, total: 65 });
    expect(second.files.every((f) => f.status === 'skipped-existing')).toBe(true);

    const target = path.join(cache, 'bare-agent/qwen--qwen3.5-9b/latest.json');
    const tampered = JSON.parse(readFileSync(target, 'utf8')) as { capabilities: Record<string, string> };
    tampered.capabilities['gen.regex'] = 'L0';
    writeFileSync(target, JSON.stringify(tampered));
    const kept = await importProfiles(UPSTREAM, cache, { overwrite: false });
    expect(kept.counts.skippedExisting).toBe(65);
    expect((await loadProfile(cache, 'bare-agent', 'qwen/qwen3.5-9b')).tcp.capabilities['gen.regex']).toBe('L0');

    const third = await importProfiles(UPSTREAM, cache, { overwrite: true });
    expect(third.counts).toEqual({ imported: 0, replaced: 65, skippedExisting: 0, invalid: 0, ignored: 0, total: 65 });
    expect(readFileSync(target)).toEqual(readFileSync(path.join(UPSTREAM, 'bare-agent/qwen--qwen3.5-9b/latest.json')));
    expect(readdirSync(path.dirname(target)).some((n) => n.endsWith('.tmp'))).toBe(false);
  });

  it('finds profiles/ inside a SkVM-data checkout and filters by harness', async () => {
    const cache = tmp();
    const res = await importProfiles(UPSTREAM_ROOT, cache, { harness: 'hermes' });
    expect(res.source).toBe(UPSTREAM);
    expect(res.counts.imported).toBe(2);
    expect(treeFiles(cache)).toEqual(['hermes/deepseek--deepseek-v4-flash/latest.json', 'hermes/deepseek--deepseek-v4-pro/v_20260426T093223Z.json']);
    const err = await importProfiles(UPSTREAM, cache, { harness: 'hermez' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as NotFoundError).suggestions).toContain('hermes');
    await expect(importProfiles(UPSTREAM, cache, { harness: '../x' })).rejects.toBeInstanceOf(UsageError);
  });

  it('skips invalid files with a reason and ignores symlinks and strays', async () => {
    const src = tmp();
    const cache = tmp();
    const put = (rel: string, text: string) => {
      mkdirSync(path.dirname(path.join(src, rel)), { recursive: true });
      writeFileSync(path.join(src, rel), text);
    };
    put('h/sim--ok/latest.json', JSON.stringify(VALID_TCP));
    put('h/sim--ok/v_20260101T000000Z.json', JSON.stringify(VALID_TCP));
    put('h/sim--ok/notes.txt', 'hello');
    put('h/sim--ok/other.json', '{}');
    put('h/sim--broken/latest.json', '{"version": "1.0",');
    put('h/sim--nottcp/v_1.json', JSON.stringify({ hello: 'world' }));
    put('h/sim--moved/latest.json', JSON.stringify(VALID_TCP)); // model sim/ok belongs in sim--ok
    put('other-harness/sim--ok/latest.json', JSON.stringify(VALID_TCP)); // harness h belongs in h/
    put('h/sim--ok/failure-reports.json', JSON.stringify({ profiledAt: 'x', reports: { 'a/L1': [{ nope: true }] } }));
    const outside = path.join(tmp(), 'secret.json');
    writeFileSync(outside, JSON.stringify({ ...VALID_TCP, model: 'sim/link' }));
    mkdirSync(path.join(src, 'h', 'sim--link'), { recursive: true });
    symlinkSync(outside, path.join(src, 'h', 'sim--link', 'latest.json'));
    symlinkSync(path.join(src, 'h'), path.join(src, 'linked-harness'));
    symlinkSync(path.join(src, 'h', 'sim--ok'), path.join(src, 'h', 'sim--linkdir'));
    writeFileSync(path.join(src, 'README.md'), '# not a profile');

    const res = await importProfiles(src, cache);
    const by = Object.fromEntries(res.files.map((f) => [f.file, f]));
    expect(by['h/sim--ok/latest.json']?.status).toBe('imported');
    expect(by['h/sim--ok/v_20260101T000000Z.json']?.status).toBe('imported');
    expect(by['h/sim--broken/latest.json']).toMatchObject({ status: 'invalid', reason: expect.stringMatching(/not valid JSON/) });
    expect(by['h/sim--nottcp/v_1.json']).toMatchObject({ status: 'invalid', reason: expect.stringMatching(/not a capability profile/) });
    expect(by['h/sim--moved/latest.json']).toMatchObject({ status: 'invalid', reason: expect.stringMatching(/belongs in directory "sim--ok"/) });
    expect(by['other-harness/sim--ok/latest.json']).toMatchObject({ status: 'invalid', reason: expect.stringMatching(/harness "h"/) });
    expect(by['h/sim--ok/failure-reports.json']).toMatchObject({ status: 'invalid', reason: expect.stringMatching(/not a failure-reports file/) });
    expect(by['h/sim--link/latest.json']).toMatchObject({ status: 'ignored', reason: 'symbolic link' });
    expect(by['linked-harness/']).toMatchObject({ status: 'ignored', reason: 'symbolic link' });
    expect(by['h/sim--linkdir/']).toMatchObject({ status: 'ignored', reason: 'symbolic link' });
    expect(by['h/sim--ok/notes.txt']?.status).toBe('ignored');
    expect(by['h/sim--ok/other.json']?.status).toBe('ignored');
    expect(res.counts).toEqual({ imported: 2, replaced: 0, skippedExisting: 0, invalid: 5, ignored: 5, total: 12 });
    expect(treeFiles(cache)).toEqual(['h/sim--ok/latest.json', 'h/sim--ok/v_20260101T000000Z.json']);
  });

  it('gives clear errors for a bad source', async () => {
    const file = path.join(tmp(), 'a.json');
    writeFileSync(file, '{}');
    await expect(importProfiles(file, tmp())).rejects.toThrow(/not a directory/);
    await expect(importProfiles('/definitely/not/here', tmp())).rejects.toThrow(/does not exist/);
    await expect(importProfiles(tmp(), tmp())).rejects.toThrow(/No profile files found/);
    await expect(importProfiles(file, tmp())).rejects.toBeInstanceOf(UsageError);
  });
});
