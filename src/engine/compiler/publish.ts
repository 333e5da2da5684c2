import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { ownerTag, sweepLeftovers } from '../sandbox/leftovers.js';
import { acquireLock } from '../util/lock.js';

/**
 * Staging and publishing variants. A variant is built in `<skillVariantsDir>/.staging_o<pid>.<start>_XXXXXX`
 * — beside its target, so publishing is a rename on one filesystem — and published by renaming
 * it over the target under the target's lock. Until that rename nothing of the new variant is
 * visible and the previous one is untouched; after it the previous one is gone whole. The names
 * carry their creator (sandbox/leftovers.ts), so what a killed compile left is swept by the next
 * compile of the same skill once its creator is gone.
 */

const STAGING_PREFIX = '.staging';
const REPLACED_PREFIX = '.replaced';
const LEFTOVER = /^\.(staging|replaced)_o\d+\.\d+_[A-Za-z0-9]{6}$/;

/** Whether a name beside the pass-tag folders is the compiler's own (a staging or replaced folder, a publish lock) rather than part of a legacy flat variant. */
export function isPublishEntry(name: string): boolean {
  return name.startsWith(`${STAGING_PREFIX}_`) || name.startsWith(`${REPLACED_PREFIX}_`) || /^p\d+(p\d+)*\.lock$/.test(name);
}

/** Creates an empty staging directory in `parent` (created when missing). */
export async function createStaging(parent: string): Promise<string> {
  await fsp.mkdir(parent, { recursive: true });
  return fsp.mkdtemp(path.join(parent, `${STAGING_PREFIX}${ownerTag()}`));
}

/** Removes staging and replaced directories in `parent` whose creating process is gone. */
export async function sweepStaging(parent: string): Promise<number> {
  return sweepLeftovers(parent, async (dir) => {
    if (!LEFTOVER.test(path.basename(dir))) throw new Error('not a staging directory');
    await fsp.rm(dir, { recursive: true, force: true });
  });
}

export interface PublishOptions {
  signal?: AbortSignal;
  /** Give up waiting for another compile publishing the same variant after this long. */
  lockTimeoutMs?: number;
}

/**
 * Replaces `target` with `staging`. An existing target is first moved aside (a rename), the
 * staging directory renamed into place, then the old one deleted; if the second rename fails
 * the old one is moved back. Readers see the old variant or the new one, or — for the instant
 * between the two renames — none, never a mix.
 */
export async function publishStaging(staging: string, target: string, opts: PublishOptions = {}): Promise<void> {
  const lock = await acquireLock(`${target}.lock`, { purpose: 'publish variant' }, { signal: opts.signal, timeoutMs: opts.lockTimeoutMs ?? 60_000, pollMs: 100 });
  let aside: string | undefined;
  try {
    aside = path.join(path.dirname(target), `${REPLACED_PREFIX}${ownerTag()}${randomBytes(6).toString('base64url').replace(/[^A-Za-z0-9]/g, '0').slice(0, 6)}`);
    try {
      await fsp.rename(target, aside);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      aside = undefined;
    }
    try {
      await fsp.rename(staging, target);
    } catch (err) {
      if (aside) await fsp.rename(aside, target);
      aside = undefined;
      throw err;
    }
  } finally {
    await lock.release();
  }
  if (aside) await fsp.rm(aside, { recursive: true, force: true });
}
