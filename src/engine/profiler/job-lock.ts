import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { profileDirPath } from '../profiles/store.js';
import { SkvmError } from '../util/errors.js';
import { acquireLock, tryLock, type HeldLock, type LockOwner, type TryLockResult } from '../util/lock.js';

/**
 * One profiling of a (model, harness) at a time, across processes: a lock file in the profile's
 * cache directory, held while a job plans and runs. Whoever finds it taken waits and then
 * plans again against the profile the other run left (so it reuses it), or reports the other
 * run. A holder that died or froze loses the lock (util/lock.ts).
 */

export const PROFILE_LOCK_FILE = 'profiling.lock';

export interface JobKey {
  model: string;
  harness: string;
}

export function profileLockPath(profilesDir: string, j: JobKey): string {
  return path.join(profileDirPath(profilesDir, j.harness, j.model), PROFILE_LOCK_FILE);
}

/** What a lock says about its holder beyond util/lock's fields. */
function holderInfo(j: JobKey, runId: string | undefined): Record<string, unknown> {
  return { model: j.model, harness: j.harness, ...(runId ? { runId } : {}) };
}

export async function tryJobLock(profilesDir: string, j: JobKey, runId: string | undefined): Promise<TryLockResult> {
  const file = profileLockPath(profilesDir, j);
  await fsp.mkdir(path.dirname(file), { recursive: true });
  return tryLock(file, holderInfo(j, runId));
}

export function waitForJobLock(profilesDir: string, j: JobKey, runId: string | undefined, opts: { signal?: AbortSignal; onBusy?: (owner: LockOwner | undefined) => void }): Promise<HeldLock> {
  return acquireLock(profileLockPath(profilesDir, j), holderInfo(j, runId), opts);
}

/** `run <id> (process <pid> on <host>, since <time>)`, as far as the lock tells. */
export function describeHolder(owner: LockOwner | undefined): string {
  if (!owner) return 'another process';
  const run = typeof owner.runId === 'string' ? `run ${owner.runId} ` : '';
  return `${run}(process ${owner.pid} on ${owner.host}, since ${owner.startedAt})`;
}

export function profileRunningError(j: JobKey, owner: LockOwner | undefined): SkvmError {
  return new SkvmError(`${j.model} on ${j.harness} is already being profiled by ${describeHolder(owner)}.`, {
    code: 'profile_running',
    hint: `Wait for that run${typeof owner?.runId === 'string' ? ` (run_status ${owner.runId})` : ''} and read its profile, or call profile again with ifRunning "wait" to wait and reuse it.`,
  });
}
