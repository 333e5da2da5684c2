import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { okRun } from '../../../test/run-result.js';
import { tempDirs } from '../../../test/tmp.js';
import type { RunResult } from '../agent/types.js';
import { FileCheckCriterionSchema, type FileCheckCriterion } from '../tasks/criteria.js';
import { evaluateFileCheck } from './file-check.js';
import { firstGlobMatch, globToRegExp, matchGlob } from './glob.js';
import { validateJson } from './json-schema.js';
import type { EvalContext } from './types.js';

const tmp = tempDirs('skvm-eval-fc-test-');

function ctx(workDir: string): EvalContext {
  return { runResult: okRun(workDir), workDir, sandbox: { mode: 'auto', network: false, timeoutMs: 10_000 } };
}

function agentDir(files: Record<string, string>): string {
  const d = tmp();
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(d, rel)), { recursive: true });
    writeFileSync(path.join(d, rel), content);
  }
  return d;
}

const fc = (c: Partial<FileCheckCriterion>): FileCheckCriterion => FileCheckCriterionSchema.parse({ method: 'file-check', path: 'out.txt', mode: 'exact', expected: '', ...c });

describe('file-check modes', () => {
  const wd = agentDir({ 'out.txt': '  Hello, World!\n', 'report/summary.md': '# Total: 42 items\n' });

  it('exact compares trimmed content', async () => {
    expect(await evaluateFileCheck(fc({ expected: 'Hello, World!' }), ctx(wd))).toMatchObject({ pass: true, score: 1 });
    const r = await evaluateFileCheck(fc({ expected: 'Hello World' }), ctx(wd));
    expect(r).toMatchObject({ pass: false, score: 0 });
    expect(r.details).toContain('content differs');
  });

  it('contains is a substring test', async () => {
    expect(await evaluateFileCheck(fc({ mode: 'contains', expected: 'World!' }), ctx(wd))).toMatchObject({ pass: true });
    expect(await evaluateFileCheck(fc({ mode: 'contains', expected: 'world!' }), ctx(wd))).toMatchObject({ pass: false, score: 0 });
  });

  it('regex uses new RegExp(expected) without flags; an invalid regex is a clear 0', async () => {
    expect(await evaluateFileCheck(fc({ path: 'report/summary.md', mode: 'regex', expected: 'Total: \\d+ items' }), ctx(wd))).toMatchObject({ pass: true });
    expect(await evaluateFileCheck(fc({ path: 'report/summary.md', mode: 'regex', expected: 'total: \\d+' }), ctx(wd))).toMatchObject({ pass: false });
    const bad = await evaluateFileCheck(fc({ mode: 'regex', expected: '([a-z' }), ctx(wd));
    expect(bad).toMatchObject({ pass: false, score: 0 });
    expect(bad.details).toMatch(/^Invalid regular expression "\(\[a-z" in the task: /);
  });

  it('a missing file scores 0', async () => {
    const r = await evaluateFileCheck(fc({ path: 'nope.txt', expected: 'x' }), ctx(wd));
    expect(r).toMatchObject({ pass: false, score: 0, details: 'File not found: nope.txt' });
  });
});

describe('file-check json-schema (full validation)', () => {
  const schema = JSON.stringify({
    type: 'object',
    required: ['player', 'stats'],
    properties: {
      player: { type: 'object', required: ['id', 'name'], properties: { id: { type: 'integer' }, name: { type: 'string', minLength: 1 } } },
      stats: { type: 'array', minItems: 1, items: { type: 'object', required: ['season'], properties: { season: { type: 'integer', minimum: 2000 } } } },
    },
  });

  it('passes a valid document', async () => {
    const wd = agentDir({ 'p.json': JSON.stringify({ player: { id: 592450, name: 'Aaron Judge' }, stats: [{ season: 2024 }] }) });
    expect(await evaluateFileCheck(fc({ path: 'p.json', mode: 'json-schema', expected: schema }), ctx(wd))).toMatchObject({ pass: true, score: 1 });
  });

  it('fails a document the reference top-level check would pass (nested errors listed with instance paths)', async () => {
    // Top-level type object and both required keys present: the reference's minimal check passes this.
    const wd = agentDir({ 'p.json': JSON.stringify({ player: { id: '592450' }, stats: [{ season: 1999 }, {}] }) });
    const r = await evaluateFileCheck(fc({ path: 'p.json', mode: 'json-schema', expected: schema }), ctx(wd));
    expect(r).toMatchObject({ pass: false, score: 0 });
    expect(r.infraError).toBeUndefined();
    expect(r.details).toContain('p.json does not match the schema (4 errors)');
    expect(r.details).toContain("- /player: must have required property 'name'");
    expect(r.details).toContain('- /player/id: must be integer');
    expect(r.details).toContain('- /stats/0/season: must be >= 2000');
    expect(r.details).toContain("- /stats/1: must have required property 'season'");
  });

  it('a file that is not JSON scores 0; an invalid schema is an infra-style error', async () => {
    const wd = agentDir({ 'p.json': '{nope' });
    const notJson = await evaluateFileCheck(fc({ path: 'p.json', mode: 'json-schema', expected: schema }), ctx(wd));
    expect(notJson).toMatchObject({ pass: false, score: 0 });
    expect(notJson.details).toMatch(/^p\.json is not valid JSON/);
    expect(notJson.infraError).toBeUndefined();

    const badSchemaJson = await evaluateFileCheck(fc({ path: 'p.json', mode: 'json-schema', expected: '{type: object' }), ctx(wd));
    expect(badSchemaJson.infraError).toMatch(/^The task's JSON Schema is not valid JSON/);
    const badSchema = await evaluateFileCheck(fc({ path: 'p.json', mode: 'json-schema', expected: '{"type":"objekt"}' }), ctx(wd));
    expect(badSchema).toMatchObject({ pass: false, score: 0 });
    expect(badSchema.infraError).toMatch(/^The task's JSON Schema is invalid: /);
  });

  it('follows $schema: draft-07 and 2020-12 keywords', () => {
    const d7 = { $schema: 'http://json-schema.org/draft-07/schema#', type: 'array', items: [{ type: 'string' }], additionalItems: false };
    expect(validateJson(d7, ['a'])).toEqual({ ok: true });
    expect(validateJson(d7, ['a', 1])).toMatchObject({ ok: false });
    const d2020 = { type: 'array', prefixItems: [{ type: 'string' }], items: false };
    expect(validateJson(d2020, ['a'])).toEqual({ ok: true });
    expect(validateJson(d2020, ['a', 'b'])).toMatchObject({ ok: false });
    expect(validateJson({ type: 'string', format: 'date' }, '2024-13-45x')).toMatchObject({ ok: false });
    expect(validateJson({ type: 'string', format: 'ipv6' }, 'whatever')).toEqual({ ok: true });
  });
});

describe('file-check glob and confinement', () => {
  it('glob takes the first match in name order, rooted at the work dir', async () => {
    const wd = agentDir({ 'out/b.json': '{"v":2}', 'out/a.json': '{"v":1}', 'z.json': '{"v":3}', 'out/.hidden.json': '{}' });
    const r = await evaluateFileCheck(fc({ path: 'ignored', glob: 'out/*.json', mode: 'contains', expected: '"v":1' }), ctx(wd));
    expect(r).toMatchObject({ pass: true });
    expect(r.details).toContain('out/a.json');
    const none = await evaluateFileCheck(fc({ glob: '**/*.csv', mode: 'contains', expected: 'x' }), ctx(wd));
    expect(none).toMatchObject({ pass: false, score: 0, details: 'No files matched glob "**/*.csv"' });
  });

  it('refuses paths and globs that leave the work dir', async () => {
    const outside = agentDir({ 'secret.txt': 'top secret' });
    const wd = agentDir({ 'ok.txt': 'fine' });
    symlinkSync(path.join(outside, 'secret.txt'), path.join(wd, 'link.txt'));
    for (const p of ['../secret.txt', path.join(outside, 'secret.txt'), 'link.txt']) {
      const r = await evaluateFileCheck(fc({ path: p, mode: 'contains', expected: 'secret' }), ctx(wd));
      expect(r, p).toMatchObject({ pass: false, score: 0 });
      expect(r.details, p).toMatch(/^Refused path/);
    }
    const viaGlob = await evaluateFileCheck(fc({ glob: '*.txt', path: 'x', mode: 'contains', expected: 'secret' }), ctx(wd));
    // link.txt sorts first and points outside: refused, never read.
    expect(viaGlob).toMatchObject({ pass: false, score: 0 });
    expect(viaGlob.details).toMatch(/^Refused path "link\.txt"/);
    const dotdot = await evaluateFileCheck(fc({ glob: '../*.txt', mode: 'contains', expected: 'x' }), ctx(wd));
    expect(dotdot.details).toMatch(/^Invalid glob/);
  });
});

describe('glob matcher', () => {
  it.each([
    ['*.json', 'a.json', true],
    ['*.json', 'dir/a.json', false],
    ['**/*.json', 'a.json', true],
    ['**/*.json', 'x/y/a.json', true],
    ['src/**/test?.ts', 'src/test1.ts', true],
    ['src/**/test?.ts', 'src/a/b/test2.ts', true],
    ['src/**/test?.ts', 'src/a/b/test10.ts', false],
    ['*.json', '.hidden.json', false],
    ['.*', '.env', true],
    ['**', 'a/b/c', true],
    ['**', '.git/config', false],
    ['report.{md,txt}', 'report.txt', true],
    ['report.{md,txt}', 'report.csv', false],
    ['data[0-9].csv', 'data7.csv', true],
    ['data[!0-9].csv', 'data7.csv', false],
    ['a+b(1).txt', 'a+b(1).txt', true],
    ['a+b(1).txt', 'aab(1).txt', false],
  ])('%s vs %s → %s', (pattern, p, expected) => {
    expect(matchGlob(pattern, p)).toBe(expected);
  });

  it('rejects absolute and .. patterns', () => {
    expect(() => globToRegExp('/etc/*')).toThrow(/relative/);
    expect(() => globToRegExp('a/../b')).toThrow(/\.\./);
  });

  it('firstGlobMatch walks depth-first in name order', async () => {
    const wd = agentDir({ 'b/x.txt': '', 'a/z/y.txt': '', 'c.txt': '' });
    expect(await firstGlobMatch(wd, '**/*.txt')).toBe('a/z/y.txt');
    expect(await firstGlobMatch(wd, '*.txt')).toBe('c.txt');
    expect(await firstGlobMatch(wd, '*.md')).toBeUndefined();
  });
});
