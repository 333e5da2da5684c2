import * as path from 'node:path';
import { appendManifestEntry, buildManifestEntry } from '../eval/index.js';
import type { JudgeInputs } from '../eval/types.js';
import type { EvalCriterion } from '../tasks/criteria.js';
import { SkvmError, errorMessage } from '../util/errors.js';
import type { Cell } from './cells.js';
import { isVendorOutage, runCondition, type ConditionOutcome } from './conditions.js';
import type { RunBenchOptions } from './bench-options.js';
import { writeProgress } from './progress.js';
import { isEvaluable, type ConditionResult } from './types.js';
import type { ValidatedBench } from './validate.js';

/**
 * Step 4 of a bench: run the cells, `concurrency` at a time. Each finished cell is appended to
 * its session's progress.json (and its deferred judgements to the manifest) under the session
 * lock, then reported through onProgress. A cell that throws is not recorded (a resume redoes
 * it) and stops the bench; so do `maxOutages` cells in a row lost to vendor outages.
 */

export interface ExecuteOutcome {
  /** Finished cells, including those found finished at start. */
  done: number;
  /** The error that stopped the bench, if any (finished cells are saved). */
  fatal?: unknown;
}

type Deferred = { criterionIndex: number; criterion: EvalCriterion; inputs: JudgeInputs };

export async function executeCells(
  opts: RunBenchOptions,
  v: ValidatedBench,
  cells: Cell[],
  counts: { total: number; done: number; sessionLabel: string; severalSessions: boolean },
): Promise<ExecuteOutcome> {
  const { log, runsPerTask, asyncJudge } = v;
  const { total, sessionLabel } = counts;
  let done = counts.done;
  const signal = opts.signal;
  const stop = new AbortController();
  const onAbort = () => stop.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  let fatal: unknown;
  let outages = 0;

  const runCell = async (cell: Cell): Promise<void> => {
    if (stop.signal.aborted) return;
    const { s, task, condition, runIndex } = cell;
    const label = condition.label ?? condition.name;
    const convLogPath = path.join(s.dir, task.id, runsPerTask > 1 ? `${label}-run${runIndex + 1}.jsonl` : `${label}.jsonl`);
    const deferred: Deferred[] = [];
    const defer = asyncJudge && condition.deferrable !== false;
    s.ranCells++;
    let outcome: ConditionOutcome;
    try {
      outcome = await runCondition({
        condition,
        input: cell.input,
        skillMode: v.skillMode,
        ...(v.aot ? { aot: v.aot } : {}),
        ...(v.jit ? { jit: v.jit } : {}),
        ...(opts.jitBoost ? { jitBoost: opts.jitBoost } : {}),
        model: s.model,
        adapter: s.adapter,
        ...(s.harness ? { harness: s.harness } : {}),
        llm: opts.llm,
        ...(v.judge ? { judge: v.judge } : {}),
        tmpRoot: opts.tmpRoot,
        timeoutMs: opts.timeoutMs ?? task.timeoutMs,
        maxSteps: opts.maxSteps,
        keepWorkDir: opts.keepWorkDirs === true,
        convLogPath,
        sandbox: opts.sandbox,
        ...(opts.web !== undefined ? { web: opts.web } : {}),
        signal: stop.signal,
        ...(defer ? { deferJudge: (e: Deferred) => void deferred.push(e) } : {}),
        log,
      });
    } catch (err) {
      // Not finished: cancelled (by the caller, or because another cell hit a fatal error), or
      // a fatal error of its own. Either way it is not recorded, so a resume redoes it.
      s.ranCells--;
      if (stop.signal.aborted) return;
      fatal ??= err;
      stop.abort();
      return;
    }
    const result = outcome.result;
    if (outcome.error !== undefined && isVendorOutage(outcome.error)) {
      result.infraFailure = true;
      outages++;
      if (outages >= v.maxOutages && fatal === undefined) {
        fatal = new SkvmError(`${outages} bench runs in a row failed because the model vendor did not answer: ${errorMessage(outcome.error)}`, {
          code: 'bench_vendor_unavailable',
          hint: `The vendor or route looks unavailable. Check it (config doctor), then resume bench session ${sessionLabel}; cells lost this way are redone.`,
          cause: outcome.error,
        });
        stop.abort();
      }
    } else outages = 0;

    if (deferred.length > 0) result.judgePending = true;
    await s.lock(async () => {
      for (const e of deferred) {
        await appendManifestEntry(
          s.manifestDir,
          buildManifestEntry({
            sessionId: s.id,
            taskId: task.id,
            condition: condition.name,
            criterionIndex: e.criterionIndex,
            criterion: e.criterion,
            inputs: e.inputs,
            ...(runsPerTask > 1 ? { runIndex } : {}),
          }),
        );
      }
      s.progress.entries.push({ taskId: task.id, condition: condition.name, runIndex, result });
      await writeProgress(s.dir, s.progress);
    });
    done++;
    const runTag = runsPerTask > 1 ? ` [run ${runIndex + 1}/${runsPerTask}]` : '';
    const message = `${counts.severalSessions ? `[${s.label}] ` : ''}${task.id} ${condition.name}${runTag} → ${outcomeText(result)}`;
    log.info(message);
    try {
      opts.onProgress?.(done, total, message);
    } catch (err) {
      log.warn(`progress callback failed: ${errorMessage(err)}`);
    }
  };

  try {
    const { default: pLimit } = await import('p-limit');
    const limit = pLimit(v.concurrency);
    await Promise.all(
      cells.map((cell) =>
        limit(async () => {
          try {
            await runCell(cell);
          } catch (err) {
            // Progress writing or manifest appends failed: nothing else can be trusted.
            fatal ??= err;
            stop.abort();
          }
        }),
      ),
    );
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  return fatal === undefined ? { done } : { done, fatal };
}

function outcomeText(result: ConditionResult): string {
  return isEvaluable(result)
    ? `${result.score.toFixed(2)}${result.judgePending ? ' (llm judge pending)' : ''}`
    : `⚠ ${result.runStatus}${result.statusDetail ? ` (${oneLine(result.statusDetail, 120)})` : ''}`;
}

function oneLine(s: string, max: number): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? t.slice(0, max - 1) + '…' : t;
}
