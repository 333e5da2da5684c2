import { readFileSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bootstrapDotEnv, ConfigError, loadConfigFile, parseConfigText } from './load.js';
import { buildConfig } from './init.js';
import { writeConfigFile } from './write.js';
import { tempDirs } from '../../../test/tmp.js';

const tmp = tempDirs('skvm-cfg-');

describe('skvm.config.json loading', () => {
  it('reads the reference schema and treats a missing file as empty', () => {
    expect(loadConfigFile('/nonexistent/skvm.config.json')).toMatchObject({ exists: false, config: {}, warnings: [] });
    const cfg = parseConfigText(
      JSON.stringify({
        _comment: 'notes are fine',
        adapters: { opencode: '~/src/opencode', openclaw: { repoPath: '/x', nativeSourceAgent: 'main', extraCliArgs: ['--a'] } },
        providers: { routes: [{ match: 'openrouter/*', kind: 'openrouter', apiKeyEnv: 'OPENROUTER_API_KEY' }, { match: 'self/*', kind: 'openai-compatible', baseUrl: 'http://127.0.0.1:8000/v1', apiKey: '' }] },
        headlessAgent: { driver: 'opencode' },
        defaults: { adapterConfigMode: 'native' },
        paths: { tmpDir: '/tmp/x' },
      }),
      'f',
    );
    expect(cfg.warnings).toEqual([]);
    expect(cfg.config.providers?.routes).toHaveLength(2);
  });

  it('warns about unknown keys with their JSON path and about legacy keys', () => {
    const cfg = parseConfigText(
      JSON.stringify({ colour: 'red', providers: { routes: [{ match: 'a/*', kind: 'anthropic', apiKeyEnv: 'K', weight: 2 }] }, headlessAgent: { modelPrefix: 'x' }, proposalsDir: '/p', adapters: { cursor: '/x' } }),
      'f',
    );
    expect(cfg.warnings).toEqual(
      expect.arrayContaining([
        'unknown key colour (ignored)',
        'unknown key providers.routes[0].weight (ignored)',
        expect.stringMatching(/legacy/),
        expect.stringMatching(/proposalsDir is ignored/),
        expect.stringMatching(/adapters\.cursor/),
      ]),
    );
  });

  it('fails on bad values naming the JSON path', () => {
    const bad = (v: unknown) => () => parseConfigText(JSON.stringify(v), 'cfg.json');
    expect(bad({ providers: { routes: [{ match: 'x/*', kind: 'openai' , apiKeyEnv: 'K' }] } })).toThrow(/providers\.routes\[0\]\.kind/);
    expect(bad({ providers: { routes: [{ match: 'x/*', kind: 'anthropic' }] } })).toThrow(/apiKey or apiKeyEnv/);
    expect(bad({ providers: { routes: [{ match: 'x/*', kind: 'openai-compatible', apiKeyEnv: 'K' }] } })).toThrow(/providers\.routes\[0\]\.baseUrl/);
    expect(bad({ defaults: { adapterConfigMode: 'auto' } })).toThrow(/defaults\.adapterConfigMode/);
    expect(() => parseConfigText('{ not json', 'cfg.json')).toThrow(ConfigError);
    expect(() => parseConfigText('[]', 'cfg.json')).toThrow(/expected a JSON object/);
  });
});

describe('config writing', () => {
  it('writes mode 0600, backs up the old file and keeps five backups', async () => {
    const d = tmp();
    const file = path.join(d, 'skvm.config.json');
    for (let i = 0; i < 7; i++) {
      await writeConfigFile(file, buildConfig({}, { presets: ['openrouter'], routes: [{ match: `m${i}/*`, kind: 'anthropic', apiKeyEnv: 'K' }] }));
      await new Promise((r) => setTimeout(r, 2));
    }
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const backups = readdirSync(d).filter((n) => n.includes('.bak.'));
    expect(backups).toHaveLength(5);
    for (const b of backups) expect(statSync(path.join(d, b)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8')).providers.routes[0].match).toBe('openrouter/*');
  });

  it('builds configs from presets and routes without ever taking a literal key', () => {
    const c = buildConfig({}, { presets: ['anthropic'], routes: [{ match: 'local/*', kind: 'openai-compatible', baseUrl: 'http://127.0.0.1:1/v1', authFree: true }] });
    expect(c.providers?.routes).toEqual([
      { match: 'anthropic/*', kind: 'anthropic', apiKeyEnv: 'ANTHROPIC_API_KEY' },
      { match: 'local/*', kind: 'openai-compatible', baseUrl: 'http://127.0.0.1:1/v1', apiKey: '' },
    ]);
    expect(() => buildConfig({}, { presets: [], routes: [{ match: 'x/*', kind: 'anthropic' }] })).toThrow(/apiKeyEnv/);
    expect(() => buildConfig({}, { presets: [], routes: [] })).toThrow(/Nothing to write/);
  });

  it('merges: replaces a route with the same match in place and puts new routes first', () => {
    const base = { providers: { routes: [{ match: 'a/*', kind: 'anthropic' as const, apiKeyEnv: 'A' }, { match: 'b/*', kind: 'anthropic' as const, apiKeyEnv: 'B' }] }, paths: { tmpDir: '/t' } };
    const c = buildConfig(base, { presets: [], routes: [{ match: 'b/*', kind: 'anthropic', apiKeyEnv: 'B2' }, { match: 'c/*', kind: 'anthropic', apiKeyEnv: 'C' }] });
    expect(c.providers?.routes?.map((r) => `${r.match}:${r.apiKeyEnv}`)).toEqual(['c/*:C', 'a/*:A', 'b/*:B2']);
    expect(c.paths?.tmpDir).toBe('/t');
  });
});

describe('.env bootstrap', () => {
  it('sets missing variables only, honouring quotes and comments', () => {
    const d = tmp();
    writeFileSync(path.join(d, '.env'), '# comment\nA=1\nB="two words"\nC=\'3\'\nEXISTING=new\nbad-key=x\n');
    const env: NodeJS.ProcessEnv = { EXISTING: 'old' };
    const set = bootstrapDotEnv(d, env);
    expect(set.sort()).toEqual(['A', 'B', 'C']);
    expect(env).toMatchObject({ A: '1', B: 'two words', C: '3', EXISTING: 'old' });
  });
});
