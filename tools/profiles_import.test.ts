import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { annotationsFor, type OpContext } from '../src/contract/operation.js';
import { createEngine } from '../src/engine/engine.js';
import { UsageError } from '../src/engine/util/errors.js';
import { profilesImportTool } from './profiles_import.js';
import { requireUpstream } from '../test/upstream.js';

const UPSTREAM = path.join(requireUpstream(), 'profiles');

const roots: string[] = [];
function tmp(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'skvm-tool-import-'));
  roots.push(d);
  return d;
}
afterAll(() => {
  for (const d of roots) rmSync(d, { recursive: true, force: true });
});
function ctxFor(cacheDir: string): OpContext {
  const engine = createEngine({ flags: { cache: cacheDir }, env: {} });
  return { progress() {}, signal: new AbortController().signal, log: engine.log, engine, llm: undefined } as unknown as OpContext;
}

describe('profiles_import', () => {
  it('is an idempotent write with described fields', () => {
    expect(profilesImportTool).toMatchObject({ effect: 'write', idempotent: true, openWorld: false, mode: 'instant' });
    expect(annotationsFor(profilesImportTool)).toMatchObject({ readOnlyHint: false, destructiveHint: false, idempotentHint: true });
    for (const [k, s] of Object.entries(profilesImportTool.input.shape)) expect(s.description, k).toBeTruthy();
    expect(profilesImportTool.input.parse({ source: '/x' }).overwrite).toBe(false);
    expect(() => profilesImportTool.input.parse({})).toThrow();
  });

  it('imports into the engine cache and skips on the second call', async () => {
    const cache = tmp();
    const ctx = ctxFor(cache);
    const run = (input: Record<string, unknown>) => profilesImportTool.handler(profilesImportTool.input.parse(input), ctx);
    const first = await run({ source: UPSTREAM });
    expect(profilesImportTool.output.parse(first)).toEqual(first);
    expect(first.destination).toBe(path.join(cache, 'profiles'));
    expect(first.counts).toMatchObject({ imported: 65, total: 65 });
    expect(first.files.length).toBe(20);
    expect(first.filesOmitted).toBe(45);
    expect(profilesImportTool.summarize(first)).toMatch(/^Imported 65, replaced 0, kept 0 existing, 0 invalid, 0 ignored/);
    const second = await run({ source: UPSTREAM });
    expect(second.counts).toMatchObject({ imported: 0, skippedExisting: 65 });
    expect(profilesImportTool.summarize(second)).toMatch(/overwrite: true/);
    const third = await run({ source: UPSTREAM, overwrite: true, harness: 'hermes' });
    expect(third.counts).toMatchObject({ replaced: 2, total: 2 });
  });

  it('caps the per-file list, problems first, and counts everything', async () => {
    const src = tmp();
    for (let i = 0; i < 120; i++) {
      const d = path.join(src, 'h', `m-${i}`);
      mkdirSync(d, { recursive: true });
      writeFileSync(path.join(d, 'latest.json'), i === 119 ? 'nope' : JSON.stringify({ hello: i }));
    }
    const out = await profilesImportTool.handler(profilesImportTool.input.parse({ source: src }), ctxFor(tmp()));
    expect(out.counts).toMatchObject({ invalid: 120, total: 120 });
    expect(out.files).toHaveLength(20);
    expect(out.filesOmitted).toBe(100);
    expect(profilesImportTool.summarize(out)).toContain('(100 more outcomes not listed)');
  });

  it('rejects a source that is not a directory', async () => {
    const file = path.join(tmp(), 'f.json');
    writeFileSync(file, '{}');
    await expect(profilesImportTool.handler(profilesImportTool.input.parse({ source: file }), ctxFor(tmp()))).rejects.toBeInstanceOf(UsageError);
  });
});
