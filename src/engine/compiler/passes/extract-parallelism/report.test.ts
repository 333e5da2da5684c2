import { describe, expect, it } from 'vitest';
import { normalizePlan } from './normalize.js';
import { ParallelPlanSchema, type ParallelPlanInput } from './plan.js';
import { passReport } from './report.js';

const step = (id: string, dependsOn: string[] = []) => ({ id, description: id, primitives: [], dependsOn });
const report = (p: ParallelPlanInput) => {
  const plan = ParallelPlanSchema.parse(p);
  return passReport(plan, normalizePlan(plan));
};

describe('passReport', () => {
  it('names the kept groups by type, in order, with their steps as facts', () => {
    const r = report({
      hasParallelism: true,
      steps: [step('s'), step('a', ['s']), step('b', ['s'])],
      parallelGroups: [
        { type: 'dlp', stepIds: ['a'] },
        { type: 'ilp', stepIds: ['a', 'b'] },
      ],
    });
    expect(r).toEqual({
      summary: '2 parallel groups (DLP, ILP)',
      facts: {
        groups: [
          { type: 'dlp', steps: ['a'] },
          { type: 'ilp', steps: ['a', 'b'] },
        ],
      },
    });
  });

  it('one group: singular', () => {
    const r = report({ hasParallelism: true, steps: [step('a'), step('b')], parallelGroups: [{ type: 'tlp', stepIds: ['a', 'b'] }] });
    expect(r.summary).toBe('1 parallel group (TLP)');
  });

  it("the model's own no: its reasoning, on one line, first 100 characters", () => {
    const reasoning = 'Every step\nneeds the previous one. ' + 'x'.repeat(200);
    const r = report({ hasParallelism: false, reasoning });
    expect(r.summary).toBe(`no parallelism: ${reasoning.replace('\n', ' ').slice(0, 100)}`);
    expect(r.facts).toEqual({ groups: [] });
    expect(r.warning).toBeUndefined();
  });

  it('a no without reasoning', () => {
    expect(report({ hasParallelism: false }).summary).toBe('no parallelism');
  });

  it('a plan the rules reduce to nothing says why', () => {
    const r = report({ hasParallelism: true, steps: [step('a'), step('b', ['a'])], parallelGroups: [{ type: 'ilp', stepIds: ['a'] }] });
    expect(r.summary).toBe('no parallelism: no group of the plan was kept (group 1 (ilp) dropped: too few known steps)');
    expect(r.warning).toBeUndefined();
  });

  it('a cycle is a warning, not a silent empty result', () => {
    const r = report({ hasParallelism: true, steps: [step('a', ['b']), step('b', ['a'])], parallelGroups: [{ type: 'ilp', stepIds: ['a', 'b'] }] });
    expect(r.summary).toMatch(/^no parallelism: /);
    expect(r.warning).toBe('The workflow the model described has a dependency cycle (a → b → a); no hints were added.');
  });
});
