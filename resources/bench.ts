import { defineResource } from '../src/contract/resource.js';
import type { Engine } from '../src/engine/engine.js';

const sessions = () => import('../src/engine/bench/sessions.js');

async function sessionIds(engine: Engine, prefix: string): Promise<string[]> {
  const { listBenchSessions } = await sessions();
  return (await listBenchSessions(engine.roots.logs.value)).map((s) => s.id).filter((id) => id.startsWith(prefix)).slice(0, 100);
}

export const benchSessionResource = defineResource({
  name: 'bench-session',
  title: 'Bench session report',
  description:
    'A bench session: report.json when it finished (per task × condition results and the summary), else its progress.json; for a session over several models or harnesses, the comparison report.',
  mimeType: 'application/json',
  uri: 'skvm://bench/{sessionId}',
  async list(engine) {
    const { listBenchSessions } = await sessions();
    const all = await listBenchSessions(engine.roots.logs.value, { limit: 100 });
    return all.map((s) => ({
      uri: `skvm://bench/${s.id}`,
      name: s.id,
      title: `${s.models.join(', ')}${s.adapters ? ` × ${s.adapters.join(', ')}` : s.adapter ? ` on ${s.adapter}` : ''} × ${s.conditions.join('+')} (${s.status})`,
      mimeType: 'application/json',
    }));
  },
  complete: { sessionId: (engine, value) => sessionIds(engine, value) },
  async read(engine, uri, vars) {
    const { loadBenchSession } = await sessions();
    const s = await loadBenchSession(engine.roots.logs.value, vars.sessionId ?? '');
    const body = s.multiReport ?? s.report ?? { sessionId: s.id, status: 'incomplete', metadata: s.metadata ?? null, progress: s.progress ?? null };
    return { uri: uri.href, mimeType: 'application/json', text: JSON.stringify(body, null, 2) };
  },
});
