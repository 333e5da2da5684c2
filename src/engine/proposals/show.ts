import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { readDirents } from '../profiles/io.js';
import { mean } from '../util/mean.js';
import { readJsonFile } from '../util/fs.js';
import { activeDeployment, type DeployManifest } from './deploy.js';
import { proposalSchemaVersion, type ProposalMeta } from './meta.js';
import { HISTORY_FILE } from './paths.js';
import { readProposalMeta } from './storage.js';

/**
 * What proposal_show presents: meta, the rounds with their scores and spend (history.json),
 * the best round's root cause and changed files, and per round a summary of the durable
 * evidence (`round-<k>-evidence/<set>/<run>/evidence.json`, spec runtime §7.1).
 */

// Lenient on purpose: legacy and unfinished proposals have partial or no history.json.
const Spend = z.looseObject({ costUsd: z.number().default(0) });
const RoundSchema = z.looseObject({
  round: z.number(),
  trainScore: z.number().nullable().default(null),
  testScore: z.number().nullable().default(null),
  trainPassed: z.number().default(0),
  trainTotal: z.number().default(0),
  testPassed: z.number().default(0),
  testTotal: z.number().default(0),
  targetAgent: Spend.optional(),
  evalJudge: Spend.optional(),
  optimizer: Spend.nullable().optional(),
});
const EntrySchema = z.looseObject({
  round: z.number(),
  rootCause: z.string().default(''),
  changedFiles: z.array(z.string()).default([]),
  confidence: z.number().optional(),
  improved: z.boolean().nullable().optional(),
  infraBlocked: z.boolean().optional(),
});
const HistorySchema = z.looseObject({ entries: z.array(EntrySchema).default([]), rounds: z.array(RoundSchema).default([]) });
export type RoundRow = z.infer<typeof RoundSchema>;
export type HistoryRow = z.infer<typeof EntrySchema>;

export interface EvidenceSetSummary {
  set: string;
  runs: number;
  passed: number;
  /** Runs an infrastructure error tainted (not scored). */
  tainted: number;
  /** Mean run score over untainted runs; null when none. */
  meanScore: number | null;
  unreadable: number;
}

export interface ProposalDetails {
  meta: ProposalMeta;
  schemaVersion: number;
  rounds: RoundRow[];
  entries: HistoryRow[];
  /** Round numbers with a `round-<n>/` folder on disk. */
  roundDirs: number[];
  evidence: Record<string, EvidenceSetSummary[]>;
  deployment?: DeployManifest;
}

const Criterion = z.looseObject({ weight: z.number(), score: z.number(), passed: z.boolean(), infraError: z.string().optional() });
const EvidenceFile = z.looseObject({ criteria: z.array(Criterion).optional() });

/** Score and verdict of one run, as the optimizer scores it (spec §5.4): weighted over non-infra criteria. */
function runOutcome(criteria: z.infer<typeof Criterion>[]): { tainted: boolean; score: number | null; passed: boolean } {
  const tainted = criteria.some((c) => c.infraError !== undefined);
  const clean = criteria.filter((c) => c.infraError === undefined);
  const w = clean.reduce((s, c) => s + c.weight, 0);
  return {
    tainted,
    score: w > 0 ? clean.reduce((s, c) => s + c.score * (c.weight / w), 0) : null,
    passed: !tainted && criteria.length > 0 && criteria.every((c) => c.passed),
  };
}

async function evidenceSets(dir: string): Promise<EvidenceSetSummary[]> {
  const out: EvidenceSetSummary[] = [];
  for (const set of (await readDirents(dir)).filter((e) => e.isDirectory()).map((e) => e.name).sort()) {
    const s: EvidenceSetSummary = { set, runs: 0, passed: 0, tainted: 0, meanScore: null, unreadable: 0 };
    const scores: number[] = [];
    for (const run of (await readDirents(path.join(dir, set))).filter((e) => e.isDirectory())) {
      s.runs++;
      const parsed = EvidenceFile.safeParse(await readJsonFile(path.join(dir, set, run.name, 'evidence.json')).catch(() => undefined));
      if (!parsed.success) {
        s.unreadable++;
        continue;
      }
      const o = runOutcome(parsed.data.criteria ?? []);
      if (o.tainted) s.tainted++;
      else if (o.score !== null) scores.push(o.score);
      if (o.passed) s.passed++;
    }
    s.meanScore = mean(scores);
    out.push(s);
  }
  return out;
}

export async function readProposalDetails(dir: string): Promise<ProposalDetails> {
  const meta = await readProposalMeta(dir);
  const history = HistorySchema.safeParse(await readJsonFile(path.join(dir, HISTORY_FILE)).catch(() => undefined));
  const names = (await fsp.readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  const roundDirs = names.flatMap((n) => (/^round-\d+$/.test(n) ? [Number(n.slice(6))] : [])).sort((a, b) => a - b);
  const evidence: Record<string, EvidenceSetSummary[]> = {};
  for (const n of names.filter((x) => /^round-\d+(-regen)?-evidence$/.test(x)).sort()) {
    evidence[n.replace(/-evidence$/, '')] = await evidenceSets(path.join(dir, n));
  }
  const deployment = await activeDeployment(dir);
  return {
    meta,
    schemaVersion: proposalSchemaVersion(meta),
    rounds: history.success ? history.data.rounds : [],
    entries: history.success ? history.data.entries : [],
    roundDirs,
    evidence,
    ...(deployment ? { deployment } : {}),
  };
}
