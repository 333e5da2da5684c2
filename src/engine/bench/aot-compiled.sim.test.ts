import { existsSync, promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benchResults, simBenchOptions } from '../../../test/bench-sim.js';
import { tempDirs } from '../../../test/tmp.js';
import { putAotFile, variantMetaJson } from '../../../test/variants.js';
import { loadPolicyFile, startSimServer, type SimServer } from '../sim/index.js';
import { skillContentHash } from '../skills/load.js';
import { loadTask, type LoadedTask } from '../tasks/load.js';
import type { CompileVariant } from './aot-compiled.js';
import { runBench, type RunBenchOptions } from './index.js';
import type { ConditionResult } from './types.js';

/**
 * aot-compiled cells end to end: the bundled slugify task, the simulator's scripted agent (it
 * solves the task only when a <skill> block naming slug-rules is injected — score 1 — and
 * fails with any other skill — score 0), real graders, variants planted under a proposals tree.
 */

const HERE = path.dirname(fileURLToPath(import.meta.url));
const DATA_ROOT = path.resolve(HERE, '../../../skvm-data');
const MODEL = 'sim/agent-1';
const VARIANTS = 'bare-agent/sim--agent-1/slug-rules';
const tmp = tempDirs('skvm-aot-bench-');

let sim: SimServer;
let slugify: LoadedTask;
let compiledText: string;

beforeAll(async () => {
  sim = await startSimServer({ policy: await loadPolicyFile(path.join(DATA_ROOT, 'sim/tasks.json')) });
  slugify = await loadTask(path.join(DATA_ROOT, 'tasks/slugify'));
  const original = await fsp.readFile(path.join(DATA_ROOT, 'skills/slug-rules/SKILL.md'), 'utf8');
  compiledText = `${original}\n---\n\n**Parallel execution hints:** none needed.\n`;
});
afterAll(async () => sim?.close());

function options(proposalsRoot: string, over: Partial<RunBenchOptions> = {}): RunBenchOptions {
  return { ...simBenchOptions(sim, { model: MODEL, task: slugify, conditions: ['original', 'aot-compiled'], tmp }), aot: { proposalsRoot }, ...over };
}

async function plantVariant(proposalsRoot: string, dir: string, skillMd: string): Promise<void> {
  await putAotFile(proposalsRoot, `${dir}/SKILL.md`, skillMd);
  await putAotFile(proposalsRoot, `${dir}/meta.json`, variantMetaJson('2026-05-01T00:00:00.000Z', [1, 2, 3], { model: MODEL }));
  await putAotFile(proposalsRoot, `${dir}/compilation-plan.json`, '{}');
  await putAotFile(proposalsRoot, `${dir}/env-setup.sh`, '#!/bin/bash\nexit 1\n');
  await putAotFile(proposalsRoot, `${dir}/jit-candidates.json`, '[]');
  await putAotFile(proposalsRoot, `${dir}/_artifacts/gaps.json`, '[]');
  await putAotFile(proposalsRoot, `${dir}/_profiling/gen.code.javascript/L2/instance-0.jsonl`, '{}\n');
  await putAotFile(proposalsRoot, `${dir}/workflow-dag.md`, '## Workflow DAG\n');
  await putAotFile(proposalsRoot, `${dir}/reference/slug-table.md`, '| ä | ae |\n');
}

function cell(results: ConditionResult[] | undefined, condition: string): ConditionResult {
  const r = results?.find((c) => c.condition === condition);
  expect(r, condition).toBeDefined();
  return r!;
}

const resultsOf = benchResults;

describe('aot-compiled bench cells', () => {
  it('runs the published variant: compiled SKILL.md injected, bundle files staged, compiler output left out', async () => {
    const proposals = tmp();
    await plantVariant(proposals, `${VARIANTS}/p1p2p3`, compiledText);
    let compiles = 0;
    const out = await runBench(options(proposals, { keepWorkDirs: true, aot: { proposalsRoot: proposals, compile: async () => (compiles++, { variantDir: '' }) } }));
    expect(compiles).toBe(0);
    const results = await resultsOf(out.sessionDir);
    const aot = cell(results, 'aot-compiled');
    expect(aot).toMatchObject({ runStatus: 'ok', score: 1, skillId: 'slug-rules', skillPath: path.join(proposals, 'aot-compile', VARIANTS, 'p1p2p3'), skillContentHash: skillContentHash(compiledText) });
    expect(cell(results, 'original').skillContentHash).not.toBe(aot.skillContentHash);
    const files = await fsp.readdir(aot.workDir!, { recursive: true });
    expect(files).toEqual(expect.arrayContaining(['slug.mjs', 'slug.test.mjs', 'workflow-dag.md', path.join('reference', 'slug-table.md')]));
    for (const f of ['SKILL.md', 'meta.json', 'compilation-plan.json', 'env-setup.sh', 'jit-candidates.json', '_artifacts', '_profiling']) expect(files, f).not.toContain(f);
    expect(existsSync(path.join(out.sessionDir, 'slugify', 'aot-compiled.jsonl'))).toBe(true);
    expect(out.report!.summary.delta.aotVsOriginal).toBeCloseTo(0, 6);
    const meta = JSON.parse(await fsp.readFile(path.join(out.sessionDir, 'metadata.json'), 'utf8')) as Record<string, unknown>;
    expect(meta.conditions).toEqual(['original', 'aot-compiled']);
  }, 60_000);

  it('reads the legacy flat layout for p1p2p3, and a compiled text the agent does not know scores 0', async () => {
    const proposals = tmp();
    await plantVariant(proposals, VARIANTS, '---\nname: slug-notes\n---\n# Some other rules\n');
    const out = await runBench(options(proposals, { conditions: ['aot-compiled-p123'] }));
    const r = cell(await resultsOf(out.sessionDir), 'aot-compiled-p123');
    expect(r).toMatchObject({ runStatus: 'ok', score: 0, skillPath: path.join(proposals, 'aot-compile', VARIANTS) });
    // Graded (the agent wrote the wrong module), not an infrastructure zero.
    expect(r.evalDetails.map((d) => d.infraError)).toEqual([undefined]);
  }, 60_000);

  it('compiles a missing variant on demand, once for all repetitions', async () => {
    const proposals = tmp();
    const calls: Array<{ skillName: string; passes: number[]; model: string; harness: string }> = [];
    const compile: CompileVariant = async ({ skillName, passes, model, harness }) => {
      calls.push({ skillName, passes, model, harness });
      const dir = `${VARIANTS}/p1p2`;
      await plantVariant(proposals, dir, compiledText);
      return { variantDir: path.join(proposals, 'aot-compile', dir) };
    };
    const out = await runBench(options(proposals, { conditions: ['aot-compiled-p12', 'aot-compiled-p1p2'], runsPerTask: 2, aot: { proposalsRoot: proposals, compile, compilerModel: 'sim/compiler-1' } }));
    expect(calls).toEqual([{ skillName: 'slug-rules', passes: [1, 2], model: MODEL, harness: 'bare-agent' }]);
    const results = await resultsOf(out.sessionDir);
    expect(results).toHaveLength(4);
    for (const r of results) expect(r).toMatchObject({ runStatus: 'ok', score: 1 });
    const meta = JSON.parse(await fsp.readFile(path.join(out.sessionDir, 'metadata.json'), 'utf8')) as Record<string, unknown>;
    expect(meta.compilerModel).toBe('sim/compiler-1');
  }, 90_000);

  it('taints the cell when the variant is missing and cannot be compiled; other cells still score', async () => {
    const proposals = tmp();
    const out = await runBench(options(proposals, { conditions: ['original', 'aot-compiled-p1', 'aot-compiled-p2'], aot: { proposalsRoot: proposals, compile: async ({ passes }) => {
      if (passes[0] === 1) throw new Error('pass "rewrite-skill" needs a profile of sim/agent-1 on bare-agent');
      return { variantDir: '/nowhere' };
    } } }));
    const results = await resultsOf(out.sessionDir);
    expect(cell(results, 'original')).toMatchObject({ runStatus: 'ok', score: 1 });
    const failed = cell(results, 'aot-compiled-p1');
    expect(failed).toMatchObject({ runStatus: 'adapter-crashed', score: 0, steps: 0, error: 'compiler failed: pass "rewrite-skill" needs a profile of sim/agent-1 on bare-agent' });
    expect(failed.statusDetail).toMatch(/compiler failed/);
    expect(cell(results, 'aot-compiled-p2')).toMatchObject({ runStatus: 'adapter-crashed', error: expect.stringMatching(/^compiler failed: the compile finished but .*p2 is not there$/) });

    const noCompiler = await runBench(options(tmp(), { conditions: ['aot-compiled'] }));
    expect(cell(await resultsOf(noCompiler.sessionDir), 'aot-compiled')).toMatchObject({ runStatus: 'adapter-crashed', error: expect.stringMatching(/no variant .* is published and no compiler model was given/) });
  }, 60_000);

  it('refuses to start an AOT bench without a proposals root, and unknown passes before anything is written', async () => {
    const logsRoot = tmp();
    await expect(runBench(options(tmp(), { aot: undefined, logsRoot }))).rejects.toThrow(/need the proposals folder/);
    await expect(runBench(options(tmp(), { conditions: ['aot-compiled-p7'], logsRoot }))).rejects.toThrow(/pass 7, which does not exist/);
    expect(await fsp.readdir(logsRoot)).toEqual([]);
  });
});
