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

// The store is split by job; this barrel is its public API (importers load it lazily):
//   names.ts        file and directory names, versions, paths, URIs
//   list.ts         listing the cache (keys, summaries)
//   resolve-dir.ts  which file of a profile directory readers use
//   ref.ts          resolving the profile a user means
//   load.ts         loading profiles, versions, partial checkpoints, failure reports
//   save.ts         saving profiles, partial checkpoints, failure reports
//   import.ts       importing profiles from another directory
//   io.ts           low-level reads shared by the above

export {
  FAILURE_REPORTS_FILE,
  LATEST_FILE,
  checkHarnessName,
  isSafeDirName,
  modelFilter,
  normalizeVersion,
  profileDirPath,
  profileUri,
  sanitizeTimestamp,
  toModelDirName,
} from './names.js';
export { listProfileKeys, listProfiles, type ListProfilesOptions, type ProfileKey, type ProfileSummary } from './list.js';
export type { ProfileFileInfo } from './resolve-dir.js';
export { resolveProfileRef, type ProfileRef } from './ref.js';
export {
  findProfile,
  listVersionNames,
  listVersions,
  loadFailureReports,
  loadPartialProfile,
  loadProfile,
  type LoadProfileOptions,
  type LoadedProfile,
  type ProfileVersionInfo,
} from './load.js';
export { saveFailureReports, savePartialProfile, saveProfile, type SavedProfile } from './save.js';
export {
  importProfiles,
  type ImportCounts,
  type ImportOptions,
  type ImportOutcome,
  type ImportResult,
  type ImportStatus,
} from './import.js';
