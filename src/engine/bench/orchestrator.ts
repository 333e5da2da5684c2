import { errorMessage } from '../util/errors.js';
import { BenchCancelledError, type BenchOutcome, type RunBenchOptions } from './bench-options.js';
import { planCells } from './cells.js';
import { executeCells } from './execute.js';
import { indexBenchSessions } from './indexed-sessions.js';
import { openSessions } from './session-state.js';
import { validateBench } from './validate.js';
import { writeParentReport, writeSessionReports } from './write-reports.js';

export { BenchCancelledError, type BenchOutcome, type BenchProgressCallback, type ModelSessionOutcome, type RunBenchOptions, type SkippedCell } from './bench-options.js';

/**
 * The bench orchestrator (spec runtime §4.4): tasks × conditions × repetitions, per model ×
 * adapter, each cell through the shared runner, progress rewritten after every finished cell,
 * resumable. The cells of every (model, adapter) session share one pool of `concurrency` slots.
 *
 * Differences from the reference, on purpose:
 * - several models AND several adapters cross (the reference refuses both at once): one session
 *   per pair, under a `multi-adapter` parent whose ranking names model and adapter;
 * - the session id is generated once and its directory claimed atomically; a clash (same second,
 *   same short model) gets a `-2` suffix (§10 #3, #27);
 * - a cell whose orchestration throws is `adapter-crashed` (tainted), never an evaluable 0 (§10 #6);
 * - errors every cell would repeat (bad key, no route, unknown model, no bubblewrap) end the bench
 *   at once with the error's message and hint; N (default 3) cells in a row lost to vendor
 *   outages (transient/rate-limit/timeout after retries) end it too. Cells lost that way are
 *   marked `infraFailure` and redone on resume;
 * - one conversation log per repetition: `<taskId>/<label>-run<i>.jsonl` when runsPerTask > 1 (§10 #7);
 * - work dirs are removed unless keepWorkDirs (§10 #23);
 * - async judge: deferred entries carry the repetition, a resumed session judges only what has no
 *   result yet, every repetition keeps its own judged score before averaging, and progress.json is
 *   rewritten with the judged scores (placeholders are flagged `judgePending` until then) (§10 #25).
 *
 * The steps, one module each: validate.ts (options and tasks) → session-state.ts (new or resumed
 * sessions; indexed-sessions.ts records them in sessions.jsonl) → cells.ts (what to run) →
 * execute.ts (running it, progress.json) → write-reports.ts (async judge via deferred-judge.ts,
 * report.json/report.md).
 */

export async function runBench(opts: RunBenchOptions): Promise<BenchOutcome> {
  const v = await validateBench(opts);
  const { parent, sessions } = await openSessions(opts, v);
  await v.checkPairs(sessions); // a resumed session's own models and adapters
  const plan = planCells(opts, v, sessions);
  const sessionLabel = parent?.id ?? sessions[0]!.id;
  v.log.info(`bench ${sessionLabel}: ${plan.total} cells (${plan.done} already done), concurrency ${v.concurrency}`);
  const index = await indexBenchSessions(opts, v, parent, sessions);
  try {
    const { done, fatal } = await executeCells(opts, v, plan.cells, { total: plan.total, done: plan.done, sessionLabel, severalSessions: sessions.length > 1 });
    if (fatal !== undefined) {
      v.log.error(`bench ${sessionLabel} stopped: ${errorMessage(fatal)} (finished cells are saved; resume session ${sessionLabel})`);
      throw fatal;
    }
    const cancelled = () => new BenchCancelledError(sessionLabel, done, plan.total);
    if (opts.signal?.aborted) throw cancelled();

    const outcomes = await writeSessionReports(opts, v, sessions, sessionLabel, cancelled);
    const ranCells = outcomes.reduce((n, o) => n + o.ranCells, 0);
    const common = { sessions: outcomes, skipped: v.skipped, warnings: v.warnings, totalCells: plan.total, ranCells };
    const out: BenchOutcome = parent
      ? { sessionId: parent.id, sessionDir: parent.dir, multi: await writeParentReport(parent, outcomes), ...common }
      : { sessionId: outcomes[0]!.sessionId, sessionDir: outcomes[0]!.sessionDir, report: outcomes[0]!.report, ...common };
    await index.complete(outcomes);
    return out;
  } catch (err) {
    await index.fail(err).catch((e: unknown) => v.log.warn(`sessions index not updated: ${errorMessage(e)}`));
    throw err;
  }
}
