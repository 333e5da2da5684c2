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
  passes: [{ number: 1, id: 'rewrite-skill', summary: '1 gap; 1 edit', costUsd: 0.001 }],
  tokens: { input: 10, output: 5 },
  costUsd: 0.001,
  costIncomplete: false,
  diffStats: { added: 1, removed: 1 },
  fileCount: 1,
  durationMs: 1500,
};
const PATCH = '--- a/SKILL.md\n+++ b/SKILL.md\n@@ -1,2 +1,2 @@\n # Demo\n--- old rule\n+new rule\n';
/** The same result with detail "full". */
const full: Out = {
  ...base,
  passes: [{ ...base.passes[0]!, tokens: { input: 10, output: 5 }, durationMs: 1200 }],
  diff: PATCH,
  files: ['SKILL.md'],
  profile: { from: 'cache', path: '/c/profiles/bare-agent/sim--target/latest.json', profiledAt: '2026-01-01T00:00:00Z' },
};

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

  it('summarizes briefly by default, everything with the diff for detail "full", coloured only for a terminal', () => {
    const short = compileTool.summarize(base);
    expect(short.split('\n')).toEqual([
      'demo for sim/target on bare-agent (p1p3): published',
      '  gaps (1): gen.code.python; guard passed; $0.0010',
      '  pass 1 rewrite-skill: 1 gap; 1 edit',
      '  SKILL.md: +1 -1 lines (detail "full" shows the diff)',
    ]);
    const long = compileTool.summarize(full, { color: false });
    expect(long).toContain('  variant: /c/proposals/aot-compile/bare-agent/sim--target/demo/p1p3');
    expect(long).toContain('  profile: cached /c/profiles/bare-agent/sim--target/latest.json (2026-01-01T00:00:00Z)');
    expect(long).toContain('  gaps (1): gen.code.python needs L2, has L1');
    expect(long).toContain('  parallel groups: ilp [a, b]');
    expect(long).toContain('  pass 1 rewrite-skill: 1 gap; 1 edit — 10+5 tokens, $0.0010, 1.2 s');
    expect(long.endsWith(`\n\n${PATCH.trimEnd()}`)).toBe(true);
    expect(long).not.toContain('\x1b[');
    const coloured = compileTool.summarize(full, { color: true });
    expect(coloured).toContain('\x1b[31m--- old rule\x1b[0m');
    expect(coloured).toContain('\x1b[32m+new rule\x1b[0m');
  });

  it("points at the published diff and plan, and shows the rewrite agent's account under its pass", () => {
    const resources = { diffResource: `${base.resource}/_artifacts/SKILL.md.diff`, planResource: `${base.resource}/compilation-plan.json` };
    const explanation = ['Step 2 (gen.code.python): spelled out the exact command.'];
    const text = compileTool.summarize({ ...base, ...resources, passes: [{ ...base.passes[0]!, explanation }] });
    expect(text).toContain('\n  pass 1 rewrite-skill: 1 gap; 1 edit\n      Step 2 (gen.code.python): spelled out the exact command.\n');
    expect(text).toContain('SKILL.md: +1 -1 lines (diff: skvm://variants/bare-agent/sim--target/demo/p1p3/_artifacts/SKILL.md.diff)');
    const long = compileTool.summarize({ ...full, ...resources, passes: [{ ...full.passes[0]!, explanation }] });
    expect(long).toContain('\n      Step 2 (gen.code.python): spelled out the exact command.\n');
    expect(long).toContain('  plan: skvm://variants/bare-agent/sim--target/demo/p1p3/compilation-plan.json');
    expect(long).toContain('  diff: skvm://variants/bare-agent/sim--target/demo/p1p3/_artifacts/SKILL.md.diff');
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
