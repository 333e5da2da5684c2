import { mean } from '../util/mean.js';
import { UsageError } from '../util/errors.js';
import { buildTaskReports } from './progress.js';
import { cell, formatDuration, generateReport } from './reporter.js';
import { isParentSession, loadBenchSession, type LoadedBenchSession } from './sessions.js';
import { isEvaluable, type BenchReport, type ConditionResult } from './types.js';

/**
 * Compare two named bench sessions (lhs = before, rhs = after; deltas are rhs − lhs) on the
 * intersection of task × condition. The reference compares the latest sessions matching a skill
 * path; naming the two sessions is simpler for a tool user. Per-row fields follow the
 * reference's TaskDelta (score, tokens incl. cache, duration, LLM duration, steps); a row is
 * `incomparable` when either side is tainted, and such rows stay out of score/pass aggregates.
 */

export interface TaskDelta {
  taskId: string;
  taskName: string;
  condition: string;
  lhs: ConditionResult;
  rhs: ConditionResult;
  delta: { score: number; tokens: number; durationMs: number; llmDurationMs: number; steps: number };
  incomparable?: boolean;
}

export interface Pair {
  lhs: number | null;
  rhs: number | null;
  delta: number | null;
}

export interface AggregateDelta {
  /** Rows compared, incomparable ones included. */
  taskCount: number;
  comparableCount: number;
  incomparableCount: number;
  /** Over comparable rows only; null when there are none. */
  avgScore: Pair;
  passRate: Pair;
  /** Resource averages over all rows (tokens include cache tokens). */
  avgTokens: Pair;
  avgDurationMs: Pair;
  avgLlmDurationMs: Pair;
  avgSteps: Pair;
}

export interface SessionSide {
  sessionId: string;
  model: string;
  adapter: string;
  complete: boolean;
  taskCount: number;
  conditions: string[];
}

export interface SessionComparison {
  lhs: SessionSide;
  rhs: SessionSide;
  warnings: string[];
  unmatched: { lhsOnly: string[]; rhsOnly: string[] };
  tasks: TaskDelta[];
  aggregate: AggregateDelta;
  perCondition: Record<string, AggregateDelta>;
}

function totalTokens(t: ConditionResult['tokens']): number {
  return t.input + t.output + t.cacheRead + t.cacheWrite;
}

function sessionReport(s: LoadedBenchSession, warnings: string[]): BenchReport {
  if (s.multiReport || isParentSession(s)) {
    throw new UsageError(
      `Session ${s.id} is a ${s.metadata?.type ?? 'multi-model'} parent session.`,
      `Compare two of its sessions instead${s.multiReport ? `: ${s.multiReport.reports.map((r) => `${r.sessionId} (${r.model} on ${r.adapter})`).join(', ')}` : ''}.`,
    );
  }
  if (s.metadata && s.metadata.type !== 'single') throw new UsageError(`Session ${s.id} is a "${s.metadata.type}" session; only sessions of one model on one harness can be compared.`);
  if (s.report) return s.report;
  if (s.progress && s.progress.entries.length > 0) {
    warnings.push(`Session ${s.id} is incomplete (no report.json); using its ${s.progress.entries.length} finished run(s) from progress.json.`);
    return generateReport({
      sessionId: s.id,
      model: s.progress.model,
      adapter: s.progress.adapter,
      conditions: s.metadata?.conditions ?? [],
      tasks: buildTaskReports(s.progress.entries, s.metadata?.conditions ?? []),
      timestamp: s.progress.startedAt,
    });
  }
  throw new UsageError(`Session ${s.id} has no results yet (neither report.json nor finished runs in progress.json).`);
}

function pair(l: number | null, r: number | null): Pair {
  return { lhs: l, rhs: r, delta: l !== null && r !== null ? r - l : null };
}

export function aggregateDeltas(rows: TaskDelta[]): AggregateDelta {
  const ok = rows.filter((r) => !r.incomparable);
  const over = (rs: TaskDelta[], f: (c: ConditionResult) => number) => pair(mean(rs.map((r) => f(r.lhs))), mean(rs.map((r) => f(r.rhs))));
  return {
    taskCount: rows.length,
    comparableCount: ok.length,
    incomparableCount: rows.length - ok.length,
    avgScore: over(ok, (c) => c.score),
    passRate: over(ok, (c) => (c.pass ? 1 : 0)),
    avgTokens: over(rows, (c) => totalTokens(c.tokens)),
    avgDurationMs: over(rows, (c) => c.durationMs),
    avgLlmDurationMs: over(rows, (c) => c.llmDurationMs),
    avgSteps: over(rows, (c) => c.steps),
  };
}

export function compareReports(lhs: BenchReport, rhs: BenchReport, warnings: string[] = []): Omit<SessionComparison, 'lhs' | 'rhs'> {
  if (lhs.model !== rhs.model) warnings.push(`Different models: ${lhs.model} vs ${rhs.model}.`);
  if (lhs.adapter !== rhs.adapter) warnings.push(`Different adapters: ${lhs.adapter} vs ${rhs.adapter}.`);
  const lIds = new Set(lhs.tasks.map((t) => t.taskId));
  const rIds = new Set(rhs.tasks.map((t) => t.taskId));
  const lhsOnly = [...lIds].filter((id) => !rIds.has(id)).sort();
  const rhsOnly = [...rIds].filter((id) => !lIds.has(id)).sort();
  if (lhsOnly.length > 0 || rhsOnly.length > 0) {
    warnings.push(
      `Task sets differ (only in lhs: ${lhsOnly.join(', ') || 'none'}; only in rhs: ${rhsOnly.join(', ') || 'none'}); the comparison uses the intersection.`,
    );
  }
  const tasks: TaskDelta[] = [];
  const rByTask = new Map(rhs.tasks.map((t) => [t.taskId, t]));
  for (const lt of [...lhs.tasks].sort((a, b) => a.taskId.localeCompare(b.taskId))) {
    const rt = rByTask.get(lt.taskId);
    if (!rt) continue;
    for (const lc of lt.conditions) {
      const rc = rt.conditions.find((c) => c.condition === lc.condition);
      if (!rc) continue;
      const incomparable = !isEvaluable(lc) || !isEvaluable(rc);
      tasks.push({
        taskId: lt.taskId,
        taskName: lt.taskName,
        condition: lc.condition,
        lhs: lc,
        rhs: rc,
        delta: {
          score: rc.score - lc.score,
          tokens: totalTokens(rc.tokens) - totalTokens(lc.tokens),
          durationMs: rc.durationMs - lc.durationMs,
          llmDurationMs: rc.llmDurationMs - lc.llmDurationMs,
          steps: rc.steps - lc.steps,
        },
        ...(incomparable ? { incomparable: true } : {}),
      });
    }
  }
  const lConds = new Set(lhs.tasks.flatMap((t) => t.conditions.map((c) => c.condition)));
  const rConds = new Set(rhs.tasks.flatMap((t) => t.conditions.map((c) => c.condition)));
  const condDiff = [...lConds].filter((c) => !rConds.has(c)).concat([...rConds].filter((c) => !lConds.has(c)));
  if (condDiff.length > 0) warnings.push(`Conditions present on one side only are not compared: ${[...new Set(condDiff)].sort().join(', ')}.`);
  if (tasks.length === 0) warnings.push('No task × condition pair is present in both sessions; nothing to compare.');
  const perCondition: Record<string, AggregateDelta> = {};
  for (const c of [...new Set(tasks.map((t) => t.condition))]) perCondition[c] = aggregateDeltas(tasks.filter((t) => t.condition === c));
  return { warnings, unmatched: { lhsOnly, rhsOnly }, tasks, aggregate: aggregateDeltas(tasks), perCondition };
}

export async function compareSessions(logsRoot: string, lhsSessionId: string, rhsSessionId: string): Promise<SessionComparison> {
  const warnings: string[] = [];
  if (lhsSessionId === rhsSessionId) warnings.push('Both sides are the same session; every delta is 0.');
  const [l, r] = [await loadBenchSession(logsRoot, lhsSessionId), await loadBenchSession(logsRoot, rhsSessionId)];
  const lr = sessionReport(l, warnings);
  const rr = sessionReport(r, warnings);
  const side = (s: LoadedBenchSession, rep: BenchReport): SessionSide => ({
    sessionId: s.id,
    model: rep.model,
    adapter: rep.adapter,
    complete: s.report !== undefined,
    taskCount: rep.tasks.length,
    conditions: Object.keys(rep.summary.perCondition),
  });
  return { lhs: side(l, lr), rhs: side(r, rr), ...compareReports(lr, rr, warnings) };
}

// ---------------------------------------------------------------------------------------------

function num(x: number | null, digits = 2): string {
  return x === null ? 'n/a' : x.toFixed(digits);
}
function sgn(x: number | null, digits = 2): string {
  return x === null ? 'n/a' : `${x >= 0 ? '+' : ''}${x.toFixed(digits)}`;
}
function ms(x: number | null): string {
  return x === null ? 'n/a' : formatDuration(x);
}
function rate(x: number | null): string {
  return x === null ? 'n/a' : `${(x * 100).toFixed(0)}%`;
}

export function renderComparisonMarkdown(c: SessionComparison): string {
  const L: string[] = [];
  L.push(`# Bench comparison: ${c.rhs.sessionId} vs ${c.lhs.sessionId}`, '');
  L.push(`- **LHS (before)**: ${c.lhs.sessionId} — ${c.lhs.model} / ${c.lhs.adapter}${c.lhs.complete ? '' : ' (incomplete)'}`);
  L.push(`- **RHS (after)**: ${c.rhs.sessionId} — ${c.rhs.model} / ${c.rhs.adapter}${c.rhs.complete ? '' : ' (incomplete)'}`);
  L.push(`- **Rows compared**: ${c.aggregate.taskCount} (${c.aggregate.comparableCount} comparable${c.aggregate.incomparableCount > 0 ? `, ⚠${c.aggregate.incomparableCount} tainted excluded` : ''})`, '');
  if (c.warnings.length > 0) {
    L.push('## Warnings', '');
    for (const w of c.warnings) L.push(`- ${w}`);
    L.push('');
  }
  const a = c.aggregate;
  L.push('## Aggregate', '');
  L.push('| Metric | LHS | RHS | Δ (rhs − lhs) |');
  L.push('|--------|-----|-----|---------------|');
  L.push(`| Avg Score | ${num(a.avgScore.lhs)} | ${num(a.avgScore.rhs)} | ${sgn(a.avgScore.delta)} |`);
  L.push(`| Pass Rate | ${rate(a.passRate.lhs)} | ${rate(a.passRate.rhs)} | ${a.passRate.delta === null ? 'n/a' : `${sgn(a.passRate.delta * 100, 0)}%`} |`);
  L.push(`| Avg Tokens | ${num(a.avgTokens.lhs, 0)} | ${num(a.avgTokens.rhs, 0)} | ${sgn(a.avgTokens.delta, 0)} |`);
  L.push(`| Avg Duration | ${ms(a.avgDurationMs.lhs)} | ${ms(a.avgDurationMs.rhs)} | ${sgn(a.avgDurationMs.delta === null ? null : a.avgDurationMs.delta / 1000, 1)}s |`);
  L.push(`| Avg LLM Time | ${ms(a.avgLlmDurationMs.lhs)} | ${ms(a.avgLlmDurationMs.rhs)} | ${sgn(a.avgLlmDurationMs.delta === null ? null : a.avgLlmDurationMs.delta / 1000, 1)}s |`);
  L.push(`| Avg Steps | ${num(a.avgSteps.lhs, 1)} | ${num(a.avgSteps.rhs, 1)} | ${sgn(a.avgSteps.delta, 1)} |`, '');
  const conds = Object.keys(c.perCondition);
  if (conds.length > 1) {
    L.push('## Per condition', '');
    L.push('| Condition | Rows | LHS score | RHS score | Δ score |');
    L.push('|-----------|------|-----------|-----------|---------|');
    for (const k of conds) {
      const p = c.perCondition[k]!;
      L.push(`| ${k} | ${p.comparableCount}/${p.taskCount} | ${num(p.avgScore.lhs)} | ${num(p.avgScore.rhs)} | ${sgn(p.avgScore.delta)} |`);
    }
    L.push('');
  }
  if (c.tasks.length > 0) {
    L.push('## Per task', '');
    L.push('| Task | Condition | LHS | RHS | Δ score | Δ tokens | Δ steps |');
    L.push('|------|-----------|-----|-----|---------|----------|---------|');
    for (const t of c.tasks) {
      const side = (r: ConditionResult) => (isEvaluable(r) ? r.score.toFixed(2) : `⚠ ${r.runStatus}`);
      const ds = t.incomparable ? '⚠ n/a' : sgn(t.delta.score);
      L.push(`| ${cell(t.taskId, 80)} | ${t.condition} | ${side(t.lhs)} | ${side(t.rhs)} | ${ds} | ${sgn(t.delta.tokens, 0)} | ${sgn(t.delta.steps, 0)} |`);
    }
    L.push('');
  }
  return L.join('\n');
}
