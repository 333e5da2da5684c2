import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESULT_BUDGET_CHARS } from '../../src/contract/detail.js';
import { writeConfigFile } from '../../src/engine/config/write.js';
import { importProfiles } from '../../src/engine/profiles/import.js';
import { scriptedPolicy } from '../../src/engine/sim/index.js';
import { startSimServer, type SimServer } from '../../src/engine/sim/server.js';
import { SLUG_RULES, compilerReplies } from '../compiler-sim.js';
import { UPSTREAM_PROFILES, UPSTREAM_ROOT, requireUpstream } from '../upstream.js';
import { connect, removeDir, tempDir, textOf, type Connected } from './harness.js';

/**
 * `compile` through the built server over stdio, with the simulator playing the compiler model
 * (test/compiler-sim.ts): a published variant on disk, a short result whose diff and plan are
 * resources that resolve, the diff behind detail "full", a dry run that writes nothing, the
 * rewrite agent's account in the result, and the refusal naming the closest cached profiles
 * when pass 1 has no profile.
 */

requireUpstream();

type ToolResult = { isError?: boolean; structuredContent?: Record<string, any>; content: Array<{ type: string; text?: string }> };

/** The web-research skill's requirements as the compiler model reads them (pass 1). */
const SCR = {
  skillName: 'web-research',
  purposes: [
    { id: 'gather-data', description: 'Fetch data from web APIs and pages', currentPath: { primitives: [{ id: 'tool.web', minLevel: 'L2', evidence: 'uses web_fetch' }] }, alternativePaths: [] },
    { id: 'write-report', description: 'Write the report', currentPath: { primitives: [{ id: 'follow.format', minLevel: 'L2', evidence: 'fixed template' }] }, alternativePaths: [] },
  ],
};
const FETCH_LINE = '2. **Search & fetch** — Use web_fetch to gather data from relevant URLs';
const FETCH_EASIER = '2. **Search & fetch** — Use web_fetch on one exact URL at a time and take one field from each response';

/** The compiler model for every pass: pass 1's rewrite agent makes the fetch step easier; pass 3 answers with slug-rules' plan. */
const compilerModel = compilerReplies({ scr: SCR, edit: [FETCH_LINE, FETCH_EASIER], explanation: 'Made the fetch step one URL at a time (tool.web).', plan: SLUG_RULES.plan! });

let sim: SimServer;
let cache: string;
let conn: Connected;

beforeAll(async () => {
  sim = await startSimServer({ policy: scriptedPolicy([compilerModel], { whenExhausted: 'repeat-last' }) });
  cache = tempDir('e2e-compile');
  await importProfiles(UPSTREAM_PROFILES, path.join(cache, 'profiles'));
  await writeConfigFile(path.join(cache, 'skvm.config.json'), {
    providers: { routes: [{ match: 'sim/*', kind: 'openai-compatible', baseUrl: sim.openaiBaseUrl, apiKey: '' }] },
  });
  conn = await connect({ era: 'modern', cache });
});

afterAll(async () => {
  await conn?.close();
  await sim?.close();
  removeDir(cache);
});

const call = async (args: Record<string, unknown>) => (await conn.client.callTool({ name: 'compile', arguments: { waitSeconds: 50, ...args } })) as ToolResult;
const variantsOf = (skill: string) => path.join(cache, 'proposals', 'aot-compile', 'bare-agent', 'sim--target', skill);

describe('compile over MCP', () => {
  it('lists the passes', async () => {
    const r = (await conn.client.callTool({ name: 'compile_passes', arguments: {} })) as ToolResult;
    expect(r.structuredContent!.passes.map((p: { number: number; id: string; requiresProfile: boolean }) => [p.number, p.id, p.requiresProfile])).toEqual([
      [1, 'rewrite-skill', true],
      [2, 'bind-env', false],
      [3, 'extract-parallelism', false],
    ]);
  });

  it('compiles a bundled skill with pass 3 and publishes the variant; the result is short', async () => {
    const r = await call({ skill: 'slug-rules', model: 'sim/target', passes: ['3'], compilerModel: 'sim/compiler' });
    expect(r.isError, textOf(r)).toBeFalsy();
    const env = r.structuredContent!;
    expect(env.status).toBe('succeeded');
    const out = env.result;
    const dir = path.join(variantsOf('slug-rules'), 'p3');
    expect(out).toMatchObject({ skill: 'slug-rules', passTag: 'p3', published: true, dryRun: false, variantDir: dir, resource: 'skvm://variants/bare-agent/sim--target/slug-rules/p3', guard: { passed: true, violations: [] } });
    expect(out.parallelGroups).toEqual([{ type: 'ilp', steps: ['german', 'accents'] }]);
    expect(out.passes).toHaveLength(1);
    expect(out.passes[0]).toMatchObject({ number: 3, id: 'extract-parallelism', costUsd: 0.0012 });
    expect(out.costUsd).toBeCloseTo(0.0012, 9);
    expect(out.diffStats.added).toBeGreaterThan(5);
    expect(out.diff).toBeUndefined();
    expect(JSON.stringify(env).length).toBeLessThanOrEqual(RESULT_BUDGET_CHARS);
    expect(textOf(r)).toContain('slug-rules for sim/target on bare-agent (p3): published');
    // The full diff and the plan are resources of the published variant, and they resolve.
    const uri = 'skvm://variants/bare-agent/sim--target/slug-rules/p3';
    expect(out).toMatchObject({ diffResource: `${uri}/_artifacts/SKILL.md.diff`, planResource: `${uri}/compilation-plan.json` });
    expect(textOf(r)).toContain(`SKILL.md: +${out.diffStats.added} -0 lines (diff: ${uri}/_artifacts/SKILL.md.diff)`);
    const variant = (await conn.client.readResource({ uri: out.resource })).contents[0] as { text: string; mimeType: string };
    expect(variant.mimeType).toBe('application/json');
    expect(JSON.parse(variant.text)).toMatchObject({ skill: 'slug-rules', passTag: 'p3', meta: { guardPassed: true } });
    expect(JSON.parse(variant.text).files.map((f: { uri: string }) => f.uri)).toEqual(expect.arrayContaining([out.diffResource, out.planResource]));
    const diff = (await conn.client.readResource({ uri: out.diffResource })).contents[0] as { text: string; mimeType: string };
    expect(diff.mimeType).toBe('text/x-diff');
    expect(diff.text).toMatch(/^--- a\/SKILL.md\n\+\+\+ b\/SKILL.md\n@@ /);
    expect(diff.text).toContain('+**Parallel execution hints:**');
    const plan = JSON.parse(((await conn.client.readResource({ uri: out.planResource })).contents[0] as { text: string }).text);
    expect(plan).toMatchObject({ skillName: 'slug-rules', guardPassed: true, passRuns: [{ passId: 'extract-parallelism', status: 'ok' }] });

    expect(readdirSync(dir).sort()).toEqual(['SKILL.md', '_artifacts', 'compilation-plan.json', 'meta.json', 'workflow-dag.md']);
    expect(readFileSync(path.join(dir, 'SKILL.md'), 'utf8')).toContain('**Parallel execution hints:**');
    expect(readFileSync(path.join(dir, 'workflow-dag.md'), 'utf8')).toContain('german --> join');
    expect(JSON.parse(readFileSync(path.join(dir, 'meta.json'), 'utf8'))).toMatchObject({ passes: [3], passTag: 'p3', guardPassed: true, costUsd: 0.0012 });
    expect(existsSync(path.join(cache, 'log', 'aot-compile', 'bare-agent', 'sim--target', 'slug-rules', 'extract-parallelism.jsonl'))).toBe(true);
    const sessions = readFileSync(path.join(cache, 'log', 'sessions.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(sessions.map((s) => [s.type, s.status, s.skill])).toEqual([
      ['aot-compile', 'running', 'slug-rules'],
      ['aot-compile', 'completed', 'slug-rules'],
    ]);
  });

  it('returns the unified diff with detail "full", and a dry run writes nothing', async () => {
    const before = readdirSync(variantsOf('slug-rules'));
    const r = await call({ skill: 'slug-rules', model: 'sim/target', passes: ['extract-parallelism'], compilerModel: 'sim/compiler', dryRun: true, detail: 'full' });
    expect(r.isError, textOf(r)).toBeFalsy();
    const out = r.structuredContent!.result;
    expect(out).toMatchObject({ published: false, dryRun: true });
    // Nothing written, so nothing to point at: the diff is inline only.
    expect(out.diffResource).toBeUndefined();
    expect(out.planResource).toBeUndefined();
    expect(out.diff).toMatch(/^--- a\/SKILL.md\n\+\+\+ b\/SKILL.md\n@@ /);
    expect(out.diff).toContain('+**Parallel execution hints:**');
    expect(out.files).toContain('workflow-dag.md');
    expect(textOf(r)).toContain('+**Parallel execution hints:**');
    expect(readdirSync(variantsOf('slug-rules'))).toEqual(before);
  });

  it('compiles an upstream skill with all three passes against an upstream profile', async () => {
    const r = await call({ skill: path.join(UPSTREAM_ROOT, 'skills', 'web-research'), model: 'qwen/qwen3.5-9b', compilerModel: 'sim/compiler' });
    expect(r.isError, textOf(r)).toBeFalsy();
    const out = r.structuredContent!.result;
    const dir = path.join(cache, 'proposals', 'aot-compile', 'bare-agent', 'qwen--qwen3.5-9b', 'web-research', 'p1p2p3');
    expect(out).toMatchObject({ passTag: 'p1p2p3', published: true, variantDir: dir, guard: { passed: true }, env: { success: true }, profile: { from: 'cache' } });
    expect(out.gaps).toContainEqual({ primitive: 'tool.web', purpose: 'gather-data', required: 'L2', modelHas: 'L0' });
    expect(out.passes.map((p: { id: string }) => p.id)).toEqual(['rewrite-skill', 'bind-env', 'extract-parallelism']);
    // What changed and why, in the short result: the rewrite agent's account, and one line per pass.
    expect(out.passes[0].explanation).toEqual(['Made the fetch step one URL at a time (tool.web).']);
    expect(out.passes[0].summary).toMatch(/gaps?.*1 region edited/);
    expect(out.passes[1].summary).toMatch(/^2 dependencies; env script simulated ok in the sandbox in 1 attempt$/);
    expect(out.passes[2].summary).toBe('1 parallel group (ILP)');
    expect(out.diffResource).toBe('skvm://variants/bare-agent/qwen--qwen3.5-9b/web-research/p1p2p3/_artifacts/SKILL.md.diff');
    expect(textOf(r)).toContain('\n      Made the fetch step one URL at a time (tool.web).\n');
    expect(JSON.stringify(r.structuredContent).length).toBeLessThanOrEqual(RESULT_BUDGET_CHARS);
    expect(textOf(r).length).toBeLessThanOrEqual(RESULT_BUDGET_CHARS);
    const compiled = readFileSync(path.join(dir, 'SKILL.md'), 'utf8');
    expect(compiled).toContain(FETCH_EASIER);
    expect(compiled).toContain('**Parallel execution hints:**');
    for (const f of ['compilation-plan.json', 'meta.json', 'env-setup.sh', 'workflow-dag.md', '_artifacts/scr.json', '_artifacts/gaps.json', '_artifacts/envSimulation.json', '_artifacts/dag.json']) {
      expect(existsSync(path.join(dir, f)), f).toBe(true);
    }
    expect(readdirSync(dir).filter((f) => f.startsWith('.skvm-env-setup-attempt'))).toEqual([]);
  });

  it('refuses pass 1 without a cached profile, naming the closest ones, before writing anything', async () => {
    const r = await call({ skill: 'log-triage', model: 'openrouter/qwen/qwen3.5-10b', compilerModel: 'sim/compiler' });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toContain('Pass 1 (rewrite-skill) needs a complete capability profile of openrouter/qwen/qwen3.5-10b on bare-agent');
    expect(textOf(r)).toContain('Closest existing: bare-agent/openrouter--qwen--qwen3.5-9b');
    expect(existsSync(path.join(cache, 'proposals', 'aot-compile', 'bare-agent', 'openrouter--qwen--qwen3.5-10b'))).toBe(false);
  });
});
