/** Loading profiles, partial checkpoints, archived versions and failure-reports sidecars. */
import * as path from 'node:path';
import { closestMatches } from '../util/closest.js';
import { NotFoundError, SkvmError } from '../util/errors.js';
import { IO_CONCURRENCY, parseFailureReports, parseTcp, readDirents, readJsonWith } from './io.js';
import { mapLimit } from '../util/async.js';
import { listProfileKeys } from './list.js';
import { FAILURE_REPORTS_FILE, LATEST_FILE, normalizeVersion, profileDirPath, versionFileName, versionsOf } from './names.js';
import { hasProfileFiles, notFound } from './ref.js';
import { fileInfo, resolveDir, type ProfileFileInfo } from './resolve-dir.js';
import type { FailureReportsFile, TCP } from './schema.js';

// ── loading ─────────────────────────────────────────────────────────────────────

export interface LoadedProfile {
  tcp: TCP;
  harness: string;
  dirName: string;
  /** `latest.json` or `v_<version>.json`. */
  file: string;
  /** null when read from latest.json. */
  version: string | null;
  path: string;
  /** Why another file than latest.json was used (or that a partial one was). */
  note?: string;
}

export interface LoadProfileOptions {
  /** A specific archived version (`20260403T113957Z`, also `v_…` or `v_….json`). */
  version?: string;
  /** When no complete profile exists, return a partial latest.json instead of failing. */
  allowPartial?: boolean;
}

/** Like loadProfile, but null when there is no such (complete) profile. Invalid names still throw. */
export async function findProfile(
  profilesDir: string,
  harness: string,
  modelOrDirName: string,
  opts: LoadProfileOptions = {},
): Promise<LoadedProfile | null> {
  try {
    return await loadProfile(profilesDir, harness, modelOrDirName, opts);
  } catch (err) {
    if (err instanceof NotFoundError) return null;
    throw err;
  }
}

/**
 * Load one profile: latest.json when it is complete; otherwise the newest complete v_*.json
 * (a partial latest.json does not hide it); otherwise, with `allowPartial`, the partial
 * latest.json. With `version`, exactly that archive.
 */
export async function loadProfile(
  profilesDir: string,
  harness: string,
  modelOrDirName: string,
  opts: LoadProfileOptions = {},
): Promise<LoadedProfile> {
  const dir = profileDirPath(profilesDir, harness, modelOrDirName);
  const dirName = path.basename(dir);
  const base = { harness, dirName };

  if (opts.version !== undefined) {
    const version = normalizeVersion(opts.version);
    const file = versionFileName(version);
    const r = await readJsonWith(path.join(dir, file), parseTcp);
    if (!r) {
      const versions = versionsOf((await readDirents(dir)).filter((d) => d.isFile()).map((d) => d.name));
      if (versions.length === 0 && !(await hasProfileFiles(dir))) throw notFound(await listProfileKeys(profilesDir), harness, dirName);
      throw new NotFoundError(
        `version of ${harness}/${dirName}`,
        version,
        closestMatches(version, versions, 3),
        versions.length ? `Available: ${versions.slice(0, 10).join(', ')}.` : 'This profile has no archived versions.',
      );
    }
    if (!r.ok) throw invalidProfile(`${harness}/${dirName}/${file}`, r.reason);
    return { ...base, tcp: r.value, file, version, path: path.join(dir, file) };
  }

  const res = await resolveDir(dir);
  if (res.complete) {
    const out: LoadedProfile = { ...base, tcp: res.complete.tcp, file: res.complete.info.file, version: res.complete.info.version, path: res.complete.path };
    if (res.complete.info.version !== null) {
      if (res.latest?.tcp.isPartial) {
        out.note = `latest.json is a partial profile (${res.latest.info.primitiveCount} primitives, profiled ${res.latest.info.profiledAt}; profiling is running or was interrupted); showing the newest complete version ${res.complete.info.version}.`;
      } else if (res.invalid.some((i) => i.file === LATEST_FILE)) {
        out.note = `latest.json is invalid; showing the newest complete version ${res.complete.info.version}.`;
      } else {
        out.note = `No latest.json; showing the newest complete version ${res.complete.info.version}.`;
      }
    }
    return out;
  }
  if (res.latest && opts.allowPartial) {
    return {
      ...base,
      tcp: res.latest.tcp,
      file: LATEST_FILE,
      version: null,
      path: path.join(dir, LATEST_FILE),
      note: `Partial profile: ${res.latest.info.primitiveCount} primitives so far (profiling is running or was interrupted); no complete version exists.`,
    };
  }
  if (res.latest) {
    throw new NotFoundError(
      'complete profile',
      `${harness}/${dirName}`,
      [],
      `Only a partial profile exists (${res.latest.info.primitiveCount} primitives); finish profiling this model first.`,
    );
  }
  if (res.invalid.length > 0) {
    throw invalidProfile(`${harness}/${dirName}`, res.invalid.map((i) => `${i.file}: ${i.reason}`).join('; '));
  }
  throw notFound(await listProfileKeys(profilesDir), harness, dirName);
}

function invalidProfile(where: string, reason: string): SkvmError {
  return new SkvmError(`Profile ${where} cannot be read: ${reason}`, {
    code: 'invalid_profile',
    hint: 'Re-import the profile with profiles_import (overwrite: true) or profile the model again.',
  });
}

/** The partial latest.json of a profile (the profiler's resume point), or null. */
export async function loadPartialProfile(profilesDir: string, harness: string, modelOrDirName: string): Promise<TCP | null> {
  const r = await readJsonWith(path.join(profileDirPath(profilesDir, harness, modelOrDirName), LATEST_FILE), parseTcp);
  return r?.ok && r.value.isPartial ? r.value : null;
}

/** Archived version names (no file is parsed), newest first. */
export async function listVersionNames(profilesDir: string, harness: string, modelOrDirName: string): Promise<string[]> {
  const dir = profileDirPath(profilesDir, harness, modelOrDirName);
  return versionsOf((await readDirents(dir)).filter((d) => d.isFile()).map((d) => d.name));
}

export interface ProfileVersionInfo extends ProfileFileInfo {
  version: string;
}

/** Archived versions that parse, newest first (by version string, like the reference). */
export async function listVersions(profilesDir: string, harness: string, modelOrDirName: string): Promise<ProfileVersionInfo[]> {
  const dir = profileDirPath(profilesDir, harness, modelOrDirName);
  const versions = versionsOf((await readDirents(dir)).filter((d) => d.isFile()).map((d) => d.name));
  const infos = await mapLimit(versions, IO_CONCURRENCY, async (v) => {
    const file = versionFileName(v);
    const r = await readJsonWith(path.join(dir, file), parseTcp);
    return r?.ok ? ({ ...fileInfo(file, v, r.value), version: v } as ProfileVersionInfo) : undefined;
  });
  return infos.filter((i): i is ProfileVersionInfo => i !== undefined);
}

/**
 * The failure-reports.json sidecar, or null when absent. An unreadable or malformed sidecar
 * is an error naming the file.
 */
export async function loadFailureReports(profilesDir: string, harness: string, modelOrDirName: string): Promise<FailureReportsFile | null> {
  const dir = profileDirPath(profilesDir, harness, modelOrDirName);
  const r = await readJsonWith(path.join(dir, FAILURE_REPORTS_FILE), parseFailureReports);
  if (!r) return null;
  if (!r.ok) throw invalidProfile(`${harness}/${path.basename(dir)}/${FAILURE_REPORTS_FILE}`, r.reason);
  return r.value;
}
