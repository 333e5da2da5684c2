import * as path from 'node:path';
import { defineResource } from '../src/contract/resource.js';
import type { Engine } from '../src/engine/engine.js';
import { UsageError } from '../src/engine/util/errors.js';

const tasksModule = () => import('../src/engine/tasks/load.js');

async function taskIds(engine: Engine): Promise<string[]> {
  const { listTaskDirs, tasksDir } = await tasksModule();
  return (await listTaskDirs(tasksDir(engine.roots.data.value))).map((d) => path.basename(d)).sort();
}

export const taskResource = defineResource({
  name: 'task',
  title: 'Benchmark task',
  description: 'A task of the dataset: its task.json (prompt, eval criteria, skill, fixtures) as loaded, with defaults applied, plus where it lives.',
  mimeType: 'application/json',
  uri: 'skvm://tasks/{id}',
  async list(engine) {
    return (await taskIds(engine)).map((id) => ({ uri: `skvm://tasks/${id}`, name: id, mimeType: 'application/json' }));
  },
  complete: { id: async (engine, value) => (await taskIds(engine)).filter((id) => id.startsWith(value)).slice(0, 100) },
  async read(engine, uri, vars) {
    const { resolveTask } = await tasksModule();
    const id = vars.id ?? '';
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(id)) throw new UsageError(`"${id}" is not a task id.`);
    const task = await resolveTask(id, engine.roots.data.value);
    return { uri: uri.href, mimeType: 'application/json', text: JSON.stringify(task, null, 2) };
  },
});
