import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../src/engine/engine.js';
import { NotFoundError, UsageError } from '../src/engine/util/errors.js';
import { tempDirs } from '../test/tmp.js';
import { putAotFile, variantMetaJson } from '../test/variants.js';
import { variantFileResource, variantResource } from './variants.js';

const tmp = tempDirs('skvm-res-variants-');
const QWEN = 'openrouter--qwen--qwen3.5-9b';
const HAIKU = 'anthropic--claude-haiku-4.5';
let engine: Engine;
let outside: string;
const GAPS = [{ purposeId: 'p', primitiveId: 'gen.code.python', requiredLevel: 'L2', modelLevel: 'L1', gapType: 'weak' }];

beforeAll(async () => {
  const cache = tmp();
  outside = tmp('skvm-res-variants-out-');
  await fsp.writeFile(path.join(outside, 'secret.txt'), 'secret');
  const proposals = path.join(cache, 'proposals');
  const pdf = `bare-agent/${QWEN}/pdf/p1p2p3`;
  await putAotFile(proposals, `${pdf}/SKILL.md`, '# PDF\n');
  await putAotFile(proposals, `${pdf}/meta.json`, variantMetaJson('2026-05-02T00:00:00.000Z', [1, 2, 3]));
  await putAotFile(proposals, `${pdf}/compilation-plan.json`, JSON.stringify({ skillName: 'pdf', guardPassed: false, guardViolations: ['Heading removed: "# Usage"'], passRuns: [], artifacts: { gaps: GAPS } }));
  await putAotFile(proposals, `${pdf}/_artifacts/gaps.json`, JSON.stringify(GAPS));
  await putAotFile(proposals, `${pdf}/env-setup.sh`, '#!/bin/bash\n');
  await putAotFile(proposals, `${pdf}/docs/100% guide.md`, 'guide\n');
  await fsp.symlink(path.join(outside, 'secret.txt'), path.join(proposals, 'aot-compile', pdf, 'secret.txt'));
  await putAotFile(proposals, `bare-agent/${QWEN}/pdf/p1/SKILL.md`, '# PDF p1\n');
  await putAotFile(proposals, `bare-agent/${QWEN}/docx/SKILL.md`, '# DOCX legacy\n');
  await putAotFile(proposals, `openclaw/${HAIKU}/pdf/p3/SKILL.md`, '# PDF p3\n');
  engine = createEngine({ flags: { cache }, env: {} });
});

const vars = (harness: string, model: string, skill: string, passTag: string, extra: Record<string, string> = {}) => ({ harness, model, skill, passTag, ...extra });

describe('variant resources', () => {
  it('are templates; the variant family lists every variant', async () => {
    expect(variantResource.uri).toBe('skvm://variants/{harness}/{model}/{skill}/{passTag}');
    expect(variantFileResource.uri).toBe('skvm://variants/{harness}/{model}/{skill}/{passTag}/{+path}');
    const list = await variantResource.list!(engine);
    expect(list.map((e) => e.name).sort()).toEqual([`bare-agent/${QWEN}/docx/p1p2p3`, `bare-agent/${QWEN}/pdf/p1`, `bare-agent/${QWEN}/pdf/p1p2p3`, `openclaw/${HAIKU}/pdf/p3`]);
    expect(list[0]).toMatchObject({ uri: `skvm://variants/bare-agent/${QWEN}/pdf/p1p2p3`, mimeType: 'application/json' });
    expect(list.find((e) => e.name.includes('docx'))!.description).toMatch(/legacy flat layout/);
  });

  it('completes each variable from the variants matching the others', async () => {
    const c = variantResource.complete!;
    expect(await c.harness!(engine, '', {})).toEqual(['bare-agent', 'openclaw']);
    expect(await c.harness!(engine, 'OP', {})).toEqual(['openclaw']);
    expect(await c.model!(engine, 'openrouter/qwen', {})).toEqual([QWEN]);
    expect(await c.model!(engine, '', { harness: 'openclaw' })).toEqual([HAIKU]);
    expect(await c.skill!(engine, '', { harness: 'bare-agent' })).toEqual(['docx', 'pdf']);
    expect(await c.skill!(engine, '', { harness: 'openclaw' })).toEqual(['pdf']);
    expect(await c.passTag!(engine, 'p1', { harness: 'bare-agent', model: 'openrouter/qwen/qwen3.5-9b', skill: 'pdf' })).toEqual(['p1', 'p1p2p3']);
    expect(await c.passTag!(engine, '', { skill: 'pdf', harness: 'openclaw' })).toEqual(['p3']);
    const p = variantFileResource.complete!.path!;
    expect(await p(engine, '', vars('bare-agent', QWEN, 'pdf', 'p1p2p3'))).toEqual(['SKILL.md', '_artifacts/gaps.json', 'compilation-plan.json', 'docs/100% guide.md', 'env-setup.sh', 'meta.json']);
    expect(await p(engine, 'doc', vars('bare-agent', QWEN, 'pdf', 'p1p2p3'))).toEqual(['docs/100% guide.md']);
    expect(await p(engine, '', vars('bare-agent', QWEN, 'pdf', 'p9'))).toEqual([]);
    expect(await p(engine, '', { harness: 'bare-agent' })).toEqual([]);
  });

  it('reads a variant: meta, plan, gaps, problems and file URIs', async () => {
    const uri = `skvm://variants/bare-agent/${QWEN}/pdf/p1p2p3`;
    const r = await variantResource.read(engine, new URL(uri), vars('bare-agent', QWEN, 'pdf', 'p1p2p3'));
    expect(r).toMatchObject({ uri, mimeType: 'application/json' });
    const body = JSON.parse(r.text) as Record<string, unknown>;
    expect(body).toMatchObject({ skill: 'pdf', passes: [1, 2, 3], legacy: false, gaps: GAPS, artifacts: ['gaps'], problems: [] });
    expect(body.meta).toMatchObject({ guardPassed: true, costUsd: 0.012 });
    expect(body.plan).toMatchObject({ guardPassed: false, guardViolations: ['Heading removed: "# Usage"'], artifactKeys: ['gaps'] });
    const files = body.files as Array<{ path: string; uri: string }>;
    expect(files.find((f) => f.path === 'docs/100% guide.md')!.uri).toBe(`${uri}/docs/100%25%20guide.md`);
    expect(files.some((f) => f.path === 'secret.txt')).toBe(false);
    expect(body.notes).toEqual(['skipped secret.txt: symlink points outside the folder']);

    const legacy = JSON.parse((await variantResource.read(engine, new URL(`skvm://variants/bare-agent/${QWEN}/docx/p1p2p3`), vars('bare-agent', QWEN, 'docx', 'p1p2p3'))).text) as Record<string, unknown>;
    expect(legacy).toMatchObject({ legacy: true, meta: null, plan: null, problems: ['meta.json: missing', 'compilation-plan.json: missing'] });
  });

  it('serves files as sub-resources with a type by extension, confined to the variant', async () => {
    const read = (p: string, skill = 'pdf', tag = 'p1p2p3') => variantFileResource.read(engine, new URL(`skvm://variants/bare-agent/${QWEN}/${skill}/${tag}/x`), vars('bare-agent', QWEN, skill, tag, { path: p }));
    expect(await read('SKILL.md')).toMatchObject({ mimeType: 'text/markdown', text: '# PDF\n' });
    expect(await read('env-setup.sh')).toMatchObject({ mimeType: 'text/x-shellscript', text: '#!/bin/bash\n' });
    expect(JSON.parse((await read('_artifacts/gaps.json')).text)).toEqual(GAPS);
    expect((await read('docs/100% guide.md')).text).toBe('guide\n');
    await expect(read('secret.txt')).rejects.toBeInstanceOf(NotFoundError);
    await expect(read('../p1/SKILL.md')).rejects.toBeInstanceOf(UsageError);
    await expect(read('SKILL.md', 'pdf', 'p2')).rejects.toBeInstanceOf(NotFoundError);
    await expect(read('SKILL.md', '../pdf')).rejects.toBeInstanceOf(UsageError);
    expect((await read('SKILL.md', 'docx')).text).toBe('# DOCX legacy\n');
  });
});
