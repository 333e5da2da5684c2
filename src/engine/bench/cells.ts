import { UsageError } from '../util/errors.js';
import type { ConditionDefinition, ConditionInput } from './conditions.js';
import type { RunBenchOptions } from './bench-options.js';
import { cellKey } from './progress.js';
import type { SessionState } from './session-state.js';
import type { RunnableTask, ValidatedBench } from './validate.js';

/**
 * Step 3 of a bench: the cells — session × task × condition × repetition. Conditions that do
 * not apply to a task are skipped with their reason; cells already in a resumed session's
 * progress.json count as done and are not run again.
 */

export interface Cell {
  s: SessionState;
  task: RunnableTask['task'];
  condition: ConditionDefinition;
  input: ConditionInput;
  runIndex: number;
}

export interface CellPlan {
  /** Cells still to run. */
  cells: Cell[];
  /** Every applicable cell, finished or not, over all sessions. */
  total: number;
  /** Cells found finished at start. */
  done: number;
}

function conditionInput(opts: RunBenchOptions, { task, skills }: RunnableTask): ConditionInput {
  return { task, taskSkills: skills, ...(opts.customSkill ? { customSkill: opts.customSkill } : {}) };
}

/** Adds the first session's skipped cells to `v.skipped`; a bench where nothing applies is a UsageError. */
export function planCells(opts: RunBenchOptions, v: ValidatedBench, sessions: SessionState[]): CellPlan {
  const cells: Cell[] = [];
  let total = 0;
  let done = 0;
  for (const s of sessions) {
    const finished = new Set(s.progress.entries.map((e) => cellKey(e.taskId, e.condition, e.runIndex ?? 0)));
    for (const t of v.tasks) {
      const input = conditionInput(opts, t);
      for (const condition of v.conditions) {
        const why = condition.skipReason(input);
        if (why) {
          if (s === sessions[0]) v.skipped.push({ taskId: t.task.id, condition: condition.name, reason: why });
          continue;
        }
        for (let runIndex = 0; runIndex < v.runsPerTask; runIndex++) {
          total++;
          if (finished.has(cellKey(t.task.id, condition.name, runIndex))) {
            done++;
            s.resumedCells++;
          } else cells.push({ s, task: t.task, condition, input, runIndex });
        }
      }
    }
  }
  if (total === 0) throw new UsageError('No bench cell applies: every task × condition was skipped.', v.skipped.map((k) => `${k.taskId}/${k.condition}: ${k.reason}`).join('; '));
  return { cells, total, done };
}

/**
 * Keys of the cells this bench asked for: a resumed session's progress may hold entries of
 * tasks or conditions no longer requested, which its report leaves out.
 */
export function plannedCellKeys(opts: RunBenchOptions, v: ValidatedBench): Set<string> {
  const planned = new Set<string>();
  for (const t of v.tasks) {
    const input = conditionInput(opts, t);
    for (const c of v.conditions) if (!c.skipReason(input)) for (let i = 0; i < v.runsPerTask; i++) planned.add(cellKey(t.task.id, c.name, i));
  }
  return planned;
}
