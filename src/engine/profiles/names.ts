/** Names and paths in the profile cache: file names, directory names, versions, URIs (layout: see store.ts). */
import * as path from 'node:path';
import { modelDirKey, safeModelName } from '../config/paths.js';
import { UsageError, errorMessage } from '../util/errors.js';

export const LATEST_FILE = 'latest.json';
export const FAILURE_REPORTS_FILE = 'failure-reports.json';
export const VERSION_FILE = /^v_(.+)\.json$/;

/** Harness and model directory names: no separators, no leading dot, no "..". */
const SAFE_DIR_NAME = /^[A-Za-z0-9_][A-Za-z0-9._+@-]{0,199}$/;
/** A version as it appears in `v_<version>.json` (tolerates the odd `20260410T124408.`). */
export const SAFE_VERSION = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,99}$/;

export function isSafeDirName(name: string): boolean {
  return SAFE_DIR_NAME.test(name) && !name.includes('..');
}

/** Validate a harness name for use as a directory; UsageError otherwise. */
export function checkHarnessName(harness: string): string {
  if (!isSafeDirName(harness)) {
    throw new UsageError(
      `"${harness}" is not a valid harness name.`,
      'Harness names are single path segments of letters, digits, ".", "_", "+", "@" or "-" (e.g. bare-agent, openclaw).',
    );
  }
  return harness;
}

/**
 * The cache directory name for a model id or an existing directory name: `/` → `--`,
 * `:` → `_` (safeModelName is the identity on a directory name). UsageError when unsafe.
 */
export function toModelDirName(modelOrDirName: string): string {
  let dirName: string;
  try {
    dirName = safeModelName(modelOrDirName.trim());
  } catch (err) {
    throw new UsageError(errorMessage(err), 'Pass a model id such as openrouter/qwen/qwen3.5-9b or its directory name openrouter--qwen--qwen3.5-9b.');
  }
  if (!isSafeDirName(dirName)) {
    throw new UsageError(
      `"${modelOrDirName}" is not a usable model id or profile directory name.`,
      'Model ids look like openrouter/qwen/qwen3.5-9b; directory names like openrouter--qwen--qwen3.5-9b. "..", "\\" and other special characters are refused.',
    );
  }
  return dirName;
}

/**
 * A user's model filter (a case-insensitive substring of the model id or of its directory name).
 * A substring of an id maps to a substring of the directory name, so `dirMatches` decides from
 * directory names alone, before any profile file is read; `matches` is the final test once the
 * recorded model id is known.
 */
export function modelFilter(needle: string): { dirMatches(dirName: string): boolean; matches(model: string, dirName: string): boolean } {
  const lower = needle.toLowerCase();
  const dirNeedle = modelDirKey(lower);
  const dirMatches = (dirName: string) => {
    const d = dirName.toLowerCase();
    return d.includes(dirNeedle) || d.includes(lower);
  };
  return { dirMatches, matches: (model, dirName) => model.toLowerCase().includes(lower) || dirMatches(dirName) };
}

/** Version string from user input: accepts `20260403T113957Z`, `v_20260403T113957Z` or `v_20260403T113957Z.json`. */
export function normalizeVersion(version: string): string {
  let v = version.trim();
  const m = VERSION_FILE.exec(v);
  if (m) v = m[1]!;
  else if (v.startsWith('v_')) v = v.slice(2);
  if (!SAFE_VERSION.test(v)) {
    throw new UsageError(`"${version}" is not a profile version.`, 'Versions look like 20260403T113957Z (profile_show lists them).');
  }
  return v;
}

/**
 * The reference's archive stamp: drop every `-` and `:`, then `.<digits>Z` at the end → `Z`,
 * then `.<digits>+` → `+`. `2026-04-03T11:39:57.566Z` → `20260403T113957Z`.
 */
export function sanitizeTimestamp(profiledAt: string): string {
  return profiledAt
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')
    .replace(/\.\d+\+/, '+');
}

/** Absolute directory of one profile; both names are validated. */
export function profileDirPath(profilesDir: string, harness: string, modelOrDirName: string): string {
  return path.join(profilesDir, checkHarnessName(harness), toModelDirName(modelOrDirName));
}

/** The resource URI of a profile. */
export function profileUri(harness: string, dirName: string): string {
  return `skvm://profiles/${encodeURIComponent(harness)}/${encodeURIComponent(dirName)}`;
}

export function versionFileName(version: string): string {
  return `v_${version}.json`;
}

export function versionsOf(fileNames: readonly string[]): string[] {
  const out: string[] = [];
  for (const n of fileNames) {
    const m = VERSION_FILE.exec(n);
    if (m) out.push(m[1]!);
  }
  // The reference sorts by version string, newest first.
  return out.sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
}
