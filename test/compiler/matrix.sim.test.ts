import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headings, lineBudget } from '../../src/engine/compiler/guard.js';
import { analyzeGaps } from '../../src/engine/compiler/passes/rewrite-skill/gap-analysis.js';
import { cachedProfile } from '../../src/engine/compiler/profile-source.js';
import { startCompile, type StartCompileResult } from '../../src/engine/compiler/start.js';
import type { SCR } from '../../src/engine/compiler/types.js';
import { findVariant, loadVariantSkill, readVariant } from '../../src/engine/compiler/variants.js';
import { safeModelName } from '../../src/engine/config/paths.js';
import { writeConfigFile } from '../../src/engine/config/write.js';
import { createEngine, type Engine } from '../../src/engine/engine.js';
import { ALL_PRIMITIVE_IDS, isPrimitiveId, levelOrder, type Level } from '../../src/engine/primitives/catalog.js';
import { importProfiles } from '../../src/engine/profiles/import.js';
import type { TCP } from '../../src/engine/profiles/schema.js';
import { startSimServer, type SimServer } from '../../src/engine/sim/index.js';
import { resolveSkill } from '../../src/engine/skills/load.js';
import type { Skill } from '../../src/engine/skills/types.js';
import { mapLimit } from '../../src/engine/util/async.js';
import { readJsonLines } from '../../src/engine/util/jsonl.js';
import { silentLogger } from '../../src/engine/util/log.js';
import { tempDirs } from '../tmp.js';
import { treeSnapshot } from '../tree.js';
import { UPSTREAM_PROFILES, UPSTREAM_ROOT, requireUpstream } from '../upstream.js';
import { compilerModelPolicy, type Behaviour } from './compiler-model.js';

/**
 * The compile matrix over real data (issue 9): every upstream SKILL.md and every bundled skill ×
 * three upstream bare-agent profiles of clearly different strength, all three passes, through
 * startCompile with a compiler model served by the simulator over HTTP (compiler-model.ts: it
 * derives every answer from the request). For each cell: gap analysis deterministic and
 * explained, the variant complete, the guard verdict as expected; across cells: fewer gaps for
 * the stronger profile; then guard cells where the rewrite drops a heading or overruns the line
 * budget; and nothing written outside the proposals and logs trees.
 *
 * Profiles (levels summed over the 26 primitives, missing = L0):
 * - strong: deepseek/deepseek-v4-pro — 72: all 26 primitives profiled, 21 at L3, none at L0. The
 *   upstream claude-opus-4.6 profile is not the strongest here: follow.delegation L0, gen.code.sql,
 *   gen.regex and reason.planning L1, and no tool.web entry at all.
 * - mid: deepseek/deepseek-v3.2 — 61: gen.text.long and reason.planning at L0, tool.web not profiled.
 * - weak: qwen/qwen3.5-9b — 47: six primitives at L0 (gen.code.shell, gen.code.javascript,
 *   tool.exec, tool.browser, follow.delegation, tool.web unprofiled).
 * Real profiles are not totally ordered (qwen3.5-9b has gen.regex L3, deepseek-v3.2 has L1), so
 * "no more gaps" is asserted wherever one profile dominates another on what an SCR asks for.
 */

requireUpstream();
const tmp = tempDirs('skvm-compile-matrix-');

const HARNESS = 'bare-agent';
const PROFILES = [
  { strength: 'strong', model: 'deepseek/deepseek-v4-pro' },
  { strength: 'mid', model: 'deepseek/deepseek-v3.2' },
  { strength: 'weak', model: 'qwen/qwen3.5-9b' },
] as const;
type Strength = (typeof PROFILES)[number]['strength'];

const UPSTREAM_SKILLS = path.join(UPSTREAM_ROOT, 'skills');
const BUNDLED_SKILLS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../skvm-data/skills');
const SKILLS = [
  ...readdirSync(UPSTREAM_SKILLS)
    .sort()
    .map((name) => ({ name, ref: path.join(UPSTREAM_SKILLS, name) })),
  ...readdirSync(BUNDLED_SKILLS)
    .sort()
    .map((name) => ({ name, ref: name })),
];
const CONCURRENCY = 3;

interface Cell {
  skill: string;
  ref: string;
  strength: Strength;
  model: string;
}
const CELLS: Cell[] = SKILLS.flatMap((s) => PROFILES.map((p) => ({ skill: s.name, ref: s.ref, strength: p.strength, model: p.model })));
const key = (c: Pick<Cell, 'skill' | 'strength'>) => `${c.skill} × ${c.strength}`;

let sim: SimServer;
let root: string;
let cache: string;
let tmpRoot: string;
let engine: Engine;
let cacheBefore: Record<string, string>;
let upstreamBefore: Record<string, string>;
let bundledBefore: Record<string, string>;
const tcps = new Map<Strength, TCP>();
const originals = new Map<string, Skill>();
const outcomes = new Map<string, StartCompileResult>();

function compile(ref: string, model: string, behaviour: Behaviour = 'careful') {
  return startCompile(engine, { skill: ref, model, harness: HARNESS, compilerModel: `sim/${behaviour}`, llm: engine.llm, timeoutMs: 60_000 });
}

beforeAll(async () => {
  sim = await startSimServer({ policy: compilerModelPolicy() });
  root = tmp();
  cache = path.join(root, 'cache');
  tmpRoot = path.join(root, 'tmp');
  mkdirSync(tmpRoot);
  await importProfiles(UPSTREAM_PROFILES, path.join(cache, 'profiles'));
  await writeConfigFile(path.join(cache, 'skvm.config.json'), { providers: { routes: [{ match: 'sim/*', kind: 'openai-compatible', baseUrl: sim.openaiBaseUrl, apiKey: '' }] } });
  engine = createEngine({ flags: { cache, tmpDir: tmpRoot }, env: {}, log: silentLogger });
  for (const p of PROFILES) {
    const found = await cachedProfile({ profilesDir: engine.roots.profiles.value, model: p.model, harness: HARNESS });
    tcps.set(p.strength, found!.tcp);
  }
  for (const s of SKILLS) originals.set(s.name, await resolveSkill(s.ref, engine.roots.data.value));
  cacheBefore = treeSnapshot(cache);
  upstreamBefore = treeSnapshot(UPSTREAM_SKILLS);
  bundledBefore = treeSnapshot(BUNDLED_SKILLS);

  const t0 = Date.now();
  const results = await mapLimit(CELLS, CONCURRENCY, (c) => compile(c.ref, c.model));
  CELLS.forEach((c, i) => outcomes.set(key(c), results[i]!));
  console.log(`compile matrix: ${CELLS.length} cells in ${((Date.now() - t0) / 1000).toFixed(1)} s (concurrency ${CONCURRENCY})`);
}, 240_000);

afterAll(async () => {
  await sim?.close();
});

const tcp = (s: Strength) => tcps.get(s)!;
const modelOf = (s: Strength) => PROFILES.find((p) => p.strength === s)!.model;
const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8'));
const scrOf = (o: StartCompileResult): SCR => readJson(path.join(o.variantDir, '_artifacts', 'scr.json'));
const levelOf = (t: TCP, id: string): Level => t.capabilities[id] ?? 'L0';

/** Fenced code bodies of a skill, as the guard protects them. */
const codeBlocks = (text: string) => [...text.matchAll(/```[\w+-]*\n([\s\S]*?)```/g)].map((m) => m[1]!.trim()).filter((b) => b.length > 10);
const PARALLEL_HINTS = '\n\n---\n\n**Parallel execution hints:**';

describe.each(CELLS)('$skill × $strength', (cell) => {
  const out = () => outcomes.get(key(cell))!;
  const original = () => originals.get(cell.skill)!;

  it('gap analysis is deterministic and explained', () => {
    const o = out();
    const scr = scrOf(o);
    const caps = tcp(cell.strength).capabilities;
    const again = [analyzeGaps(scr, caps), analyzeGaps(scr, caps)];
    expect(again[1]).toEqual(again[0]);
    expect(o.gaps).toEqual(again[0]!.gaps);
    expect(readJson(path.join(o.variantDir, '_artifacts', 'gaps.json'))).toEqual(o.gaps);

    const pass1 = o.passRuns.find((r) => r.id === 'rewrite-skill')!;
    expect(pass1.summary).toMatch(o.gaps.length + again[0]!.tolerated.length === 0 ? /^no gaps;/ : new RegExp(`^${o.gaps.length + again[0]!.tolerated.length} gaps?`));
    for (const g of o.gaps) {
      expect(isPrimitiveId(g.primitiveId), g.primitiveId).toBe(true);
      expect(g.modelLevel).toBe(levelOf(tcp(cell.strength), g.primitiveId));
      expect(levelOrder(g.modelLevel)).toBeLessThan(levelOrder(g.requiredLevel));
      expect(g.gapType).toBe(g.modelLevel === 'L0' ? 'missing' : 'weak');
      // The purpose it serves, and the SCR line that demands that level.
      const purpose = scr.purposes.find((p) => p.id === g.purposeId)!;
      expect(purpose.description.length).toBeGreaterThan(0);
      const alt = again[0]!.alternatives.find((a) => a.purposeId === g.purposeId);
      const chosen = alt ? purpose.alternativePaths[alt.path as number]! : purpose.currentPath;
      const demand = chosen.primitives.find((p) => p.id === g.primitiveId && p.minLevel === g.requiredLevel);
      expect(demand?.evidence.length, `${g.purposeId}/${g.primitiveId}`).toBeGreaterThan(0);
      expect(original().content.replace(/\s+/g, ' ')).toContain(demand!.evidence.slice(0, 40));
    }
  });

  it('publishes a complete variant', async () => {
    const o = out();
    const dir = path.join(engine.roots.proposals.value, 'aot-compile', HARNESS, safeModelName(cell.model), cell.skill, 'p1p2p3');
    expect(o).toMatchObject({ published: true, variantDir: dir, passTag: 'p1p2p3', passes: [1, 2, 3] });
    const bundleTop = [...new Set(original().files.map((f) => f.split('/')[0]!))];
    const expected = ['SKILL.md', '_artifacts', 'compilation-plan.json', 'meta.json', 'env-setup.sh', ...(o.parallelGroups.length ? ['workflow-dag.md'] : []), ...bundleTop];
    expect(readdirSync(dir).sort()).toEqual(expected.sort());
    expect(readdirSync(path.join(dir, '_artifacts', '_meta')).sort()).toEqual(['bind-env.json', 'extract-parallelism.json', 'rewrite-skill.json']);

    const v = await readVariant(engine.roots.proposals.value, { harness: HARNESS, model: cell.model, skillName: cell.skill, passTag: 'p1p2p3' });
    expect(v.summary.problems).toEqual([]);
    expect(v.summary.meta).toMatchObject({ model: cell.model, harness: HARNESS, passes: [1, 2, 3], passTag: 'p1p2p3', guardPassed: true });
    expect(v.summary.meta!.costUsd).toBeGreaterThan(0);
    expect(v.plan).toMatchObject({ skillName: cell.skill, guardPassed: true, guardViolations: [] });
    expect(v.plan!.passRuns.map((r) => [r.passId, r.status])).toEqual([
      ['rewrite-skill', 'ok'],
      ['bind-env', 'ok'],
      ['extract-parallelism', 'ok'],
    ]);
    expect(Object.keys(v.artifacts).sort()).toEqual(['dag', 'deps', 'envScript', 'envSimulation', 'gaps', 'scr']);

    expect(readFileSync(path.join(dir, 'env-setup.sh'), 'utf8')).toBe(v.artifacts.envScript);
    const env = o.passRuns.find((r) => r.id === 'bind-env')!;
    expect(o.env).toEqual({ success: v.artifacts.envSimulation!.success, attempts: v.artifacts.envSimulation!.attemptCount, ...(o.env?.failureReason ? { failureReason: o.env.failureReason } : {}) });
    if (o.env!.success) expect(env.warning).toBeUndefined();
    else expect(env.warning).toContain('env-setup.sh is not validated');
    if (o.parallelGroups.length) expect(readFileSync(path.join(dir, 'workflow-dag.md'), 'utf8')).toMatch(/^## Workflow DAG\n\n```mermaid\ngraph TD\n/);

    const logDir = path.join(engine.roots.logs.value, 'aot-compile', HARNESS, safeModelName(cell.model), cell.skill);
    expect(readdirSync(logDir).sort()).toEqual(['bind-env.jsonl', 'extract-parallelism.jsonl', 'rewrite-skill.jsonl']);

    // The bundle came along byte for byte, and the variant's skill offers it to a task.
    const ref = (await findVariant(engine.roots.proposals.value, { harness: HARNESS, model: cell.model, skillName: cell.skill, passTag: 'p1p2p3' }))!;
    // workflow-dag.md is skill material for a task (spec §4.5 copies all but the compiler's own files).
    expect((await loadVariantSkill(ref)).files.sort()).toEqual([...original().files, ...(o.parallelGroups.length ? ['workflow-dag.md'] : [])].sort());
    for (const f of original().files) expect(readFileSync(path.join(dir, f)).equals(readFileSync(path.join(original().dir, f))), f).toBe(true);
  });

  it('passes the guard: the rewrite only inserts notes for gaps, keeping headings, code blocks and front matter', () => {
    const o = out();
    expect(o.guard).toEqual({ passed: true, violations: [] });
    const compiled = readFileSync(path.join(o.variantDir, 'SKILL.md'), 'utf8');
    const hints = compiled.indexOf(PARALLEL_HINTS);
    expect(hints >= 0).toBe(o.parallelGroups.length > 0);
    const rewritten = hints >= 0 ? compiled.slice(0, hints) : compiled;

    const skill = original().content;
    expect(headings(compiled)).toEqual(headings(skill));
    for (const block of codeBlocks(skill)) expect(compiled).toContain(block);
    expect(o.diffStats.removed).toBe(0);
    expect(o.diffStats.added).toBeLessThanOrEqual(lineBudget(skill.split('\n').length));

    const notes = rewritten.split('\n').filter((l) => /^\s*For the target model \(/.test(l));
    const facts = o.passRuns[0]!.facts!;
    if (o.gaps.length === 0) {
      expect(rewritten).toBe(skill);
      expect(facts.guard).toBeUndefined();
      return;
    }
    // Every note names one of this cell's gaps, and each edit is accounted for.
    const gapPrims = new Set(o.gaps.map((g) => g.primitiveId));
    for (const n of notes) expect(gapPrims.has(/\(([\w.]+),/.exec(n)![1]!), n).toBe(true);
    expect(rewritten.split('\n').length - skill.split('\n').length).toBe(notes.length);
    if (notes.length) {
      expect(facts.guard).toEqual({ passed: true, violations: [] });
      expect(facts.editedRegions).toBeGreaterThanOrEqual(1);
      expect(facts.editedRegions).toBeLessThanOrEqual(3);
    }
  });
});

/** `a` has no fewer levels than `b` wherever the SCR could tell them apart (capped at each required level). */
function dominatesFor(scr: SCR, a: TCP, b: TCP): boolean {
  return scr.purposes.every((p) =>
    [p.currentPath, ...p.alternativePaths].every((path) => path.primitives.every((x) => levelOrder(levelOf(a, x.id)) >= Math.min(levelOrder(levelOf(b, x.id)), levelOrder(x.minLevel)))),
  );
}

describe('across the matrix', () => {
  const cellsOf = (skill: string) => PROFILES.map((p) => outcomes.get(key({ skill, strength: p.strength }))!);

  it('the three profiles differ clearly in strength', () => {
    const summary = (t: TCP) => ({
      sum: ALL_PRIMITIVE_IDS.reduce((n, id) => n + levelOrder(levelOf(t, id)), 0),
      l0: ALL_PRIMITIVE_IDS.filter((id) => levelOf(t, id) === 'L0').length,
    });
    expect(PROFILES.map((p) => summary(tcp(p.strength)))).toEqual([
      { sum: 72, l0: 0 },
      { sum: 61, l0: 3 },
      { sum: 47, l0: 6 },
    ]);
  });

  it('the SCR depends on the skill alone, and every skill exercised several primitives', () => {
    for (const s of SKILLS) {
      const scrs = cellsOf(s.name).map(scrOf);
      for (const scr of scrs) expect(scr).toEqual(scrs[0]);
      expect(scrs[0]!.purposes.flatMap((p) => p.currentPath.primitives).length, s.name).toBeGreaterThanOrEqual(2);
    }
  });

  it('a stronger profile never has more gaps than one it dominates on the SCR; the weak one has more gaps somewhere', () => {
    const counts: Record<string, Partial<Record<Strength, number>>> = {};
    for (const s of SKILLS) {
      const scr = scrOf(cellsOf(s.name)[0]!);
      counts[s.name] = {};
      for (const p of PROFILES) counts[s.name]![p.strength] = analyzeGaps(scr, tcp(p.strength).capabilities).gaps.length;
      expect(dominatesFor(scr, tcp('strong'), tcp('weak')), s.name).toBe(true);
      expect(dominatesFor(scr, tcp('strong'), tcp('mid')), s.name).toBe(true);
      for (const a of PROFILES)
        for (const b of PROFILES) {
          if (a === b || !dominatesFor(scr, tcp(a.strength), tcp(b.strength))) continue;
          expect(counts[s.name]![a.strength], `${s.name}: ${a.strength} vs ${b.strength}`).toBeLessThanOrEqual(counts[s.name]![b.strength]!);
        }
    }
    expect(Object.values(counts).some((c) => c.weak! > c.strong!)).toBe(true);
    expect(Object.values(counts).reduce((n, c) => n + c.weak!, 0)).toBeGreaterThan(Object.values(counts).reduce((n, c) => n + c.strong!, 0));
    console.log(`gaps per skill (strong/mid/weak): ${Object.entries(counts).map(([k, c]) => `${k} ${c.strong}/${c.mid}/${c.weak}`).join(', ')}`);
  });

  it('an alternative path the skill allows replaces a missing capability (web-research offline)', () => {
    for (const o of cellsOf('web-research')) {
      const caps = tcps.get(PROFILES.find((p) => p.model === o.model)!.strength)!.capabilities;
      const a = analyzeGaps(scrOf(o), caps);
      if (caps['tool.web'] === undefined) {
        expect(a.alternatives).toEqual([{ purposeId: 'fetch-web-data', path: 0, note: expect.any(String) }]);
        expect(o.gaps.map((g) => g.primitiveId)).not.toContain('tool.web');
      } else expect(a.alternatives).toEqual([]);
    }
  });

  it('compiling a cell again gives the same gaps and the same variant text', async () => {
    const cell = CELLS.find((c) => c.skill === 'log-triage' && c.strength === 'weak')!;
    const first = outcomes.get(key(cell))!;
    const skillBefore = readFileSync(path.join(first.variantDir, 'SKILL.md'), 'utf8');
    const again = await compile(cell.ref, cell.model);
    expect(again.gaps).toEqual(first.gaps);
    expect(again.gaps.length).toBeGreaterThan(0);
    expect(again.diff).toBe(first.diff);
    expect(readFileSync(path.join(again.variantDir, 'SKILL.md'), 'utf8')).toBe(skillBefore);
  });
});

describe('guard verdicts when the rewrite breaks the rules', () => {
  // sales-report: compensable gaps on the weak profile, so the rewrite agent runs; its last heading is "## Checklist".
  const skill = () => SKILLS.find((s) => s.name === 'sales-report')!;

  it('a rewrite that drops a heading and repeats it in the repair turn is rejected: nothing published, the violation in the result', async () => {
    const before = treeSnapshot(path.dirname(outcomes.get(key({ skill: 'sales-report', strength: 'weak' }))!.variantDir));
    const o = await compile(skill().ref, modelOf('weak'), 'careless');
    const pass1 = o.passRuns[0]!;
    expect(pass1.summary).toMatch(/rewrite rejected by the guard$/);
    expect(pass1.facts).toMatchObject({ guard: { passed: false, violations: ['Heading removed: "## Checklist"'] }, repairedFrom: ['Heading removed: "## Checklist"'] });
    expect(pass1.warning).toContain('failed the guard after one repair turn, so the variant will not be published');
    expect(o).toMatchObject({ published: false, guard: { passed: false } });
    expect(o.guard.violations).toContain('Heading removed: "## Checklist"');
    expect(o.diff).toContain('-## Checklist');
    expect(treeSnapshot(path.dirname(o.variantDir))).toEqual(before); // the matrix cell's variant, untouched
  });

  it('a rewrite that drops a heading and restores it in the repair turn is used', async () => {
    const o = await compile(skill().ref, modelOf('weak'), 'careless-learns');
    const pass1 = o.passRuns[0]!;
    expect(pass1.facts).toMatchObject({ guard: { passed: true, violations: [] }, repairedFrom: ['Heading removed: "## Checklist"'] });
    expect(pass1.warning).toBeUndefined();
    expect(o).toMatchObject({ published: true, guard: { passed: true } });
    const compiled = readFileSync(path.join(o.variantDir, 'SKILL.md'), 'utf8');
    expect(compiled).toContain('## Checklist');
    expect(compiled).toContain('For the target model');
  });

  it('a rewrite at the line budget plus pass 3 hints fails the compile guard: nothing published, the previous variant untouched', async () => {
    // web-research on the mid profile: one compensable gap (gen.text.long) and a DLP group for pass 3.
    const target = outcomes.get(key({ skill: 'web-research', strength: 'mid' }))!.variantDir;
    const before = treeSnapshot(path.dirname(target));
    const o = await compile(SKILLS.find((x) => x.name === 'web-research')!.ref, modelOf('mid'), 'verbose');
    const lines = originals.get('web-research')!.content.split('\n').length;
    expect(o.passRuns[0]!.facts).toMatchObject({ guard: { passed: true, violations: [] } });
    expect(o.parallelGroups.length).toBeGreaterThan(0);
    expect(o.published).toBe(false);
    expect(o.guard.passed).toBe(false);
    expect(o.guard.violations).toEqual([expect.stringMatching(new RegExp(`^Length: added \\d+ lines \\(max ${lineBudget(lines)}, ${lines} original\\)$`))]);
    expect(o.diffStats.added).toBeGreaterThan(lineBudget(lines));
    expect(treeSnapshot(path.dirname(target))).toEqual(before);
  });
});

describe('side effects', () => {
  it('nothing is written outside the proposals and logs trees; the source skills are untouched; temp dirs are gone', () => {
    const after = treeSnapshot(cache);
    const changed = [...new Set([...Object.keys(cacheBefore), ...Object.keys(after)])].filter((k) => cacheBefore[k] !== after[k]);
    const proposals = path.relative(cache, engine.roots.proposals.value);
    const logs = path.relative(cache, engine.roots.logs.value);
    expect(changed.filter((k) => !k.startsWith(`${proposals}/`) && !k.startsWith(`${logs}/`))).toEqual([]);
    expect(changed.some((k) => k.startsWith(`${proposals}/`))).toBe(true);
    expect(changed.some((k) => k.startsWith(`${logs}/`))).toBe(true);
    // No staging folder or publish lock left beside a variant.
    expect(Object.keys(after).filter((k) => /\/\.(staging|replaced)_|\.lock$/.test(k))).toEqual([]);
    expect(treeSnapshot(UPSTREAM_SKILLS)).toEqual(upstreamBefore);
    expect(treeSnapshot(BUNDLED_SKILLS)).toEqual(bundledBefore);
    expect(readdirSync(tmpRoot)).toEqual([]);
  });

  it('every compile, run three at a time, left its lines in the sessions index: started, then completed or (guard) failed', async () => {
    // Raw lines: two compiles of one skill for one target within a second share a session id (seconds resolution).
    const lines = (await readJsonLines(engine.roots.sessionsIndex)) as Array<{ type: string; status: string; skill: string; error?: string }>;
    const compiles = CELLS.length + 1 + 3;
    expect(lines.every((l) => l.type === 'aot-compile')).toBe(true);
    expect(lines.filter((l) => l.status === 'running')).toHaveLength(compiles);
    expect(lines.filter((l) => l.status === 'completed')).toHaveLength(compiles - 2);
    expect(lines.filter((l) => l.status === 'failed')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ skill: 'sales-report', error: expect.stringContaining('guard rejected the compiled SKILL.md: Heading removed: "## Checklist"') }),
        expect.objectContaining({ skill: 'web-research', error: expect.stringContaining('guard rejected the compiled SKILL.md: Length: added') }),
      ]),
    );
    expect(lines.filter((l) => l.status === 'failed')).toHaveLength(2);
  });
});
