import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { HistoryEntry, RoundResult, SelectionConfig } from '../jit/types.js';
import { SkvmError } from '../util/errors.js';
import { readJsonFile, writeFileAtomic, writeJsonAtomic } from '../util/fs.js';
import { withFileLock } from '../util/lock.js';
import { redact } from '../util/redact.js';
import { renderAnalysis } from './analysis.js';
import { copySkillFolder } from './tree.js';
import { emitProposalChange } from './events.js';
import { PROPOSAL_SCHEMA_VERSION, ProposalMetaSchema, proposalTimestamp, type ProposalMeta } from './meta.js';
import { ANALYSIS_FILE, HISTORY_FILE, META_FILE, ORIGINAL_DIR, proposalId, proposalKeyDir, roundDirName } from './paths.js';

/** Writes the proposal tree of spec runtime §7.1; the optimizer (src/engine/jit) is its main caller. */

export interface CreateProposalInit {
  harness: string;
  targetModel: string;
  skillName: string;
  skillDir: string;
  optimizerModel: string;
  judgeModel?: string;
  source: string;
}

/** The reference gives up after this many same-millisecond collisions. */
const MAX_COLLISIONS = 100;

/** Claims `<keyDir>/<timestamp>[-n]` with an exclusive mkdir, so two writers never share a proposal. */
async function claimTimestampDir(keyDir: string, at: Date): Promise<string> {
  const base = proposalTimestamp(at);
  for (let n = 0; n <= MAX_COLLISIONS; n++) {
    const name = n === 0 ? base : `${base}-${n}`;
    try {
      await fsp.mkdir(path.join(keyDir, name));
      return name;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  throw new SkvmError(`Could not create a proposal folder under ${keyDir}: ${MAX_COLLISIONS} names after ${base} are taken.`, {
    hint: 'Retry in a moment.',
  });
}

export async function createProposal(proposalsDir: string, init: CreateProposalInit, at: Date = new Date()): Promise<{ id: string; dir: string; meta: ProposalMeta }> {
  const key = { harness: init.harness, targetModel: init.targetModel, skillName: init.skillName };
  const keyDir = proposalKeyDir(proposalsDir, key);
  await fsp.mkdir(keyDir, { recursive: true });
  const timestamp = await claimTimestampDir(keyDir, at);
  const dir = path.join(keyDir, timestamp);
  const meta: ProposalMeta = ProposalMetaSchema.parse({
    schemaVersion: PROPOSAL_SCHEMA_VERSION,
    skillName: init.skillName,
    skillDir: path.resolve(init.skillDir),
    harness: init.harness,
    optimizerModel: init.optimizerModel,
    targetModel: init.targetModel,
    source: init.source,
    timestamp,
    status: 'pending',
    acceptedRound: null,
    bestRound: 0,
    bestRoundReason: '',
    roundCount: 0,
    ...(init.judgeModel ? { judgeModel: init.judgeModel } : {}),
  });
  try {
    await copySkillFolder(meta.skillDir, path.join(dir, ORIGINAL_DIR));
    await writeJsonAtomic(path.join(dir, META_FILE), meta);
  } catch (err) {
    // A half-made proposal would list as nothing useful; leave no trace.
    await fsp.rm(dir, { recursive: true, force: true });
    throw err;
  }
  emitProposalChange({ dir, kind: 'created' });
  return { id: proposalId(key, timestamp), dir, meta };
}

/** `round-<n>/` = a full copy of `fromDir` (without `.optimize/`), replacing an earlier copy whole. */
export async function persistRound(proposalDir: string, round: number, fromDir: string): Promise<void> {
  if (!Number.isInteger(round) || round < 0) throw new SkvmError(`Round ${round} is not a round number.`);
  const dest = path.join(proposalDir, roundDirName(round));
  const staging = `${dest}.tmp-${randomBytes(4).toString('hex')}`;
  try {
    await copySkillFolder(fromDir, staging);
    await fsp.rm(dest, { recursive: true, force: true });
    await fsp.rename(staging, dest);
  } catch (err) {
    await fsp.rm(staging, { recursive: true, force: true });
    throw err;
  }
}

export async function readProposalMeta(proposalDir: string): Promise<ProposalMeta> {
  const file = path.join(proposalDir, META_FILE);
  const raw = await readJsonFile(file);
  if (raw === undefined) {
    throw new SkvmError(`No proposal at ${proposalDir} (meta.json is missing).`, { hint: 'proposals_list shows the proposals that exist.', code: 'not_found' });
  }
  const parsed = ProposalMetaSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SkvmError(`${file} is not a valid proposal meta.json: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'}.`, {
      hint: 'Fix or remove the file; the other proposals are unaffected.',
    });
  }
  return parsed.data;
}

/** Read–merge–write under a short lock, written atomically, so concurrent updates never tear or lose each other. */
export async function updateProposalMeta(proposalDir: string, patch: Partial<ProposalMeta>, kind: 'updated' | 'finalized' | 'failed' = 'updated'): Promise<ProposalMeta> {
  const file = path.join(proposalDir, META_FILE);
  const meta = await withFileLock(file, async () => {
    const current = await readProposalMeta(proposalDir);
    const next = ProposalMetaSchema.parse({ ...current, ...patch });
    // An explicit `undefined` in the patch removes the field (JSON.stringify drops it).
    await writeJsonAtomic(file, next);
    return next;
  });
  emitProposalChange({ dir: proposalDir, kind });
  return meta;
}

export interface FinalizeInput {
  entries: HistoryEntry[];
  rounds: RoundResult[];
  bestRound: number;
  bestRoundReason: string;
  selectionConfig?: SelectionConfig;
  excludedRounds?: Record<string, string>;
  infraBlocked?: { reason: string; evidenceIds: string[] };
}

/** history.json, analysis.md, then meta.json (last, so a reader that sees the final status finds the rest). */
export async function finalizeProposal(proposalDir: string, f: FinalizeInput): Promise<ProposalMeta> {
  await writeJsonAtomic(path.join(proposalDir, HISTORY_FILE), {
    entries: f.entries,
    bestRound: f.bestRound,
    bestRoundReason: f.bestRoundReason,
    rounds: f.rounds.map((r) => ({ ...r, historyEntry: null })),
  });
  await writeFileAtomic(path.join(proposalDir, ANALYSIS_FILE), renderAnalysis(f) + '\n');
  const excluded = f.excludedRounds && Object.keys(f.excludedRounds).length > 0 ? f.excludedRounds : undefined;
  return updateProposalMeta(
    proposalDir,
    {
      status: f.infraBlocked ? 'infra-blocked' : 'pending',
      bestRound: f.bestRound,
      bestRoundReason: f.bestRoundReason,
      roundCount: f.rounds.length,
      selectionConfig: f.selectionConfig,
      excludedRounds: excluded,
      blockedReason: f.infraBlocked?.reason,
      blockedEvidenceIds: f.infraBlocked?.evidenceIds,
    },
    'finalized',
  );
}

/** A crashed optimization: status `failed` with the reason, so nothing treats it as a usable proposal (spec §10 item 19). */
export async function markProposalFailed(proposalDir: string, error: string): Promise<ProposalMeta> {
  return updateProposalMeta(proposalDir, { status: 'failed', failedReason: redact(error) }, 'failed');
}
