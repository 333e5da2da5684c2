import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveRoots, resolveTmpDir, safeModelName } from './paths.js';

const base = { home: '/home/u', cwd: '/work', installRoot: '/opt/skvm' };

describe('resolveRoots (reference precedence, spec runtime §1.8)', () => {
  it('defaults under ~/.skvm and the install root', () => {
    const r = resolveRoots({ ...base, flags: {}, env: {} });
    expect(r.cache).toEqual({ value: '/home/u/.skvm', source: 'default' });
    expect(r.profiles.value).toBe('/home/u/.skvm/profiles');
    expect(r.logs.value).toBe('/home/u/.skvm/log');
    expect(r.proposals.value).toBe('/home/u/.skvm/proposals');
    expect(r.data.value).toBe('/opt/skvm/skvm-data');
    expect(r.runs.value).toBe('/home/u/.skvm/runs');
    expect(r.sessionsIndex).toBe('/home/u/.skvm/log/sessions.jsonl');
  });

  it('lets the --skvm-cache flag win over SKVM_CACHE, and sub-root variables override parts', () => {
    const r = resolveRoots({
      ...base,
      flags: { cache: '~/c' },
      env: { SKVM_CACHE: '/env/cache', SKVM_PROFILES_DIR: 'rel/profiles', SKVM_LOGS_DIR: '/l', SKVM_PROPOSALS_DIR: '/p' },
    });
    expect(r.cache).toEqual({ value: '/home/u/c', source: 'flag', from: '--skvm-cache' });
    expect(r.profiles).toEqual({ value: path.resolve('/work', 'rel/profiles'), source: 'env', from: 'SKVM_PROFILES_DIR' });
    expect(r.logs.value).toBe('/l');
    expect(r.proposals.value).toBe('/p');
    expect(r.sessionsIndex).toBe('/l/sessions.jsonl');
  });

  it('uses SKVM_CACHE when there is no flag, and --skvm-data-dir over SKVM_DATA_DIR', () => {
    const r = resolveRoots({ ...base, flags: { dataDir: '/d1' }, env: { SKVM_CACHE: '/env/cache', SKVM_DATA_DIR: '/d2' } });
    expect(r.cache).toMatchObject({ value: '/env/cache', source: 'env' });
    expect(r.data).toMatchObject({ value: '/d1', source: 'flag' });
    expect(resolveRoots({ ...base, flags: {}, env: { SKVM_DATA_DIR: '/d2' } }).data.value).toBe('/d2');
  });

  it('resolves the temp dir: flag > SKVM_TMP_DIR > config paths.tmpDir > os default', () => {
    const inp = { ...base, flags: { tmpDir: '/t1' }, env: { SKVM_TMP_DIR: '/t2' } };
    expect(resolveTmpDir(inp, '/t3').value).toBe('/t1');
    expect(resolveTmpDir({ ...inp, flags: {} }, '/t3').value).toBe('/t2');
    expect(resolveTmpDir({ ...base, flags: {}, env: {} }, '~/t3')).toMatchObject({ value: '/home/u/t3', source: 'config' });
    expect(resolveTmpDir({ ...base, flags: {}, env: {} }, undefined).source).toBe('default');
  });

  it('ignores an empty flag value', () => {
    expect(resolveRoots({ ...base, flags: { cache: '' }, env: {} }).cache.source).toBe('default');
  });
});

describe('safeModelName (MUST compat)', () => {
  it('maps / to -- and : to _', () => {
    expect(safeModelName('openrouter/qwen/qwen3.5-35b-a3b')).toBe('openrouter--qwen--qwen3.5-35b-a3b');
    expect(safeModelName('anthropic/claude-sonnet-4.6')).toBe('anthropic--claude-sonnet-4.6');
    expect(safeModelName('self/qwen3:7b')).toBe('self--qwen3_7b');
  });
  it('refuses empty and dot-only results', () => {
    expect(() => safeModelName('')).toThrow();
    expect(() => safeModelName('..')).toThrow();
    expect(safeModelName('a..b')).toBe('a..b');
  });
});
