import { describe, expect, it } from 'vitest';
import { colorDiff, compileTool } from './compile.js';

type Out = Parameters<typeof compileTool.summarize>[0];

const base: Out = {
  skill: 'demo',
  model: 'sim/target',
  harness: 'bare-agent',
  passTag: 'p1p3',
  published: true,
  dryRun: false,
  variantDir: '/c/proposals/aot-compile/bare-agent/sim--target/demo/p1p3',
  resource: 'skvm://variants/bare-agent/sim--target/demo/p1p3',
  gaps: [{ primitive: 'gen.code.python', purpose: 'run', required: 'L2', modelHas: 'L1' }],
  gapCount: 1,
  guard: { passed: true, violations: [] },
  parallelGroups: [{ type: 'ilp', steps: ['a', 'b'] }],
  passes: [{ number: 1, id: 'rewrite-skill', summary: '1 gap; 1 edit', tokens: { input: 10, output: 5 }, costUsd: 0.001, durationMs: 1200 }],
  tokens: { input: 10, output: 5 },
  costUsd: 0.001,
  costIncomplete: false,
  diffStats: { added: 1, removed: 1 },
  files: ['SKILL.md'],
  fileCount: 1,
  durationMs: 1500,
};
const PATCH = '--- a/SKILL.md\n+++ b/SKILL.md\n@@ -1,2 +1,2 @@\n # Demo\n--- old rule\n+new rule\n';

describe('compile tool', () => {
  it('is a run that writes, with described inputs and the CLI showing the full diff', () => {
    expect(compileTool).toMatchObject({ mode: 'run', effect: 'write', openWorld: true, cliDefaults: { detail: 'full' } });
    for (const [k, s] of Object.entries(compileTool.input.shape)) expect(s.description, k).toBeTruthy();
    expect(compileTool.description).toContain('all three run by default');
    expect(compileTool.input.parse({ skill: 's', model: 'm/x', compilerModel: 'c/y' })).toMatchObject({ adapter: 'bare-agent', dryRun: false, detail: 'summary', profileIfMissing: false });
  });

  it('judges a guard failure that published nothing as an error with a hint, a failed env simulation as not passed', () => {
    expect(compileTool.verdict!(base, () => undefined)).toEqual({ kind: 'ok' });
    const rejected = { ...base, published: false, guard: { passed: false, violations: ['Heading removed: "## Notes"'] } };
    expect(compileTool.verdict!(rejected, () => undefined)).toMatchObject({ kind: 'failed', message: 'Nothing was published: the compiled SKILL.md failed the guard (Heading removed: "## Notes").', hint: expect.stringContaining('unchanged') });
    expect(compileTool.verdict!({ ...rejected, dryRun: true }, () => undefined)).toMatchObject({ kind: 'not-passed' });
    const env = { ...base, env: { success: false, attempts: 3, failureReason: 'pip failed' } };
    expect(compileTool.verdict!(env, () => undefined)).toEqual({ kind: 'not-passed', message: 'env-setup.sh failed its simulation after 3 attempt(s): pip failed; the variant was published with it, but the environment may be incomplete.' });
  });

  it('summarizes briefly, with the diff only when the result carries it, coloured only for a terminal', () => {
    const short = compileTool.summarize(base);
    expect(short).toContain('demo for sim/target on bare-agent (p1p3): published');
    expect(short).toContain('gaps (1): gen.code.python needs L2, has L1');
    expect(short).toContain('SKILL.md: +1 -1 lines (detail "full" shows the diff)');
    expect(short).not.toContain('@@');
    const full = compileTool.summarize({ ...base, diff: PATCH }, { color: false });
    expect(full.endsWith(PATCH.trimEnd())).toBe(true);
    expect(full).not.toContain('\x1b[');
    const coloured = compileTool.summarize({ ...base, diff: PATCH }, { color: true });
    expect(coloured).toContain('\x1b[31m--- old rule\x1b[0m');
    expect(coloured).toContain('\x1b[32m+new rule\x1b[0m');
  });

  it("points at the published diff and plan, and shows the rewrite agent's account under its pass", () => {
    const published = {
      ...base,
      passes: [{ ...base.passes[0]!, explanation: ['Step 2 (gen.code.python): spelled out the exact command.'] }],
      diffResource: `${base.resource}/_artifacts/SKILL.md.diff`,
      planResource: `${base.resource}/compilation-plan.json`,
    };
    const text = compileTool.summarize(published);
    expect(text).toContain('  pass 1 rewrite-skill: 1 gap; 1 edit — 10+5 tokens');
    expect(text).toContain('\n      Step 2 (gen.code.python): spelled out the exact command.\n');
    expect(text).toContain('SKILL.md: +1 -1 lines (diff: skvm://variants/bare-agent/sim--target/demo/p1p3/_artifacts/SKILL.md.diff)');
    expect(text).toContain('  plan: skvm://variants/bare-agent/sim--target/demo/p1p3/compilation-plan.json');
    // With the diff inline there is no pointer to it.
    expect(compileTool.summarize({ ...published, diff: PATCH })).toContain('SKILL.md: +1 -1 lines\n');
    expect(compileTool.description).toContain('diffResource');
    expect(compileTool.description).toMatch(/dry run has no resources: its diff is in the result only with detail "full"/);
  });

  it('colours file headers, hunk headers, removals and additions', () => {
    expect(colorDiff(PATCH.trimEnd(), { color: true }).split('\n')).toEqual([
      '\x1b[1m--- a/SKILL.md\x1b[0m',
      '\x1b[1m+++ b/SKILL.md\x1b[0m',
      '\x1b[36m@@ -1,2 +1,2 @@\x1b[0m',
      ' # Demo',
      '\x1b[31m--- old rule\x1b[0m',
      '\x1b[32m+new rule\x1b[0m',
    ]);
  });
});
