import { promises as fsp, readdirSync, type Dirent } from 'node:fs';
import * as path from 'node:path';
import { safeModelName } from '../config/paths.js';
import { closestMatches } from '../util/closest.js';
import { NotFoundError, SkvmError, UsageError, errorMessage } from '../util/errors.js';
import { writeFileAtomic, writeJsonAtomic } from '../util/fs.js';
import {
  FailureReportsFileSchema,
  TcpSchema,
  describeIssues,
  type FailureReportsFile,
  type TCP,
  type TcpInput,
} from './schema.js';

/**
 * The profile cache, laid out exactly like the reference:
 *
 *   <profiles>/<harness>/<safeModelName(model)>/latest.json          current TCP (complete or partial)
 *   <profiles>/<harness>/<safeModelName(model)>/v_<stamp>.json       one archive per complete save
 *   <profiles>/<harness>/<safeModelName(model)>/failure-reports.json sidecar of the last run
 *
 * Every function takes the profiles directory first (engine.roots.profiles.value). Harness
 * and model directory names are checked against a strict pattern before any path is built.
 *
 * Unlike the reference, a partial latest.json (a crashed or running `--force` re-run) does
 * not hide an earlier complete profile: readers fall back to the newest complete version.
 */

export const LATEST_FILE = 'latest.json';
export const FAILURE_REPORTS_FILE = 'failure-reports.json';
const VERSION_FILE = /^v_(.+)\.json$/;

/** Harness and model directory names: no separators, no leading dot, no "..". */
const SAFE_DIR_NAME = /^[A-Za-z0-9_][A-Za-z0-9._+@-]{0,199}$/;
/** A version as it appears in `v_<version>.json` (tolerates the odd `20260410T124408.`). */
const SAFE_VERSION = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,99}$/;
/** Largest profile or sidecar file read (upstream sidecars reach ~240 KB). */
const MAX_FILE_BYTES = 64 * 1024 * 1024;
const IO_CONCURRENCY = 16;

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

// ── low-level reads ─────────────────────────────────────────────────────────────

async function readDirents(dir: string): Promise<Dirent[]> {
  try {
    return await fsp.readdir(dir, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw err;
  }
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

type ParseResult<T> = { ok: true; value: T; text: string } | { ok: false; reason: string };

async function readJsonWith<T>(file: string, parse: (raw: unknown) => ParseResult<T>): Promise<ParseResult<T> | undefined> {
  let text: string;
  try {
    const st = await fsp.stat(file);
    if (!st.isFile()) return { ok: false, reason: 'not a regular file' };
    if (st.size > MAX_FILE_BYTES) return { ok: false, reason: `larger than ${MAX_FILE_BYTES} bytes` };
    text = await fsp.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return { ok: false, reason: errorMessage(err) };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `not valid JSON: ${errorMessage(err)}` };
  }
  const r = parse(raw);
  return r.ok ? { ...r, text } : r;
}

function parseTcp(raw: unknown): ParseResult<TCP> {
  const r = TcpSchema.safeParse(raw);
  return r.success ? { ok: true, value: r.data, text: '' } : { ok: false, reason: `not a capability profile (${describeIssues(r.error)})` };
}

function parseFailureReports(raw: unknown): ParseResult<FailureReportsFile> {
  const r = FailureReportsFileSchema.safeParse(raw);
  return r.success ? { ok: true, value: r.data, text: '' } : { ok: false, reason: `not a failure-reports file (${describeIssues(r.error)})` };
}

function versionFileName(version: string): string {
  return `v_${version}.json`;
}

function versionsOf(fileNames: readonly string[]): string[] {
  const out: string[] = [];
  for (const n of fileNames) {
    const m = VERSION_FILE.exec(n);
    if (m) out.push(m[1]!);
  }
  // The reference sorts by version string, newest first.
  return out.sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
}

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

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface ProfileFileInfo {
  /** `latest.json` or `v_<version>.json`. */
  file: string;
  /** null for latest.json. */
  version: string | null;
  model: string;
  profiledAt: string;
  isPartial: boolean;
  primitiveCount: number;
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

function fileInfo(file: string, version: string | null, tcp: TCP): ProfileFileInfo {
  return {
    file,
    version,
    model: tcp.model,
    profiledAt: tcp.profiledAt,
    isPartial: tcp.isPartial,
    primitiveCount: Object.keys(tcp.capabilities).length,
  };
}

interface Resolution {
  latest?: { tcp: TCP; info: ProfileFileInfo };
  complete?: { tcp: TCP; info: ProfileFileInfo; path: string };
  invalid: Array<{ file: string; reason: string }>;
  versions: string[];
}

/** Read latest.json and, when it is not a complete profile, the versions newest-first until one is. */
async function resolveDir(dir: string): Promise<Resolution> {
  const names = (await readDirents(dir)).filter((d) => d.isFile()).map((d) => d.name);
  const versions = versionsOf(names);
  const res: Resolution = { invalid: [], versions };
  if (names.includes(LATEST_FILE)) {
    const r = await readJsonWith(path.join(dir, LATEST_FILE), parseTcp);
    if (r?.ok) {
      res.latest = { tcp: r.value, info: fileInfo(LATEST_FILE, null, r.value) };
      if (!r.value.isPartial) res.complete = { ...res.latest, path: path.join(dir, LATEST_FILE) };
    } else if (r) res.invalid.push({ file: LATEST_FILE, reason: r.reason });
  }
  if (!res.complete) {
    for (const v of versions) {
      const file = versionFileName(v);
      const r = await readJsonWith(path.join(dir, file), parseTcp);
      if (!r) continue;
      if (!r.ok) {
        res.invalid.push({ file, reason: r.reason });
        continue;
      }
      if (r.value.isPartial) continue;
      res.complete = { tcp: r.value, info: fileInfo(file, v, r.value), path: path.join(dir, file) };
      break;
    }
  }
  return res;
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

// ── resolving a reference ───────────────────────────────────────────────────────

export interface ProfileRef {
  harness: string;
  dirName: string;
}

function suggestKeys(keys: readonly ProfileKey[], harness: string | undefined, dirName: string): string[] {
  const full = keys.map((k) => `${k.harness}/${k.dirName}`);
  if (harness) {
    const byFull = closestMatches(`${harness}/${dirName}`, full, 3);
    if (byFull.length > 0) return byFull;
  }
  const near = new Set(closestMatches(dirName, keys.map((k) => k.dirName), 3));
  return full.filter((f) => near.has(f.slice(f.indexOf('/') + 1))).slice(0, 5);
}

function notFound(keys: readonly ProfileKey[], harness: string | undefined, dirName: string, what = 'profile'): NotFoundError {
  const name = harness ? `${harness}/${dirName}` : dirName;
  const hint = keys.length === 0 ? 'The profile cache is empty: import profiles with profiles_import or profile the model first.' : 'profiles_list shows every cached profile.';
  return new NotFoundError(what, name, suggestKeys(keys, harness, dirName), hint);
}

async function hasProfileFiles(dir: string): Promise<boolean> {
  for (const d of await readDirents(dir)) if (d.isFile() && (d.name === LATEST_FILE || VERSION_FILE.test(d.name))) return true;
  return false;
}

/**
 * Find the profile a user means. `model` may be a model id (`openrouter/qwen/qwen3.5-9b`) or
 * a directory name (`openrouter--qwen--qwen3.5-9b`). Without `harness`, the only harness
 * holding that model is chosen; several → UsageError listing them. Unknown → NotFoundError.
 */
export async function resolveProfileRef(profilesDir: string, ref: { harness?: string; model: string }): Promise<ProfileRef> {
  const dirName = toModelDirName(ref.model);
  if (ref.harness !== undefined && ref.harness !== '') {
    const harness = checkHarnessName(ref.harness);
    if (await hasProfileFiles(path.join(profilesDir, harness, dirName))) return { harness, dirName };
    throw notFound(await listProfileKeys(profilesDir), harness, dirName);
  }
  const keys = await listProfileKeys(profilesDir);
  const matches = keys.filter((k) => k.dirName === dirName);
  if (matches.length === 1) return { harness: matches[0]!.harness, dirName };
  if (matches.length > 1) {
    throw new UsageError(
      `Model "${ref.model}" has profiles under several harnesses: ${matches.map((m) => m.harness).join(', ')}.`,
      `Pass harness to choose one (e.g. harness "${matches[0]!.harness}").`,
    );
  }
  throw notFound(keys, undefined, dirName);
}

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

// ── saving ──────────────────────────────────────────────────────────────────────

function validateForSave(tcp: TcpInput): TCP {
  const r = TcpSchema.safeParse(tcp);
  if (!r.success) throw new UsageError(`Refusing to save an invalid capability profile: ${describeIssues(r.error)}`);
  return r.data;
}

export interface SavedProfile {
  latestPath: string;
  versionPath: string;
  version: string;
}

/** Save a complete profile: write v_<stamp>.json, then replace latest.json (both atomic). */
export async function saveProfile(profilesDir: string, tcp: TcpInput): Promise<SavedProfile> {
  const parsed = validateForSave(tcp);
  if (parsed.isPartial) throw new UsageError('saveProfile writes complete profiles; use savePartialProfile for a partial one.');
  const dir = profileDirPath(profilesDir, parsed.harness, parsed.model);
  const version = sanitizeTimestamp(parsed.profiledAt);
  if (!SAFE_VERSION.test(version)) {
    throw new UsageError(`profiledAt "${parsed.profiledAt}" does not give a usable version stamp.`, 'profiledAt must be an ISO-8601 timestamp.');
  }
  const versionPath = path.join(dir, versionFileName(version));
  const latestPath = path.join(dir, LATEST_FILE);
  await writeJsonAtomic(versionPath, parsed);
  await writeJsonAtomic(latestPath, parsed);
  return { latestPath, versionPath, version };
}

/** Checkpoint a profile in progress: latest.json only, with isPartial true (no archive). */
export async function savePartialProfile(profilesDir: string, tcp: TcpInput): Promise<string> {
  const parsed = validateForSave({ ...tcp, isPartial: true });
  const latestPath = path.join(profileDirPath(profilesDir, parsed.harness, parsed.model), LATEST_FILE);
  await writeJsonAtomic(latestPath, parsed);
  return latestPath;
}

/** Replace the failure-reports.json sidecar (the reference does not merge runs). */
export async function saveFailureReports(
  profilesDir: string,
  harness: string,
  model: string,
  reports: FailureReportsFile,
): Promise<string> {
  const r = FailureReportsFileSchema.safeParse(reports);
  if (!r.success) throw new UsageError(`Refusing to save invalid failure reports: ${describeIssues(r.error)}`);
  const file = path.join(profileDirPath(profilesDir, harness, model), FAILURE_REPORTS_FILE);
  await writeJsonAtomic(file, r.data);
  return file;
}

// ── import ──────────────────────────────────────────────────────────────────────

export type ImportStatus = 'imported' | 'replaced' | 'skipped-existing' | 'invalid' | 'ignored';

export interface ImportOutcome {
  /** `<harness>/<model>/<file>` relative to the source root. */
  file: string;
  status: ImportStatus;
  reason?: string;
}

export interface ImportCounts {
  imported: number;
  replaced: number;
  skippedExisting: number;
  invalid: number;
  ignored: number;
  total: number;
}

export interface ImportResult {
  /** The resolved directory files were read from (may be `<source>/profiles`). */
  source: string;
  destination: string;
  counts: ImportCounts;
  files: ImportOutcome[];
}

export interface ImportOptions {
  /** Replace files that already exist in the cache (default: keep them). */
  overwrite?: boolean;
  /** Only import this harness. */
  harness?: string;
}

interface Candidate {
  rel: string;
  abs: string;
  harness: string;
  dirName: string;
  name: string;
}

async function collectCandidates(root: string, harnessFilter: string | undefined): Promise<{ candidates: Candidate[]; ignored: ImportOutcome[]; harnesses: string[] }> {
  const candidates: Candidate[] = [];
  const ignored: ImportOutcome[] = [];
  const harnesses: string[] = [];
  for (const h of await readDirents(root)) {
    if (h.isSymbolicLink()) {
      ignored.push({ file: `${h.name}/`, status: 'ignored', reason: 'symbolic link' });
      continue;
    }
    if (!h.isDirectory()) continue;
    if (!isSafeDirName(h.name)) {
      ignored.push({ file: `${h.name}/`, status: 'ignored', reason: 'not a valid harness directory name' });
      continue;
    }
    harnesses.push(h.name);
    if (harnessFilter !== undefined && h.name !== harnessFilter) continue;
    for (const m of await readDirents(path.join(root, h.name))) {
      const mRel = `${h.name}/${m.name}`;
      if (m.isSymbolicLink()) {
        ignored.push({ file: `${mRel}/`, status: 'ignored', reason: 'symbolic link' });
        continue;
      }
      if (!m.isDirectory()) continue;
      if (!isSafeDirName(m.name)) {
        ignored.push({ file: `${mRel}/`, status: 'ignored', reason: 'not a valid model directory name' });
        continue;
      }
      for (const f of await readDirents(path.join(root, h.name, m.name))) {
        const rel = `${mRel}/${f.name}`;
        const known = f.name === LATEST_FILE || f.name === FAILURE_REPORTS_FILE || VERSION_FILE.test(f.name);
        if (f.isSymbolicLink()) {
          ignored.push({ file: rel, status: 'ignored', reason: 'symbolic link' });
        } else if (!f.isFile()) {
          ignored.push({ file: rel, status: 'ignored', reason: 'not a regular file' });
        } else if (!known) {
          ignored.push({ file: rel, status: 'ignored', reason: 'not latest.json, v_*.json or failure-reports.json' });
        } else if (VERSION_FILE.test(f.name) && !SAFE_VERSION.test(VERSION_FILE.exec(f.name)![1]!)) {
          ignored.push({ file: rel, status: 'ignored', reason: 'unusual version file name' });
        } else {
          candidates.push({ rel, abs: path.join(root, h.name, m.name, f.name), harness: h.name, dirName: m.name, name: f.name });
        }
      }
    }
  }
  return { candidates, ignored, harnesses };
}

function validateCandidate(c: Candidate, raw: unknown): string | undefined {
  if (c.name === FAILURE_REPORTS_FILE) {
    const r = parseFailureReports(raw);
    return r.ok ? undefined : r.reason;
  }
  const r = parseTcp(raw);
  if (!r.ok) return r.reason;
  if (r.value.harness !== c.harness) return `its harness "${r.value.harness}" does not match the directory "${c.harness}"`;
  let expected: string;
  try {
    expected = safeModelName(r.value.model);
  } catch (err) {
    return errorMessage(err);
  }
  if (expected !== c.dirName) return `its model "${r.value.model}" belongs in directory "${expected}", not "${c.dirName}"`;
  return undefined;
}

/**
 * Copy profiles from a directory laid out like the cache (`<harness>/<model>/{latest.json,
 * v_*.json, failure-reports.json}`, e.g. a checkout of SkVM-data's `profiles/`) into the
 * cache. Each file is validated first (invalid → skipped with the reason), symlinks and other
 * files are ignored, existing files are kept unless `overwrite`, and every write is atomic.
 * Files are copied byte for byte.
 */
export async function importProfiles(sourceDir: string, destDir: string, opts: ImportOptions = {}): Promise<ImportResult> {
  let root = path.resolve(sourceDir);
  let st: Awaited<ReturnType<typeof fsp.stat>>;
  try {
    st = await fsp.stat(root);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === 'ENOENT' ? `Source directory ${root} does not exist.` : `Cannot read source ${root}: ${errorMessage(err)}`,
      'Pass a local directory laid out as <harness>/<model>/latest.json, such as the profiles/ folder of SkVM-data.',
    );
  }
  if (!st.isDirectory()) {
    throw new UsageError(`Source ${root} is not a directory.`, 'Pass the directory that contains <harness>/<model>/ folders, not a single file.');
  }
  const harnessFilter = opts.harness === undefined || opts.harness === '' ? undefined : checkHarnessName(opts.harness);
  const destination = path.resolve(destDir);

  let found = await collectCandidates(root, harnessFilter);
  if (found.candidates.length === 0) {
    // A checkout of SkVM-data (or a cache root) holds the tree under profiles/.
    const nested = path.join(root, 'profiles');
    const nst = await fsp.lstat(nested).catch(() => undefined);
    if (nst?.isDirectory()) {
      const inner = await collectCandidates(nested, harnessFilter);
      if (inner.candidates.length > 0) {
        root = nested;
        found = inner;
      }
    }
  }
  if (harnessFilter !== undefined && !found.harnesses.includes(harnessFilter)) {
    throw new NotFoundError(
      'harness',
      harnessFilter,
      closestMatches(harnessFilter, found.harnesses, 3),
      found.harnesses.length ? `The source has: ${found.harnesses.join(', ')}.` : `No <harness>/<model>/ folders were found under ${root}.`,
    );
  }
  if (found.candidates.length === 0 && found.ignored.length === 0) {
    throw new UsageError(
      `No profile files found under ${root}.`,
      'Expected <harness>/<model>/latest.json, v_<stamp>.json or failure-reports.json below the source directory.',
    );
  }

  const overwrite = opts.overwrite === true;
  const outcomes = await mapLimit(found.candidates, IO_CONCURRENCY, async (c): Promise<ImportOutcome> => {
    let bytes: Buffer;
    try {
      const fst = await fsp.stat(c.abs);
      if (fst.size > MAX_FILE_BYTES) return { file: c.rel, status: 'invalid', reason: `larger than ${MAX_FILE_BYTES} bytes` };
      bytes = await fsp.readFile(c.abs);
    } catch (err) {
      return { file: c.rel, status: 'invalid', reason: `cannot read: ${errorMessage(err)}` };
    }
    let raw: unknown;
    try {
      raw = JSON.parse(bytes.toString('utf8'));
    } catch (err) {
      return { file: c.rel, status: 'invalid', reason: `not valid JSON: ${errorMessage(err)}` };
    }
    const problem = validateCandidate(c, raw);
    if (problem) return { file: c.rel, status: 'invalid', reason: problem };
    const dest = path.join(destination, c.harness, c.dirName, c.name);
    const existing = await fsp.lstat(dest).catch(() => undefined);
    if (existing?.isDirectory()) return { file: c.rel, status: 'invalid', reason: 'the destination is a directory' };
    if (existing && !overwrite) return { file: c.rel, status: 'skipped-existing', reason: 'already in the cache (pass overwrite to replace it)' };
    await writeFileAtomic(dest, bytes);
    return { file: c.rel, status: existing ? 'replaced' : 'imported' };
  });

  const files = [...outcomes, ...found.ignored].sort((a, b) => cmp(a.file, b.file));
  const counts: ImportCounts = { imported: 0, replaced: 0, skippedExisting: 0, invalid: 0, ignored: 0, total: files.length };
  for (const f of files) {
    if (f.status === 'imported') counts.imported++;
    else if (f.status === 'replaced') counts.replaced++;
    else if (f.status === 'skipped-existing') counts.skippedExisting++;
    else if (f.status === 'invalid') counts.invalid++;
    else counts.ignored++;
  }
  return { source: root, destination, counts, files };
}
