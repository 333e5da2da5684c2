/** Saving complete profiles, partial checkpoints and failure-reports sidecars (every write atomic). */
import * as path from 'node:path';
import { UsageError } from '../util/errors.js';
import { jsonFileText, writeFilesAtomic, writeJsonAtomic } from '../util/fs.js';
import { FAILURE_REPORTS_FILE, LATEST_FILE, SAFE_VERSION, profileDirPath, sanitizeTimestamp, versionFileName } from './names.js';
import { FailureReportsFileSchema, TcpSchema, describeIssues, type FailureReportsFile, type TCP, type TcpInput } from './schema.js';

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
  /** The profile as validated and written. */
  profile: TCP;
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
  // The archive first, then latest.json; both temp files written and synced together.
  const text = jsonFileText(parsed);
  await writeFilesAtomic([
    [versionPath, text],
    [latestPath, text],
  ]);
  return { latestPath, versionPath, version, profile: parsed };
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
