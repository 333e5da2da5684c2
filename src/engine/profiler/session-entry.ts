import * as path from 'node:path';
import { profileLogDir } from '../config/paths.js';
import { newSessionId, shortModel } from '../logs/session-id.js';
import { indexLogDir, type SessionStart } from '../logs/sessions-index.js';
import type { ProfileManyResult } from './session-types.js';

/**
 * A profile run's line in `<logs>/sessions.jsonl` (profiler-compiler §5.1): type `profile`, tag
 * `<harness>-<shortModel>` for one job or `<J>j-<h1+h2>` for several, log dir the job's
 * `<logs>/profile/<harness>/<safeModel>` (the profile log root for several jobs). It fails
 * when any job failed, as the reference's exit code does.
 */

export function profileSessionStart(jobs: Array<{ model: string; harness: string }>, roots: { logs: string; cache: string }, now = new Date()): SessionStart {
  const harnesses = [...new Set(jobs.map((j) => j.harness))];
  const one = jobs.length === 1 ? jobs[0]! : undefined;
  const tag = one ? `${one.harness}-${shortModel(one.model)}` : `${jobs.length}j-${harnesses.join('+')}`;
  const logDir = one ? profileLogDir(roots.logs, one.harness, one.model) : path.join(roots.logs, 'profile');
  return {
    id: newSessionId('profile', tag, now),
    type: 'profile',
    startedAt: now.toISOString(),
    logDir: indexLogDir(logDir, roots.cache),
    models: [...new Set(jobs.map((j) => j.model))],
    harness: harnesses.join(','),
  };
}

export function profileSessionOutcome(result: ProfileManyResult): { summary: string } | { error: string } {
  const failed = result.jobs.filter((j) => !j.ok);
  if (failed.length > 0) return { error: failed.map((j) => `${j.model} (${j.harness}): ${j.ok ? '' : j.message}`).join('; ') };
  const ok = result.jobs.flatMap((j) => (j.ok ? [j.result] : []));
  const cached = ok.filter((r) => r.cached).length;
  return { summary: `${ok.length} profile${ok.length === 1 ? '' : 's'} (${ok.length - cached} profiled, ${cached} cached)` };
}
