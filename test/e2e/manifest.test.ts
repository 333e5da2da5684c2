import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prompts } from '../../prompts/index.js';
import { resourceFamilies } from '../../resources/index.js';
import { listRegistries } from '../../src/server/catalog.js';
import { operations } from '../../tools/index.js';
import { connect, REPO, removeDir, tempDir, type Connected } from './harness.js';

/**
 * The built server lists its tools from the build-time manifest (dist/src/server/tool-manifest.json)
 * without loading the registries; what it lists must be exactly what the registries say, and a
 * manifest that no longer fingerprints the compiled registries is ignored.
 */
const DIST_MANIFEST = path.join(REPO, 'dist/src/server/manifest.js');

let cache: string;
let conn: Connected;
beforeAll(async () => {
  cache = tempDir('manifest');
  conn = await connect({ era: 'legacy', cache });
});
afterAll(async () => {
  await conn?.close();
  removeDir(cache);
});

describe('tool manifest', () => {
  it('is built, fresh, and lists exactly the registries', async () => {
    const { MANIFEST_PATH, manifestCatalog } = (await import(DIST_MANIFEST)) as typeof import('../../src/server/manifest.js');
    expect(existsSync(MANIFEST_PATH), 'run npm run build').toBe(true);
    expect(manifestCatalog(async () => ({ operations: [], resources: [], prompts: [] })), 'stale manifest: run npm run build').toBeDefined();
    const expected = listRegistries({ operations, resources: resourceFamilies, prompts });
    const { tools } = await conn.client.listTools();
    expect(tools.map((t) => t.name)).toEqual(expected.tools.map((t) => t.name));
    for (const [i, t] of tools.entries()) {
      const want = expected.tools[i]!;
      expect({ title: t.title, description: t.description, annotations: t.annotations, inputSchema: t.inputSchema, outputSchema: t.outputSchema }, t.name).toEqual({
        title: want.title,
        description: want.description,
        annotations: want.annotations,
        inputSchema: want.inputSchema,
        outputSchema: want.outputSchema,
      });
    }
    const listedPrompts = (await conn.client.listPrompts()).prompts.map((p) => ({ name: p.name, title: p.title, description: p.description }));
    expect(listedPrompts).toEqual(expected.prompts.map(({ name, title, description }) => ({ name, title, description })));
    const templates = (await conn.client.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate);
    expect(templates.sort()).toEqual(expected.resources.filter((r) => r.uri.includes('{')).map((r) => r.uri).sort());
  });

  it('serves calls and resources once the registries load behind the listing', async () => {
    const r = await conn.client.callTool({ name: 'primitives_list', arguments: { ids: ['tool.exec'] } });
    expect(r.isError).toBeFalsy();
    expect((r.structuredContent as { count: number }).count).toBe(1);
    const bad = await conn.client.callTool({ name: 'primitives_list', arguments: { ids: 'tool.exec' } });
    expect(bad.isError).toBe(true);
    const read = await conn.client.readResource({ uri: 'skvm://primitives/tool.exec' });
    expect((read.contents[0] as { text: string }).text).toMatch(/tool_use/);
  });

  it('is ignored when its fingerprint does not match the compiled registries', async () => {
    const { MANIFEST_PATH, manifestCatalog } = (await import(DIST_MANIFEST)) as typeof import('../../src/server/manifest.js');
    const stale = path.join(cache, 'stale.json');
    writeFileSync(stale, JSON.stringify({ ...JSON.parse(readFileSync(MANIFEST_PATH, 'utf8')), fingerprint: 'not-this-build' }));
    expect(manifestCatalog(async () => ({ operations: [], resources: [], prompts: [] }), stale)).toBeUndefined();
    expect(manifestCatalog(async () => ({ operations: [], resources: [], prompts: [] }), path.join(cache, 'missing.json'))).toBeUndefined();
  });
});
