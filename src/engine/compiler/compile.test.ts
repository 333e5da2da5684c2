import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { tempDirs } from '../../../test/tmp.js';
import { treeSnapshot } from '../../../test/tree.js';
import type { ChatProvider, ChatResponse } from '../llm/types.js';
import type { TCP } from '../profiles/schema.js';
import { loadSkill } from '../skills/load.js';
import type { Skill } from '../skills/types.js';
import { CancelledError } from '../util/errors.js';
import { compileSkill, type CompileOptions, type CompileProgress } from './compile.js';
import type { CompilerPass, PassContext, PassOutput } from './types.js';

const tmp = tempDirs('skvm-compile-test-');

const ORIGINAL = `---
name: demo
description: A demo skill.
---
# Demo

Run the script:

\`\`\`bash
python scripts/run.py --input data.csv
\`\`\`

## Notes

Keep going.
`;

/** A compiler model that answers every call with one fixed reply; `cost: null` plays an unknown price. */
function fakeLlm(cost: number | null = 0.002): ChatProvider & { calls: number } {
  const llm = {
    calls: 0,
    async chat(): Promise<ChatResponse> {
      llm.calls++;
      return { text: 'ok', toolCalls: [], stopReason: 'end_turn', usage: { input: 100, output: 20, cacheRead: 0, cacheWrite: 0 }, costUsd: cost, costSource: cost === null ? 'unknown' : 'table', durationMs: 1, attempts: 1, model: 'sim/compiler', route: 'sim' };
    },
  };
  return llm;
}

function pass(number: number, id: string, patch: CompilerPass['patch'], run: (ctx: PassContext) => Promise<PassOutput>, extra: Partial<CompilerPass> = {}): CompilerPass {
  return { id, number, description: id, consumes: [], produces: [], requiresTcp: false, patch, run, ...extra };
}

const ask = (ctx: PassContext) => ctx.llm.chat({ model: ctx.compilerModel, messages: [{ role: 'user', content: ctx.skillContent }] }, { signal: ctx.signal });

/** Rewrites the prose (headings and code kept), reports gaps. */
const rewritePass = pass(
  1,
  'rewrite-skill',
  'rewrite',
  async (ctx) => {
    await ask(ctx);
    ctx.progress('rewriting');
    return {
      artifacts: { gaps: [{ purposeId: 'run', primitiveId: 'gen.code.python', requiredLevel: 'L2', modelLevel: 'L1', gapType: 'weak' }] },
      skillPatch: { kind: 'rewrite', content: ctx.skillContent.replace('Keep going.', 'Keep going.\nCheck the exit code of every command.') },
      iterations: 2,
      report: { summary: '1 gap; 1 edit' },
    };
  },
  { requiresTcp: true, produces: ['gaps'] },
);

const envPass = pass(2, 'bind-env', 'none', async (ctx) => {
  await ask(ctx);
  return {
    artifacts: { envScript: '#!/usr/bin/env bash\nset -e\n', envSimulation: { attemptCount: 2, success: false, failureReason: 'pip refused', finalScriptValidated: true } },
    report: { summary: 'env simulation failed', warning: 'env-setup.sh did not pass the simulation' },
  };
});

/** Appends hints and a DAG with one parallel group. */
const appendPass = pass(3, 'extract-parallelism', 'append', async (ctx) => {
  await ask(ctx);
  return {
    artifacts: {
      dag: {
        steps: [
          { id: 'a', description: 'fetch A', primitives: [], dependsOn: [] },
          { id: 'b', description: 'fetch B', primitives: [], dependsOn: [] },
        ],
        parallelism: [{ type: 'ilp', steps: ['a', 'b'], mechanism: 'batch', fallback: 'sequential_execution' }],
      },
    },
    skillPatch: { kind: 'append', content: '\n---\n\n**Parallel hints:** fetch A and B together.\n' },
    report: { summary: '1 group' },
  };
});

const failingPass = pass(2, 'bind-env', 'none', async (ctx) => {
  await ask(ctx);
  throw new Error('vendor said no');
});

/** Waits until cancelled. */
const slowPass = (started: () => void) =>
  pass(2, 'bind-env', 'none', (ctx) => {
    const stopped = new Promise<never>((_resolve, reject) => ctx.signal.addEventListener('abort', () => reject(new CancelledError(ctx.signal.reason)), { once: true }));
    started();
    return stopped;
  });

/** Drops the "## Notes" heading: the guard must reject it. */
const breakingPass = pass(1, 'rewrite-skill', 'rewrite', async (ctx) => ({
  artifacts: {},
  skillPatch: { kind: 'rewrite', content: ctx.skillContent.replace('## Notes\n', '') },
  report: { summary: 'edited' },
}));

const TCP_STUB = { version: '1.0', model: 'sim/target', harness: 'bare-agent', profiledAt: '2026-01-01T00:00:00Z', capabilities: {}, details: [], cost: { totalUsd: 0, totalTokens: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 }, durationMs: 0 }, isPartial: false } as TCP;

let root: string;
let skill: Skill;
let proposals: string;
let logs: string;
let tmpRoot: string;

beforeEach(async () => {
  root = tmp();
  const dir = path.join(root, 'skills', 'demo');
  mkdirSync(path.join(dir, 'scripts'), { recursive: true });
  mkdirSync(path.join(dir, '_artifacts'), { recursive: true });
  writeFileSync(path.join(dir, 'SKILL.md'), ORIGINAL);
  writeFileSync(path.join(dir, 'scripts', 'run.py'), 'print(1)\n');
  // Outputs of an earlier compile (the skill is itself a variant): never copied.
  writeFileSync(path.join(dir, 'meta.json'), '{"stale":true}');
  writeFileSync(path.join(dir, '_artifacts', 'gaps.json'), '[]');
  writeFileSync(path.join(root, 'outside.txt'), 'secret');
  symlinkSync(path.join(root, 'outside.txt'), path.join(dir, 'leak.txt'));
  skill = await loadSkill(dir);
  proposals = path.join(root, 'cache', 'proposals');
  logs = path.join(root, 'cache', 'logs');
  tmpRoot = path.join(root, 'tmp');
});

function options(passes: CompilerPass[], extra: Partial<CompileOptions> = {}): CompileOptions {
  return { skill, model: 'sim/target', harness: 'bare-agent', passes, compilerModel: 'sim/compiler', llm: fakeLlm(), tcp: TCP_STUB, proposalsRoot: proposals, logsRoot: logs, tmpRoot, ...extra };
}

const variantsOf = () => path.join(proposals, 'aot-compile', 'bare-agent', 'sim--target', 'demo');

describe('compileSkill', () => {
  it('stages, runs the passes in order, writes the variant files and publishes them', async () => {
    const progress: CompileProgress[] = [];
    const out = await compileSkill(options([rewritePass, envPass, appendPass], { onProgress: (p) => progress.push(p) }));
    const dir = path.join(variantsOf(), 'p1p2p3');
    expect(out).toMatchObject({ published: true, dryRun: false, passTag: 'p1p2p3', passes: [1, 2, 3], variantDir: dir, uri: 'skvm://variants/bare-agent/sim--target/demo/p1p2p3' });
    expect(out.guard).toEqual({ passed: true, violations: [] });
    expect(out.gaps).toEqual([{ purposeId: 'run', primitiveId: 'gen.code.python', requiredLevel: 'L2', modelLevel: 'L1', gapType: 'weak' }]);
    expect(out.env).toEqual({ success: false, attempts: 2, failureReason: 'pip refused' });
    expect(out.parallelGroups).toEqual([{ type: 'ilp', steps: ['a', 'b'] }]);
    expect(out.diffStats).toEqual({ added: 5, removed: 0 });
    expect(out.diff).toMatch(/^--- a\/SKILL.md\n\+\+\+ b\/SKILL.md\n@@/);
    expect(out.diff).toContain('+Check the exit code of every command.');
    expect(out.passRuns.map((r) => [r.id, r.summary, r.warning])).toEqual([
      ['rewrite-skill', '1 gap; 1 edit', undefined],
      ['bind-env', 'env simulation failed', 'env-setup.sh did not pass the simulation'],
      ['extract-parallelism', '1 group', undefined],
    ]);
    expect(out.tokens).toEqual({ input: 300, output: 60, cacheRead: 0, cacheWrite: 0 });
    expect(out.costUsd).toBeCloseTo(0.006, 9);
    expect(out.costIncomplete).toBe(false);

    // The variant directory: the clean bundle plus exactly the compile's files.
    expect(out.files).toEqual([
      'SKILL.md',
      '_artifacts/SKILL.md.diff',
      '_artifacts/_meta/bind-env.json',
      '_artifacts/_meta/extract-parallelism.json',
      '_artifacts/_meta/rewrite-skill.json',
      '_artifacts/dag.json',
      '_artifacts/envScript.json',
      '_artifacts/envSimulation.json',
      '_artifacts/gaps.json',
      'compilation-plan.json',
      'env-setup.sh',
      'meta.json',
      'scripts/run.py',
      'workflow-dag.md',
    ]);
    expect(Object.keys(treeSnapshot(dir)).filter((k) => !k.endsWith('/'))).toEqual(out.files);
    expect(out.notes).toEqual(['skipped leak.txt: symlink points outside the folder']);
    const compiled = readFileSync(path.join(dir, 'SKILL.md'), 'utf8');
    expect(compiled).toBe(ORIGINAL.replace('Keep going.', 'Keep going.\nCheck the exit code of every command.') + '\n---\n\n**Parallel hints:** fetch A and B together.\n');
    expect(readFileSync(path.join(dir, 'env-setup.sh'), 'utf8')).toBe('#!/usr/bin/env bash\nset -e\n');
    expect(JSON.parse(readFileSync(path.join(dir, '_artifacts', 'envScript.json'), 'utf8'))).toBe('#!/usr/bin/env bash\nset -e\n');
    expect(readFileSync(path.join(dir, 'workflow-dag.md'), 'utf8')).toContain('```mermaid');
    // The diff the result leaves out is a file of the variant, and the outcome names its resource.
    expect(readFileSync(path.join(dir, '_artifacts', 'SKILL.md.diff'), 'utf8')).toBe(out.diff);
    expect(out.fileUris).toEqual({
      plan: 'skvm://variants/bare-agent/sim--target/demo/p1p2p3/compilation-plan.json',
      diff: 'skvm://variants/bare-agent/sim--target/demo/p1p2p3/_artifacts/SKILL.md.diff',
    });

    // meta.json and compilation-plan.json: the reference's fields (spec §4.5), then cost and tokens.
    const meta = JSON.parse(readFileSync(path.join(dir, 'meta.json'), 'utf8'));
    expect(Object.keys(meta)).toEqual(['compiledAt', 'model', 'harness', 'passes', 'passTag', 'costUsd', 'durationMs', 'guardPassed', 'compilerModel', 'tokens']);
    expect(meta).toMatchObject({ model: 'sim/target', harness: 'bare-agent', passes: [1, 2, 3], passTag: 'p1p2p3', guardPassed: true, compilerModel: 'sim/compiler' });
    expect(meta.costUsd).toBeCloseTo(0.006, 9);
    const plan = JSON.parse(readFileSync(path.join(dir, 'compilation-plan.json'), 'utf8'));
    expect(Object.keys(plan)).toEqual(['skillName', 'model', 'harness', 'compiledAt', 'artifacts', 'passRuns', 'guardPassed', 'guardViolations']);
    expect(plan.skillName).toBe('demo');
    expect(Object.keys(plan.artifacts).sort()).toEqual(['dag', 'envScript', 'envSimulation', 'gaps']);
    expect(plan.passRuns.map((r: { passId: string; status: string }) => [r.passId, r.status])).toEqual([
      ['rewrite-skill', 'ok'],
      ['bind-env', 'ok'],
      ['extract-parallelism', 'ok'],
    ]);
    const passMeta = JSON.parse(readFileSync(path.join(dir, '_artifacts', '_meta', 'rewrite-skill.json'), 'utf8'));
    expect(passMeta).toMatchObject({ passId: 'rewrite-skill', status: 'ok', tokens: { input: 100, output: 20 }, costUsd: 0.002, iterations: 2 });

    // One conversation log per pass; nothing left beside the variant.
    const logDir = path.join(logs, 'aot-compile', 'bare-agent', 'sim--target', 'demo');
    expect(readdirSync(logDir).sort()).toEqual(['bind-env.jsonl', 'extract-parallelism.jsonl', 'rewrite-skill.jsonl']);
    expect(readFileSync(path.join(logDir, 'rewrite-skill.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).type)).toEqual(['request', 'response']);
    expect(readdirSync(variantsOf())).toEqual(['p1p2p3']);

    expect(progress.map((p) => `${p.index}/${p.total} ${p.message}`)).toEqual([
      '0/3 pass 1 rewrite-skill: started',
      '0/3 pass 1 rewrite-skill: rewriting',
      '0/3 pass 1 rewrite-skill: 1 gap; 1 edit',
      '1/3 pass 2 bind-env: started',
      '1/3 pass 2 bind-env: env simulation failed',
      '2/3 pass 3 extract-parallelism: started',
      '2/3 pass 3 extract-parallelism: 1 group',
      '3/3 publishing the variant',
    ]);
  });

  it('replaces an earlier variant whole: its stale files do not survive', async () => {
    const dir = path.join(variantsOf(), 'p3');
    mkdirSync(path.join(dir, '_artifacts'), { recursive: true });
    writeFileSync(path.join(dir, 'SKILL.md'), 'old');
    writeFileSync(path.join(dir, 'old-notes.txt'), 'stale');
    writeFileSync(path.join(dir, '_artifacts', 'scr.json'), '{}');
    await compileSkill(options([appendPass]));
    expect(Object.keys(treeSnapshot(dir)).filter((k) => !k.endsWith('/'))).toEqual([
      'SKILL.md',
      '_artifacts/SKILL.md.diff',
      '_artifacts/_meta/extract-parallelism.json',
      '_artifacts/dag.json',
      'compilation-plan.json',
      'meta.json',
      'scripts/run.py',
      'workflow-dag.md',
    ]);
  });

  it('gives each pass the staging copy, the texts so far, the profile and the defaults', async () => {
    const seen: PassContext[] = [];
    const spy = (number: number, id: string) =>
      pass(number, id, 'none', async (ctx) => {
        seen.push(ctx);
        expect(readFileSync(path.join(ctx.workDir, 'SKILL.md'), 'utf8')).toBe(ctx.skillContent);
        return { artifacts: number === 2 ? { deps: [] } : {}, report: { summary: 'looked' } };
      });
    await compileSkill(options([rewritePass, spy(2, 'bind-env'), spy(4, 'fourth')], { profileLogDir: '/logs/profile/bare-agent/sim--target' }));
    const [second, fourth] = seen;
    expect(second!.workDir).toBe(fourth!.workDir);
    expect(path.dirname(second!.workDir)).toBe(variantsOf());
    expect(second!.skillContent).toContain('Check the exit code of every command.');
    expect(second!.originalSkill).toBe(ORIGINAL);
    expect(second!.artifacts).toEqual({ gaps: [expect.objectContaining({ primitiveId: 'gen.code.python' })] });
    expect(fourth!.artifacts).toMatchObject({ deps: [] });
    expect(second).toMatchObject({ skillName: 'demo', tcp: TCP_STUB, profileLogDir: '/logs/profile/bare-agent/sim--target', timeoutMs: 300_000, allowHostInstall: false, compilerModel: 'sim/compiler', tmpRoot });
    expect(existsSync(second!.workDir)).toBe(false);
  });

  it('names pass tags numerically past 9 and says when a price was unknown', async () => {
    const p10 = pass(10, 'tenth', 'none', async (ctx) => {
      await ask(ctx);
      return { artifacts: {}, report: { summary: 'nothing' } };
    });
    const out = await compileSkill(options([envPass, p10], { llm: fakeLlm(null) }));
    expect(out.passTag).toBe('p2p10');
    expect(out.costUsd).toBe(0);
    expect(out.costIncomplete).toBe(true);
    expect(out.diff).toBe('');
    expect(out.diffStats).toEqual({ added: 0, removed: 0 });
    // SKILL.md unchanged: no diff file, no diff resource.
    expect(out.files).not.toContain('_artifacts/SKILL.md.diff');
    expect(out.fileUris).toEqual({ plan: 'skvm://variants/bare-agent/sim--target/demo/p2p10/compilation-plan.json' });
    const meta = JSON.parse(readFileSync(path.join(variantsOf(), 'p2p10', 'meta.json'), 'utf8'));
    expect(meta).toMatchObject({ costUsd: 0, costIncomplete: true, passes: [2, 10], passTag: 'p2p10' });
    expect(existsSync(path.join(variantsOf(), 'p2p10', 'workflow-dag.md'))).toBe(false);
  });

  describe('publishes nothing and leaves the previous variant untouched', () => {
    const previous = () => {
      const dir = path.join(variantsOf(), 'p1p2');
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, 'SKILL.md'), 'previous variant');
      writeFileSync(path.join(dir, 'meta.json'), '{"previous":true}');
      return treeSnapshot(proposals);
    };

    it('when a pass fails: the error names the pass and its log', async () => {
      const before = previous();
      const err = await compileSkill(options([rewritePass, failingPass])).catch((e: unknown) => e);
      expect(err).toMatchObject({ message: 'Compiler pass 2 (bind-env) failed: vendor said no', code: 'compile_failed' });
      const logFile = path.join(logs, 'aot-compile', 'bare-agent', 'sim--target', 'demo', 'bind-env.jsonl');
      expect((err as { hint: string }).hint).toContain(logFile);
      expect(existsSync(logFile)).toBe(true);
      expect(treeSnapshot(proposals)).toEqual(before);
    });

    it('when cancelled mid-pass', async () => {
      const before = previous();
      const controller = new AbortController();
      const run = compileSkill(options([rewritePass, slowPass(() => controller.abort('stop'))], { signal: controller.signal }));
      await expect(run).rejects.toBeInstanceOf(CancelledError);
      expect(treeSnapshot(proposals)).toEqual(before);
    });

    it('when the guard rejects the result: the outcome carries the violations and the diff', async () => {
      const before = previous();
      const out = await compileSkill(options([breakingPass, envPass]));
      expect(out.published).toBe(false);
      expect(out.guard).toEqual({ passed: false, violations: ['Heading removed: "## Notes"'] });
      expect(out.diff).toContain('-## Notes');
      expect(out.diffStats).toEqual({ added: 0, removed: 1 });
      expect(out.files).toContain('env-setup.sh');
      expect(out.fileUris).toBeUndefined();
      expect(treeSnapshot(proposals)).toEqual(before);
    });
  });

  it('dryRun writes nothing under the proposals or logs roots and returns what it would write', async () => {
    await compileSkill(options([rewritePass]));
    const cache = path.join(root, 'cache');
    const before = treeSnapshot(cache);
    const out = await compileSkill(options([rewritePass, envPass, appendPass], { dryRun: true }));
    expect(treeSnapshot(cache)).toEqual(before);
    expect(out).toMatchObject({ dryRun: true, published: false, variantDir: path.join(variantsOf(), 'p1p2p3') });
    expect(out.files).toContain('workflow-dag.md');
    expect(out.files).toContain('_artifacts/SKILL.md.diff');
    expect(out.fileUris).toBeUndefined();
    expect(out.diffStats.added).toBeGreaterThan(0);
    // The staging copy in the temp root is gone too.
    expect(readdirSync(tmpRoot)).toEqual([]);
  });

  it('refuses before any side effect when a pass needs a profile and none is given', async () => {
    await expect(compileSkill(options([rewritePass, envPass], { tcp: undefined }))).rejects.toMatchObject({
      code: 'usage',
      message: 'Pass 1 (rewrite-skill) needs a capability profile of sim/target on bare-agent, and none was given.',
    });
    expect(existsSync(path.join(root, 'cache'))).toBe(false);
    expect(existsSync(tmpRoot)).toBe(false);
  });

  it('refuses a patch of a kind the pass does not declare', async () => {
    const liar = pass(2, 'bind-env', 'none', async () => ({ artifacts: {}, skillPatch: { kind: 'append', content: 'x' }, report: { summary: '' } }));
    await expect(compileSkill(options([liar]))).rejects.toThrow('Compiler pass 2 (bind-env) failed: returned a "append" patch of SKILL.md, but the pass declares "none"');
    expect(readdirSync(variantsOf())).toEqual([]);
  });

  it("sweeps staging directories of compiles whose process is gone, not those of live ones", async () => {
    const dead = path.join(variantsOf(), '.staging_o999999999.1_abcdef');
    const live = path.join(variantsOf(), `.staging_o${process.pid}.0_abcdef`);
    mkdirSync(dead, { recursive: true });
    mkdirSync(live, { recursive: true });
    await compileSkill(options([envPass]));
    expect(readdirSync(variantsOf()).sort()).toEqual(['.staging_o' + process.pid + '.0_abcdef', 'p2']);
  });
});
