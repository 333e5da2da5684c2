import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { NotFoundError, UsageError } from '../util/errors.js';
import type { TcpInput } from './schema.js';
import {
  checkHarnessName,
  findProfile,
  listProfileKeys,
  listProfiles,
  listVersionNames,
  listVersions,
  loadFailureReports,
  loadPartialProfile,
  loadProfile,
  modelFilter,
  normalizeVersion,
  profileDirPath,
  resolveProfileRef,
  sanitizeTimestamp,
  saveFailureReports,
  savePartialProfile,
  saveProfile,
  toModelDirName,
} from './store.js';
import { requireUpstream } from '../../../test/upstream.js';
import { tempDirs } from '../../../test/tmp.js';

const UPSTREAM = path.join(requireUpstream(), 'profiles');

const tmp = tempDirs('skvm-store-');

function tcp(over: Partial<TcpInput> = {}): TcpInput {
  return {
    version: '1.0',
    model: 'sim/planted-a',
    harness: 'bare-agent',
    profiledAt: '2026-04-03T11:39:57.566Z',
    capabilities: { 'gen.code.python': 'L3', 'tool.exec': 'L1' },
    details: [
      { primitiveId: 'gen.code.python', highestLevel: 'L3', levelResults: [{ level: 'L3', passed: true, passCount: 3, totalCount: 3, durationMs: 10 }] },
      { primitiveId: 'tool.exec', highestLevel: 'L1', levelResults: [{ level: 'L1', passed: true, passCount: 3, totalCount: 3, durationMs: 10 }] },
    ],
    cost: { totalUsd: 0, totalTokens: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 }, durationMs: 20 },
    ...over,
  };
}

describe('sanitizeTimestamp and names', () => {
  it('matches the reference stamps', () => {
    expect(sanitizeTimestamp('2026-04-03T11:39:57.566Z')).toBe('20260403T113957Z');
    expect(sanitizeTimestamp('2026-04-03T11:39:57Z')).toBe('20260403T113957Z');
    expect(sanitizeTimestamp('2026-04-03T11:39:57.5Z')).toBe('20260403T113957Z');
    expect(sanitizeTimestamp('2026-04-03T11:39:57.123+08:00')).toBe('20260403T113957+0800');
  });

  it('maps model ids to directory names and refuses unsafe ones', () => {
    expect(toModelDirName('openrouter/qwen/qwen3.5-9b')).toBe('openrouter--qwen--qwen3.5-9b');
    expect(toModelDirName('openrouter--qwen--qwen3.5-9b')).toBe('openrouter--qwen--qwen3.5-9b');
    expect(toModelDirName('self/qwen3:7b')).toBe('self--qwen3_7b');
    for (const bad of ['..', '.', '../x', 'a/../b', 'x\\y', '.hidden', 'a b', '', 'a\0b']) {
      expect(() => toModelDirName(bad), bad).toThrow(UsageError);
    }
    for (const bad of ['../x', 'a/b', '..', 'x\\y', '', '.git']) expect(() => checkHarnessName(bad), bad).toThrow(UsageError);
    expect(normalizeVersion('v_20260403T113957Z.json')).toBe('20260403T113957Z');
    expect(normalizeVersion('v_20260410T124408.')).toBe('20260410T124408.');
    for (const bad of ['../../x', 'a/b', '', '.x']) expect(() => normalizeVersion(bad), bad).toThrow(UsageError);
  });

  it('a model filter matches a substring of the id or of the directory name, case-insensitively', () => {
    const f = modelFilter('OpenRouter/Qwen');
    expect(f.dirMatches('openrouter--qwen--qwen3.5-9b')).toBe(true);
    expect(f.dirMatches('qwen--qwen3.5-9b')).toBe(false);
    expect(f.matches('openrouter/qwen/qwen3.5-9b', 'x')).toBe(true);
    expect(modelFilter('qwen3:7b').dirMatches('self--qwen3_7b')).toBe(true);
    expect(modelFilter('--qwen3').dirMatches('self--qwen3_7b')).toBe(true);
    // Filters are substrings, not directory names: "." or ".." are fine to search for.
    expect(modelFilter('..').matches('a..b', 'x')).toBe(true);
  });
});

describe('reading the upstream tree', () => {
  it('lists every profile directory by name only', async () => {
    const keys = await listProfileKeys(UPSTREAM);
    expect(keys.length).toBe(44);
    const k = keys.find((x) => x.harness === 'openclaw' && x.dirName === 'qwen--qwen3.5-9b')!;
    expect(k).toMatchObject({ hasLatest: false, versionCount: 1, hasFailureReports: false });
    expect(keys.find((x) => x.harness === 'bare-agent' && x.dirName === 'z-ai--glm-5-turbo')?.hasFailureReports).toBe(true);
  });

  it('lists profiles with model, partial state, counts and the complete fallback', async () => {
    const rows = await listProfiles(UPSTREAM);
    expect(rows.length).toBe(44);
    const partial = rows.find((r) => r.harness === 'bare-agent' && r.dirName === 'openai--gpt-5.4')!;
    expect(partial).toMatchObject({ model: 'openai/gpt-5.4', isPartial: true, primitiveCount: 26, versionCount: 0, latestComplete: null });
    const noLatest = rows.find((r) => r.harness === 'openclaw' && r.dirName === 'openrouter--anthropic--claude-opus-4.6')!;
    expect(noLatest).toMatchObject({ model: 'openrouter/anthropic/claude-opus-4.6', isPartial: false, hasLatest: false, versionCount: 1 });
    expect(noLatest.latestComplete).toMatchObject({ file: 'v_20260410T124408..json', version: '20260410T124408.' });
    expect(noLatest.uri).toBe('skvm://profiles/openclaw/openrouter--anthropic--claude-opus-4.6');
    const withLatest = rows.find((r) => r.harness === 'bare-agent' && r.dirName === 'qwen--qwen3.5-9b')!;
    expect(withLatest).toMatchObject({ model: 'qwen/qwen3.5-9b', profiledAt: '2026-04-08T13:37:07.083Z', versionCount: 2, primitiveCount: 25 });
    expect(withLatest.latestComplete?.file).toBe('latest.json');
    expect(rows.every((r) => r.invalidFiles.length === 0)).toBe(true);
    const onlyHermes = await listProfiles(UPSTREAM, { filter: (k) => k.harness === 'hermes' });
    expect(onlyHermes.map((r) => r.dirName)).toEqual(['deepseek--deepseek-v4-flash', 'deepseek--deepseek-v4-pro']);
  });

  it('loads by model id and by directory name', async () => {
    const byId = await loadProfile(UPSTREAM, 'bare-agent', 'openrouter/qwen/qwen3.5-9b');
    const byDir = await loadProfile(UPSTREAM, 'bare-agent', 'openrouter--qwen--qwen3.5-9b');
    expect(byId.tcp).toEqual(byDir.tcp);
    expect(byId).toMatchObject({ file: 'latest.json', version: null, dirName: 'openrouter--qwen--qwen3.5-9b' });
    expect(byId.note).toBeUndefined();
    expect(byId.tcp.model).toBe('openrouter/qwen/qwen3.5-9b');
  });

  it('lists versions newest first and loads one, tolerating odd file names', async () => {
    expect(await listVersionNames(UPSTREAM, 'bare-agent', 'qwen/qwen3.5-9b')).toEqual(['20260406T084317Z', '20260406T053925Z']);
    const versions = await listVersions(UPSTREAM, 'bare-agent', 'qwen/qwen3.5-9b');
    expect(versions.map((v) => v.version)).toEqual(['20260406T084317Z', '20260406T053925Z']);
    expect(versions[0]!.profiledAt).toBe('2026-04-06T08:43:17.405Z');
    const v = await loadProfile(UPSTREAM, 'bare-agent', 'qwen/qwen3.5-9b', { version: '20260406T053925Z' });
    expect(v).toMatchObject({ file: 'v_20260406T053925Z.json', version: '20260406T053925Z' });
    expect(v.tcp.profiledAt).toBe('2026-04-06T05:39:25.037Z');

    const odd = await loadProfile(UPSTREAM, 'openclaw', 'qwen/qwen3.5-9b');
    expect(odd).toMatchObject({ file: 'v_20260410T124408..json', version: '20260410T124408.' });
    expect(odd.note).toMatch(/No latest\.json/);
    expect(odd.tcp.isPartial).toBe(false);
    const oddV = await loadProfile(UPSTREAM, 'openclaw', 'qwen/qwen3.5-9b', { version: 'v_20260410T124408..json' });
    expect(oddV.tcp.profiledAt).toBe('2026-04-10T12:44:08.457Z');
    expect(await listVersions(UPSTREAM, 'openclaw', 'qwen--qwen3.5-9b')).toHaveLength(1);
  });

  it('reports unknown versions and profiles with the closest names', async () => {
    const verr = await loadProfile(UPSTREAM, 'bare-agent', 'qwen/qwen3.5-9b', { version: '20260406T084318Z' }).catch((e: unknown) => e);
    expect(verr).toBeInstanceOf(NotFoundError);
    expect((verr as NotFoundError).suggestions[0]).toBe('20260406T084317Z');
    const err = await loadProfile(UPSTREAM, 'bare-agent', 'qwen--qwen3.5-9c').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as NotFoundError).suggestions).toContain('bare-agent/qwen--qwen3.5-9b');
    const err2 = await loadProfile(UPSTREAM, 'bare-agnt', 'qwen/qwen3.5-9b').catch((e: unknown) => e);
    expect((err2 as NotFoundError).suggestions).toContain('bare-agent/qwen--qwen3.5-9b');
    expect(await findProfile(UPSTREAM, 'bare-agent', 'nobody/nothing')).toBeNull();
  });

  it('refuses only-partial profiles unless allowPartial', async () => {
    await expect(loadProfile(UPSTREAM, 'bare-agent', 'openai/gpt-5.4')).rejects.toBeInstanceOf(NotFoundError);
    const p = await loadProfile(UPSTREAM, 'bare-agent', 'openai/gpt-5.4', { allowPartial: true });
    expect(p.tcp.isPartial).toBe(true);
    expect(p.note).toMatch(/Partial profile/);
    expect((await loadPartialProfile(UPSTREAM, 'bare-agent', 'openai/gpt-5.4'))?.model).toBe('openai/gpt-5.4');
    expect(await loadPartialProfile(UPSTREAM, 'bare-agent', 'qwen/qwen3.5-9b')).toBeNull();
  });

  it('resolves references with and without a harness', async () => {
    expect(await resolveProfileRef(UPSTREAM, { model: 'anthropic/claude-haiku-4.5' })).toEqual({ harness: 'openclaw', dirName: 'anthropic--claude-haiku-4.5' });
    expect(await resolveProfileRef(UPSTREAM, { model: 'openrouter--qwen--qwen3.5-9b', harness: 'openclaw' })).toEqual({
      harness: 'openclaw',
      dirName: 'openrouter--qwen--qwen3.5-9b',
    });
    const many = await resolveProfileRef(UPSTREAM, { model: 'deepseek/deepseek-v4-flash' }).catch((e: unknown) => e);
    expect(many).toBeInstanceOf(UsageError);
    expect((many as UsageError).message).toContain('bare-agent, hermes, openclaw');
    const none = await resolveProfileRef(UPSTREAM, { model: 'openrouter/qwen/qwen3.5-9' }).catch((e: unknown) => e);
    expect(none).toBeInstanceOf(NotFoundError);
    expect((none as NotFoundError).suggestions.some((s) => s.endsWith('/openrouter--qwen--qwen3.5-9b'))).toBe(true);
    await expect(resolveProfileRef(UPSTREAM, { model: 'x', harness: 'hermes' })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('loads the failure-reports sidecar', async () => {
    const fr = await loadFailureReports(UPSTREAM, 'bare-agent', 'z-ai/glm-5-turbo');
    expect(fr?.profiledAt).toBe('2026-04-11T10:03:38.208Z');
    expect(Object.keys(fr!.reports)).toEqual(['tool.web/L2']);
    expect(await loadFailureReports(UPSTREAM, 'openclaw', 'z-ai/glm-5-turbo')).toBeNull();
  });

  it('refuses path-injection attempts everywhere', async () => {
    const attempts: Array<() => Promise<unknown>> = [
      () => loadProfile(UPSTREAM, '../x', 'qwen--qwen3.5-9b'),
      () => loadProfile(UPSTREAM, 'a/b', 'qwen--qwen3.5-9b'),
      () => loadProfile(UPSTREAM, 'bare-agent', '../x'),
      () => loadProfile(UPSTREAM, 'bare-agent', '..'),
      () => loadProfile(UPSTREAM, 'bare-agent', '..%2Fx'),
      () => loadProfile(UPSTREAM, 'bare-agent', 'qwen/qwen3.5-9b', { version: '../../etc/passwd' }),
      () => loadProfile(UPSTREAM, 'bare-agent', 'qwen/qwen3.5-9b', { version: 'a/b' }),
      () => resolveProfileRef(UPSTREAM, { model: '../../x' }),
      () => resolveProfileRef(UPSTREAM, { model: 'x', harness: '..' }),
      () => listVersions(UPSTREAM, '..', 'x'),
      () => loadFailureReports(UPSTREAM, 'bare-agent', '/etc/..'),
      () => saveProfile(tmp(), tcp({ harness: '../evil' })),
      () => saveProfile(tmp(), tcp({ model: '../../evil' })),
      () => savePartialProfile(tmp(), tcp({ harness: 'a/b' })),
    ];
    for (const [i, attempt] of attempts.entries()) {
      await expect(attempt(), `attempt ${i}`).rejects.toBeInstanceOf(UsageError);
    }
    expect(() => profileDirPath(UPSTREAM, 'bare-agent', 'a\\..\\b')).toThrow(UsageError);
  });
});

describe('saving', () => {
  let dir: string;
  beforeEach(() => {
    dir = tmp();
  });

  it('saveProfile writes v_<stamp>.json and latest.json', async () => {
    const saved = await saveProfile(dir, tcp());
    const modelDir = path.join(dir, 'bare-agent', 'sim--planted-a');
    expect(saved).toEqual({
      latestPath: path.join(modelDir, 'latest.json'),
      versionPath: path.join(modelDir, 'v_20260403T113957Z.json'),
      version: '20260403T113957Z',
      profile: expect.objectContaining({ model: 'sim/planted-a', isPartial: false }),
    });
    expect(saved.profile).toEqual(JSON.parse(readFileSync(saved.latestPath, 'utf8')));
    expect(readdirSync(modelDir).sort()).toEqual(['latest.json', 'v_20260403T113957Z.json']);
    const latest = JSON.parse(readFileSync(saved.latestPath, 'utf8')) as Record<string, unknown>;
    expect(latest.isPartial).toBe(false);
    expect(readFileSync(saved.latestPath, 'utf8')).toBe(readFileSync(saved.versionPath, 'utf8'));
    expect(readFileSync(saved.latestPath, 'utf8')).toContain('\n  "version": "1.0"');

    // A re-save keeps the old version and updates latest.
    await saveProfile(dir, tcp({ profiledAt: '2026-04-05T01:02:03.004Z', capabilities: { 'gen.code.python': 'L2' } }));
    expect(await listVersionNames(dir, 'bare-agent', 'sim/planted-a')).toEqual(['20260405T010203Z', '20260403T113957Z']);
    const loaded = await loadProfile(dir, 'bare-agent', 'sim/planted-a');
    expect(loaded.tcp.capabilities).toEqual({ 'gen.code.python': 'L2' });
    expect(loaded.file).toBe('latest.json');
    expect(await listVersions(dir, 'bare-agent', 'nobody/x')).toEqual([]);
    await expect(saveProfile(dir, tcp({ isPartial: true }))).rejects.toBeInstanceOf(UsageError);
    await expect(saveProfile(dir, { ...tcp(), version: '9' } as unknown as TcpInput)).rejects.toBeInstanceOf(UsageError);
  });

  it('a partial latest.json does not hide the complete profile (latestComplete)', async () => {
    await saveProfile(dir, tcp());
    const partialPath = await savePartialProfile(dir, tcp({ profiledAt: '2026-05-01T00:00:00.000Z', capabilities: { 'gen.code.python': 'L1' } }));
    expect(readdirSync(path.dirname(partialPath)).sort()).toEqual(['latest.json', 'v_20260403T113957Z.json']);

    const loaded = await loadProfile(dir, 'bare-agent', 'sim--planted-a');
    expect(loaded).toMatchObject({ file: 'v_20260403T113957Z.json', version: '20260403T113957Z' });
    expect(loaded.tcp.capabilities).toEqual({ 'gen.code.python': 'L3', 'tool.exec': 'L1' });
    expect(loaded.note).toMatch(/partial/);
    // allowPartial still prefers a complete profile.
    expect((await loadProfile(dir, 'bare-agent', 'sim--planted-a', { allowPartial: true })).version).toBe('20260403T113957Z');
    expect((await loadPartialProfile(dir, 'bare-agent', 'sim/planted-a'))?.capabilities).toEqual({ 'gen.code.python': 'L1' });

    const [row] = await listProfiles(dir);
    expect(row).toMatchObject({ isPartial: true, profiledAt: '2026-05-01T00:00:00.000Z', primitiveCount: 1, versionCount: 1 });
    expect(row!.latestComplete).toMatchObject({ file: 'v_20260403T113957Z.json', profiledAt: '2026-04-03T11:39:57.566Z', primitiveCount: 2 });

    // Finishing the run replaces the checkpoint.
    await saveProfile(dir, tcp({ profiledAt: '2026-05-01T00:00:00.000Z' }));
    const [after] = await listProfiles(dir);
    expect(after).toMatchObject({ isPartial: false, versionCount: 2 });
    expect(after!.latestComplete?.file).toBe('latest.json');
  });

  it('skips invalid files when falling back and reports them', async () => {
    const modelDir = path.join(dir, 'bare-agent', 'sim--planted-a');
    mkdirSync(modelDir, { recursive: true });
    writeFileSync(path.join(modelDir, 'latest.json'), '{not json');
    writeFileSync(path.join(modelDir, 'v_20990101T000000Z.json'), JSON.stringify({ version: '1.0' }));
    await expect(loadProfile(dir, 'bare-agent', 'sim/planted-a')).rejects.toMatchObject({ code: 'invalid_profile' });
    writeFileSync(path.join(modelDir, 'v_20200101T000000Z.json'), JSON.stringify(tcp()));
    const loaded = await loadProfile(dir, 'bare-agent', 'sim/planted-a');
    expect(loaded.version).toBe('20200101T000000Z');
    expect(loaded.note).toMatch(/latest\.json is invalid/);
    const [row] = await listProfiles(dir);
    expect(row!.invalidFiles.map((f) => f.file).sort()).toEqual(['latest.json', 'v_20990101T000000Z.json']);
    await expect(loadProfile(dir, 'bare-agent', 'sim/planted-a', { version: '20990101T000000Z' })).rejects.toMatchObject({ code: 'invalid_profile' });
  });

  it('saves and reloads a failure-reports sidecar', async () => {
    const sidecar = {
      profiledAt: '2026-04-03T11:39:57.566Z',
      reports: {
        'tool.exec/L1': [
          {
            primitiveId: 'tool.exec',
            level: 'L1',
            instance: 0,
            evalDetails: 'output_correct: 0.00',
            agentText: 'done',
            steps: [{ index: 0, role: 'assistant', toolCalls: [{ name: 'execute_command', input: '{"command":"ls"}', exitCode: 1 }] }],
            toolCallSummary: { totalCalls: 1, byTool: { execute_command: 1 }, errors: [{ step: 0, tool: 'execute_command', exitCode: 1 }] },
            fileChanges: { created: [], modified: [], deleted: [] },
            durationMs: 12,
          },
        ],
      },
    };
    await saveFailureReports(dir, 'bare-agent', 'sim/planted-a', sidecar);
    expect(await loadFailureReports(dir, 'bare-agent', 'sim--planted-a')).toEqual(sidecar);
  });

  it('ignores stray entries when listing keys', async () => {
    mkdirSync(path.join(dir, 'bare-agent', 'empty-model'), { recursive: true });
    mkdirSync(path.join(dir, '.hidden', 'm'), { recursive: true });
    writeFileSync(path.join(dir, '.hidden', 'm', 'latest.json'), '{}');
    writeFileSync(path.join(dir, 'stray.json'), '{}');
    await saveProfile(dir, tcp());
    expect((await listProfileKeys(dir)).map((k) => `${k.harness}/${k.dirName}`)).toEqual(['bare-agent/sim--planted-a']);
    expect(await listProfileKeys(path.join(dir, 'does-not-exist'))).toEqual([]);
  });
});

describe('listProfileKeys speed', () => {
  it('lists 2,000 profile directories quickly (timing printed, not asserted)', async () => {
    const dir = tmp('skvm-keys-');
    for (let h = 0; h < 4; h++) {
      for (let m = 0; m < 500; m++) {
        const d = path.join(dir, `harness-${h}`, `vendor--model-${m}`);
        mkdirSync(d, { recursive: true });
        writeFileSync(path.join(d, 'latest.json'), '{}');
        writeFileSync(path.join(d, 'v_20260101T000000Z.json'), '{}');
      }
    }
    await listProfileKeys(dir); // warm the directory cache
    const times: number[] = [];
    let count = 0;
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      count = (await listProfileKeys(dir)).length;
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    console.log(`listProfileKeys: ${count} profiles, median ${times[2]!.toFixed(1)} ms, best ${times[0]!.toFixed(1)} ms over 5 runs`);
    expect(count).toBe(2000);
  });
});
