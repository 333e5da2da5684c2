import { mean } from '../util/mean.js';
import {
  hasUsageTelemetry,
  isEvaluable,
  type BenchDelta,
  type BenchReport,
  type BenchSummary,
  type ConditionResult,
  type ConditionSummary,
  type ModelComparison,
  type MultiModelReport,
  type RankingRow,
  type TaskReport,
  type WrittenComparison,
} from './types.js';

/**
 * report.json (spec runtime §4.7, MUST compat) and report.md. Tainted rows (runStatus not ok)
 * never enter score / pass averages; they are counted (`taintedCount`, `byStatus`) and listed.
 */

export interface GenerateReportInput {
  sessionId: string;
  model: string;
  adapter: string;
  /** Condition order of the summary (the bench's requested conditions). */
  conditions: string[];
  tasks: TaskReport[];
  runsPerTask?: number;
  /** ISO; defaults to now. */
  timestamp?: string;
  completedAt?: string;
}

export function generateReport(input: GenerateReportInput): BenchReport {
  const report: BenchReport = {
    sessionId: input.sessionId,
    model: input.model,
    adapter: input.adapter,
    timestamp: input.timestamp ?? new Date().toISOString(),
    ...(input.completedAt ? { completedAt: input.completedAt } : {}),
    ...((input.runsPerTask ?? 1) > 1 ? { runsPerTask: input.runsPerTask } : {}),
    tasks: input.tasks,
    summary: computeSummary(input.tasks, input.conditions),
  };
  return report;
}

export function summarizeCondition(results: ConditionResult[]): ConditionSummary {
  const evaluable = results.filter(isEvaluable);
  const withUsage = results.filter(hasUsageTelemetry);
  const byStatus: Record<string, number> = {};
  for (const r of results) {
    const k = r.runStatus ?? 'ok';
    byStatus[k] = (byStatus[k] ?? 0) + 1;
  }
  return {
    avgScore: mean(evaluable.map((r) => r.score)),
    passRate: evaluable.length > 0 ? evaluable.filter((r) => r.pass).length / evaluable.length : null,
    avgTokens: mean(withUsage.map((r) => r.tokens.input + r.tokens.output)),
    // All-or-nothing: one row with an unknown price makes the average unknown, never a low number.
    avgCost: withUsage.every((r) => r.costIncomplete !== true) ? mean(withUsage.map((r) => r.cost)) : null,
    avgDurationMs: mean(results.map((r) => r.durationMs)) ?? 0,
    avgLlmDurationMs: mean(results.map((r) => r.llmDurationMs)) ?? 0,
    evaluableCount: evaluable.length,
    taintedCount: results.length - evaluable.length,
    byStatus,
  };
}

export function computeSummary(tasks: TaskReport[], conditions: string[]): BenchSummary {
  // Requested order first, then any condition found in rows but not requested (old reports).
  const order = [...conditions];
  for (const t of tasks) for (const c of t.conditions) if (!order.includes(c.condition)) order.push(c.condition);

  const perCondition: Record<string, ConditionSummary> = {};
  for (const cond of order) {
    const rows = tasks.flatMap((t) => t.conditions).filter((c) => c.condition === cond);
    if (rows.length === 0) continue;
    perCondition[cond] = summarizeCondition(rows);
  }

  const perCategory: Record<string, Record<string, number>> = {};
  for (const cat of [...new Set(tasks.map((t) => t.category))]) {
    const entry: Record<string, number> = {};
    for (const cond of order) {
      const rows = tasks
        .filter((t) => t.category === cat)
        .flatMap((t) => t.conditions)
        .filter((c) => c.condition === cond && isEvaluable(c));
      const avg = mean(rows.map((r) => r.score));
      if (avg !== null) entry[cond] = avg;
    }
    perCategory[cat] = entry;
  }

  return { taskCount: tasks.length, perCondition, perCategory, delta: computeDeltas(perCondition) };
}

/**
 * Deltas of average scores (fix of spec §10 #4: the reference looked up conditions named
 * `aot`/`jit` that never exist). `aotVsOriginal` uses `aot-compiled` (else the only
 * `aot-compiled-p*` variant); `jitVsAot` uses `jit-optimized` (else `jit-boost`) against that
 * AOT condition. Null whenever a side is missing or has no evaluable row.
 */
export function computeDeltas(perCondition: Record<string, ConditionSummary>): BenchDelta {
  const avg = (c: string | undefined) => (c === undefined ? null : (perCondition[c]?.avgScore ?? null));
  const diff = (a: number | null, b: number | null) => (a !== null && b !== null ? a - b : null);
  const aotNames = Object.keys(perCondition).filter((c) => /^aot-compiled(-p[123]+)?$/.test(c));
  const aot = aotNames.includes('aot-compiled') ? 'aot-compiled' : aotNames.length === 1 ? aotNames[0] : undefined;
  const jit = 'jit-optimized' in perCondition ? 'jit-optimized' : 'jit-boost' in perCondition ? 'jit-boost' : undefined;
  return {
    originalVsBaseline: diff(avg('original'), avg('no-skill')),
    aotVsOriginal: diff(avg(aot), avg('original')),
    jitVsAot: diff(avg(jit), avg(aot)),
    customVsBaseline: diff(avg('custom-skill'), avg('no-skill')),
  };
}

// ---------------------------------------------------------------------------------------------
// Multi-model comparison (spec §4.7)

/**
 * How a parent's comparison names each session (matrix keys): by model when one adapter ran (the
 * reference's multi-model), by adapter when one model did (its multi-adapter), else "<model> on <adapter>".
 */
function comparisonKey(severalAdapters: boolean, severalModels: boolean): (r: BenchReport) => string {
  if (!severalAdapters) return (r) => r.model;
  if (!severalModels) return (r) => r.adapter;
  return (r) => `${r.model} on ${r.adapter}`;
}

/** The key a parent report's comparison uses, from the models and adapters it names. */
export function parentReportKey(report: Pick<MultiModelReport, 'models' | 'adapters'>): (r: BenchReport) => string {
  return comparisonKey((report.adapters?.length ?? 0) > 1, report.models.length > 1);
}

/** Matrices keyed by `keyOf` (default: the model); ranking rows name model and adapter. */
export function buildModelComparison(reports: BenchReport[], keyOf: (r: BenchReport) => string = (r) => r.model): WrittenComparison {
  const scoreMatrix: Record<string, Record<string, number>> = {};
  const tokenMatrix: Record<string, Record<string, number>> = {};
  const taskMatrix: Record<string, Record<string, number>> = {};
  const ranking: RankingRow[] = [];
  for (const r of reports) {
    const key = keyOf(r);
    const scores: Record<string, number> = {};
    const tokens: Record<string, number> = {};
    for (const [cond, s] of Object.entries(r.summary.perCondition)) {
      if (s.avgScore !== null) scores[cond] = s.avgScore;
      if (s.avgTokens !== null) tokens[cond] = s.avgTokens;
    }
    scoreMatrix[key] = scores;
    tokenMatrix[key] = tokens;
    for (const t of r.tasks) {
      const row = (taskMatrix[t.taskId] ??= {});
      const ok = t.conditions.filter(isEvaluable);
      if (ok.length > 0) row[key] = Math.max(...ok.map((c) => c.score));
    }
    const rows = r.tasks.flatMap((t) => t.conditions).filter(isEvaluable);
    ranking.push({
      model: r.model,
      adapter: r.adapter,
      avgScore: mean(rows.map((c) => c.score)),
      passRate: rows.length > 0 ? rows.filter((c) => c.pass).length / rows.length : null,
    });
  }
  ranking.sort((a, b) => (a.avgScore === null ? (b.avgScore === null ? 0 : 1) : b.avgScore === null ? -1 : b.avgScore - a.avgScore));
  return { scoreMatrix, tokenMatrix, taskMatrix, ranking };
}

// ---------------------------------------------------------------------------------------------
// Formatting

export function formatTokens(n: number): string {
  if (n >= 1_000_000) return `${(n / 1_000_000).toFixed(1)}M`;
  if (n >= 1_000) return `${(n / 1_000).toFixed(1)}K`;
  return String(Math.round(n));
}

export function formatDuration(ms: number): string {
  if (ms >= 60_000) return `${(ms / 60_000).toFixed(1)}m`;
  return `${(ms / 1_000).toFixed(1)}s`;
}

export function formatCost(usd: number | null): string {
  if (usd === null) return 'n/a';
  if (usd === 0) return '$0';
  if (usd < 0.001) return `$${usd.toFixed(4)}`;
  return `$${usd.toFixed(3)}`;
}

function signed(x: number, digits = 2): string {
  return `${x >= 0 ? '+' : ''}${x.toFixed(digits)}`;
}

function pct(x: number): string {
  return `${signed(x * 100, 1)}%`;
}

/** One table cell: no newlines, no pipes. */
export function cell(text: string, max = 160): string {
  const one = text.replace(/\s+/g, ' ').replace(/\|/g, '\\|').trim();
  return one.length > max ? one.slice(0, max - 1) + '…' : one;
}

function scoreCell(r: ConditionResult | undefined): string {
  if (!r) return '-';
  return isEvaluable(r) ? r.score.toFixed(2) : `⚠ ${r.runStatus ?? '?'}`;
}

const BASELINE = 'no-skill';

/** report.md for a person: header, summary, per-task scores with Δ vs no-skill, tainted runs, deltas, details. */
export function renderReportMarkdown(report: BenchReport): string {
  const L: string[] = [];
  const { summary, tasks } = report;
  const conds = Object.keys(summary.perCondition);

  L.push('# SkVM Benchmark Report', '');
  L.push(`- **Model**: ${report.model}`);
  L.push(`- **Adapter**: ${report.adapter}`);
  L.push(`- **Session**: ${report.sessionId}`);
  L.push(`- **Timestamp**: ${report.timestamp}`);
  if (report.completedAt) L.push(`- **Completed**: ${report.completedAt}`);
  L.push(`- **Tasks**: ${summary.taskCount}`);
  if (report.runsPerTask) L.push(`- **Runs per task**: ${report.runsPerTask} (scores are means over repetitions)`);
  L.push('');

  L.push('## Summary', '');
  if (conds.length === 0) {
    L.push('No results.', '');
  } else {
    L.push(`| Metric | ${conds.join(' | ')} |`);
    L.push(`|--------|${conds.map(() => '-------').join('|')}|`);
    const row = (label: string, f: (s: ConditionSummary) => string) => L.push(`| ${label} | ${conds.map((c) => f(summary.perCondition[c]!)).join(' | ')} |`);
    row('Avg Score', (s) => {
      const tainted = s.taintedCount ?? 0;
      if (s.avgScore === null) return `⚠ ${tainted} tainted, none evaluable`;
      return tainted > 0 ? `${s.avgScore.toFixed(2)} (⚠${tainted} tainted)` : s.avgScore.toFixed(2);
    });
    row('Pass Rate', (s) => (s.passRate === null ? '-' : `${(s.passRate * 100).toFixed(0)}%`));
    row('Avg Tokens', (s) => (s.avgTokens === null ? 'n/a' : formatTokens(s.avgTokens)));
    row('Avg Duration', (s) => formatDuration(s.avgDurationMs));
    row('Avg LLM Time', (s) => formatDuration(s.avgLlmDurationMs));
    row('Avg Cost', (s) => formatCost(s.avgCost));
    row('Evaluable', (s) => `${s.evaluableCount ?? '-'}`);
    L.push('');
  }

  L.push('## Per-Task Results', '');
  if (tasks.length > 0 && conds.length > 0) {
    const showDelta = conds.includes(BASELINE) && conds.length > 1;
    L.push(`| Task | Category | ${conds.join(' | ')} |`);
    L.push(`|------|----------|${conds.map(() => '-------').join('|')}|`);
    for (const t of tasks) {
      const base = t.conditions.find((c) => c.condition === BASELINE);
      const cells = conds.map((cond) => {
        const r = t.conditions.find((c) => c.condition === cond);
        const s = scoreCell(r);
        if (showDelta && cond !== BASELINE && r && base && isEvaluable(r) && isEvaluable(base)) return `${s} (Δ ${signed(r.score - base.score)})`;
        return s;
      });
      L.push(`| ${cell(t.taskId, 80)} | ${cell(t.category, 40)} | ${cells.join(' | ')} |`);
    }
    if (showDelta) L.push('', `Δ = score − ${BASELINE} score on the same task (only where both runs were evaluable).`);
  } else {
    L.push('No task results.');
  }
  L.push('');

  const tainted = tasks.flatMap((t) => t.conditions.filter((c) => !isEvaluable(c)).map((c) => ({ t, c })));
  if (tainted.length > 0) {
    L.push('## Tainted runs', '');
    L.push(`${tainted.length} row(s) excluded from Avg Score / Pass Rate aggregates.`, '');
    L.push('| Task | Condition | runStatus | Detail |');
    L.push('|------|-----------|-----------|--------|');
    for (const { t, c } of tainted) L.push(`| ${cell(t.taskId, 80)} | ${c.condition} | ${c.runStatus ?? '?'} | ${cell(c.statusDetail ?? c.error ?? '')} |`);
    L.push('');
  }

  const d = summary.delta;
  const deltas: Array<[string, number | null | undefined]> = [
    ['Original vs No-Skill', d.originalVsBaseline],
    ['Custom skill vs No-Skill', d.customVsBaseline],
    ['AOT vs Original', d.aotVsOriginal],
    ['JIT vs AOT', d.jitVsAot],
  ];
  const shown = deltas.filter((x): x is [string, number] => typeof x[1] === 'number');
  if (shown.length > 0) {
    L.push('## Optimization Impact', '');
    for (const [label, v] of shown) L.push(`- **${label}**: ${pct(v)}`);
    L.push('');
  }

  const withDetails = tasks.filter((t) => t.conditions.some((c) => c.evalDetails.some((e) => e.score < 1)));
  if (withDetails.length > 0) {
    L.push('## Task Eval Details', '');
    for (const t of withDetails) {
      L.push(`### ${t.taskId}`, '');
      for (const c of t.conditions) {
        if (c.evalDetails.length === 0) continue;
        const comps: string[] = [];
        if (c.automatedScore !== undefined) comps.push(`auto=${c.automatedScore.toFixed(2)}`);
        if (c.llmJudgeScore !== undefined) comps.push(`judge=${c.llmJudgeScore.toFixed(2)}`);
        const runs = c.runScores && c.runScores.length > 1 ? ` [runs: ${c.runScores.map((s) => s.toFixed(2)).join(', ')}]` : '';
        L.push(`**${c.condition}**: ${c.score.toFixed(2)}${comps.length > 0 ? ` (${comps.join(', ')})` : ''}${runs}`, '');
        for (const e of c.evalDetails) {
          const icon = e.score >= 1 ? '+' : e.score >= 0.5 ? '~' : '-';
          const label = e.name ?? e.id ?? e.method;
          const w = e.weight !== undefined ? ` (w=${e.weight.toFixed(2)})` : '';
          const why = e.score < 1 && e.details ? ` — ${cell(e.details, 300)}` : '';
          const infra = e.infraError ? ` [infra: ${cell(e.infraError, 120)}]` : '';
          L.push(`- [${icon}] \`${e.method}\` ${label} ${e.score.toFixed(2)}${w}${why}${infra}`);
          if (e.checkpoints && e.checkpoints.length > 1) {
            for (const cp of e.checkpoints) {
              const cpIcon = cp.score >= 1 ? '+' : cp.score >= 0.5 ? '~' : '-';
              const cpw = cp.weight !== undefined ? ` w=${cp.weight.toFixed(2)}` : '';
              L.push(`  - [${cpIcon}] ${cp.name}${cpw}: ${cp.score.toFixed(2)}${cp.reason ? ` — ${cell(cp.reason, 200)}` : ''}`);
            }
          }
        }
        L.push('');
      }
    }
  }
  return L.join('\n');
}

export function renderMultiModelMarkdown(report: MultiModelReport): string {
  const L: string[] = [];
  const { comparison } = report;
  const severalAdapters = (report.adapters?.length ?? 0) > 1;
  const keyOf = parentReportKey(report);
  const keys = report.reports.map(keyOf);
  const rowHead = severalAdapters && report.models.length === 1 ? 'Adapter' : severalAdapters ? 'Model on adapter' : 'Model';
  L.push(`# SkVM Multi-${severalAdapters ? 'Adapter' : 'Model'} Benchmark`, '');
  L.push(`- **Session**: ${report.sessionId}`);
  L.push(`- **Models**: ${report.models.join(', ')}`);
  if (severalAdapters) L.push(`- **Adapters**: ${report.adapters!.join(', ')}`);
  L.push(`- **Started**: ${report.timestamp}`);
  L.push(`- **Completed**: ${report.completedAt}`, '');
  L.push(`## ${severalAdapters ? 'Model × Adapter' : 'Model'} Ranking`, '');
  const rate = (r: ModelComparison['ranking'][number]) => `${r.avgScore === null ? 'N/A' : r.avgScore.toFixed(2)} | ${r.passRate === null ? 'N/A' : `${(r.passRate * 100).toFixed(0)}%`}`;
  if (severalAdapters) {
    L.push('| # | Model | Adapter | Avg Score | Pass Rate |');
    L.push('|---|-------|---------|-----------|-----------|');
    comparison.ranking.forEach((r, i) => L.push(`| ${i + 1} | ${r.model} | ${r.adapter ?? '-'} | ${rate(r)} |`));
  } else {
    L.push('| # | Model | Avg Score | Pass Rate |');
    L.push('|---|-------|-----------|-----------|');
    comparison.ranking.forEach((r, i) => L.push(`| ${i + 1} | ${r.model} | ${rate(r)} |`));
  }
  L.push('');
  const conds = [...new Set(report.reports.flatMap((r) => Object.keys(r.summary.perCondition)))];
  if (conds.length > 0) {
    L.push('## Score Matrix', '');
    L.push(`| ${rowHead} | ${conds.join(' | ')} |`);
    L.push(`|-------|${conds.map(() => '-------').join('|')}|`);
    for (const k of keys) L.push(`| ${k} | ${conds.map((c) => comparison.scoreMatrix[k]?.[c]?.toFixed(2) ?? '-').join(' | ')} |`);
    L.push('');
  }
  const taskIds = Object.keys(comparison.taskMatrix);
  if (taskIds.length > 0) {
    L.push('## Per-Task Best Scores', '');
    L.push(`| Task | ${keys.join(' | ')} |`);
    L.push(`|------|${keys.map(() => '-------').join('|')}|`);
    for (const t of taskIds) L.push(`| ${t} | ${keys.map((k) => comparison.taskMatrix[t]?.[k]?.toFixed(2) ?? '-').join(' | ')} |`);
    L.push('');
  }
  for (const r of report.reports) L.push('---', '', renderReportMarkdown(r), '');
  return L.join('\n');
}
