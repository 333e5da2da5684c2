import { describe, expect, it } from 'vitest';
import { averageConditionResults, averageEvalDetails } from './aggregate.js';
import { scoreFromDetails } from './conditions.js';
import { buildTaskReports } from './progress.js';
import { buildModelComparison, computeDeltas, generateReport, renderMultiModelMarkdown, renderReportMarkdown, summarizeCondition } from './reporter.js';
import { BenchReportSchema, MultiModelReportSchema, type ConditionResult, type EvalDetail, type ProgressEntry, type TaskReport } from './types.js';

/** Reporter and aggregation with hand-computed ConditionResults. */

function cr(condition: string, score: number, over: Partial<ConditionResult> = {}): ConditionResult {
  return {
    condition,
    score,
    pass: score >= 0.5,
    evalDetails: [],
    tokens: { input: 100, output: 50, cacheRead: 0, cacheWrite: 0 },
    cost: 0.01,
    durationMs: 1000,
    llmDurationMs: 400,
    steps: 4,
    runStatus: 'ok',
    ...over,
  };
}

function task(taskId: string, category: string, conditions: ConditionResult[]): TaskReport {
  return { taskId, taskName: taskId.toUpperCase(), category, gradingType: 'automated', conditions };
}

describe('scoreFromDetails (bench aggregation, spec §3.6 #2)', () => {
  it('uses weights when any entry has one (missing weights count 1/N)', () => {
    const d: EvalDetail[] = [
      { method: 'file-check', score: 1, weight: 0.2, details: '' },
      { method: 'file-check', score: 0, weight: 0.2, details: '' },
      { method: 'script', score: 0.75, weight: 0.6, details: '' },
    ];
    expect(scoreFromDetails(d).score).toBeCloseTo(0.2 + 0.45, 10);
    // one entry without weight: counts 1/3
    const e: EvalDetail[] = [
      { method: 'script', score: 1, weight: 1, details: '' },
      { method: 'script', score: 0, details: '' },
    ];
    expect(scoreFromDetails(e).score).toBeCloseTo(1 / 1.5, 10);
  });

  it('combines automated and judge groups with gradingWeights, else the flat mean', () => {
    const d: EvalDetail[] = [
      { method: 'script', score: 1, details: '' },
      { method: 'file-check', score: 0.5, details: '' },
      { method: 'llm-judge', score: 0.2, details: '' },
    ];
    const w = scoreFromDetails(d, { automated: 0.6, llmJudge: 0.4 });
    expect(w.automatedScore).toBeCloseTo(0.75, 10);
    expect(w.llmJudgeScore).toBeCloseTo(0.2, 10);
    expect(w.score).toBeCloseTo(0.75 * 0.6 + 0.2 * 0.4, 10);
    expect(w.pass).toBe(true);
    expect(scoreFromDetails(d).score).toBeCloseTo((1 + 0.5 + 0.2) / 3, 10);
  });
});

describe('averageConditionResults (spec §4.4)', () => {
  it('averages scores, details by criterion id (positional otherwise), durations and usage', () => {
    const a = cr('original', 0.8, {
      evalDetails: [
        { id: 'x', method: 'script', score: 1, details: 'a', checkpoints: [{ name: 'c1', score: 1 }] },
        { method: 'file-check', score: 0.6, details: 'pos' },
      ],
      tokens: { input: 100, output: 10, cacheRead: 0, cacheWrite: 0 },
      cost: 0.02,
      durationMs: 1000,
      steps: 3,
      automatedScore: 0.8,
    });
    const b = cr('original', 0.4, {
      evalDetails: [
        { method: 'file-check', score: 0.2, details: 'pos-b' },
        { id: 'x', method: 'script', score: 0.5, details: 'b' },
      ],
      tokens: { input: 300, output: 30, cacheRead: 0, cacheWrite: 0 },
      cost: 0.04,
      durationMs: 3000,
      steps: 6,
      automatedScore: 0.4,
    });
    const avg = averageConditionResults([a, b]);
    expect(avg.score).toBeCloseTo(0.6, 10);
    expect(avg.pass).toBe(true);
    expect(avg.runScores).toEqual([0.8, 0.4]);
    expect(avg.runStatus).toBe('ok');
    expect(avg.tokens).toEqual({ input: 200, output: 20, cacheRead: 0, cacheWrite: 0 });
    expect(avg.cost).toBeCloseTo(0.03, 10);
    expect(avg.durationMs).toBe(2000);
    expect(avg.steps).toBe(5); // round(4.5)
    expect(avg.automatedScore).toBeCloseTo(0.6, 10);
    const x = avg.evalDetails.find((d) => d.id === 'x')!;
    expect(x.score).toBeCloseTo(0.75, 10);
    expect(x.checkpoints).toEqual([{ name: 'c1', score: 1 }]); // first run's checkpoints kept
    // positional: a's index 1 and b's index 0 are different slots ⇒ each seen in 1 of 2 runs
    const pos = avg.evalDetails.filter((d) => d.id === undefined);
    expect(pos.map((d) => d.details)).toEqual(['pos (averaged over 1/2 runs)', 'pos-b (averaged over 1/2 runs)']);
  });

  it('any tainted repetition taints the aggregate, whatever the order', () => {
    const ok = cr('original', 1, { evalDetails: [{ method: 'script', score: 1, details: '' }] });
    const bad = cr('original', 0, { runStatus: 'timeout', statusDetail: 'bare-agent timed out after 120000ms' });
    for (const runs of [
      [ok, bad],
      [bad, ok],
    ]) {
      const agg = averageConditionResults(runs);
      expect(agg).toMatchObject({ score: 0, pass: false, evalDetails: [], runStatus: 'timeout', runScores: runs.map((r) => r.score) });
      expect(agg.statusDetail).toBe('1/2 runs evaluable; first taint: bare-agent timed out after 120000ms');
    }
    expect(averageConditionResults([ok, cr('original', 0, { runStatus: 'parse-failed' })]).statusDetail).toBe('1/2 runs evaluable');
  });

  it('averages tokens and cost only over repetitions with usage telemetry', () => {
    const withUsage = cr('no-skill', 0.5, { tokens: { input: 80, output: 20, cacheRead: 0, cacheWrite: 0 }, cost: 0.1 });
    const without = cr('no-skill', 0.5, { tokens: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 }, cost: 0, usageAvailable: false, durationMs: 3000 });
    const agg = averageConditionResults([withUsage, without]);
    expect(agg.tokens.input).toBe(80);
    expect(agg.cost).toBeCloseTo(0.1, 10);
    expect(agg.usageAvailable).toBe(true);
    expect(agg.durationMs).toBe(2000);
    const none = averageConditionResults([without, without]);
    expect(none.usageAvailable).toBe(false);
    expect(none.cost).toBe(0);
    expect(none.costIncomplete).toBeUndefined();
  });

  it('a repetition with an unknown price makes the averaged cost incomplete (a number plus the flag, never null)', () => {
    const known = cr('no-skill', 0.5, { cost: 0.2 });
    const unknown = cr('no-skill', 0.5, { cost: 0.1, costIncomplete: true });
    const agg = averageConditionResults([known, unknown]);
    expect(agg.cost).toBeCloseTo(0.15, 10);
    expect(agg.costIncomplete).toBe(true);
    expect(averageConditionResults([known, known]).costIncomplete).toBeUndefined();
    expect(summarizeCondition([agg]).avgCost).toBeNull();
  });

  it('averageEvalDetails keeps order of first appearance', () => {
    const out = averageEvalDetails([{ evalDetails: [{ id: 'b', method: 'script', score: 1, details: '' }] }, { evalDetails: [{ id: 'a', method: 'script', score: 0, details: '' }, { id: 'b', method: 'script', score: 0, details: '' }] }]);
    expect(out.map((d) => [d.id, d.score])).toEqual([
      ['b', 0.5],
      ['a', 0],
    ]);
  });
});

describe('generateReport (spec §4.7)', () => {
  const tasks: TaskReport[] = [
    task('t1', 'coding', [cr('no-skill', 0.2), cr('original', 0.9), cr('custom-skill', 0.6)]),
    task('t2', 'coding', [cr('no-skill', 0.6), cr('original', 0, { runStatus: 'timeout', statusDetail: 'timed out\nafter | 5s' }), cr('custom-skill', 0.4)]),
    task('t3', 'data', [cr('no-skill', 0.4, { usageAvailable: false, cost: 0, tokens: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 } }), cr('original', 0.7)]),
  ];
  const report = generateReport({ sessionId: '20250101-000000-bench-x', model: 'sim/x', adapter: 'bare-agent', conditions: ['no-skill', 'original', 'custom-skill'], tasks, runsPerTask: 1, timestamp: '2025-01-01T00:00:00.000Z' });

  it('summarises per condition, excluding tainted rows from score/pass and counting them', () => {
    BenchReportSchema.parse(report);
    expect(report.runsPerTask).toBeUndefined();
    const p = report.summary.perCondition;
    expect(Object.keys(p)).toEqual(['no-skill', 'original', 'custom-skill']);
    expect(p['no-skill']!.avgScore).toBeCloseTo(0.4, 10);
    expect(p['no-skill']!.passRate).toBeCloseTo(1 / 3, 10);
    expect(p['no-skill']!.avgTokens).toBe(150); // two rows with telemetry
    expect(p['no-skill']!.avgCost).toBeCloseTo(0.01, 10);
    expect(p.original).toMatchObject({ evaluableCount: 2, taintedCount: 1, byStatus: { ok: 2, timeout: 1 } });
    expect(p.original!.avgScore).toBeCloseTo(0.8, 10);
    expect(p.original!.passRate).toBe(1);
    expect(p.original!.avgDurationMs).toBe(1000); // durations over all rows
    expect(p['custom-skill']!.avgScore).toBeCloseTo(0.5, 10);
  });

  it('gives per-category averages and the deltas from the right conditions', () => {
    expect(report.summary.perCategory.coding!['no-skill']).toBeCloseTo(0.4, 10);
    expect(report.summary.perCategory.coding!.original).toBeCloseTo(0.9, 10); // t2 tainted
    expect(report.summary.perCategory.data).toEqual({ 'no-skill': 0.4, original: 0.7 });
    expect(report.summary.delta.originalVsBaseline).toBeCloseTo(0.8 - 0.4, 10);
    expect(report.summary.delta.customVsBaseline).toBeCloseTo(0.5 - 0.4, 10);
    expect(report.summary.delta.aotVsOriginal).toBeNull();
    expect(report.summary.delta.jitVsAot).toBeNull();
  });

  it('computes aot/jit deltas from the real condition names', () => {
    const s = (avg: number | null) => ({ avgScore: avg, passRate: null, avgTokens: null, avgCost: null, avgDurationMs: 0, avgLlmDurationMs: 0 });
    const d = computeDeltas({ original: s(0.5), 'aot-compiled': s(0.7), 'jit-optimized': s(0.8), 'no-skill': s(0.1) });
    expect(d.aotVsOriginal).toBeCloseTo(0.2, 10);
    expect(d.jitVsAot).toBeCloseTo(0.1, 10);
    expect(computeDeltas({ original: s(0.5), 'aot-compiled-p1': s(0.6) }).aotVsOriginal).toBeCloseTo(0.1, 10);
    expect(computeDeltas({ original: s(0.5), 'aot-compiled-p1': s(0.6), 'aot-compiled-p2': s(0.6) }).aotVsOriginal).toBeNull();
    expect(computeDeltas({ original: s(null), 'no-skill': s(0.3) }).originalVsBaseline).toBeNull();
  });

  it('reports null (n/a) averages when nothing is evaluable or no row has telemetry', () => {
    const s = summarizeCondition([cr('original', 0, { runStatus: 'adapter-crashed', usageAvailable: false, cost: 0 })]);
    expect(s).toMatchObject({ avgScore: null, passRate: null, avgTokens: null, avgCost: null, evaluableCount: 0, taintedCount: 1 });
    expect(summarizeCondition([cr('original', 1, { cost: 0, costIncomplete: true })]).avgCost).toBeNull();
  });

  it('renders report.md with summary, per-task Δ vs no-skill, tainted runs and details', () => {
    const withDetails = generateReport({
      sessionId: 's',
      model: 'sim/x',
      adapter: 'bare-agent',
      conditions: ['no-skill', 'original', 'custom-skill'],
      tasks: [
        ...tasks,
        task('t4', 'data', [
          cr('no-skill', 0.25, {
            evalDetails: [
              { id: 'figures', name: 'Figures', method: 'script', score: 0.25, weight: 0.6, details: 'wrong', checkpoints: [{ name: 'total', score: 0, reason: 'bad total' }, { name: 'order', score: 1 }] },
            ],
          }),
        ]),
      ],
      timestamp: 't',
    });
    const md = renderReportMarkdown(withDetails);
    expect(md).toContain('# SkVM Benchmark Report');
    expect(md).toContain('| Metric | no-skill | original | custom-skill |');
    expect(md).toContain('| Avg Score | 0.36 | 0.80 (⚠1 tainted) | 0.50 |');
    expect(md).toContain('| Pass Rate | 25% | 100% | 50% |');
    expect(md).toContain('| Avg Tokens | 150 | 150 | 150 |');
    expect(md).toContain('| Avg Duration | 1.0s | 1.0s | 1.0s |');
    expect(md).toContain('| Avg LLM Time | 0.4s | 0.4s | 0.4s |');
    expect(md).toContain('| Avg Cost | $0.010 | $0.010 | $0.010 |');
    expect(md).toContain('| t1 | coding | 0.20 | 0.90 (Δ +0.70) | 0.60 (Δ +0.40) |');
    expect(md).toContain('| t2 | coding | 0.60 | ⚠ timeout | 0.40 (Δ -0.20) |');
    expect(md).toContain('| t3 | data | 0.40 | 0.70 (Δ +0.30) | - |');
    expect(md).toContain('## Tainted runs');
    expect(md).toContain('| t2 | original | timeout | timed out after \\| 5s |');
    // no-skill avg (0.2+0.6+0.4+0.25)/4 = 0.3625; original 0.8 ⇒ +43.75%; custom 0.5 ⇒ +13.75%
    expect(md).toContain('- **Original vs No-Skill**: +43.8%');
    expect(md).toMatch(/- \*\*Custom skill vs No-Skill\*\*: \+13\.[78]%/);
    expect(md).toContain('| t4 | data | 0.25 | - | - |');
    expect(md).toContain('### t4');
    expect(md).toContain('- [-] `script` Figures 0.25 (w=0.60) — wrong');
    expect(md).toContain('  - [-] total: 0.00 — bad total');
  });

  it('shows n/a for unknown cost', () => {
    const r = generateReport({ sessionId: 's', model: 'm', adapter: 'bare-agent', conditions: ['no-skill'], tasks: [task('t', 'c', [cr('no-skill', 1, { cost: 0, costIncomplete: true })])], timestamp: 't' });
    expect(renderReportMarkdown(r)).toContain('| Avg Cost | n/a |');
  });
});

describe('buildTaskReports from progress entries', () => {
  it('groups repetitions per cell, in task and condition order', () => {
    const e = (taskId: string, condition: string, runIndex: number, score: number): ProgressEntry => ({ taskId, condition, runIndex, result: cr(condition, score) });
    const rows = buildTaskReports([e('b', 'original', 1, 0.4), e('a', 'no-skill', 0, 1), e('b', 'original', 0, 0.8), e('b', 'no-skill', 0, 0)], ['no-skill', 'original'], [
      { id: 'a', name: 'Task A', category: 'x' },
      { id: 'b' },
    ]);
    expect(rows.map((r) => r.taskId)).toEqual(['a', 'b']);
    expect(rows[0]).toMatchObject({ taskName: 'Task A', category: 'x' });
    expect(rows[1]!.conditions.map((c) => c.condition)).toEqual(['no-skill', 'original']);
    expect(rows[1]!.conditions[1]!.runScores).toEqual([0.8, 0.4]);
    expect(rows[1]!.conditions[1]!.score).toBeCloseTo(0.6, 10);
  });
});

describe('multi-model comparison', () => {
  it('builds score/token/task matrices and a ranking with nulls last', () => {
    const mk = (model: string, rows: TaskReport[]) => generateReport({ sessionId: model, model, adapter: 'bare-agent', conditions: ['no-skill', 'original'], tasks: rows, timestamp: 't' });
    const a = mk('sim/a', [task('t1', 'c', [cr('no-skill', 0.2), cr('original', 0.8)])]);
    const b = mk('sim/b', [task('t1', 'c', [cr('no-skill', 0.6), cr('original', 1)])]);
    const c = mk('sim/c', [task('t1', 'c', [cr('no-skill', 0, { runStatus: 'timeout' })])]);
    const cmp = buildModelComparison([a, b, c]);
    expect(cmp.ranking.map((r) => r.model)).toEqual(['sim/b', 'sim/a', 'sim/c']);
    expect(cmp.ranking[2]).toEqual({ model: 'sim/c', adapter: 'bare-agent', avgScore: null, passRate: null });
    expect(cmp.ranking[0]!.avgScore).toBeCloseTo(0.8, 10);
    expect(cmp.scoreMatrix['sim/a']).toEqual({ 'no-skill': 0.2, original: 0.8 });
    expect(cmp.scoreMatrix['sim/c']).toEqual({});
    expect(cmp.taskMatrix.t1).toEqual({ 'sim/a': 0.8, 'sim/b': 1 });
    expect(cmp.tokenMatrix['sim/a']).toEqual({ 'no-skill': 150, original: 150 });
    const multi = { sessionId: 'm', timestamp: 't', completedAt: 'u', models: ['sim/a', 'sim/b', 'sim/c'], reports: [a, b, c], comparison: cmp };
    MultiModelReportSchema.parse(multi);
    const md = renderMultiModelMarkdown(multi);
    expect(md).toContain('| 1 | sim/b | 0.80 | 100% |');
    expect(md).toContain('| 3 | sim/c | N/A | N/A |');
    expect(md).toContain('| sim/a | 0.20 | 0.80 |');
  });
});
