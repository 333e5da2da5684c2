import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDirs } from '../../../test/tmp.js';
import { putAotFile, variantMetaJson } from '../../../test/variants.js';
import { NotFoundError, UsageError } from '../util/errors.js';
import { findVariant, isCompilerFile, listVariants, loadVariantSkill, readVariant, readVariantFile, requireVariant, variantFiles } from './variants.js';

const tmp = tempDirs('skvm-variants-');
let root: string;
let outside: string;
const QWEN = 'openrouter--qwen--qwen3.5-9b';

const put = (rel: string, content: string | Buffer) => putAotFile(root, rel, content);
const meta = variantMetaJson;

const GAPS = [{ purposeId: 'extract', primitiveId: 'gen.code.python', requiredLevel: 'L2', modelLevel: 'L1', gapType: 'weak' }];

beforeAll(async () => {
  root = tmp();
  outside = tmp('skvm-variants-outside-');
  await fsp.writeFile(path.join(outside, 'secret.txt'), 'do not serve');

  const pdf = `bare-agent/${QWEN}/pdf/p1p2p3`;
  await put(`${pdf}/SKILL.md`, '# PDF\ncompiled\n');
  await put(`${pdf}/meta.json`, meta('2026-05-02T10:00:00.000Z', [1, 2, 3]));
  await put(
    `${pdf}/compilation-plan.json`,
    JSON.stringify({ skillName: 'pdf', model: 'm', harness: 'bare-agent', compiledAt: '2026-05-02T10:00:00.000Z', artifacts: { gaps: GAPS, dag: {} }, passRuns: [{ passId: 'rewrite-skill', status: 'ok', tokens: { input: 10, output: 5 }, durationMs: 3 }], guardPassed: true, guardViolations: [] }),
  );
  await put(`${pdf}/_artifacts/gaps.json`, JSON.stringify(GAPS));
  await put(`${pdf}/_artifacts/scr.json`, JSON.stringify({ skillName: 'pdf' })); // no purposes: invalid
  await put(`${pdf}/_artifacts/_meta/rewrite-skill.json`, '{}');
  await put(`${pdf}/env-setup.sh`, '#!/bin/bash\necho ok\n');
  await put(`${pdf}/workflow-dag.md`, '## Workflow DAG\n');
  await put(`${pdf}/scripts/extract.py`, 'print(1)\n');
  await put(`${pdf}/_profiling/gen.code.python/L2/instance-0.jsonl`, '{}\n');
  await put(`${pdf}/.skvm-env-setup-attempt-1.sh`, 'echo\n');
  await put(`${pdf}/logo.bin`, Buffer.from([0x89, 0x50, 0x00, 0x01]));
  await put(`${pdf}/big.txt`, 'x'.repeat(300 * 1024));
  const pdfDir = path.join(root, 'aot-compile', pdf);
  await fsp.symlink(path.join(outside, 'secret.txt'), path.join(pdfDir, 'leak.txt'));
  await fsp.symlink(outside, path.join(pdfDir, 'leakdir'));
  await fsp.symlink('scripts/extract.py', path.join(pdfDir, 'alias.py')); // inside: followed

  await put(`bare-agent/${QWEN}/pdf/p1/SKILL.md`, '# PDF\np1\n');
  await put(`bare-agent/${QWEN}/pdf/p1/meta.json`, meta('2026-05-03T10:00:00.000Z', [1]));

  // Legacy flat layout beside a newer p1 folder and a staging leftover.
  await put(`bare-agent/${QWEN}/docx/SKILL.md`, '# DOCX\nlegacy\n');
  await put(`bare-agent/${QWEN}/docx/meta.json`, meta('2026-04-01T10:00:00.000Z', [1, 2, 3]));
  await put(`bare-agent/${QWEN}/docx/helper.md`, 'helper\n');
  await put(`bare-agent/${QWEN}/docx/p1/SKILL.md`, '# DOCX\np1\n');
  await put(`bare-agent/${QWEN}/docx/p1/meta.json`, meta('2026-04-02T10:00:00.000Z', [1]));
  await put(`bare-agent/${QWEN}/docx/.staging_o123.456_abcdef/SKILL.md`, 'half built\n');
  await put(`bare-agent/${QWEN}/docx/.replaced_o123.456_abcdef/SKILL.md`, 'old p1\n');
  await put(`bare-agent/${QWEN}/docx/p1.lock`, '{"pid":123}\n');

  // A legacy SKILL.md shadowed by a real p1p2p3 folder: only the folder counts.
  await put(`bare-agent/${QWEN}/xlsx/SKILL.md`, 'old flat\n');
  await put(`bare-agent/${QWEN}/xlsx/p1p2p3/SKILL.md`, 'new\n');
  await put(`bare-agent/${QWEN}/xlsx/p1p2p3/meta.json`, meta('2026-03-01T10:00:00.000Z', [1, 2, 3]));

  // Corrupt and mismatched metadata, another harness and model.
  await put('openclaw/anthropic--claude-haiku-4.5/pptx/p2/SKILL.md', 'p2\n');
  await put('openclaw/anthropic--claude-haiku-4.5/pptx/p2/meta.json', '{not json');
  await put('openclaw/anthropic--claude-haiku-4.5/pptx/p3/SKILL.md', 'p3\n');
  await put('openclaw/anthropic--claude-haiku-4.5/pptx/p3/meta.json', JSON.stringify({ compiledAt: 5 }));
  await put('openclaw/anthropic--claude-haiku-4.5/pptx/p1p2/SKILL.md', 'p1p2\n');
  await put('openclaw/anthropic--claude-haiku-4.5/pptx/p1p2/meta.json', meta('2026-05-01T00:00:00.000Z', [1, 2], { passTag: 'p1' }));
  await put('openclaw/anthropic--claude-haiku-4.5/pptx/notatag/SKILL.md', 'ignored\n');
  await put('openclaw/anthropic--claude-haiku-4.5/pptx/p1p2p3/SKILL.md', 'linked meta\n');
  await fsp.writeFile(path.join(outside, 'meta.json'), meta('2030-01-01T00:00:00.000Z', [1, 2, 3]));
  await fsp.symlink(path.join(outside, 'meta.json'), path.join(root, 'aot-compile/openclaw/anthropic--claude-haiku-4.5/pptx/p1p2p3/meta.json'));

  // A harness folder that is a symlink is never walked into.
  const elsewhere = tmp('skvm-variants-elsewhere-');
  await fsp.mkdir(path.join(elsewhere, 'm/s/p1'), { recursive: true });
  await fsp.writeFile(path.join(elsewhere, 'm/s/p1/SKILL.md'), 'x');
  await fsp.symlink(elsewhere, path.join(root, 'aot-compile', 'linked-harness'));
});

const key = (harness: string, model: string, skillName: string, passTag: string) => ({ harness, model, skillName, passTag });

describe('listing variants', () => {
  it('lists every variant newest first, the legacy flat layout as p1p2p3, unreadable metadata last', async () => {
    const all = await listVariants(root);
    expect(all.map((v) => `${v.harness}/${v.skill}/${v.passTag}`)).toEqual([
      'bare-agent/pdf/p1',
      'bare-agent/pdf/p1p2p3',
      'openclaw/pptx/p1p2',
      'bare-agent/docx/p1',
      'bare-agent/docx/p1p2p3',
      'bare-agent/xlsx/p1p2p3',
      'openclaw/pptx/p1p2p3',
      'openclaw/pptx/p2',
      'openclaw/pptx/p3',
    ]);
    const legacy = all.find((v) => v.skill === 'docx' && v.passTag === 'p1p2p3')!;
    expect(legacy).toMatchObject({ legacy: true, dir: path.join(root, 'aot-compile/bare-agent', QWEN, 'docx'), passes: [1, 2, 3], uri: `skvm://variants/bare-agent/${QWEN}/docx/p1p2p3` });
    expect(all.find((v) => v.skill === 'xlsx')!.legacy).toBe(false);
    const pdf = all[1]!;
    expect(pdf).toMatchObject({ model: QWEN, passes: [1, 2, 3], compiledAt: '2026-05-02T10:00:00.000Z', guardPassed: true, costUsd: 0.012, problems: [] });
  });

  it('reports corrupt or mismatched meta.json instead of throwing', async () => {
    const all = await listVariants(root, { harness: 'openclaw' });
    const by = (t: string) => all.find((v) => v.passTag === t)!;
    expect(by('p2')).toMatchObject({ compiledAt: null, guardPassed: null, meta: null, passes: [2] });
    expect(by('p2').problems).toEqual([expect.stringMatching(/^meta\.json: not valid JSON: /)]);
    expect(by('p1p2p3').problems).toEqual(['meta.json: a symlink; not read']);
    expect(by('p3').problems[0]).toMatch(/^meta\.json: unexpected shape \(compiledAt: /);
    expect(by('p1p2').problems).toEqual(['meta.json: passTag "p1" does not match the folder "p1p2"']);
  });

  it('filters by harness, model (id or folder substring) and skill', async () => {
    expect((await listVariants(root, { harness: 'openclaw' })).map((v) => v.passTag)).toEqual(['p1p2', 'p1p2p3', 'p2', 'p3']);
    expect((await listVariants(root, { model: 'openrouter/qwen' })).every((v) => v.model === QWEN)).toBe(true);
    expect(await listVariants(root, { model: 'QWEN3.5-9B' })).toHaveLength(5);
    expect(await listVariants(root, { model: 'claude-haiku' })).toHaveLength(4);
    expect((await listVariants(root, { skill: 'docx' })).map((v) => v.passTag)).toEqual(['p1', 'p1p2p3']);
    expect(await listVariants(root, { harness: 'hermes' })).toEqual([]);
    expect(await listVariants(tmp())).toEqual([]);
  });
});

describe('reading a variant', () => {
  it('finds variants by model id or folder name, falls back to the legacy layout for p1p2p3 only', async () => {
    expect((await findVariant(root, key('bare-agent', 'openrouter/qwen/qwen3.5-9b', 'pdf', 'p1')))!.dir).toBe(path.join(root, 'aot-compile/bare-agent', QWEN, 'pdf/p1'));
    expect((await findVariant(root, key('bare-agent', QWEN, 'docx', 'p1p2p3')))!.legacy).toBe(true);
    expect(await findVariant(root, key('bare-agent', QWEN, 'docx', 'p2'))).toBeUndefined();
    const err = await requireVariant(root, key('bare-agent', QWEN, 'pdf', 'p2')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as NotFoundError).suggestions).toContain(`bare-agent/${QWEN}/pdf/p1`);
    await expect(findVariant(root, key('../x', QWEN, 'pdf', 'p1'))).rejects.toBeInstanceOf(UsageError);
    await expect(findVariant(root, key('bare-agent', QWEN, '..', 'p1'))).rejects.toBeInstanceOf(UsageError);
    await expect(findVariant(root, key('bare-agent', QWEN, 'pdf', 'p0'))).rejects.toBeInstanceOf(UsageError);
  });

  it('reads meta, the plan summary and validated artifacts; lists files without following links out', async () => {
    const v = await readVariant(root, key('bare-agent', QWEN, 'pdf', 'p1p2p3'));
    expect(v.summary.meta).toMatchObject({ passes: [1, 2, 3], guardPassed: true });
    expect(v.plan).toMatchObject({ skillName: 'pdf', guardPassed: true, guardViolations: [], artifactKeys: ['gaps', 'dag'] });
    expect(v.plan!.passRuns[0]).toMatchObject({ passId: 'rewrite-skill', status: 'ok', tokens: { input: 10, output: 5 } });
    expect(v.artifacts.gaps).toEqual(GAPS);
    expect(v.artifacts.scr).toBeUndefined();
    expect(v.summary.problems).toEqual(['_artifacts/scr.json: unexpected shape or not JSON']);
    const names = v.files.map((f) => f.path);
    expect(names).toContain('scripts/extract.py');
    expect(names).toContain('alias.py');
    expect(names).not.toContain('leak.txt');
    expect(names.some((n) => n.startsWith('leakdir'))).toBe(false);
    expect(v.notes.join('\n')).toMatch(/leak\.txt: symlink points outside/);
    expect(v.files.find((f) => f.path === 'SKILL.md')!.bytes).toBe(15);
  });

  it('reports a missing plan; a legacy variant leaves out the pass-tag folders and staging leftovers beside it', async () => {
    const v = await readVariant(root, key('bare-agent', QWEN, 'docx', 'p1p2p3'));
    expect(v.plan).toBeNull();
    expect(v.summary.problems).toEqual(['compilation-plan.json: missing']);
    expect(v.files.map((f) => f.path)).toEqual(['SKILL.md', 'helper.md', 'meta.json']);
  });

  it('serves text files confined to the variant; refuses escapes, binaries and oversized files', async () => {
    const k = key('bare-agent', QWEN, 'pdf', 'p1p2p3');
    expect(await readVariantFile(root, k, 'SKILL.md')).toEqual({ path: 'SKILL.md', text: '# PDF\ncompiled\n', bytes: 15 });
    expect(JSON.parse((await readVariantFile(root, k, '_artifacts/gaps.json')).text)).toEqual(GAPS);
    expect((await readVariantFile(root, k, 'alias.py')).text).toBe('print(1)\n');
    for (const bad of ['../p1/SKILL.md', '/etc/passwd', 'scripts/../../p1/SKILL.md', '', 'a//b']) {
      await expect(readVariantFile(root, k, bad), bad).rejects.toBeInstanceOf(UsageError);
    }
    await expect(readVariantFile(root, k, 'leak.txt')).rejects.toBeInstanceOf(NotFoundError);
    await expect(readVariantFile(root, k, 'leakdir/secret.txt')).rejects.toBeInstanceOf(NotFoundError);
    await expect(readVariantFile(root, k, 'logo.bin')).rejects.toThrow(/not a text file/);
    await expect(readVariantFile(root, k, 'big.txt')).rejects.toThrow(/307200 bytes; files over 262144/);
    const legacy = key('bare-agent', QWEN, 'docx', 'p1p2p3');
    await expect(readVariantFile(root, legacy, 'p1/SKILL.md')).rejects.toBeInstanceOf(NotFoundError);
    expect((await readVariantFile(root, legacy, 'helper.md')).text).toBe('helper\n');
  });
});

describe('the compiled skill of a variant', () => {
  it('keeps only skill material as bundle files', async () => {
    const r = (await findVariant(root, key('bare-agent', QWEN, 'pdf', 'p1p2p3')))!;
    const skill = await loadVariantSkill(r);
    expect(skill.content).toBe('# PDF\ncompiled\n');
    expect(skill.dir).toBe(r.dir);
    expect(skill.files).toEqual(['alias.py', 'big.txt', 'logo.bin', 'scripts/extract.py', 'workflow-dag.md']);
    const legacy = await loadVariantSkill((await findVariant(root, key('bare-agent', QWEN, 'docx', 'p1p2p3')))!);
    expect(legacy.files).toEqual(['helper.md']);
  });

  it('classifies compiler output', () => {
    for (const f of ['SKILL.md', 'meta.json', 'compilation-plan.json', 'env-setup.sh', 'jit-candidates.json', '_artifacts/gaps.json', '_artifacts/SKILL.md.diff', '_artifacts/_meta/x.json', '_profiling/a/b.jsonl', '.skvm-env-setup-attempt-2.sh']) {
      expect(isCompilerFile(f), f).toBe(true);
    }
    for (const f of ['workflow-dag.md', 'scripts/meta.json', 'docs/SKILL.md', 'env-setup.sh.txt', 'artifacts/x']) expect(isCompilerFile(f), f).toBe(false);
  });

  it('lists a variant with a file cap', async () => {
    const r = (await findVariant(root, key('bare-agent', QWEN, 'pdf', 'p1p2p3')))!;
    const { files, notes } = await variantFiles(r, 2);
    expect(files).toHaveLength(2);
    expect(notes).toContain('stopped listing after 2 files');
  });
});
