import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { OpContext } from '../src/contract/operation.js';
import { createEngine } from '../src/engine/engine.js';
import { ALL_PRIMITIVE_IDS } from '../src/engine/primitives/catalog.js';
import type { TcpInput } from '../src/engine/profiles/schema.js';
import { savePartialProfile } from '../src/engine/profiles/store.js';
import { NotFoundError, UsageError } from '../src/engine/util/errors.js';
import { profileShowTool } from './profile_show.js';
import { requireUpstream } from '../test/upstream.js';

const UPSTREAM = path.join(requireUpstream(), 'profiles');

const cache = mkdtempSync(path.join(os.tmpdir(), 'skvm-tool-show-'));
cpSync(UPSTREAM, path.join(cache, 'profiles'), { recursive: true });
afterAll(() => rmSync(cache, { recursive: true, force: true }));
const engine = createEngine({ flags: { cache: cache }, env: {} });
const ctx = { progress() {}, signal: new AbortController().signal, log: engine.log, engine, llm: undefined } as unknown as OpContext;
const call = (input: Record<string, unknown>) => profileShowTool.handler(profileShowTool.input.parse(input), ctx);

describe('profile_show', () => {
  it('is read-only with described fields', () => {
    expect(profileShowTool).toMatchObject({ name: 'profile_show', effect: 'read', mode: 'instant' });
    for (const [k, s] of Object.entries(profileShowTool.input.shape)) expect(s.description, k).toBeTruthy();
    expect(() => profileShowTool.input.parse({})).toThrow();
  });

  it('shows the capability table in catalog order with meanings and pass counts', async () => {
    const brief = await call({ model: 'openrouter/qwen/qwen3.5-9b', harness: 'bare-agent' });
    expect(brief.capabilities[0]).toEqual({ primitive: expect.any(String), level: expect.any(String), measured: true, passes: expect.any(String) });
    expect(profileShowTool.summarize(brief).split('\n')[1]).toMatch(/^primitive\s+level\s+passes$/);
    const out = await call({ model: 'openrouter/qwen/qwen3.5-9b', harness: 'bare-agent', detail: 'full' });
    expect(profileShowTool.output.parse(out)).toEqual(out);
    expect(out).toMatchObject({
      model: 'openrouter/qwen/qwen3.5-9b',
      harness: 'bare-agent',
      dirName: 'openrouter--qwen--qwen3.5-9b',
      file: 'latest.json',
      version: null,
      isPartial: false,
      versions: ['20260406T084317Z', '20260406T053925Z'],
      versionCount: 2,
      resource: 'skvm://profiles/bare-agent/openrouter--qwen--qwen3.5-9b',
    });
    expect(out.capabilities.map((r) => r.primitive)).toEqual(ALL_PRIMITIVE_IDS);
    // This profile has 25 primitives: the missing one is reported as not measured, L0.
    const missing = out.capabilities.filter((r) => !r.measured);
    expect(missing).toHaveLength(1);
    expect(missing[0]).toMatchObject({ primitive: 'tool.web', level: 'L0', passes: '' });
    const sum = out.levelCounts.L0 + out.levelCounts.L1 + out.levelCounts.L2 + out.levelCounts.L3;
    expect(sum).toBe(26);
    const fd = out.capabilities.find((r) => r.primitive === 'follow.delegation')!;
    expect(fd.level).toBe('L0');
    expect(fd.passes).toMatch(/^L1 \d\/3/);
    const fmt = out.capabilities.find((r) => r.primitive === 'follow.format')!;
    expect(fmt.meaning!.length).toBeGreaterThan(5);
    // Compact: no TCP dump.
    expect(JSON.stringify(out).length).toBeLessThan(12_000);
    expect(JSON.stringify(out)).not.toContain('failureDetails');

    const text = profileShowTool.summarize(out);
    const lines = text.split('\n');
    expect(lines[0]).toContain('openrouter/qwen/qwen3.5-9b on bare-agent');
    expect(lines[1]).toMatch(/^primitive\s+level\s+passes\s+meaning$/);
    // Aligned: the level column starts at the same offset on every row.
    const col = lines[1]!.indexOf('level');
    for (const l of lines.slice(2, 28)) expect(l.slice(col, col + 2)).toMatch(/^L[0-3]$/);
    expect(text).toContain('not profiled');
  });

  it('resolves the harness when unique, and refuses ambiguity', async () => {
    const out = await call({ model: 'anthropic--claude-haiku-4.5' });
    expect(out).toMatchObject({ harness: 'openclaw', versionCount: 2, file: 'v_20260410T131758Z.json' });
    expect(out.note).toMatch(/No latest\.json/);
    await expect(call({ model: 'qwen/qwen3.5-9b' })).rejects.toBeInstanceOf(UsageError);
  });

  it('shows a given version with a versioned resource URI', async () => {
    const out = await call({ model: 'qwen/qwen3.5-9b', harness: 'bare-agent', version: '20260406T053925Z' });
    expect(out).toMatchObject({ file: 'v_20260406T053925Z.json', version: '20260406T053925Z', profiledAt: '2026-04-06T05:39:25.037Z' });
    expect(out.resource).toBe('skvm://profiles/bare-agent/qwen--qwen3.5-9b?version=20260406T053925Z');
  });

  it('shows partial profiles, preferring a complete version', async () => {
    const partialOnly = await call({ model: 'openai/gpt-5.4', harness: 'bare-agent' });
    expect(partialOnly.isPartial).toBe(true);
    expect(profileShowTool.summarize(partialOnly)).toContain('PARTIAL');

    const loaded = await call({ model: 'qwen/qwen3.5-9b', harness: 'bare-agent' });
    const prof = path.join(cache, 'profiles');
    const tcp = JSON.parse(readFileSync(path.join(prof, 'bare-agent/qwen--qwen3.5-9b/latest.json'), 'utf8')) as TcpInput;
    await savePartialProfile(prof, { ...tcp, profiledAt: '2026-06-01T00:00:00.000Z' });
    const after = await call({ model: 'qwen/qwen3.5-9b', harness: 'bare-agent' });
    expect(after).toMatchObject({ isPartial: false, file: 'v_20260406T084317Z.json' });
    expect(after.note).toMatch(/partial/);
    expect(loaded.file).toBe('latest.json');
  });

  it('fails for unknown profiles with the closest names', async () => {
    const err = await call({ model: 'openrouter/qwen/qwen3.5-9', harness: 'bare-agent' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as NotFoundError).suggestions).toContain('bare-agent/openrouter--qwen--qwen3.5-9b');
    await expect(call({ model: '../../etc', harness: 'bare-agent' })).rejects.toBeInstanceOf(UsageError);
  });
});
