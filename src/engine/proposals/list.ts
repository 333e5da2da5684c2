import * as path from 'node:path';
import { z } from 'zod';
import { readDirents } from '../profiles/io.js';
import { isSafeDirName, modelFilter } from '../profiles/names.js';
import { pathExists, readJsonFile } from '../util/fs.js';
import { closestMatches } from '../util/closest.js';
import { NotFoundError } from '../util/errors.js';
import { mapLimit } from '../util/async.js';
import type { ProposalMeta, ProposalStatus } from './meta.js';
import { HISTORY_FILE, META_FILE, PROPOSAL_TIMESTAMP, jitOptimizeRoot, proposalDirFromId, proposalIdFromDir } from './paths.js';
import { readProposalMeta } from './storage.js';

/** Listing proposals (spec runtime §7.3 list): walk harness → model → skill → timestamp, newest first. */

export interface ProposalFilter {
  harness?: string;
  /** Case-insensitive substring of the target model id or its directory name. */
  model?: string;
  skill?: string;
  status?: ProposalStatus;
}

export interface ProposalSummary {
  id: string;
  dir: string;
  meta: ProposalMeta;
  /** Train score of round 0 and of the best round (history.json), null when unscored or unknown. */
  baselineTrain: number | null;
  bestTrain: number | null;
  deltaTrain: number | null;
  /** ISO time parsed from the timestamp folder name. */
  createdAt: string;
}

const RoundScores = z.object({ rounds: z.array(z.object({ round: z.number(), trainScore: z.number().nullable() }).loose()).optional() }).loose();

/** Train scores per round from history.json; empty when it is missing or unreadable (unfinished or legacy proposals). */
export async function trainScores(dir: string): Promise<Map<number, number | null>> {
  const raw = await readJsonFile(path.join(dir, HISTORY_FILE)).catch(() => undefined);
  const parsed = RoundScores.safeParse(raw);
  return new Map((parsed.success ? (parsed.data.rounds ?? []) : []).map((r) => [r.round, r.trainScore]));
}

/** `20260410T124408123Z[-n]` → `2026-04-10T12:44:08.123Z`. */
export function timestampToIso(ts: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z/.exec(ts);
  return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${m[7]}Z` : ts;
}

async function subDirs(dir: string, keep: (name: string) => boolean): Promise<string[]> {
  return (await readDirents(dir)).filter((e) => e.isDirectory() && isSafeDirName(e.name) && keep(e.name)).map((e) => path.join(dir, e.name));
}

/** Every proposal directory matching the key filters (meta not read). */
export async function proposalDirs(proposalsDir: string, f: Pick<ProposalFilter, 'harness' | 'model' | 'skill'> = {}): Promise<string[]> {
  const models = f.model ? modelFilter(f.model) : undefined;
  const harnesses = await subDirs(jitOptimizeRoot(proposalsDir), (n) => !f.harness || n === f.harness);
  const modelDirs = (await Promise.all(harnesses.map((h) => subDirs(h, (n) => !models || models.dirMatches(n))))).flat();
  const skills = (await Promise.all(modelDirs.map((m) => subDirs(m, (n) => !f.skill || n === f.skill)))).flat();
  return (await Promise.all(skills.map((s) => subDirs(s, (n) => PROPOSAL_TIMESTAMP.test(n))))).flat();
}

export interface ProposalListing {
  proposals: ProposalSummary[];
  /** Proposal folders whose meta.json is missing or invalid (skipped, as the reference does). */
  unreadable: number;
}

export async function listProposals(proposalsDir: string, f: ProposalFilter = {}): Promise<ProposalListing> {
  const models = f.model ? modelFilter(f.model) : undefined;
  let unreadable = 0;
  const read = await mapLimit(await proposalDirs(proposalsDir, f), 16, async (dir): Promise<ProposalSummary | undefined> => {
    const meta = await readProposalMeta(dir).catch(() => undefined);
    if (!meta) {
      unreadable++;
      return undefined;
    }
    if (f.status && meta.status !== f.status) return undefined;
    if (models && !models.matches(meta.targetModel, path.basename(path.dirname(path.dirname(dir))))) return undefined;
    const scores = await trainScores(dir);
    const baselineTrain = scores.get(0) ?? null;
    const bestTrain = scores.get(meta.bestRound) ?? null;
    return {
      id: proposalIdFromDir(proposalsDir, dir),
      dir,
      meta,
      baselineTrain,
      bestTrain,
      deltaTrain: baselineTrain !== null && bestTrain !== null ? bestTrain - baselineTrain : null,
      createdAt: timestampToIso(meta.timestamp),
    };
  });
  const proposals = read.filter((p): p is ProposalSummary => !!p);
  proposals.sort((a, b) => (a.meta.timestamp < b.meta.timestamp ? 1 : a.meta.timestamp > b.meta.timestamp ? -1 : a.id < b.id ? 1 : -1));
  return { proposals, unreadable };
}

/** The directory of an existing proposal; NotFoundError naming the closest ids otherwise. */
export async function findProposal(proposalsDir: string, id: string): Promise<string> {
  const dir = proposalDirFromId(proposalsDir, id);
  if (await pathExists(path.join(dir, META_FILE))) return dir;
  const ids = (await proposalDirs(proposalsDir)).map((d) => proposalIdFromDir(proposalsDir, d));
  throw new NotFoundError('proposal', id, closestMatches(id, ids, 3), 'proposals_list shows the proposals that exist.');
}
