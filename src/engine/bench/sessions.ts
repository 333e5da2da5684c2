import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { z } from 'zod';
import { closestMatches } from '../util/closest.js';
import { NotFoundError, SkvmError } from '../util/errors.js';
import { readJsonFile } from '../util/fs.js';
import { assertSessionId, benchRoot, isSessionId } from './session-id.js';
import {
  AnyBenchMetadataSchema,
  BenchProgressSchema,
  BenchReportSchema,
  MultiModelReportSchema,
  type AnyBenchMetadata,
  type BenchProgress,
  type BenchReport,
  type MultiModelReport,
} from './types.js';

/**
 * Bench sessions on disk: every directory under `<logs>/bench/` whose name is a session id.
 * A session is `complete` iff it has `report.json` (the reference's rule for legacy dirs).
 */

export interface BenchSessionInfo {
  id: string;
  /** `single`, `multi-model`, `multi-adapter`, `custom`, or `unknown` when metadata.json is missing. */
  type: string;
  models: string[];
  adapter?: string;
  /** A multi-adapter parent's adapters. */
  adapters?: string[];
  conditions: string[];
  status: 'complete' | 'incomplete';
  startedAt?: string;
  /** Finished cells (progress entries) for single sessions. */
  cellsDone?: number;
  /** Average score per condition from report.json (complete single sessions). */
  avgScores?: Record<string, number | null>;
}

/** Bench session ids under the logs root, newest first. */
export async function sessionIds(logsRoot: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fsp.readdir(benchRoot(logsRoot));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return names.filter(isSessionId).sort().reverse();
}

async function readLoose<T>(file: string, schema: z.ZodType<T>): Promise<T | undefined> {
  let raw: unknown;
  try {
    raw = await readJsonFile(file);
  } catch {
    return undefined;
  }
  if (raw === undefined) return undefined;
  const parsed = schema.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

/** Newest first (ids start with a timestamp). */
export async function listBenchSessions(logsRoot: string, opts: { limit?: number } = {}): Promise<BenchSessionInfo[]> {
  const ids = await sessionIds(logsRoot);
  const out: BenchSessionInfo[] = [];
  for (const id of ids.slice(0, opts.limit ?? ids.length)) {
    const dir = path.join(benchRoot(logsRoot), id);
    const meta = await readLoose(path.join(dir, 'metadata.json'), AnyBenchMetadataSchema);
    const hasReport = await fsp
      .access(path.join(dir, 'report.json'))
      .then(() => true)
      .catch(() => false);
    const info: BenchSessionInfo = {
      id,
      type: meta?.type ?? 'unknown',
      models: meta?.models ?? (meta?.model ? [meta.model] : []),
      ...(meta?.adapter ? { adapter: meta.adapter } : {}),
      ...(meta?.adapters ? { adapters: meta.adapters } : {}),
      conditions: meta?.conditions ?? meta?.labels ?? [],
      status: hasReport ? 'complete' : 'incomplete',
      ...(meta?.startedAt ? { startedAt: meta.startedAt } : {}),
    };
    if (info.type === 'single' || info.type === 'unknown') {
      const progress = await readLoose(path.join(dir, 'progress.json'), BenchProgressSchema);
      if (progress) {
        info.cellsDone = progress.entries.length;
        if (info.models.length === 0) info.models = [progress.model];
      }
      if (hasReport) {
        const report = await readLoose(path.join(dir, 'report.json'), BenchReportSchema);
        if (report) info.avgScores = Object.fromEntries(Object.entries(report.summary.perCondition).map(([c, s]) => [c, s.avgScore]));
      }
    }
    out.push(info);
  }
  return out;
}

export interface LoadedBenchSession {
  id: string;
  dir: string;
  metadata?: AnyBenchMetadata;
  progress?: BenchProgress;
  /** Single-model report. */
  report?: BenchReport;
  /** A parent's report (multi-model or multi-adapter). */
  multiReport?: MultiModelReport;
  /** report.md text when present. */
  markdown?: string;
}

/** Resolve an id (validated first) to its directory; unknown ids name the closest existing ones. */
export async function resolveSessionDir(logsRoot: string, id: string): Promise<string> {
  assertSessionId(id);
  const dir = path.join(benchRoot(logsRoot), id);
  const st = await fsp.stat(dir).catch(() => undefined);
  if (!st?.isDirectory()) {
    const ids = await sessionIds(logsRoot);
    throw new NotFoundError('bench session', id, closestMatches(id, ids), ids.length === 0 ? `No bench sessions under ${benchRoot(logsRoot)} yet.` : undefined);
  }
  return dir;
}

export async function loadBenchSession(logsRoot: string, id: string): Promise<LoadedBenchSession> {
  const dir = await resolveSessionDir(logsRoot, id);
  const out: LoadedBenchSession = { id, dir };
  const strict = async <T>(file: string, schema: z.ZodType<T>): Promise<T | undefined> => {
    const raw = await readJsonFile(path.join(dir, file));
    if (raw === undefined) return undefined;
    const parsed = schema.safeParse(raw);
    if (!parsed.success) throw new SkvmError(`${path.join(dir, file)} does not have the expected shape: ${parsed.error.message.slice(0, 400)}`);
    return parsed.data;
  };
  out.metadata = await strict('metadata.json', AnyBenchMetadataSchema);
  if (isParentSession(out)) {
    out.multiReport = await strict('report.json', MultiModelReportSchema);
  } else {
    out.progress = await strict('progress.json', BenchProgressSchema);
    out.report = await strict('report.json', BenchReportSchema);
  }
  out.markdown = await fsp.readFile(path.join(dir, 'report.md'), 'utf8').catch(() => undefined);
  return out;
}

/** A multi-model or multi-adapter parent: its report compares the sessions it ran. */
export function isParentSession(s: Pick<LoadedBenchSession, 'metadata'>): boolean {
  return s.metadata?.type === 'multi-model' || s.metadata?.type === 'multi-adapter';
}

/** `latest` for resume: newest session with progress.json and no report.json (spec §4.3). */
export async function latestIncompleteSession(logsRoot: string): Promise<string | undefined> {
  for (const id of await sessionIds(logsRoot)) {
    const dir = path.join(benchRoot(logsRoot), id);
    const has = (f: string) =>
      fsp
        .access(path.join(dir, f))
        .then(() => true)
        .catch(() => false);
    if (!(await has('report.json')) && (await has('progress.json'))) return id;
  }
  return undefined;
}
