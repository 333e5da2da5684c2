import { mkdtempSync, rmSync } from 'node:fs';
import { promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Skill } from '../skills/types.js';
import { NotFoundError, UsageError } from '../util/errors.js';
import { compareReports, compareSessions, renderComparisonMarkdown } from './compare.js';
import { combineSkills, crashedResult, getCondition, isFatalBenchError, listConditions, SKILL_JOINER, skillMeta } from './conditions.js';
import { LlmError } from '../llm/errors.js';
import { mergeDeferredResults } from './deferred-judge.js';
import { readProgress, withRunIndexes } from './progress.js';
import { generateReport } from './reporter.js';
import { assertSessionId, claimSessionDir, generateSessionId, isSessionId, sanitizeTag, shortModel } from './session-id.js';
import { latestIncompleteSession, listBenchSessions, loadBenchSession } from './sessions.js';
import { ConditionResultSchema, type BenchProgress, type BenchReport, type ConditionResult, type ProgressEntry } from './types.js';

const made: string[] = [];
const mk = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'skvm-bench-sessions-'));
  made.push(d);
  return d;
};
afterAll(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

function cr(condition: string, score: number, over: Partial<ConditionResult> = {}): ConditionResult {
  return {
    condition,
    score,
    pass: score >= 0.5,
    evalDetails: [],
    tokens: { input: 10, output: 5, cacheRead: 1, cacheWrite: 0 },
    cost: 0,
    costIncomplete: true,
    durationMs: 100,
    llmDurationMs: 50,
    steps: 2,
    runStatus: 'ok',
    ...over,
  };
}

describe('session ids', () => {
  it('follows YYYYMMDD-HHMMSS-bench-<tag> with the reference short model', () => {
    expect(shortModel('openrouter/qwen/qwen3-30b-a3b-instruct-2507')).toBe('qwen3-30b');
    expect(shortModel('self/llama3:8b')).toBe('llama3');
    expect(shortModel('anthropic/claude-sonnet-4.6')).toBe('claude-sonnet-4.6');
    expect(sanitizeTag('a b/c+d')).toBe('a-b-c+d');
    expect(sanitizeTag('///')).toBe('untagged');
    expect(sanitizeTag('x'.repeat(80))).toHaveLength(60);
    const id = generateSessionId('qwen3-no-skill+original', new Date(2025, 2, 4, 5, 6, 7));
    expect(id).toBe('20250304-050607-bench-qwen3-no-skill+original');
    expect(isSessionId(id)).toBe(true);
  });

  it('rejects anything that is not an id before touching the filesystem', () => {
    for (const bad of ['../etc', '20250304-050607-bench-../x', '20250304-050607-bench-a/b', 'x', '20250304-050607-bench-..', '']) {
      expect(() => assertSessionId(bad), bad).toThrow(UsageError);
    }
  });

  it('claims a directory atomically and suffixes a clash', async () => {
    const logs = mk();
    const now = new Date(2025, 0, 1, 0, 0, 0);
    const a = await claimSessionDir(logs, 'qwen3-8b-no-skill', now);
    const b = await claimSessionDir(logs, 'qwen3-8b-no-skill', now);
    const c = await claimSessionDir(logs, 'qwen3-8b-no-skill', now);
    expect(a.id).toBe('20250101-000000-bench-qwen3-8b-no-skill');
    expect(b.id).toBe(`${a.id}-2`);
    expect(c.id).toBe(`${a.id}-3`);
    expect(isSessionId(c.id)).toBe(true);
  });
});

describe('condition results on disk', () => {
  it('a cost written as null by earlier versions reads back as 0 plus costIncomplete', () => {
    const { costIncomplete, ...known } = cr('original', 1);
    expect(costIncomplete).toBe(true);
    expect(ConditionResultSchema.parse({ ...known, cost: null })).toMatchObject({ cost: 0, costIncomplete: true });
    expect(ConditionResultSchema.parse({ ...known, cost: 0.25 })).toEqual({ ...known, cost: 0.25 });
    expect(() => ConditionResultSchema.parse({ ...known, cost: 'free' })).toThrow();
  });
});

describe('session listing and loading', () => {
  async function writeSession(logs: string, id: string, files: Record<string, unknown>) {
    const dir = path.join(logs, 'bench', id);
    await fsp.mkdir(dir, { recursive: true });
    for (const [name, value] of Object.entries(files)) await fsp.writeFile(path.join(dir, name), JSON.stringify(value));
  }
  const report = (id: string, rows: Array<[string, ConditionResult[]]>, model = 'sim/m'): BenchReport =>
    generateReport({
      sessionId: id,
      model,
      adapter: 'bare-agent',
      conditions: ['no-skill', 'original'],
      tasks: rows.map(([taskId, conditions]) => ({ taskId, taskName: taskId, category: 'c', gradingType: 'automated', conditions })),
      timestamp: '2025-01-01T00:00:00.000Z',
    });
  const meta = (id: string, model = 'sim/m') => ({
    sessionId: id,
    type: 'single',
    model,
    adapter: 'bare-agent',
    conditions: ['no-skill', 'original'],
    tasks: null,
    source: null,
    concurrency: 1,
    jitRuns: 3,
    maxSteps: 30,
    timeoutMult: 1,
    judgeModel: null,
    compilerModel: null,
    asyncJudge: false,
    startedAt: '2025-01-01T00:00:00.000Z',
  });

  it('lists sessions newest first with status, and finds the latest incomplete one', async () => {
    const logs = mk();
    const A = '20250101-000000-bench-m-no-skill+original';
    const B = '20250102-000000-bench-m-no-skill+original';
    const C = '20250103-000000-bench-m-no-skill+original';
    await writeSession(logs, A, { 'metadata.json': meta(A), 'progress.json': { sessionId: A, model: 'sim/m', adapter: 'bare-agent', startedAt: 's', entries: [] }, 'report.json': report(A, [['t', [cr('no-skill', 0.5)]]]) });
    await writeSession(logs, B, { 'metadata.json': meta(B), 'progress.json': { sessionId: B, model: 'sim/m', adapter: 'bare-agent', startedAt: 's', entries: [{ taskId: 't', condition: 'no-skill', result: cr('no-skill', 1) }] } });
    await writeSession(logs, C, { 'metadata.json': meta(C) });
    await fsp.mkdir(path.join(logs, 'bench', 'not-a-session'), { recursive: true });
    const list = await listBenchSessions(logs);
    expect(list.map((s) => [s.id, s.status])).toEqual([
      [C, 'incomplete'],
      [B, 'incomplete'],
      [A, 'complete'],
    ]);
    expect(list[1]).toMatchObject({ models: ['sim/m'], conditions: ['no-skill', 'original'], cellsDone: 1, startedAt: '2025-01-01T00:00:00.000Z' });
    expect(list[2]!.avgScores).toEqual({ 'no-skill': 0.5 });
    expect(await latestIncompleteSession(logs)).toBe(B);
    expect(await listBenchSessions(mk())).toEqual([]);

    const loaded = await loadBenchSession(logs, A);
    expect(loaded.report?.sessionId).toBe(A);
    expect(loaded.metadata?.type).toBe('single');
  });

  it('names the closest ids for an unknown one', async () => {
    const logs = mk();
    const A = '20250101-000000-bench-m-no-skill+original';
    await writeSession(logs, A, { 'metadata.json': meta(A) });
    const err = await loadBenchSession(logs, '20250101-000000-bench-m-no-skill+origina').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as NotFoundError).suggestions).toEqual([A]);
    await expect(loadBenchSession(logs, '../../etc')).rejects.toBeInstanceOf(UsageError);
  });

  it('reads reference progress files without runIndex, numbering repetitions in file order', async () => {
    const logs = mk();
    const id = '20250101-000000-bench-ref';
    const entries = [
      { taskId: 't', condition: 'no-skill', result: cr('no-skill', 0.1) },
      { taskId: 't', condition: 'no-skill', result: cr('no-skill', 0.2) },
      { taskId: 't', condition: 'original', result: cr('original', 0.3) },
    ];
    await writeSession(logs, id, { 'progress.json': { sessionId: id, model: 'm', adapter: 'bare-agent', startedAt: 's', entries } });
    const p = (await readProgress(path.join(logs, 'bench', id)))!;
    expect(p.entries.map((e) => `${e.condition}#${e.runIndex}`)).toEqual(['no-skill#0', 'no-skill#1', 'original#0']);
    const mixed: BenchProgress = { sessionId: id, model: 'm', adapter: 'a', startedAt: 's', entries: [{ taskId: 't', condition: 'c', runIndex: 0, result: cr('c', 0) }, { taskId: 't', condition: 'c', result: cr('c', 0) }] };
    expect(withRunIndexes(mixed).entries.map((e) => e.runIndex)).toEqual([0, 1]);
  });

  it('compares two named sessions on the intersection of task × condition', async () => {
    const logs = mk();
    const L = '20250101-000000-bench-m-no-skill+original';
    const R = '20250102-000000-bench-m-no-skill+original';
    await writeSession(logs, L, {
      'metadata.json': meta(L),
      'report.json': report(L, [
        ['t1', [cr('no-skill', 0.2), cr('original', 0.6)]],
        ['t2', [cr('no-skill', 0.4), cr('original', 0.5)]],
        ['only-left', [cr('no-skill', 1)]],
      ]),
    });
    await writeSession(logs, R, {
      'metadata.json': meta(R, 'sim/other'),
      'report.json': report(
        R,
        [
          ['t1', [cr('no-skill', 0.4, { steps: 5, tokens: { input: 20, output: 5, cacheRead: 1, cacheWrite: 0 } }), cr('original', 1)]],
          ['t2', [cr('no-skill', 0.4), cr('original', 0, { runStatus: 'timeout', statusDetail: 'slow' })]],
        ],
        'sim/other',
      ),
    });
    const c = await compareSessions(logs, L, R);
    expect(c.tasks.map((t) => `${t.taskId}/${t.condition}`)).toEqual(['t1/no-skill', 't1/original', 't2/no-skill', 't2/original']);
    const t1 = c.tasks[0]!;
    expect(t1.delta.score).toBeCloseTo(0.2, 10);
    expect(t1.delta).toMatchObject({ tokens: 10, steps: 3, durationMs: 0, llmDurationMs: 0 });
    expect(c.tasks[3]!.incomparable).toBe(true);
    expect(c.aggregate).toMatchObject({ taskCount: 4, comparableCount: 3, incomparableCount: 1 });
    expect(c.aggregate.avgScore.lhs).toBeCloseTo((0.2 + 0.6 + 0.4) / 3, 10);
    expect(c.aggregate.avgScore.rhs).toBeCloseTo((0.4 + 1 + 0.4) / 3, 10);
    expect(c.aggregate.passRate.lhs).toBeCloseTo(1 / 3, 10);
    expect(c.aggregate.passRate.rhs).toBeCloseTo(1 / 3, 10);
    expect(c.perCondition.original).toMatchObject({ taskCount: 2, comparableCount: 1 });
    expect(c.unmatched).toEqual({ lhsOnly: ['only-left'], rhsOnly: [] });
    expect(c.warnings.join('\n')).toContain('Different models: sim/m vs sim/other');
    expect(c.warnings.join('\n')).toContain('Task sets differ');
    const md = renderComparisonMarkdown(c);
    expect(md).toContain('| t2 | original | 0.50 | ⚠ timeout | ⚠ n/a |');
    expect(md).toContain('| t1 | no-skill | 0.20 | 0.40 | +0.20 | +10 | +3 |');
  });

  it('compares an incomplete session from its progress, and refuses one with no results', async () => {
    const logs = mk();
    const L = '20250101-000000-bench-m-no-skill';
    const R = '20250102-000000-bench-m-no-skill';
    const E = '20250103-000000-bench-m-no-skill';
    await writeSession(logs, L, { 'metadata.json': meta(L), 'report.json': report(L, [['t1', [cr('no-skill', 0.2)]]]) });
    await writeSession(logs, R, {
      'metadata.json': meta(R),
      'progress.json': { sessionId: R, model: 'sim/m', adapter: 'bare-agent', startedAt: 's', entries: [{ taskId: 't1', condition: 'no-skill', result: cr('no-skill', 0.7) }] },
    });
    await writeSession(logs, E, { 'metadata.json': meta(E), 'progress.json': { sessionId: E, model: 'sim/m', adapter: 'bare-agent', startedAt: 's', entries: [] } });
    const c = await compareSessions(logs, L, R);
    expect(c.rhs.complete).toBe(false);
    expect(c.tasks[0]!.delta.score).toBeCloseTo(0.5, 10);
    expect(c.warnings.join(' ')).toContain('incomplete');
    await expect(compareSessions(logs, L, E)).rejects.toThrow(/no results yet/);
  });

  it('compareReports with nothing in common says so', () => {
    const a = report('a', [['t1', [cr('no-skill', 1)]]]);
    const b = report('b', [['t2', [cr('no-skill', 1)]]]);
    const c = compareReports(a, b);
    expect(c.tasks).toEqual([]);
    expect(c.aggregate.avgScore).toEqual({ lhs: null, rhs: null, delta: null });
    expect(c.warnings.join(' ')).toContain('nothing to compare');
  });
});

describe('conditions registry', () => {
  const skill = (name: string, content: string): Skill => ({ name, description: `${name} skill`, dir: `/skills/${name}`, skillMdPath: `/skills/${name}/SKILL.md`, content, frontMatter: {}, files: ['ref.md'], contentHash: 'h' });

  it('is the single source of names; reserved and unknown names fail clearly', () => {
    expect(listConditions().map((c) => c.name)).toEqual(['no-skill', 'original', 'custom-skill', 'aot-compiled', 'jit-optimized', 'jit-boost']);
    // The aot-compiled family: the reference's digit spelling and our pass tags.
    expect(getCondition('aot-compiled-p12').name).toBe('aot-compiled-p12');
    expect(getCondition('aot-compiled-p12')).toBe(getCondition('aot-compiled-p12'));
    expect(getCondition('aot-compiled-p1p3').description).toMatch(/passes 1, 3:/);
    expect(() => getCondition('aot-compiled-p14')).toThrow(/pass 4, which does not exist/);
    expect(() => getCondition('aot-compiled-p1p12')).toThrow(/pass 12, which does not exist/);
    expect(() => getCondition('aot-compiled-x')).toThrow(NotFoundError);
    const err = (() => {
      try {
        getCondition('orignal');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as NotFoundError).suggestions).toContain('original');
  });

  it('plans skills per condition and skips what does not apply', () => {
    const task = { id: 't' } as never;
    const a = skill('a', 'A');
    const b = skill('b', 'B');
    expect(getCondition('original').skipReason({ task, taskSkills: [] })).toMatch(/no skill/);
    const ctx = { model: 'm', adapter: 'bare-agent' };
    expect(getCondition('original').plan({ task, taskSkills: [a, b] }, ctx)).toEqual({ skills: [a, b], stage: [a, b] });
    expect(getCondition('no-skill').plan({ task, taskSkills: [a] }, ctx)).toEqual({ skills: [], stage: [] });
    expect(getCondition('custom-skill').skipReason({ task, taskSkills: [a] })).toBeDefined();
    expect(getCondition('custom-skill').plan({ task, taskSkills: [a], customSkill: b }, ctx)).toEqual({ skills: [b], stage: [b] });
    expect(getCondition('aot-compiled').skipReason({ task, taskSkills: [] })).toMatch(/no skill/);
  });

  it('joins several skills into one bundle entry like the reference', () => {
    const a = skill('a', 'A text');
    const b = skill('b', 'B text');
    const c = combineSkills([a, b])!;
    expect(c.content).toBe(`A text${SKILL_JOINER}B text`);
    expect(SKILL_JOINER).toBe('\n\n---\n\n');
    expect(c).toMatchObject({ name: 'a+b', description: 'Multi-skill bundle', files: [] });
    expect(c.contentHash).toMatch(/^[0-9a-f]{16}$/);
    expect(combineSkills([a])).toBe(a);
    expect(skillMeta([a, b], 'discover')).toEqual({ skillId: 'a+b', skillPaths: ['/skills/a', '/skills/b'], skillContentHash: c.contentHash, skillMode: 'discover' });
    expect(skillMeta([a], 'inject')).toMatchObject({ skillId: 'a', skillPath: '/skills/a' });
    expect(skillMeta([a], 'inject', ['pdf'])).toMatchObject({ skillId: 'pdf', skillPath: '/skills/a' });
  });

  it('classifies errors: configuration problems end the bench, the rest taint one cell', () => {
    const e = (kind: LlmError['kind'], status?: number) => new LlmError({ kind, message: 'x', route: 'r', model: 'm', ...(status ? { status } : {}) });
    expect(isFatalBenchError(e('auth'))).toBe(true);
    expect(isFatalBenchError(e('no_route'))).toBe(true);
    expect(isFatalBenchError(e('bad_request', 404))).toBe(true);
    expect(isFatalBenchError(e('bad_request', 400))).toBe(false);
    expect(isFatalBenchError(e('transient'))).toBe(false);
    expect(isFatalBenchError(new Error('setup failed'))).toBe(false);
    const crashed = crashedResult('original', new Error('boom'), { skillId: 's' });
    expect(crashed).toMatchObject({ runStatus: 'adapter-crashed', score: 0, pass: false, skillId: 's', statusDetail: 'bench orchestration threw: boom', usageAvailable: false, cost: 0 });
  });
});

describe('mergeDeferredResults (spec §3.8)', () => {
  const judged = (score: number) => ({ method: 'llm-judge', score: 0, details: 'LLM judge deferred' });
  const entry = (runIndex: number, over: Partial<ConditionResult> = {}): ProgressEntry => ({
    taskId: 't',
    condition: 'no-skill',
    runIndex,
    result: cr('no-skill', 0.5, {
      evalDetails: [{ id: 'auto', method: 'script', score: 1, weight: 0.5, details: '' }, { id: 'q', ...judged(0), weight: 0.5 }, judged(0)],
      judgePending: true,
      ...over,
    }),
  });
  const row = (runIndex: number | undefined, criterionIndex: number, score: number, criterionId?: string) => ({
    id: `x-${runIndex}-${criterionIndex}`,
    context: { sessionId: 's', taskId: 't', condition: 'no-skill', criterionIndex, ...(criterionId ? { criterionId } : {}), ...(runIndex !== undefined ? { runIndex } : {}) },
    pass: score >= 0.5,
    score,
    details: `judged ${score}`,
    criterion: { method: 'llm-judge' as const, rubric: 'r', maxScore: 1 },
    evaluatedAt: 'now',
  });

  it('patches by criterionId (else index), per repetition, and recomputes the score', () => {
    const entries = [entry(0), entry(1), entry(2, { runStatus: 'timeout' })];
    // criterionId wins over a wrong index; the id-less third criterion goes by index
    const n = mergeDeferredResults(entries, [row(0, 9, 0.6, 'q'), row(0, 2, 1), row(1, 1, 1, 'q'), row(1, 2, 0.2), row(2, 1, 1, 'q')]);
    expect(n).toBe(2);
    const [a, b, c] = entries.map((e) => e.result);
    // weights: 0.5, 0.5, and 1/3 for the unweighted one ⇒ Σw = 4/3
    expect(a!.evalDetails[1]).toMatchObject({ score: 0.6, details: 'judged 0.6' });
    expect(a!.score).toBeCloseTo((0.5 * 1 + 0.5 * 0.6 + (1 / 3) * 1) / (4 / 3), 10);
    expect(a!.llmJudgeScore).toBeCloseTo(0.8, 10);
    expect(a!.judgePending).toBeUndefined();
    expect(b!.score).toBeCloseTo((0.5 + 0.5 + (1 / 3) * 0.2) / (4 / 3), 10);
    // non-ok run untouched
    expect(c!.evalDetails[1]!.details).toBe('LLM judge deferred');
    expect(c!.score).toBe(0.5);
  });

  it('keeps judgePending while a placeholder remains', () => {
    const entries = [entry(0)];
    mergeDeferredResults(entries, [row(0, 1, 1, 'q')]);
    expect(entries[0]!.result.judgePending).toBe(true);
  });
});
