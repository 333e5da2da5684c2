import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putAotFile, variantMetaJson } from '../variants.js';
import { connect, removeDir, tempDir, textOf, type Connected } from './harness.js';

/** Compiled variants through the built server: the tool, both resource templates, completion. */

const QWEN = 'openrouter--qwen--qwen3.5-9b';
const BASE = `skvm://variants/bare-agent/${QWEN}/pdf/p1p2p3`;

describe('variants over stdio', () => {
  let cache: string;
  let conn: Connected;

  beforeAll(async () => {
    cache = tempDir('e2e-variants');
    const proposals = path.join(cache, 'proposals');
    await putAotFile(proposals, `bare-agent/${QWEN}/pdf/p1p2p3/SKILL.md`, '# PDF compiled\n');
    await putAotFile(proposals, `bare-agent/${QWEN}/pdf/p1p2p3/meta.json`, variantMetaJson('2026-05-02T00:00:00.000Z', [1, 2, 3]));
    await putAotFile(proposals, `bare-agent/${QWEN}/pdf/p1p2p3/ref/slug table.md`, 'table\n');
    conn = await connect({ era: 'legacy', cache });
  });
  afterAll(async () => {
    await conn?.close();
    removeDir(cache);
  });

  it('lists variants with the tool and as resources, reads the summary and nested files, completes', async () => {
    const r = (await conn.client.callTool({ name: 'variants_list', arguments: {} })) as { isError?: boolean; structuredContent?: Record<string, any> };
    expect(r.isError, textOf(r)).toBeFalsy();
    expect(r.structuredContent).toMatchObject({ total: 1, variants: [{ skill: 'pdf', passTag: 'p1p2p3', uri: BASE }] });
    const templates = (await conn.client.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate);
    expect(templates).toEqual(expect.arrayContaining(['skvm://variants/{harness}/{model}/{skill}/{passTag}', 'skvm://variants/{harness}/{model}/{skill}/{passTag}/{+path}']));
    expect((await conn.client.listResources()).resources.map((x) => x.uri)).toContain(BASE);

    const summary = JSON.parse(((await conn.client.readResource({ uri: BASE })).contents[0] as { text: string }).text) as { files: Array<{ path: string; uri: string }> };
    const nested = summary.files.find((f) => f.path === 'ref/slug table.md')!;
    expect(nested.uri).toBe(`${BASE}/ref/slug%20table.md`);
    const file = (await conn.client.readResource({ uri: nested.uri })).contents[0] as { text: string; mimeType: string };
    expect(file).toMatchObject({ text: 'table\n', mimeType: 'text/markdown' });
    const skill = (await conn.client.readResource({ uri: `${BASE}/SKILL.md` })).contents[0] as { text: string };
    expect(skill.text).toBe('# PDF compiled\n');
    await expect(conn.client.readResource({ uri: `${BASE}/missing.md` })).rejects.toThrow(/Unknown file of variant/);

    const done = await conn.client.complete({ ref: { type: 'ref/resource', uri: 'skvm://variants/{harness}/{model}/{skill}/{passTag}' }, argument: { name: 'passTag', value: 'p' }, context: { arguments: { harness: 'bare-agent', model: QWEN, skill: 'pdf' } } });
    expect(done.completion.values).toEqual(['p1p2p3']);
  });
});
