import * as path from 'node:path';
import { parseFailureReports, parseTcp, readJsonWith } from '../profiles/io.js';
import { findProfile, loadFailureReports, loadProfile } from '../profiles/load.js';
import { FAILURE_REPORTS_FILE, toModelDirName } from '../profiles/names.js';
import type { FailureReportsFile, TCP } from '../profiles/schema.js';
import { NotFoundError, SkvmError, UsageError, errorMessage } from '../util/errors.js';
import type { Logger } from '../util/log.js';
import type { CompilerPass } from './types.js';

/**
 * The capability profile a compile uses: a file the user names (validated, and checked against
 * the target model and harness), else the newest complete cached profile of the target. A
 * profile is loaded whenever there is one — passes use it when present — but only a selected
 * pass that requires one makes its absence an error.
 */

export interface ProfileSource {
  tcp: TCP;
  failureReports?: FailureReportsFile;
  /** `cache` (the profile cache), `file` (profileFile), `profiled` (profiled by this compile). */
  from: 'cache' | 'file' | 'profiled';
  path: string;
  profiledAt: string;
  note?: string;
}

export interface ProfileTarget {
  profilesDir: string;
  model: string;
  harness: string;
}

/** The profile in a file named by the user; its model and harness must be the target's unless `allowMismatch`. */
export async function profileFromFile(file: string, target: ProfileTarget, allowMismatch: boolean): Promise<ProfileSource> {
  const abs = path.resolve(file);
  const read = await readJsonWith(abs, parseTcp);
  if (!read) throw new UsageError(`No profile file at ${abs}.`, 'profileFile names a profile JSON file (latest.json or v_<version>.json of a profile folder).');
  if (!read.ok) throw new UsageError(`${abs} is not usable as a profile: ${read.reason}.`, 'profileFile names a profile JSON file written by profile or imported from SkVM data.');
  const tcp = read.value;
  const mismatch = [
    sameModel(tcp.model, target.model) ? undefined : `model ${tcp.model} (target: ${target.model})`,
    tcp.harness === target.harness ? undefined : `harness ${tcp.harness} (target: ${target.harness})`,
  ].filter((m): m is string => !!m);
  if (mismatch.length > 0 && !allowMismatch) {
    throw new UsageError(
      `${abs} profiles another target: ${mismatch.join(', ')}.`,
      'A skill compiled against another model’s profile compensates for the wrong gaps. Set allowProfileMismatch to use it anyway.',
    );
  }
  if (tcp.isPartial) throw new UsageError(`${abs} is a partial profile (profiling was interrupted).`, 'Finish profiling that model, or name a complete profile file.');
  const reports = await readJsonWith(path.join(path.dirname(abs), FAILURE_REPORTS_FILE), parseFailureReports);
  return {
    tcp,
    ...(reports?.ok ? { failureReports: reports.value } : {}),
    from: 'file',
    path: abs,
    profiledAt: tcp.profiledAt,
    ...(mismatch.length > 0 ? { note: `profile of another target used on request: ${mismatch.join(', ')}` } : {}),
  };
}

/** The newest complete cached profile of the target, or undefined. */
export async function cachedProfile(target: ProfileTarget, log?: Logger): Promise<ProfileSource | undefined> {
  const found = await findProfile(target.profilesDir, target.harness, target.model);
  if (!found) return undefined;
  let failureReports: FailureReportsFile | undefined;
  try {
    failureReports = (await loadFailureReports(target.profilesDir, target.harness, target.model)) ?? undefined;
  } catch (err) {
    // Failure reports are evidence for pass 1, not a requirement: compile without them.
    log?.warn(`failure reports of ${target.harness}/${found.dirName} not used: ${errorMessage(err)}`);
  }
  return { tcp: found.tcp, ...(failureReports ? { failureReports } : {}), from: 'cache', path: found.path, profiledAt: found.tcp.profiledAt, ...(found.note ? { note: found.note } : {}) };
}

/**
 * The error for a missing profile that selected passes need, naming the closest cached
 * profiles (or saying that only a partial one exists).
 */
export async function missingProfileError(target: ProfileTarget, needing: readonly CompilerPass[]): Promise<SkvmError> {
  const passes = needing.map((p) => `${p.number} (${p.id})`).join(', ');
  const what = `Pass${needing.length > 1 ? 'es' : ''} ${passes} need${needing.length > 1 ? '' : 's'} a complete capability profile of ${target.model} on ${target.harness}`;
  const todo = 'Set profileIfMissing to profile it first, import profiles with profiles_import, or leave those passes out.';
  try {
    await loadProfile(target.profilesDir, target.harness, target.model);
  } catch (err) {
    // The loader's hint names the closest cached profiles, or says only a partial one exists.
    if (err instanceof NotFoundError) return new SkvmError(`${what}; no complete one is cached.`, { code: 'not_found', hint: [err.hint, todo].filter(Boolean).join(' ') });
    return err instanceof SkvmError ? err : new SkvmError(`${what}: ${errorMessage(err)}`);
  }
  return new SkvmError(`${what}; it could not be loaded.`, { code: 'not_found', hint: todo });
}

/** Older profiles name the model without its provider prefix (`qwen/qwen3-30b` for `openrouter/qwen/qwen3-30b`). */
function sameModel(profiled: string, target: string): boolean {
  if (profiled === target || target.endsWith(`/${profiled}`) || profiled.endsWith(`/${target}`)) return true;
  try {
    return toModelDirName(profiled) === toModelDirName(target);
  } catch {
    return false; // a model id no directory could be named after is no match
  }
}
