import * as path from 'node:path';
import type { BenchOutcome } from './orchestrator.js';
import { isEvaluable, type BenchReport } from './types.js';

/** The compact result the bench operation returns; the full report stays in report.json / report.md. */
export function summarizeOutcome(outcome: BenchOutcome) {
  return {
    sessionId: outcome.sessionId,
    sessionDir: outcome.sessionDir,
    resource: `skvm://bench/${outcome.sessionId}`,
    totalCells: outcome.totalCells,
    ranCells: outcome.ranCells,
    sessions: outcome.sessions.map((s) => ({
      model: s.model,
      adapter: s.adapter,
      sessionId: s.sessionId,
      resource: `skvm://bench/${s.sessionId}`,
      reportMarkdown: path.join(s.sessionDir, 'report.md'),
      ...reportDigest(s.report),
    })),
    ...(outcome.multi ? { ranking: outcome.multi.comparison.ranking } : {}),
    skipped: outcome.skipped,
    warnings: outcome.warnings,
  };
}

/** Per-condition averages, deltas against no-skill and per-task scores of one report. */
export function reportDigest(report: BenchReport) {
  const per = report.summary.perCondition;
  const conditions = Object.entries(per).map(([condition, s]) => ({
    condition,
    avgScore: s.avgScore,
    passRate: s.passRate,
    avgTokens: s.avgTokens,
    avgCostUsd: s.avgCost,
    avgDurationMs: s.avgDurationMs,
    evaluable: s.evaluableCount ?? 0,
    tainted: s.taintedCount ?? 0,
  }));
  const base = per['no-skill']?.avgScore;
  const deltaVsNoSkill: Record<string, number | null> = {};
  if (base !== undefined) {
    for (const [condition, s] of Object.entries(per)) {
      if (condition !== 'no-skill') deltaVsNoSkill[condition] = base === null || s.avgScore === null ? null : s.avgScore - base;
    }
  }
  const tasks = report.tasks.map((t) => ({
    taskId: t.taskId,
    scores: Object.fromEntries(t.conditions.map((c) => [c.condition, isEvaluable(c) ? c.score : null])),
  }));
  return { conditions, deltaVsNoSkill, tasks };
}
