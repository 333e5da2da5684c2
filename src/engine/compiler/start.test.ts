import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDirs } from '../../../test/tmp.js';
import { UPSTREAM_PROFILES, requireUpstream } from '../../../test/upstream.js';
import { writeConfigFile } from '../config/write.js';
import { createEngine, type Engine } from '../engine.js';
import { importProfiles } from '../profiles/import.js';
import { silentLogger } from '../util/log.js';
import { profileFromFile } from './profile-source.js';
import { startCompile, type StartCompileOptions } from './start.js';

requireUpstream();
const tmp = tempDirs('skvm-compile-start-');

let root: string;
let cache: string;
let engine: Engine;
let skillDir: string;

beforeAll(async () => {
  root = tmp();
  cache = path.join(root, 'cache');
  await importProfiles(UPSTREAM_PROFILES, path.join(cache, 'profiles'));
  // A route for the compiler model; nothing here ever reaches it.
  await writeConfigFile(path.join(cache, 'skvm.config.json'), { providers: { routes: [{ match: 'sim/*', kind: 'openai-compatible', baseUrl: 'http://127.0.0.1:9/v1', apiKey: '' }] } });
  engine = createEngine({ flags: { cache }, env: {}, log: silentLogger });
  skillDir = path.join(root, 'skills', 'demo');
  mkdirSync(skillDir, { recursive: true });
  writeFileSync(path.join(skillDir, 'SKILL.md'), '# Demo\n\nDo it.\n');
});

const start = (extra: Partial<StartCompileOptions>) =>
  startCompile(engine, { skill: skillDir, model: 'openrouter/qwen/qwen3.5-10b', harness: 'bare-agent', compilerModel: 'sim/compiler', llm: engine.llm, ...extra });

/** Nothing was compiled, staged, logged or indexed. */
function expectNoSideEffects(): void {
  expect(readdirSync(cache).sort()).toEqual(['profiles', 'skvm.config.json']);
}

describe('startCompile refuses before any side effect', () => {
  it('when a selected pass needs a profile that is not cached, naming the closest ones', async () => {
    const err = await start({}).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'not_found',
      message: 'Pass 1 (rewrite-skill) needs a complete capability profile of openrouter/qwen/qwen3.5-10b on bare-agent; no complete one is cached.',
    });
    const hint = (err as { hint: string }).hint;
    expect(hint).toContain('Closest existing: bare-agent/openrouter--qwen--qwen3.5-9b');
    expect(hint).toContain('profileIfMissing');
    expectNoSideEffects();
  });

  it('when only a partial profile is cached', async () => {
    const err = await start({ model: 'openai/gpt-5.4', passes: ['1', 'extract-parallelism'] }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'not_found', message: expect.stringContaining('no complete one is cached') });
    expect((err as { hint: string }).hint).toContain('Only a partial profile exists');
    expectNoSideEffects();
  });

  it('for an unknown pass, an unknown skill or a compiler model without a route', async () => {
    await expect(start({ passes: ['4'] })).rejects.toMatchObject({ code: 'usage', message: 'Unknown compiler pass "4".' });
    await expect(start({ skill: 'no-such-skill' })).rejects.toMatchObject({ code: 'not_found' });
    await expect(start({ compilerModel: 'elsewhere/model' })).rejects.toThrow(/elsewhere\/model/);
    expectNoSideEffects();
  });

  it('for a profile file of another target, unless told to use it anyway', async () => {
    const file = path.join(cache, 'profiles', 'bare-agent', 'qwen--qwen3.5-9b', 'latest.json');
    await expect(start({ profileFile: file })).rejects.toMatchObject({
      code: 'usage',
      message: `${file} profiles another target: model qwen/qwen3.5-9b (target: openrouter/qwen/qwen3.5-10b).`,
    });
    expectNoSideEffects();
  });
});

describe('profileFromFile', () => {
  const dir = () => path.join(cache, 'profiles', 'bare-agent', 'qwen--qwen3.5-9b');
  const target = (model: string, harness = 'bare-agent') => ({ profilesDir: path.join(cache, 'profiles'), model, harness });

  it('accepts an older profile naming the model without its provider, with its failure reports', async () => {
    const p = await profileFromFile(path.join(dir(), 'latest.json'), target('openrouter/qwen/qwen3.5-9b'), false);
    expect(p).toMatchObject({ from: 'file', profiledAt: '2026-04-08T13:37:07.083Z' });
    expect(p.tcp.model).toBe('qwen/qwen3.5-9b');
    expect(p.failureReports).toBeDefined();
    expect(p.note).toBeUndefined();
  });

  it('uses another target’s profile only on request, and says so', async () => {
    await expect(profileFromFile(path.join(dir(), 'latest.json'), target('qwen/qwen3.5-9b', 'openclaw'), false)).rejects.toThrow('harness bare-agent (target: openclaw)');
    const p = await profileFromFile(path.join(dir(), 'latest.json'), target('qwen/qwen3.5-9b', 'openclaw'), true);
    expect(p.note).toBe('profile of another target used on request: harness bare-agent (target: openclaw)');
  });

  it('refuses a missing, invalid or partial file', async () => {
    await expect(profileFromFile(path.join(root, 'none.json'), target('x/y'), false)).rejects.toThrow('No profile file at');
    writeFileSync(path.join(root, 'bad.json'), '{"version":"1.0"}');
    await expect(profileFromFile(path.join(root, 'bad.json'), target('x/y'), false)).rejects.toThrow('is not usable as a profile');
    const partial = path.join(cache, 'profiles', 'bare-agent', 'openai--gpt-5.4', 'latest.json');
    expect(existsSync(partial)).toBe(true);
    await expect(profileFromFile(partial, target('openai/gpt-5.4'), false)).rejects.toThrow('is a partial profile');
  });
});
