import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { newSessionId, shortModel } from '../logs/session-id.js';
import { UsageError } from '../util/errors.js';

export { sanitizeTag, shortModel, timestampId } from '../logs/session-id.js';

/**
 * Bench session ids: `YYYYMMDD-HHMMSS-bench-<tag>` (spec runtime §4.4, local time; tag limited to
 * `[A-Za-z0-9.+-]`, ≤ 60 characters, `untagged` when empty). The id is generated ONCE and its
 * directory claimed atomically (mkdir without `recursive`); when two sessions would share an id
 * (same second, same short model — spec §10 #3/#27) the later one gets `-2`, `-3`, …
 */

export const SESSION_ID_PATTERN = /^\d{8}-\d{6}-bench-[A-Za-z0-9.+-]{1,80}$/;

export function isSessionId(id: string): boolean {
  return SESSION_ID_PATTERN.test(id) && !id.includes('..');
}

/** Throws UsageError before anything touches the filesystem. */
export function assertSessionId(id: string): void {
  if (!isSessionId(id)) {
    throw new UsageError(`"${id}" is not a bench session id.`, 'Bench session ids look like 20250101-120000-bench-model-no-skill+original; list them with the bench sessions listing.');
  }
}

export function conditionTag(conditions: string[]): string {
  return [...conditions].sort().join('+');
}

/**
 * The tag of one (model, adapter) session: the reference's `<shortModel>-<conditions>` when the
 * bench has one adapter (ids unchanged). With several, the adapter leads, as in run sessions'
 * `<adapter>-<shortModel>-…`, so the pairs' ids differ and the 60-character cut never drops it.
 */
export function pairTag(model: string, adapter: string, conditions: string[], severalAdapters: boolean): string {
  return `${severalAdapters ? `${adapter}-` : ''}${shortModel(model)}-${conditionTag(conditions)}`;
}

/**
 * The parent session's tag: the reference's `<n>m-<conditions>` (several models, one adapter) and
 * `<n>a-<shortModel>-<conditions>` (several adapters, one model); a cross, which the reference
 * refuses, is `<n>m<k>a-<conditions>`.
 */
export function parentTag(models: string[], adapters: string[], conditions: string[]): string {
  const conds = conditionTag(conditions);
  if (adapters.length === 1) return `${models.length}m-${conds}`;
  if (models.length === 1) return `${adapters.length}a-${shortModel(models[0]!)}-${conds}`;
  return `${models.length}m${adapters.length}a-${conds}`;
}

export function generateSessionId(tag: string, now: Date = new Date()): string {
  return newSessionId('bench', tag, now);
}

export function benchRoot(logsRoot: string): string {
  return path.join(logsRoot, 'bench');
}

export function sessionDir(logsRoot: string, id: string): string {
  assertSessionId(id);
  return path.join(benchRoot(logsRoot), id);
}

/** Create a fresh session directory; returns the id actually used (suffixed on collision). */
export async function claimSessionDir(logsRoot: string, tag: string, now: Date = new Date()): Promise<{ id: string; dir: string }> {
  const root = benchRoot(logsRoot);
  await fsp.mkdir(root, { recursive: true });
  const base = generateSessionId(tag, now);
  for (let i = 1; i < 1000; i++) {
    const id = i === 1 ? base : `${base}-${i}`;
    const dir = path.join(root, id);
    try {
      await fsp.mkdir(dir);
      return { id, dir };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  throw new Error(`Could not create a session directory for ${base} under ${root}.`);
}
