import { sessionsIndexPath, startIndexedSession, indexLogDir, type IndexedSession } from '../logs/sessions-index.js';
import { errorMessage } from '../util/errors.js';
import type { ModelSessionOutcome, RunBenchOptions } from './bench-options.js';
import type { ParentSession, SessionState } from './session-state.js';
import type { BenchReport } from './types.js';
import type { ValidatedBench } from './validate.js';

/**
 * A bench's lines in `<logs>/sessions.jsonl`: one session per model × adapter (and the parent),
 * under the same id as its directory (the reference's §10 #3 mismatch fixed), `running` when it
 * starts or resumes, `completed` with the average score per condition, or `failed` with the error.
 */

export interface BenchIndex {
  complete(outcomes: ModelSessionOutcome[]): Promise<void>;
  fail(err: unknown): Promise<void>;
}

export async function indexBenchSessions(opts: RunBenchOptions, v: ValidatedBench, parent: ParentSession | undefined, sessions: SessionState[]): Promise<BenchIndex> {
  const file = sessionsIndexPath(opts.logsRoot);
  const common = { type: 'bench', conditions: v.conditionNames, ...(opts.customSkill ? { skill: opts.customSkill.dir } : {}) };
  const bySession = new Map<string, IndexedSession>();
  for (const s of sessions) {
    bySession.set(s.id, await startIndexedSession(file, { id: s.id, ...common, startedAt: s.progress.startedAt, logDir: indexLogDir(s.dir, opts.cacheRoot), models: [s.model], harness: s.adapter }));
  }
  // The index has one `harness` string: a parent over several adapters lists them comma-separated.
  const parentEntry = parent
    ? await startIndexedSession(file, {
        id: parent.id,
        ...common,
        startedAt: parent.startedAt,
        logDir: indexLogDir(parent.dir, opts.cacheRoot),
        models: [...new Set(sessions.map((s) => s.model))],
        harness: [...new Set(sessions.map((s) => s.adapter))].join(','),
      })
    : undefined;
  const all = [...bySession.values(), ...(parentEntry ? [parentEntry] : [])];
  return {
    async complete(outcomes) {
      for (const o of outcomes) await bySession.get(o.sessionId)?.complete(scoreSummary(o.report));
      const labels = new Map(sessions.map((s) => [s.id, s.label]));
      await parentEntry?.complete(outcomes.map((o) => `${labels.get(o.sessionId) ?? o.model}: ${scoreSummary(o.report)}`).join('; '));
    },
    async fail(err) {
      for (const e of all) await e.fail(errorMessage(err));
    },
  };
}

/** "no-skill 0.483, original 1.000" (n/a where no run was evaluable). */
export function scoreSummary(report: BenchReport): string {
  return Object.entries(report.summary.perCondition)
    .map(([c, s]) => `${c} ${s.avgScore === null ? 'n/a' : s.avgScore.toFixed(3)}`)
    .join(', ');
}

