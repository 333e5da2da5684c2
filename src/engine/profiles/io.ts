/** Low-level reads shared by the profile modules: directory entries, size-capped JSON files, bounded concurrency. */
import { promises as fsp, type Dirent } from 'node:fs';
import { errorMessage } from '../util/errors.js';
import { FailureReportsFileSchema, TcpSchema, describeIssues, type FailureReportsFile, type TCP } from './schema.js';

/** Largest profile or sidecar file read (upstream sidecars reach ~240 KB). */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;
export const IO_CONCURRENCY = 16;

// ── low-level reads ─────────────────────────────────────────────────────────────

export async function readDirents(dir: string): Promise<Dirent[]> {
  try {
    return await fsp.readdir(dir, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw err;
  }
}

export type ParseResult<T> = { ok: true; value: T; text: string } | { ok: false; reason: string };

export async function readJsonWith<T>(file: string, parse: (raw: unknown) => ParseResult<T>): Promise<ParseResult<T> | undefined> {
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

export function parseTcp(raw: unknown): ParseResult<TCP> {
  const r = TcpSchema.safeParse(raw);
  return r.success ? { ok: true, value: r.data, text: '' } : { ok: false, reason: `not a capability profile (${describeIssues(r.error)})` };
}

export function parseFailureReports(raw: unknown): ParseResult<FailureReportsFile> {
  const r = FailureReportsFileSchema.safeParse(raw);
  return r.success ? { ok: true, value: r.data, text: '' } : { ok: false, reason: `not a failure-reports file (${describeIssues(r.error)})` };
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
