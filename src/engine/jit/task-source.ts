import { resolveTask, type LoadedTask } from '../tasks/load.js';
import { errorMessage, UsageError } from '../util/errors.js';

/**
 * The `real` task source (spec runtime §5.2): task refs as run_task takes them (ids under the
 * dataset, or paths to a task folder or task.json), resolved once. An unknown or broken ref is
 * skipped with a warning (the reference's behaviour); none left is an error. Without test refs
 * the test set is the train set. The tasks run through runTask, so their inline fixtures and
 * `_setup.sh` apply exactly as in run_task.
 */

export interface RealTasks {
  train: LoadedTask[];
  /** Empty when no separate test set was given. */
  test: LoadedTask[];
  warnings: string[];
}

async function resolveAll(refs: readonly string[], dataRoot: string, warnings: string[]): Promise<LoadedTask[]> {
  const out: LoadedTask[] = [];
  const seen = new Set<string>();
  for (const ref of refs) {
    try {
      const task = await resolveTask(ref, dataRoot);
      if (seen.has(task.id)) {
        warnings.push(`task "${task.id}" is listed twice; it runs once per run`);
        continue;
      }
      seen.add(task.id);
      out.push(task);
    } catch (err) {
      warnings.push(`task "${ref}" skipped: ${errorMessage(err)}`);
    }
  }
  return out;
}

export async function resolveRealTasks(trainRefs: readonly string[], testRefs: readonly string[] | undefined, dataRoot: string): Promise<RealTasks> {
  const warnings: string[] = [];
  const train = await resolveAll(trainRefs, dataRoot, warnings);
  if (train.length === 0) {
    throw new UsageError(`None of the training tasks could be loaded (${warnings.join('; ')}).`, 'Give task ids from the dataset (resources skvm://tasks/{id}) or paths to task folders or task.json files.');
  }
  const test = testRefs && testRefs.length > 0 ? await resolveAll(testRefs, dataRoot, warnings) : [];
  if (testRefs && testRefs.length > 0 && test.length === 0) throw new UsageError(`None of the test tasks could be loaded (${warnings.join('; ')}).`, 'Fix the testTasks refs, or leave testTasks out to test on the training tasks.');
  return { train, test, warnings };
}
