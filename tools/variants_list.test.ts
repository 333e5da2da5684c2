import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { OpContext } from '../src/contract/operation.js';
import { createEngine } from '../src/engine/engine.js';
import { tempDirs } from '../test/tmp.js';
import { putAotFile, variantMetaJson } from '../test/variants.js';
import { variantsListTool } from './variants_list.js';

const tmp = tempDirs('skvm-tool-variants-');
let cache: string;
const QWEN = 'openrouter--qwen--qwen3.5-9b';

function ctxFor(cacheDir: string): OpContext {
  const engine = createEngine({ flags: { cache: cacheDir }, env: {} });
  return { progress() {}, signal: new AbortController().signal, log: engine.log, engine, llm: undefined } as unknown as OpContext;
}
const call = (input: Record<string, unknown>, dir = cache) => variantsListTool.handler(variantsListTool.input.parse(input), ctxFor(dir));

beforeAll(async () => {
  cache = tmp();
  const proposals = path.join(cache, 'proposals');
  for (let i = 0; i < 12; i++) {
    const skill = `skill-${String(i).padStart(2, '0')}`;
    await putAotFile(proposals, `bare-agent/${QWEN}/${skill}/p1p2p3/SKILL.md`, `# ${skill}\n`);
    await putAotFile(proposals, `bare-agent/${QWEN}/${skill}/p1p2p3/meta.json`, variantMetaJson(`2026-05-${String(i + 1).padStart(2, '0')}T00:00:00.000Z`, [1, 2, 3]));
  }
  await putAotFile(proposals, 'openclaw/anthropic--claude-haiku-4.5/pdf/SKILL.md', 'legacy\n');
  await putAotFile(proposals, 'openclaw/anthropic--claude-haiku-4.5/pdf/meta.json', '{broken');
});

describe('variants_list', () => {
  it('is read-only with described fields', () => {
    expect(variantsListTool).toMatchObject({ effect: 'read', mode: 'instant', name: 'variants_list' });
    for (const [k, s] of Object.entries(variantsListTool.input.shape)) expect(s.description, k).toBeTruthy();
    expect(variantsListTool.input.parse({})).toMatchObject({ limit: 10, detail: 'summary' });
  });

  it('lists newest first, limited, with resource URIs; problems shown, folders only in full detail', async () => {
    const out = await call({});
    expect(variantsListTool.output.parse(out)).toEqual(out);
    expect(out).toMatchObject({ total: 13, returned: 10, variantsDir: path.join(cache, 'proposals', 'aot-compile') });
    expect(out.hint).toMatch(/3 more/);
    expect(out.variants[0]).toEqual({
      harness: 'bare-agent',
      model: QWEN,
      skill: 'skill-11',
      passTag: 'p1p2p3',
      passes: [1, 2, 3],
      compiledAt: '2026-05-12T00:00:00.000Z',
      guardPassed: true,
      costUsd: 0.012,
      uri: `skvm://variants/bare-agent/${QWEN}/skill-11/p1p2p3`,
    });
    const full = await call({ limit: 100, detail: 'full' });
    const legacy = full.variants.at(-1)!;
    expect(legacy).toMatchObject({ skill: 'pdf', passTag: 'p1p2p3', compiledAt: null, legacy: true, problems: [expect.stringMatching(/^meta\.json: not valid JSON/)] });
    expect(legacy.dir).toBe(path.join(cache, 'proposals/aot-compile/openclaw/anthropic--claude-haiku-4.5/pdf'));
    const text = variantsListTool.summarize(out);
    expect(text.split('\n')[0]).toMatch(/^skill\s+passes\s+model\s+harness\s+compiledAt\s+guard\s+cost$/);
    expect(text).toContain('(10 of 13 shown)');
    expect(variantsListTool.summarize(full)).toMatch(/pdf\s+p1p2p3 .*\?\s+\?\s+\?\s+\(1 problem\)$/m);
  });

  it('filters, and says how to get a variant when there is none', async () => {
    expect((await call({ harness: 'openclaw' })).total).toBe(1);
    expect((await call({ model: 'openrouter/qwen', skill: 'skill-03' })).variants.map((v) => v.skill)).toEqual(['skill-03']);
    const none = await call({ skill: 'nope' });
    expect(none).toMatchObject({ total: 0, returned: 0 });
    expect(none.hint).toMatch(/No variant matches/);
    const empty = await call({}, tmp());
    expect(empty.hint).toMatch(/compile builds a variant/);
    expect(variantsListTool.summarize(empty)).toMatch(/^No variants in /);
  });
});
