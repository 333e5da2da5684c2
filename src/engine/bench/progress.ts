import * as path from 'node:path';
import { SkvmError } from '../util/errors.js';
import { readJsonFile, writeJsonAtomic } from '../util/fs.js';
import { aggregateRuns } from './aggregate.js';
import { BenchProgressSchema, type BenchProgress, type ConditionResult, type ProgressEntry, type TaskReport } from './types.js';

/** progress.json: the finished cells of a session, rewritten atomically after each one. */

export function progressPath(sessionDir: string): string {
  return path.join(sessionDir, 'progress.json');
}

export async function readProgress(sessionDir: string): Promise<BenchProgress | undefined> {
  const file = progressPath(sessionDir);
  const raw = await readJsonFile(file);
  if (raw === undefined) return undefined;
  const parsed = BenchProgressSchema.safeParse(raw);
  if (!parsed.success) {
    throw new SkvmError(`${file} is not a bench progress file: ${parsed.error.message.slice(0, 400)}`, {
      hint: 'Start a new bench session instead of resuming this one, or restore the file.',
    });
  }
  return withRunIndexes(parsed.data);
}

/** Reference files carry no runIndex: number each task × condition's entries in file order. */
export function withRunIndexes(progress: BenchProgress): BenchProgress {
  const seen = new Map<string, Set<number>>();
  for (const e of progress.entries) {
    if (e.runIndex === undefined) continue;
    const k = cellKey(e.taskId, e.condition);
    if (!seen.has(k)) seen.set(k, new Set());
    seen.get(k)!.add(e.runIndex);
  }
  for (const e of progress.entries) {
    if (e.runIndex !== undefined) continue;
    const k = cellKey(e.taskId, e.condition);
    if (!seen.has(k)) seen.set(k, new Set());
    const used = seen.get(k)!;
    let i = 0;
    while (used.has(i)) i++;
    e.runIndex = i;
    used.add(i);
  }
  return progress;
}

export async function writeProgress(sessionDir: string, progress: BenchProgress): Promise<void> {
  await writeJsonAtomic(progressPath(sessionDir), progress);
}

export function cellKey(taskId: string, condition: string, runIndex?: number): string {
  return runIndex === undefined ? `${taskId}\u0000${condition}` : `${taskId}\u0000${condition}\u0000${runIndex}`;
}

/** taskId → condition → repetitions sorted by runIndex. */
export function groupEntries(entries: ProgressEntry[]): Map<string, Map<string, ConditionResult[]>> {
  const sorted = [...entries].sort((a, b) => (a.runIndex ?? 0) - (b.runIndex ?? 0));
  const out = new Map<string, Map<string, ConditionResult[]>>();
  for (const e of sorted) {
    if (!out.has(e.taskId)) out.set(e.taskId, new Map());
    const byCond = out.get(e.taskId)!;
    if (!byCond.has(e.condition)) byCond.set(e.condition, []);
    byCond.get(e.condition)!.push(e.result);
  }
  return out;
}

export interface TaskInfo {
  id: string;
  name?: string;
  category?: string;
  gradingType?: string;
}

/**
 * Task rows for a report: tasks in the given order (others from the entries after them),
 * conditions in the given order, repetitions aggregated.
 */
export function buildTaskReports(entries: ProgressEntry[], conditions: string[], tasks: TaskInfo[] = []): TaskReport[] {
  const grouped = groupEntries(entries);
  const order = [...tasks.map((t) => t.id)];
  for (const id of grouped.keys()) if (!order.includes(id)) order.push(id);
  const info = new Map(tasks.map((t) => [t.id, t]));
  const out: TaskReport[] = [];
  for (const id of order) {
    const byCond = grouped.get(id);
    if (!byCond || byCond.size === 0) continue;
    const condOrder = [...conditions.filter((c) => byCond.has(c)), ...[...byCond.keys()].filter((c) => !conditions.includes(c))];
    const t = info.get(id);
    out.push({
      taskId: id,
      taskName: t?.name ?? id,
      category: t?.category ?? 'general',
      gradingType: t?.gradingType ?? 'automated',
      conditions: condOrder.map((c) => aggregateRuns(byCond.get(c)!)),
    });
  }
  return out;
}

/** One async section at a time (progress writes from concurrent cells). */
export function createMutex(): <T>(fn: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const run = tail.then(fn, fn);
    tail = run.catch(() => undefined);
    return run;
  };
}
