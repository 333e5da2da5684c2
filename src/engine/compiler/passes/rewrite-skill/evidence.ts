import * as path from 'node:path';
import type { ProbeLevel } from '../../../primitives/catalog.js';
import type { FailureReportsFile, TCP } from '../../../profiles/schema.js';
import { isInside, writeConfinedText } from '../../../sandbox/index.js';
import { oneLine, readExcerpt } from './text.js';

/**
 * What the profile says about the gap primitives — and only those (spec §9.3 item 5): level
 * results, the failure reports sidecar, and excerpts of the failed instances' logs.
 *
 * The TCP names its failure artifacts by absolute paths on the machine that profiled. They are
 * followed only inside `profileLogDir` (this profile's own log folder); a path elsewhere, a
 * symlink, a device or a hard link is refused. Excerpts are copied to
 * `<workDir>/_profiling/<primitive>/<level>/` under names we choose, within a byte budget shared
 * evenly by the gap primitives and their files: over-long files are cut, never left out.
 */

export const EVIDENCE_BUDGET_BYTES = 64 * 1024;
export const EVIDENCE_FILE_MAX_BYTES = 16 * 1024;
/** Failed instances per level whose details, reports and logs are used. */
const PER_LEVEL = 2;
const DETAIL_CHARS = 200;
const DETAILS_PER_LEVEL = 3;

export interface LevelEvidence {
  level: ProbeLevel;
  passed: boolean;
  passCount: number;
  totalCount: number;
  skipCount: number;
  testDescription: string;
  failureDetails: string[];
}

export interface FailureEvidence {
  level: string;
  instance: number;
  evalDetails: string;
  agentText: string;
  toolErrors: string[];
}

export interface CopiedFile {
  /** Path inside workDir. */
  rel: string;
  size: number;
  truncated: boolean;
}

export interface PrimitiveEvidence {
  primitiveId: string;
  levels: LevelEvidence[];
  failures: FailureEvidence[];
  files: CopiedFile[];
}

export interface EvidenceRequest {
  primitives: readonly string[];
  tcp: TCP;
  failureReports?: FailureReportsFile;
  profileLogDir?: string;
  workDir: string;
  budgetBytes?: number;
}

export interface Evidence {
  byPrimitive: Map<string, PrimitiveEvidence>;
  copiedBytes: number;
  /** Artifact paths not followed (outside the profile's log folder, or not a readable regular file). */
  refused: number;
}

export async function collectEvidence(req: EvidenceRequest): Promise<Evidence> {
  const byPrimitive = new Map<string, PrimitiveEvidence>();
  const share = Math.floor((req.budgetBytes ?? EVIDENCE_BUDGET_BYTES) / Math.max(1, req.primitives.length));
  let copiedBytes = 0;
  let refused = 0;

  for (const primitiveId of req.primitives) {
    const detail = req.tcp.details.find((d) => d.primitiveId === primitiveId);
    const levels: LevelEvidence[] = (detail?.levelResults ?? []).map((r) => ({
      level: r.level,
      passed: r.passed,
      passCount: r.passCount,
      totalCount: r.totalCount,
      skipCount: r.skipCount,
      testDescription: r.testDescription,
      failureDetails: r.passed ? [] : r.failureDetails.slice(0, DETAILS_PER_LEVEL).map((d) => oneLine(d, DETAIL_CHARS)),
    }));
    const failures = reportsFor(req.failureReports, primitiveId);

    const sources: Array<{ from: string; to: string }> = [];
    for (const r of detail?.levelResults ?? []) {
      if (r.passed) continue;
      (r.failureArtifacts ?? []).slice(0, PER_LEVEL).forEach((a, k) => {
        const dir = `_profiling/${primitiveId}/${r.level}`;
        sources.push({ from: a.convLog, to: `${dir}/failure-${k}.jsonl` }, { from: a.evalScript, to: `${dir}/failure-${k}-eval.sh` });
      });
    }
    const followable = req.profileLogDir ? sources.filter((s) => path.isAbsolute(s.from) && isInside(path.resolve(req.profileLogDir!), path.resolve(s.from))) : [];
    refused += sources.length - followable.length;
    const perFile = Math.min(EVIDENCE_FILE_MAX_BYTES, Math.floor(share / Math.max(1, followable.length)));
    const files: CopiedFile[] = [];
    for (const s of followable) {
      const excerpt = perFile > 0 ? await readExcerpt(req.profileLogDir!, s.from, perFile).catch(() => undefined) : undefined;
      if (!excerpt) {
        refused++;
        continue;
      }
      await writeConfinedText(req.workDir, s.to, excerpt.text);
      copiedBytes += Buffer.byteLength(excerpt.text);
      files.push({ rel: s.to, size: excerpt.size, truncated: excerpt.truncated });
    }
    byPrimitive.set(primitiveId, { primitiveId, levels, failures, files });
  }
  return { byPrimitive, copiedBytes, refused };
}

function reportsFor(file: FailureReportsFile | undefined, primitiveId: string): FailureEvidence[] {
  if (!file) return [];
  const out: FailureEvidence[] = [];
  for (const [key, reports] of Object.entries(file.reports)) {
    if (!key.startsWith(`${primitiveId}/`)) continue;
    for (const r of reports.slice(0, PER_LEVEL)) {
      out.push({
        level: r.level,
        instance: Number(r.instance),
        evalDetails: oneLine(r.evalDetails, DETAIL_CHARS),
        agentText: oneLine(r.agentText, DETAIL_CHARS),
        toolErrors: r.toolCallSummary.errors.slice(0, 2).map((e) => oneLine(`${e.tool} exited ${e.exitCode}${e.output ? `: ${e.output}` : ''}`, 150)),
      });
    }
  }
  return out;
}
