/** Listing the profile cache: directory keys, and one summary per profile. */
import { readdirSync, type Dirent } from 'node:fs';
import * as path from 'node:path';
import { IO_CONCURRENCY, cmp } from './io.js';
import { mapLimit } from '../util/async.js';
import { FAILURE_REPORTS_FILE, LATEST_FILE, VERSION_FILE, isSafeDirName, profileUri } from './names.js';
import { resolveDir, type ProfileFileInfo } from './resolve-dir.js';

// ── listing ─────────────────────────────────────────────────────────────────────

export interface ProfileKey {
  harness: string;
  /** safeModelName(model): the directory name. */
  dirName: string;
  hasLatest: boolean;
  /** Number of v_*.json files. */
  versionCount: number;
  hasFailureReports: boolean;
}

/**
 * Every `<harness>/<model>` directory holding a latest.json or a v_*.json — directory
 * listings only, no file is opened (resources/list, completions). Sorted by harness, model.
 *
 * Synchronous readdir is several times faster than the promise API for thousands of tiny
 * directories (no thread-pool round trip per call), so the listing is done synchronously in
 * slices, yielding to the event loop between slices.
 */
export async function listProfileKeys(profilesDir: string): Promise<ProfileKey[]> {
  const models: Array<{ harness: string; dirName: string }> = [];
  for (const h of readDirentsSync(profilesDir, true)) {
    if (!h.isDirectory() || !isSafeDirName(h.name)) continue;
    for (const m of readDirentsSync(path.join(profilesDir, h.name), false)) {
      if (m.isDirectory() && isSafeDirName(m.name)) models.push({ harness: h.name, dirName: m.name });
    }
  }
  const keys: ProfileKey[] = [];
  for (let i = 0; i < models.length; i++) {
    if (i > 0 && i % KEY_SLICE === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    const { harness, dirName } = models[i]!;
    let hasLatest = false;
    let versionCount = 0;
    let hasFailureReports = false;
    for (const f of readDirentsSync(path.join(profilesDir, harness, dirName), false)) {
      if (!f.isFile()) continue;
      if (f.name === LATEST_FILE) hasLatest = true;
      else if (f.name === FAILURE_REPORTS_FILE) hasFailureReports = true;
      else if (VERSION_FILE.test(f.name)) versionCount++;
    }
    if (hasLatest || versionCount > 0) keys.push({ harness, dirName, hasLatest, versionCount, hasFailureReports });
  }
  return keys.sort((a, b) => cmp(a.harness, b.harness) || cmp(a.dirName, b.dirName));
}

/** Directories listed per slice before yielding to the event loop. */
const KEY_SLICE = 256;

/** A missing directory is empty; below the root, unreadable directories are skipped too. */
function readDirentsSync(dir: string, isRoot: boolean): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || !isRoot) return [];
    throw err;
  }
}

export interface ProfileSummary {
  harness: string;
  dirName: string;
  /** Model id as recorded in the profile (some older files lack the provider prefix). */
  model: string;
  /** From latest.json, or from the newest complete version when latest.json is missing or invalid. */
  profiledAt: string;
  isPartial: boolean;
  primitiveCount: number;
  versionCount: number;
  hasLatest: boolean;
  hasFailureReports: boolean;
  /** The file readers use: latest.json when complete, else the newest complete v_*.json; null when none. */
  latestComplete: ProfileFileInfo | null;
  /** Files that exist but failed to parse. */
  invalidFiles: Array<{ file: string; reason: string }>;
  uri: string;
}

export interface ListProfilesOptions {
  /** Decide from the directory names alone which profiles to read (saves parsing the rest). */
  filter?: (key: ProfileKey) => boolean;
}

/**
 * Every profile in the cache with its state. Directories where nothing parses are left out
 * (listProfileKeys still shows them).
 */
export async function listProfiles(profilesDir: string, opts: ListProfilesOptions = {}): Promise<ProfileSummary[]> {
  const all = await listProfileKeys(profilesDir);
  const keys = opts.filter ? all.filter(opts.filter) : all;
  const rows = await mapLimit(keys, IO_CONCURRENCY, async (k): Promise<ProfileSummary | undefined> => {
    const res = await resolveDir(path.join(profilesDir, k.harness, k.dirName));
    const shown = res.latest?.info ?? res.complete?.info;
    if (!shown) return undefined;
    return {
      harness: k.harness,
      dirName: k.dirName,
      model: shown.model,
      profiledAt: shown.profiledAt,
      isPartial: shown.isPartial,
      primitiveCount: shown.primitiveCount,
      versionCount: k.versionCount,
      hasLatest: k.hasLatest,
      hasFailureReports: k.hasFailureReports,
      latestComplete: res.complete?.info ?? null,
      invalidFiles: res.invalid,
      uri: profileUri(k.harness, k.dirName),
    };
  });
  return rows.filter((r): r is ProfileSummary => r !== undefined);
}
