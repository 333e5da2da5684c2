import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { discoverTranscripts, parseTranscriptFile, transcriptToEvidence } from '../transcripts/index.js';
import { errorMessage, UsageError } from '../util/errors.js';
import type { Evidence, EvidenceCriterion } from './types.js';

/**
 * The `log` task source (spec runtime §5.2 execution-log): every transcript becomes ONE
 * Evidence through the transcript parsers (Claude Code, Codex, our own logs, …), with the task
 * id from the file name (`#2`, `#3`… for repeats). A `criteriaPath` paired with a log replaces
 * its criteria with what a person wrote about the failure. Unreadable logs are skipped with a
 * warning; none left is an error. `latestSession` picks the newest discovered session that
 * loaded the skill.
 */

export interface LogRef {
  path: string;
  criteriaPath?: string;
}

const CriterionSchema = z.object({
  id: z.string(),
  name: z.string().optional(),
  method: z.enum(['script', 'file-check', 'llm-judge', 'custom']),
  description: z.string().optional(),
  weight: z.number().nonnegative(),
  score: z.number().min(0).max(1),
  passed: z.boolean(),
  details: z.string().optional(),
  infraError: z.string().optional(),
});

async function readCriteria(file: string): Promise<EvidenceCriterion[]> {
  let json: unknown;
  try {
    json = JSON.parse(await fsp.readFile(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`Criteria file ${file} could not be read: ${errorMessage(err)}`, 'Give a JSON array (or one object) of criteria {id, method, weight, score, passed, details?}.');
  }
  const parsed = z.union([z.array(CriterionSchema), CriterionSchema]).safeParse(json);
  if (!parsed.success) throw new UsageError(`Criteria file ${file} is not a criterion or a list of criteria: ${parsed.error.issues[0]?.message ?? 'invalid'}`, 'Each criterion needs id, method, weight, score and passed.');
  const list = Array.isArray(parsed.data) ? parsed.data : [parsed.data];
  return list.map((c) => Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined)) as unknown as EvidenceCriterion);
}

function baseTaskId(file: string): string {
  return path.basename(file).replace(/\.(json|jsonl|log|txt)$/i, '');
}

export async function loadLogEvidences(refs: readonly LogRef[], opts: { signal?: AbortSignal } = {}): Promise<{ evidences: Evidence[]; warnings: string[] }> {
  const evidences: Evidence[] = [];
  const warnings: string[] = [];
  const used = new Map<string, number>();
  for (const ref of refs) {
    let evidence: Evidence;
    try {
      const parsed = await parseTranscriptFile(ref.path, opts.signal ? { signal: opts.signal } : {});
      warnings.push(...parsed.warnings.map((w) => `${ref.path}: ${w}`));
      const base = baseTaskId(ref.path);
      const n = (used.get(base) ?? 0) + 1;
      used.set(base, n);
      evidence = transcriptToEvidence(parsed, n === 1 ? base : `${base}#${n}`);
    } catch (err) {
      warnings.push(`${ref.path} skipped: ${errorMessage(err)}`);
      continue;
    }
    if (ref.criteriaPath) evidence.criteria = await readCriteria(ref.criteriaPath);
    evidences.push(evidence);
  }
  if (evidences.length === 0) throw new UsageError(`None of the transcripts could be used (${warnings.join('; ')}).`, 'Give transcript files of a supported format (transcripts_list finds recent Claude Code and Codex sessions).');
  return { evidences, warnings };
}

/** The newest discovered Claude Code / Codex session that loaded the skill (by any of its names: front matter, folder). */
export async function latestSessionWithSkill(names: readonly string[]): Promise<string> {
  const found = await discoverTranscripts({ limit: 200 });
  const hit = found.find((t) => t.skillsLoaded.some((s) => names.includes(s)));
  if (!hit) {
    throw new UsageError(`No recent Claude Code or Codex session loaded the skill "${names[0]}" (${found.length} session(s) looked at).`, 'Pass the transcript path in logs, or check with transcripts_list which skills recent sessions loaded.');
  }
  return hit.path;
}
