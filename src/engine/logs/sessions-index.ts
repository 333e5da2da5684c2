import * as path from 'node:path';
import { z } from 'zod';
import { errorMessage } from '../util/errors.js';
import { appendJsonLine, readJsonLines } from '../util/jsonl.js';

/**
 * `<logs>/sessions.jsonl`, the reference's sessions index (spec runtime §4.7, profiler-compiler
 * §5.5): one JSON line per state change of a session — `running` when it starts or resumes,
 * `completed` or `failed` when it ends. Append-only; the last line of an id wins; ids start with
 * a local timestamp, so sorting them descending lists the newest first. `skvm logs` of the
 * reference reads the same file.
 */

export const SESSION_STATUSES = ['running', 'completed', 'failed'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

export const SessionEntrySchema = z.looseObject({
  id: z.string().min(1),
  /** profile | aot-compile | bench | run | pipeline (the reference leaves it a free string). */
  type: z.string().min(1),
  status: z.enum(SESSION_STATUSES),
  startedAt: z.string(),
  completedAt: z.string().optional(),
  /** Relative to the cache root when inside it, else absolute. */
  logDir: z.string(),
  models: z.array(z.string()).optional(),
  harness: z.string().optional(),
  skill: z.string().optional(),
  conditions: z.array(z.string()).optional(),
  summary: z.string().optional(),
  error: z.string().optional(),
});
export type SessionEntry = z.output<typeof SessionEntrySchema>;

export function sessionsIndexPath(logsRoot: string): string {
  return path.join(logsRoot, 'sessions.jsonl');
}

/** A log directory as the index records it: relative to the cache root when inside it. */
export function indexLogDir(dir: string, cacheRoot: string | undefined): string {
  if (cacheRoot === undefined) return dir;
  const rel = path.relative(cacheRoot, dir);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : dir;
}

export async function appendSessionEntry(indexFile: string, entry: SessionEntry): Promise<void> {
  await appendJsonLine(indexFile, entry);
}

/** Every session's latest entry, newest first; malformed lines are skipped. A missing file is empty. */
export async function readSessionEntries(indexFile: string, opts: { type?: string; limit?: number } = {}): Promise<SessionEntry[]> {
  const latest = new Map<string, SessionEntry>();
  for (const raw of await readJsonLines(indexFile)) {
    const parsed = SessionEntrySchema.safeParse(raw);
    if (parsed.success) latest.set(parsed.data.id, parsed.data);
  }
  const rows = [...latest.values()].filter((e) => opts.type === undefined || e.type === opts.type).sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  return opts.limit === undefined ? rows : rows.slice(0, opts.limit);
}

export interface IndexedSession {
  readonly id: string;
  complete(summary?: string): Promise<void>;
  fail(error: string): Promise<void>;
}

/** What a session says of itself when it starts (its entries repeat it). */
export interface SessionStart {
  id: string;
  type: string;
  startedAt: string;
  logDir: string;
  models?: string[];
  harness?: string;
  skill?: string;
  conditions?: string[];
}

/** Appends the `running` line now; complete/fail append the terminal line (once). */
export async function startIndexedSession(indexFile: string, start: SessionStart): Promise<IndexedSession> {
  await appendSessionEntry(indexFile, { ...start, status: 'running' });
  let ended = false;
  const end = async (status: 'completed' | 'failed', extra: { summary?: string; error?: string }) => {
    if (ended) return;
    ended = true;
    await appendSessionEntry(indexFile, { ...start, status, completedAt: new Date().toISOString(), ...extra });
  };
  return {
    id: start.id,
    complete: (summary) => end('completed', summary !== undefined ? { summary } : {}),
    fail: (error) => end('failed', { error }),
  };
}

/**
 * Runs `work` as an indexed session: `running` first, then `completed` with a summary or
 * `failed` with the error (thrown, or the one `outcome` reports for a result that failed).
 */
export async function recordSession<T>(
  indexFile: string,
  start: SessionStart,
  work: () => Promise<T>,
  outcome: (result: T) => { summary: string } | { error: string },
): Promise<T> {
  const session = await startIndexedSession(indexFile, start);
  let result: T;
  try {
    result = await work();
  } catch (err) {
    await session.fail(errorMessage(err));
    throw err;
  }
  const o = outcome(result);
  await ('error' in o ? session.fail(o.error) : session.complete(o.summary));
  return result;
}
