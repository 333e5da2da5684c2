import { defineResource } from '../src/contract/resource.js';
import type { Engine } from '../src/engine/engine.js';

const LIST_LIMIT = 50;

async function completeRunId(engine: Engine, value: string): Promise<string[]> {
  return (await engine.runs.store.ids()).filter((id) => id.startsWith(value)).slice(0, 100);
}

export const runRecordResource = defineResource({
  name: 'run',
  title: 'Run record',
  description: 'The full record of a run: operation, input, status, progress, timestamps, result, error, token and cost totals.',
  mimeType: 'application/json',
  uri: 'skvm://runs/{runId}',
  async list(engine) {
    const runs = await engine.runs.list({ limit: LIST_LIMIT });
    return runs.map((r) => ({ uri: `skvm://runs/${r.id}`, name: r.id, title: `${r.label} (${r.status})`, mimeType: 'application/json' }));
  },
  complete: { runId: (engine, value) => completeRunId(engine, value) },
  async read(engine, uri, vars) {
    const rec = await engine.runs.get(vars.runId ?? '');
    return { uri: uri.href, mimeType: 'application/json', text: JSON.stringify(rec, null, 2) };
  },
});

export const runLogResource = defineResource({
  name: 'run-log',
  title: 'Run event log',
  description: 'The append-only event log of a run as JSON lines: status changes, progress, log lines, cancel requests.',
  mimeType: 'application/x-ndjson',
  uri: 'skvm://runs/{runId}/log',
  complete: { runId: (engine, value) => completeRunId(engine, value) },
  async read(engine, uri, vars) {
    const id = vars.runId ?? '';
    await engine.runs.get(id); // validates the id; unknown runs are reported with suggestions
    const events = await engine.runs.store.readEvents(id);
    return { uri: uri.href, mimeType: 'application/x-ndjson', text: events.map((e) => JSON.stringify(e)).join('\n') + (events.length ? '\n' : '') };
  },
});
