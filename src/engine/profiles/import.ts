/** Importing profiles from a directory laid out like the cache (e.g. SkVM-data's profiles/). */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { safeModelName } from '../config/paths.js';
import { closestMatches } from '../util/closest.js';
import { NotFoundError, UsageError, errorMessage } from '../util/errors.js';
import { writeFileAtomic } from '../util/fs.js';
import { IO_CONCURRENCY, MAX_FILE_BYTES, cmp, parseFailureReports, parseTcp, readDirents } from './io.js';
import { mapLimit } from '../util/async.js';
import { FAILURE_REPORTS_FILE, LATEST_FILE, SAFE_VERSION, VERSION_FILE, checkHarnessName, isSafeDirName } from './names.js';

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
