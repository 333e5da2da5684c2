import { promises as fsp } from 'node:fs';
import { z } from 'zod';
import { errorMessage } from '../util/errors.js';
import type { HistoryChange } from './types.js';

/**
 * The optimizer's `.optimize/submission.json` (spec runtime §5.5 item 5): every field optional
 * on the way in, normalised into one of three shapes — an edit, "no changes", or "infra-blocked"
 * (which wins over noChanges). A missing or invalid file is an empty submission whose reasoning
 * says why; the round then counts as one without edits.
 */

export const OptimizeSubmissionSchema = z.object({
  rootCause: z.string().optional(),
  reasoning: z.string().optional(),
  confidence: z.number().min(0).max(1).optional(),
  changedFiles: z.array(z.string()).optional(),
  changes: z
    .array(z.object({ file: z.string(), section: z.string().optional(), description: z.string(), generality: z.string().default(''), linesDelta: z.number().optional() }))
    .optional(),
  noChanges: z.boolean().optional(),
  infraBlocked: z.boolean().optional(),
  blockedEvidenceIds: z.array(z.coerce.string()).optional(),
  blockedReason: z.string().optional(),
});

export interface Submission {
  rootCause: string;
  reasoning: string;
  confidence: number;
  changedFiles: string[];
  changes: HistoryChange[];
  noChanges: boolean;
  infraBlocked: boolean;
  blockedEvidenceIds: string[];
  blockedReason: string;
  /** Set when the file was missing or invalid (not persisted as a field of the shape). */
  invalid?: string;
}

export function normalizeSubmission(raw: z.output<typeof OptimizeSubmissionSchema>): Submission {
  const base = { rootCause: raw.rootCause ?? '', reasoning: raw.reasoning ?? '', blockedEvidenceIds: [] as string[], blockedReason: '' };
  if (raw.infraBlocked) {
    return { ...base, confidence: raw.confidence ?? 0, changedFiles: [], changes: [], noChanges: false, infraBlocked: true, blockedEvidenceIds: raw.blockedEvidenceIds ?? [], blockedReason: raw.blockedReason ?? '' };
  }
  if (raw.noChanges) return { ...base, confidence: raw.confidence ?? 1, changedFiles: [], changes: [], noChanges: true, infraBlocked: false };
  return {
    ...base,
    confidence: raw.confidence ?? 0,
    changedFiles: raw.changedFiles ?? [],
    changes: (raw.changes ?? []).map((c) => ({ file: c.file, ...(c.section !== undefined ? { section: c.section } : {}), description: c.description, generality: c.generality, ...(c.linesDelta !== undefined ? { linesDelta: c.linesDelta } : {}) })),
    noChanges: false,
    infraBlocked: false,
  };
}

function emptySubmission(why: string): Submission {
  return { rootCause: '', reasoning: why, confidence: 0, changedFiles: [], changes: [], noChanges: false, infraBlocked: false, blockedEvidenceIds: [], blockedReason: '', invalid: why };
}

/** Reads and normalises a submission file; never throws for a bad file (see the module comment). */
export async function readSubmission(file: string): Promise<Submission> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (err) {
    return emptySubmission((err as NodeJS.ErrnoException).code === 'ENOENT' ? 'the optimizer wrote no .optimize/submission.json' : `could not read .optimize/submission.json: ${errorMessage(err)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return emptySubmission(`.optimize/submission.json is not valid JSON: ${errorMessage(err)}`);
  }
  const parsed = OptimizeSubmissionSchema.safeParse(json);
  if (!parsed.success) return emptySubmission(`.optimize/submission.json does not have the submission shape: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  return normalizeSubmission(parsed.data);
}

/** The persisted form (no `invalid` marker). */
export function submissionRecord(s: Submission): Omit<Submission, 'invalid'> {
  const { invalid: _invalid, ...rest } = s;
  return rest;
}
