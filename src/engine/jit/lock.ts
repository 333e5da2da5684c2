import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { describeHolder } from '../profiler/job-lock.js';
import { OPTIMIZE_LOCK_FILE } from '../proposals/paths.js';
import { SkvmError } from '../util/errors.js';
import { tryLock, type HeldLock } from '../util/lock.js';

/**
 * One optimization per skill at a time (spec runtime §5.8): `<proposalKeyDir>/.optimize.lock`,
 * i.e. per (harness, target model, skill). A second optimizer is refused at once with the holder
 * named — not queued: two optimizations of one skill would propose competing edits from the
 * same evidence, and a host that wants to wait can watch the first with run_status. A holder
 * that died or froze loses the lock (util/lock.ts heartbeat and dead-pid reaping).
 */

export interface OptimizeLockKey {
  harness: string;
  targetModel: string;
  skillName: string;
}

export async function acquireOptimizeLock(keyDir: string, key: OptimizeLockKey, runId: string | undefined): Promise<HeldLock> {
  await fsp.mkdir(keyDir, { recursive: true });
  const file = path.join(keyDir, OPTIMIZE_LOCK_FILE);
  const r = await tryLock(file, { ...key, ...(runId ? { runId } : {}) });
  if (r.acquired) return r.lock;
  const run = typeof r.owner?.runId === 'string' ? r.owner.runId : undefined;
  throw new SkvmError(`another optimization is in progress for ${key.harness}/${key.targetModel}/${key.skillName}: ${describeHolder(r.owner)}.`, {
    code: 'optimize_running',
    hint: `Wait for it to finish${run ? ` (run_status ${run})` : ''}, then read its proposal with proposals_list. If no skvm process is running it, delete ${file}.`,
  });
}
