import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDirs } from '../../../test/tmp.js';
import { requireUpstream } from '../../../test/upstream.js';
import { createEngine } from '../engine.js';
import { NotFoundError } from '../util/errors.js';
import { TaskLoadError, fixturePathProblem, issuePath, loadTask, loadTasks, resolveTask, resolveTaskSkills } from './load.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const BUNDLED = path.join(repo, 'skvm-data');
const tmp = tempDirs('skvm-tasks-test-');

function writeJson(file: string, value: unknown): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
}

const minimal = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  prompt: 'Do the thing.',
  eval: [{ method: 'file-check', path: 'out.txt', mode: 'contains', expected: 'ok' }],
  ...extra,
});

describe('upstream tasks', () => {
  it('every upstream task.json loads through loadTasks', async () => {
    const upstream = requireUpstream();
    const { tasks, problems } = await loadTasks(path.join(upstream, 'tasks'));
    console.info(`upstream tasks: ${tasks.length} loaded, ${problems.length} problems`);
    expect(problems).toEqual([]);
    expect(tasks.length).toBe(124);
    for (const t of tasks) {
      expect(path.basename(t.dir)).toBe(t.id);
      expect(t.eval.length).toBeGreaterThan(0);
      expect(t.skillPaths).toHaveLength(1);
      // "../../skills/<name>" relative to the task folder lands in the dataset's skills/.
      expect(path.dirname(t.skillPaths[0]!)).toBe(path.join(upstream, 'skills'));
      expect(t.hasFixturesDir).toBe(false);
      expect(t.hasSetupScript).toBe(false);
    }
    // The dataset ships no graders: python-grade criteria have neither payload nor grade.py.
    const pythonGrade = tasks.filter((t) => t.eval.some((c) => c.method === 'custom' && c.evaluatorId === 'python-grade'));
    expect(pythonGrade.length).toBe(26);
    for (const t of pythonGrade) expect(t.warnings.join()).toMatch(/no grade\.py beside it/);
    const junit = tasks.flatMap((t) => t.eval).filter((c) => c.method === 'custom' && c.evaluatorId === 'junit-grade');
    expect(junit.length).toBe(98);
    for (const c of junit) expect(c.method === 'custom' && typeof c.payload === 'object').toBe(true);

    // Skills resolve where the dataset has them (7 of the referenced folders are included).
    const withSkill = tasks.filter((t) => existsSync(t.skillPaths[0]!));
    expect(withSkill.length).toBeGreaterThan(0);
    for (const t of withSkill) {
      const skills = await resolveTaskSkills(t);
      expect(skills.map((s) => s.name)).toEqual([path.basename(t.skillPaths[0]!)]);
    }
    const without = tasks.find((t) => !existsSync(t.skillPaths[0]!))!;
    expect(without.warnings.join()).toMatch(/skill path does not exist/);
    await expect(resolveTaskSkills(without)).rejects.toMatchObject({ code: 'skill_unresolved' });
  });
});

describe('bundled tasks', () => {
  it('the three skvm-data tasks load with their skills resolved, fixtures and grader sidecars', async () => {
    const { tasks, problems } = await loadTasks(path.join(BUNDLED, 'tasks'), { resolveSkills: true });
    expect(problems).toEqual([]);
    expect(tasks.map((t) => t.id)).toEqual(['log-triage', 'sales-summary', 'slugify']);
    for (const t of tasks) {
      expect(t.warnings).toEqual([]);
      expect(t.skills).toHaveLength(1);
    }
    const [logs, sales, slug] = tasks as [(typeof tasks)[0], (typeof tasks)[0], (typeof tasks)[0]];
    expect(logs.skills![0]!.name).toBe('log-triage');
    expect(logs).toMatchObject({ hasFixturesDir: true, hasSetupScript: true });
    const py = logs.eval[0]!;
    expect(py.method === 'custom' && py.evaluatorId === 'python-grade' && typeof py.payload === 'string' && py.payload.includes('def grade(')).toBe(true);
    expect(sales.skills![0]!.name).toBe('sales-report');
    expect(sales).toMatchObject({ hasFixturesDir: false, hasSetupScript: false });
    expect(Object.keys(sales.fixtures ?? {})).toEqual(['sales.csv']);
    expect(sales.eval.map((c) => c.method)).toEqual(['file-check', 'file-check', 'script']);
    expect(slug.skills![0]!.name).toBe('slug-rules');
    expect(slug).toMatchObject({ hasFixturesDir: true, hasSetupScript: false });
    const junit = slug.eval[0]!;
    expect(junit.method === 'custom' && junit.evaluatorId === 'junit-grade').toBe(true);
    expect(existsSync(path.join(slug.dir, 'fixtures', 'slug.test.mjs'))).toBe(true);
  });

  it('are found through the engine data root (flag and bundled default)', async () => {
    const cache = tmp();
    const viaFlag = createEngine({ flags: { cache: cache, dataDir: BUNDLED }, env: {} });
    const task = await resolveTask('slugify', viaFlag.roots.data.value);
    expect(task.dir).toBe(path.join(BUNDLED, 'tasks', 'slugify'));
    const byDefault = createEngine({ flags: { cache: cache }, env: {} });
    expect(path.resolve(byDefault.roots.data.value)).toBe(BUNDLED);
    expect((await resolveTask('log-triage', byDefault.roots.data.value)).id).toBe('log-triage');
  });
});

describe('loadTask / loadTasks', () => {
  it('applies the schema defaults and resolves skill paths (string, array, null, absolute)', async () => {
    const root = tmp();
    writeJson(path.join(root, 'a', 'task.json'), minimal('a', { skill: '../../skills/x' }));
    writeJson(path.join(root, 'b', 'task.json'), minimal('b', { skill: ['s1', '/abs/s2'] }));
    writeJson(path.join(root, 'c', 'task.json'), minimal('c', { skill: null }));
    const { tasks, problems } = await loadTasks(root);
    expect(problems).toEqual([]);
    const [a, b, c] = tasks;
    expect(a).toMatchObject({ id: 'a', category: 'general', gradingType: 'automated', timeoutMs: 120000, maxSteps: 30, hostReady: true });
    expect(a!.skillPaths).toEqual([path.resolve(root, 'a', '../../skills/x')]);
    expect(b!.skillPaths).toEqual([path.join(root, 'b', 's1'), '/abs/s2']);
    expect(c!.skillPaths).toEqual([]);
    // Unknown fields survive (loose schema).
    writeJson(path.join(root, 'd', 'task.json'), minimal('d', { customField: { x: 1 } }));
    expect((await loadTask(path.join(root, 'd'))).customField).toEqual({ x: 1 });
  });

  it('an id/folder mismatch, bad JSON, schema errors and missing task.json are problems, not crashes', async () => {
    const root = tmp();
    writeJson(path.join(root, 'good', 'task.json'), minimal('good'));
    writeJson(path.join(root, 'mismatch', 'task.json'), minimal('other-id'));
    writeJson(path.join(root, 'bad-json', 'task.json'), '{ "id": ');
    writeJson(path.join(root, 'bad-schema', 'task.json'), {
      id: 'bad-schema',
      prompt: 'x',
      eval: [{ method: 'script', command: 'true' }, { method: 'bogus' }, { method: 'file-check', path: 'x', mode: 'nope', expected: '' }],
    });
    mkdirSync(path.join(root, 'empty-folder'));
    writeJson(path.join(root, '_ignored', 'task.json'), '{ broken');
    writeJson(path.join(root, '.hidden', 'task.json'), '{ broken');
    writeFileSync(path.join(root, 'stray-file.json'), '{}');
    const { tasks, problems } = await loadTasks(root);
    expect(tasks.map((t) => t.id)).toEqual(['good']);
    const byDir = Object.fromEntries(problems.map((p) => [path.basename(p.dir), p.error]));
    expect(Object.keys(byDir).sort()).toEqual(['bad-json', 'bad-schema', 'empty-folder', 'mismatch']);
    expect(byDir.mismatch).toMatch(/task id "other-id" does not match its folder name "mismatch"/);
    expect(byDir['bad-json']).toMatch(/not valid JSON/);
    expect(byDir['bad-schema']).toMatch(/eval\[1\]\.method: /);
    expect(byDir['bad-schema']).toMatch(/eval\[2\]\.mode: /);
    expect(byDir['empty-folder']).toMatch(/No task\.json/);
    // The single-task loader throws the same errors, typed.
    await expect(loadTask(path.join(root, 'mismatch'))).rejects.toBeInstanceOf(TaskLoadError);
    // A missing tasks root is an empty listing.
    expect(await loadTasks(path.join(root, 'nope'))).toEqual({ tasks: [], problems: [] });
  });

  it('a free-standing task file need not match its folder; task.json does unless told otherwise', async () => {
    const root = tmp();
    writeJson(path.join(root, 'my-task.json'), minimal('something-else'));
    expect((await loadTask(path.join(root, 'my-task.json'))).id).toBe('something-else');
    writeJson(path.join(root, 'folder', 'task.json'), minimal('other'));
    await expect(loadTask(path.join(root, 'folder', 'task.json'))).rejects.toThrow(/does not match/);
    expect((await loadTask(path.join(root, 'folder'), { checkId: false })).id).toBe('other');
  });

  it('refuses inline fixture paths that escape the work directory', async () => {
    const root = tmp();
    for (const [id, rel] of [['up', '../evil.txt'], ['abs', '/etc/evil'], ['sneaky', 'a/../../evil'], ['win', 'C:\\evil'], ['empty', '']] as const) {
      writeJson(path.join(root, id, 'task.json'), minimal(id, { fixtures: { 'fine/ok.txt': 'x', [rel]: 'y' } }));
    }
    writeJson(path.join(root, 'ok', 'task.json'), minimal('ok', { fixtures: { 'a/../b.txt': 'fine', 'deep/x.txt': 'y' } }));
    const { tasks, problems } = await loadTasks(root);
    expect(tasks.map((t) => t.id)).toEqual(['ok']);
    expect(problems).toHaveLength(5);
    for (const p of problems) expect(p.error).toMatch(/fixtures\[/);
    expect(fixturePathProblem('../x')).toMatch(/leaves/);
    expect(fixturePathProblem('/x')).toMatch(/absolute/);
    expect(fixturePathProblem('x/y.txt')).toBeUndefined();
  });

  it('hydrates a python-grade payload from grade.py only when absent; evaluators can add payloads and validate', async () => {
    const root = tmp();
    const dir = path.join(root, 'py');
    writeJson(path.join(dir, 'task.json'), {
      id: 'py',
      prompt: 'x',
      eval: [
        { method: 'custom', evaluatorId: 'python-grade' },
        { method: 'custom', evaluatorId: 'python-grade', payload: 'inline source' },
        { method: 'custom', evaluatorId: 'sidecar-eval' },
      ],
    });
    writeFileSync(path.join(dir, 'grade.py'), 'def grade(t, w):\n    return []\n');
    const plain = await loadTask(dir);
    expect(plain.eval.map((c) => (c.method === 'custom' ? c.payload : undefined))).toEqual(['def grade(t, w):\n    return []\n', 'inline source', undefined]);

    const seen: unknown[] = [];
    const withEvals = await loadTask(dir, {
      lookupEvaluator: (id) =>
        id === 'sidecar-eval'
          ? { loadPayload: async (taskDir) => ({ from: path.basename(taskDir) }), validatePayload: (p) => void seen.push(p) }
          : undefined,
    });
    expect(withEvals.eval[2]).toMatchObject({ payload: { from: 'py' } });
    expect(seen).toEqual([{ from: 'py' }]);
    expect(withEvals.warnings.filter((w) => /no evaluator/.test(w))).toHaveLength(2);

    const err = await loadTask(dir, {
      lookupEvaluator: () => ({
        validatePayload: () => {
          throw new Error('weights must sum to 1');
        },
      }),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TaskLoadError);
    expect((err as Error).message).toMatch(/\[python-grade\] payload validation failed in .*: weights must sum to 1/);
  });

  it('resolveTask takes an id, a folder, a task.json path; unknown ids suggest the closest', async () => {
    expect((await resolveTask('sales-summary', BUNDLED)).id).toBe('sales-summary');
    expect((await resolveTask(path.join(BUNDLED, 'tasks', 'slugify'), '/nonexistent')).id).toBe('slugify');
    expect((await resolveTask('skvm-data/tasks/log-triage/task.json', '/nonexistent', { cwd: repo })).id).toBe('log-triage');
    const err = await resolveTask('slugfy', BUNDLED, { cwd: tmp() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as NotFoundError).suggestions).toEqual(['slugify']);
    const byPath = await resolveTask('./nowhere/sales-sumary/task.json', BUNDLED, { cwd: tmp() }).catch((e: unknown) => e);
    expect(byPath).toBeInstanceOf(NotFoundError);
    expect((byPath as NotFoundError).suggestions).toContain('sales-summary');
  });

  it('formats zod issue paths like eval[1].method', () => {
    expect(issuePath(['eval', 1, 'method'])).toBe('eval[1].method');
    expect(issuePath(['fixtures', 'a b.txt'])).toBe('fixtures["a b.txt"]');
    expect(issuePath([])).toBe('(root)');
  });
});
