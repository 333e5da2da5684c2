import { describe, expect, it } from 'vitest';
import { cleanSteps, findCycle, isViable, normalizePlan, toAnnotation } from './normalize.js';
import { ParallelGroupSchema, ParallelPlanSchema, type ParallelPlanInput } from './plan.js';

/** A plan as the model would send it, with the schema's defaults applied. */
const plan = (p: Partial<ParallelPlanInput>) => ParallelPlanSchema.parse({ hasParallelism: true, ...p });
const step = (id: string, dependsOn: string[] = [], description = `do ${id}`) => ({ id, description, primitives: [], dependsOn });
const group = (type: 'dlp' | 'ilp' | 'tlp', stepIds: string[], extra: { reason?: string; mechanism?: string } = {}) => ({ type, stepIds, ...extra });

/** scope → (a, b) → merge: the classic fan-out with a shared entry and a shared merge. */
const fanOut = [step('scope'), step('a', ['scope']), step('b', ['scope']), step('merge', ['a', 'b'])];

describe('normalizePlan', () => {
  it('hasParallelism=false → empty DAG, whatever steps and groups came with it', () => {
    const r = normalizePlan(plan({ hasParallelism: false, steps: fanOut, parallelGroups: [group('tlp', ['a', 'b'])] }));
    expect(r.dag).toEqual({ steps: [], parallelism: [] });
    expect(r.notes).toEqual([]);
  });

  it('keeps a viable fan-out with the default mechanism and the fallback', () => {
    const r = normalizePlan(plan({ steps: fanOut, parallelGroups: [group('tlp', ['a', 'b'])] }));
    expect(r.dag.steps.map((s) => s.id)).toEqual(['scope', 'a', 'b', 'merge']);
    expect(r.dag.parallelism).toEqual([{ type: 'tlp', steps: ['a', 'b'], mechanism: 'sub_agent', fallback: 'sequential_execution' }]);
    expect(r.notes).toEqual([]);
    expect(r.cycle).toBeUndefined();
  });

  it('group type defaults to tlp when the model leaves it out', () => {
    const r = normalizePlan(plan({ steps: fanOut, parallelGroups: [{ stepIds: ['a', 'b'] }] }));
    expect(r.dag.parallelism[0]!.type).toBe('tlp');
  });

  it('fewer than 2 usable steps → empty', () => {
    const r = normalizePlan(plan({ steps: [step('only'), step('  '), step(' only ')], parallelGroups: [group('dlp', ['only'])] }));
    expect(r.dag).toEqual({ steps: [], parallelism: [] });
    expect(r.notes.at(-1)).toBe('only 1 usable step');
  });

  it('a dependency cycle → empty, with the cycle reported', () => {
    const r = normalizePlan(plan({ steps: [step('s'), step('a', ['s', 'c']), step('b', ['a']), step('c', ['b'])], parallelGroups: [group('dlp', ['a'])] }));
    expect(r.dag).toEqual({ steps: [], parallelism: [] });
    expect(r.cycle).toEqual(['a', 'c', 'b', 'a']);
    expect(r.notes.at(-1)).toBe('dependency cycle a → c → b → a');
  });

  it('no viable group → empty, and every dropped group is explained', () => {
    const chain = [step('a'), step('b', ['a']), step('c', ['b'])];
    const r = normalizePlan(plan({ steps: chain, parallelGroups: [group('ilp', ['a', 'b']), group('tlp', ['c', 'ghost'])] }));
    expect(r.dag).toEqual({ steps: [], parallelism: [] });
    expect(r.notes).toEqual([
      'group 1 (ilp) dropped: its steps neither share their inputs nor feed a common step',
      'group 2 (tlp) dropped: too few known steps',
    ]);
  });

  it('hasParallelism=true with no groups at all → empty', () => {
    const r = normalizePlan(plan({ steps: fanOut }));
    expect(r.dag).toEqual({ steps: [], parallelism: [] });
    expect(r.notes).toEqual(['no groups']);
  });

  it('keeps the viable groups in order and drops the others', () => {
    const r = normalizePlan(
      plan({ steps: fanOut, parallelGroups: [group('ilp', ['scope', 'merge']), group('dlp', ['a'], { mechanism: 'xargs -P 8' }), group('ilp', ['a', 'b'])] }),
    );
    expect(r.dag.parallelism.map((g) => [g.type, g.steps])).toEqual([
      ['dlp', ['a']],
      ['ilp', ['a', 'b']],
    ]);
    expect(r.notes).toHaveLength(1);
  });
});

describe('cleanSteps', () => {
  it('trims ids, drops empty and duplicate ids (first wins), trims the description', () => {
    const notes: string[] = [];
    const s = cleanSteps([step(' a ', [], '  first  '), step(''), step('a', [], 'second'), step('\tb\n')], notes);
    expect(s).toEqual([
      { id: 'a', description: 'first', primitives: [], dependsOn: [] },
      { id: 'b', description: 'do \tb', primitives: [], dependsOn: [] },
    ]);
    expect(notes).toEqual(['step without an id dropped', 'duplicate step "a" dropped']);
  });

  it('dedupes and trims primitives and dependsOn, dropping empty entries', () => {
    const [, b] = cleanSteps([step('a'), { id: 'b', description: '', primitives: [' gen.code ', 'gen.code', '', 'tool.exec'], dependsOn: [' a', 'a ', ''] }]);
    expect(b!.primitives).toEqual(['gen.code', 'tool.exec']);
    expect(b!.dependsOn).toEqual(['a']);
  });

  it('drops unknown and self dependencies (after trimming), keeping the known ones', () => {
    const notes: string[] = [];
    const s = cleanSteps([step('a', ['a', 'ghost']), step('b', [' b', 'a', 'c']), step('c')], notes);
    expect(s.map((x) => x.dependsOn)).toEqual([[], ['a', 'c'], []]);
    expect(notes).toEqual(['step "a": unknown or self dependencies dropped', 'step "b": unknown or self dependencies dropped']);
  });

  it('a dependency on a dropped duplicate still points at the kept step of that id', () => {
    const s = cleanSteps([step('a'), step('a', ['b']), step('b', ['a'])]);
    expect(s.map((x) => [x.id, x.dependsOn])).toEqual([
      ['a', []],
      ['b', ['a']],
    ]);
  });

  it('does not modify the input', () => {
    const input = [step(' a ', ['x'])];
    cleanSteps(input);
    expect(input).toEqual([step(' a ', ['x'])]);
  });
});

describe('findCycle', () => {
  it('none in a DAG, including diamonds', () => {
    expect(findCycle(cleanSteps(fanOut))).toBeUndefined();
  });
  it('a two-step cycle', () => {
    expect(findCycle(cleanSteps([step('a', ['b']), step('b', ['a'])]))).toEqual(['a', 'b', 'a']);
  });
  it('a cycle not reachable from the first step', () => {
    expect(findCycle(cleanSteps([step('root'), step('x', ['y']), step('y', ['x'])]))).toEqual(['x', 'y', 'x']);
  });
});

describe('toAnnotation: group size per type, mechanism', () => {
  const steps = cleanSteps(fanOut);
  const g = (type: 'dlp' | 'ilp' | 'tlp', stepIds: string[], extra: { reason?: string; mechanism?: string } = {}) =>
    toAnnotation(ParallelGroupSchema.parse(group(type, stepIds, extra)), steps);

  it('DLP needs one known step', () => {
    expect(g('dlp', ['a'])?.steps).toEqual(['a']);
    expect(g('dlp', ['ghost'])).toBeUndefined();
  });
  it('ILP and TLP need two known, distinct steps', () => {
    for (const type of ['ilp', 'tlp'] as const) {
      expect(g(type, ['a'])).toBeUndefined();
      expect(g(type, ['a', 'a', ' a '])).toBeUndefined();
      expect(g(type, ['a', 'ghost'])).toBeUndefined();
      expect(g(type, [' a', 'b ', 'ghost'])?.steps).toEqual(['a', 'b']);
    }
  });
  it('default mechanism per type, the reason appended after ": "', () => {
    expect(g('dlp', ['a'])?.mechanism).toBe('inline_parallel_primitive');
    expect(g('ilp', ['a', 'b'])?.mechanism).toBe('batched_tool_use');
    expect(g('tlp', ['a', 'b'], { reason: ' both only read the scope ' })?.mechanism).toBe('sub_agent: both only read the scope');
  });
  it('an explicit mechanism wins over the default; a blank one does not', () => {
    expect(g('dlp', ['a'], { mechanism: ' xargs -P 4 ', reason: 'files are independent' })?.mechanism).toBe('xargs -P 4: files are independent');
    expect(g('ilp', ['a', 'b'], { mechanism: '   ' })?.mechanism).toBe('batched_tool_use');
  });
  it('fallback is always sequential execution', () => {
    expect(g('tlp', ['a', 'b'], { mechanism: 'threads' })?.fallback).toBe('sequential_execution');
  });
});

describe('isViable', () => {
  const ann = (type: 'dlp' | 'ilp' | 'tlp', steps: string[]) => ({ type, steps, mechanism: 'm', fallback: 'sequential_execution' });

  it('DLP is always viable, even on a step deep in a chain', () => {
    expect(isViable(ann('dlp', ['c']), cleanSteps([step('a'), step('b', ['a']), step('c', ['b'])]))).toBe(true);
  });
  it('shared entry: same dependsOn sets in any order', () => {
    const steps = cleanSteps([step('x'), step('y'), step('a', ['x', 'y']), step('b', ['y', 'x'])]);
    expect(isViable(ann('ilp', ['a', 'b']), steps)).toBe(true);
  });
  it('shared entry: roots (no dependencies) with no downstream step', () => {
    expect(isViable(ann('tlp', ['a', 'b']), cleanSteps([step('a'), step('b')]))).toBe(true);
  });
  it('shared downstream merge: different inputs but one step consumes two members', () => {
    const steps = cleanSteps([step('x'), step('a', ['x']), step('b'), step('m', ['a', 'b'])]);
    expect(isViable(ann('tlp', ['a', 'b']), steps)).toBe(true);
  });
  it('different inputs and no common consumer → not viable', () => {
    const steps = cleanSteps([step('x'), step('a', ['x']), step('b'), step('m', ['a']), step('n', ['b'])]);
    expect(isViable(ann('ilp', ['a', 'b']), steps)).toBe(false);
  });
  it('a consumer of only one member does not make the group viable', () => {
    const steps = cleanSteps([step('x'), step('a', ['x']), step('b'), step('c'), step('m', ['a', 'x'])]);
    expect(isViable(ann('ilp', ['a', 'b', 'c']), steps)).toBe(false);
  });
  it('three members: a consumer of two of them is enough (the rule as specified)', () => {
    const steps = cleanSteps([step('x'), step('a', ['x']), step('b'), step('c'), step('m', ['a', 'b'])]);
    expect(isViable(ann('ilp', ['a', 'b', 'c']), steps)).toBe(true);
  });
});
