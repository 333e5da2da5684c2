import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CLI_ENTRY, REPO } from '../e2e/harness.js';

/**
 * The bins are bundles (scripts/bundle.ts). A module that escaped the bundle would be a second
 * copy of its state beside the bundled one and would cost start-up again; a module of ours whose
 * `import.meta.url` were the chunk's would look for its files in dist/bin.
 */
const HOOK = `data:text/javascript,${encodeURIComponent(
  "import { register } from 'node:module'; register('data:text/javascript,' + encodeURIComponent(\"export async function load(u, c, n) { if (u.startsWith('file:')) process.stderr.write('LOADED ' + u + '\\\\n'); return n(u, c); }\"));",
)}`;
const BIN_DIR = path.join(REPO, 'dist/bin');

function loadedBy(args: string[]): { status: number | null; stdout: string; loaded: string[] } {
  const r = spawnSync(process.execPath, ['--import', HOOK, CLI_ENTRY, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: REPO, NO_COLOR: '1' } });
  const loaded = r.stderr.split('\n').filter((l) => l.startsWith('LOADED ')).map((l) => l.slice('LOADED '.length));
  return { status: r.status, stdout: r.stdout, loaded };
}

describe('the bundled bins', () => {
  it('a CLI command loads its tool from the bundle and nothing from dist/src, dist/tools or node_modules', () => {
    const r = loadedBy(['primitives', 'list']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('26 primitives');
    const outside = r.loaded.filter((u) => !u.startsWith(pathToFileURL(BIN_DIR).href + '/'));
    expect(outside).toEqual([]);
    // The fast path found the tool through the manifest and loaded only that tool's chunk.
    expect(r.loaded.some((u) => /\/primitives_list-[A-Z0-9]+\.js$/.test(u))).toBe(true);
    expect(r.loaded.some((u) => /\/profile-[A-Z0-9]+\.js$/.test(u))).toBe(false);
  });

  it('every bundled import.meta.url of ours was rewritten to its twin in dist/', () => {
    const texts = readdirSync(BIN_DIR).filter((n) => n.endsWith('.js')).map((n) => [n, readFileSync(path.join(BIN_DIR, n), 'utf8')] as const);
    // The banner's two are the only raw ones left: the require shim and the dist/ anchor.
    for (const [name, text] of texts) expect(text.split('import.meta.url').length - 1, name).toBe(2);
    expect(texts.some(([, text]) => text.includes('new URL("src/server/manifest.js",__skvmDistUrl).href'))).toBe(true);
  });

  it("zod's English messages are in, its other locales (unused, half of zod's size) are not", () => {
    const all = readdirSync(BIN_DIR).map((n) => readFileSync(path.join(BIN_DIR, n), 'utf8')).join('\n');
    expect(all).toContain('Invalid input: expected');
    expect(all).not.toContain('Ungültige Eingabe');
    // A message zod writes itself, through the bundled CLI.
    const r = spawnSync(process.execPath, [CLI_ENTRY, 'profile', '--models='], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: REPO, NO_COLOR: '1' } });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--models: Too small: expected array to have >=1 items');
  });
});
