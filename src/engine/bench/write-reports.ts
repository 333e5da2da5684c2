import * as path from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../util/fs.js';
import { plannedCellKeys } from './cells.js';
import { judgeDeferred } from './deferred-judge.js';
import type { ModelSessionOutcome, RunBenchOptions } from './bench-options.js';
import { buildTaskReports, cellKey } from './progress.js';
import { buildModelComparison, generateReport, parentReportKey, renderMultiModelMarkdown, renderReportMarkdown } from './reporter.js';
import type { ParentSession, SessionState } from './session-state.js';
import type { WrittenParentReport } from './types.js';
import type { ValidatedBench } from './validate.js';

/**
 * Step 5 of a bench: per session, the async judge (when asked for), then report.json and
 * report.md over the requested cells with repetitions aggregated; with several sessions, the
 * parent session's comparison report.
 */

/** `cancelled` makes the error thrown when the caller's signal stopped the async judge. */
export async function writeSessionReports(
  opts: RunBenchOptions,
  v: ValidatedBench,
  sessions: SessionState[],
  sessionLabel: string,
  cancelled: () => Error,
): Promise<ModelSessionOutcome[]> {
  const taskInfo = v.tasks.map(({ task }) => ({ id: task.id, name: task.name ?? task.id, category: task.category, gradingType: task.gradingType }));
  const planned = plannedCellKeys(opts, v);
  const outcomes: ModelSessionOutcome[] = [];
  for (const s of sessions) {
    if (v.asyncJudge) {
      try {
        await judgeDeferred(s, opts, v.concurrency, v.log, sessionLabel);
      } catch (err) {
        throw opts.signal?.aborted ? cancelled() : err;
      }
    }
    const entries = s.progress.entries.filter((e) => planned.has(cellKey(e.taskId, e.condition, e.runIndex ?? 0)));
    const report = generateReport({
      sessionId: s.id,
      model: s.model,
      adapter: s.adapter,
      conditions: v.conditionNames,
      tasks: buildTaskReports(entries, v.conditionNames, taskInfo),
      runsPerTask: v.runsPerTask,
      timestamp: s.progress.startedAt,
      completedAt: new Date().toISOString(),
    });
    const markdown = renderReportMarkdown(report);
    await writeJsonAtomic(path.join(s.dir, 'report.json'), report);
    await writeFileAtomic(path.join(s.dir, 'report.md'), markdown + '\n');
    outcomes.push({ model: s.model, adapter: s.adapter, sessionId: s.id, sessionDir: s.dir, report, markdown, resumedCells: s.resumedCells, ranCells: s.ranCells });
  }
  return outcomes;
}

/** Several adapters add `adapters`; the comparison is then keyed by adapter (one model) or "<model> on <adapter>". */
export async function writeParentReport(parent: ParentSession, outcomes: ModelSessionOutcome[]): Promise<WrittenParentReport> {
  const names = {
    models: [...new Set(outcomes.map((o) => o.model))],
    ...(parent.severalAdapters ? { adapters: [...new Set(outcomes.map((o) => o.adapter))] } : {}),
  };
  const reports = outcomes.map((o) => o.report);
  const multi: WrittenParentReport = {
    sessionId: parent.id,
    timestamp: parent.startedAt,
    completedAt: new Date().toISOString(),
    ...names,
    reports,
    comparison: buildModelComparison(reports, parentReportKey(names)),
  };
  await writeJsonAtomic(path.join(parent.dir, 'report.json'), multi);
  await writeFileAtomic(path.join(parent.dir, 'report.md'), renderMultiModelMarkdown(multi) + '\n');
  return multi;
}
