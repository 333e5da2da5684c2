import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { SkvmError, UsageError } from '../util/errors.js';
import { readJsonFile, writeJsonAtomic } from '../util/fs.js';
import { withFileLock } from '../util/lock.js';
import { applyChanges, type Change } from './apply.js';
import type { ProposalMeta } from './meta.js';
import { ORIGINAL_DIR, roundDirName } from './paths.js';
import { readProposalMeta, updateProposalMeta } from './storage.js';
import { readTrustedTree, sha256File, type Tree } from './tree.js';

/**
 * Accept and rollback (spec runtime §7.3, with §10 item 14 fixed): a faithful apply of a round
 * onto the skill folder — additions, modifications and deletions relative to `original/` —
 * with every replaced or deleted file backed up inside the proposal:
 *   <proposal>/deploy/<n>/manifest.json   what changed, sha256 before/after, history
 *   <proposal>/deploy/<n>/backup/<rel>    the skill's files as they were before accept
 *   <proposal>/deploy/<n>/pre-rollback/<rel>  the files as they were before rollback
 */

export const DEPLOY_DIR = 'deploy';
const MANIFEST_FILE = 'manifest.json';

export type FileChangeKind = 'added' | 'modified' | 'deleted';

export interface PlannedChange {
  path: string;
  change: FileChangeKind;
}

const ManifestFileSchema = z.object({
  path: z.string(),
  change: z.enum(['added', 'modified', 'deleted']),
  sha256Before: z.string().nullable(),
  sha256After: z.string().nullable(),
  modeBefore: z.number().nullable(),
});

const ManifestSchema = z.object({
  deployment: z.number().int(),
  round: z.number().int(),
  target: z.string(),
  forced: z.boolean(),
  /** applying → applied → rolled-back; `applying` left behind means a crash mid-apply (backups are in backup/). */
  state: z.enum(['applying', 'applied', 'rolled-back']),
  files: z.array(ManifestFileSchema),
  history: z.array(z.object({ action: z.enum(['accept', 'rollback']), at: z.string(), forced: z.boolean() })),
});
export type DeployManifest = z.infer<typeof ManifestSchema>;

export interface AcceptOptions {
  round?: number;
  /** Apply even when the skill changed since the proposal was made, or the proposal was rejected. */
  force?: boolean;
  /** Only compute what would change. */
  dryRun?: boolean;
  onStep?(done: number, total: number, rel: string): void | Promise<void>;
  signal?: AbortSignal;
}

export interface AcceptResult {
  round: number;
  target: string;
  changes: PlannedChange[];
  applied: boolean;
  /** Files of the skill that differ from `original/` (what `force` overrode). */
  drift: PlannedChange[];
  deployment?: number;
  backupDir?: string;
  meta: ProposalMeta;
}

/** What turns tree `from` into tree `to`, by path, sorted. */
async function treeChanges(from: Tree, to: Tree): Promise<PlannedChange[]> {
  const out: PlannedChange[] = [];
  for (const [rel, f] of to.files) {
    const old = from.files.get(rel);
    if (!old) out.push({ path: rel, change: 'added' });
    else if (old.mode !== f.mode || old.size !== f.size || (await sha256File(old.abs)) !== (await sha256File(f.abs))) out.push({ path: rel, change: 'modified' });
  }
  for (const rel of from.files.keys()) if (!to.files.has(rel)) out.push({ path: rel, change: 'deleted' });
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

async function realTarget(skillDir: string): Promise<string> {
  try {
    return await fsp.realpath(skillDir);
  } catch {
    throw new SkvmError(`The skill folder ${skillDir} of this proposal no longer exists.`, { hint: 'Restore the skill folder, then accept again.', code: 'not_found' });
  }
}

function deployDir(proposalDir: string, n: number): string {
  return path.join(proposalDir, DEPLOY_DIR, String(n));
}

async function deployments(proposalDir: string): Promise<number[]> {
  const names = await fsp.readdir(path.join(proposalDir, DEPLOY_DIR)).catch(() => [] as string[]);
  return names.filter((n) => /^\d+$/.test(n)).map(Number).sort((a, b) => a - b);
}

async function readManifest(proposalDir: string, n: number): Promise<DeployManifest> {
  const raw = await readJsonFile(path.join(deployDir(proposalDir, n), MANIFEST_FILE));
  const parsed = ManifestSchema.safeParse(raw);
  if (!parsed.success) throw new SkvmError(`The deploy manifest ${path.join(deployDir(proposalDir, n), MANIFEST_FILE)} is missing or invalid.`);
  return parsed.data;
}

/** The deployment now in effect (state applied), if any. */
export async function activeDeployment(proposalDir: string): Promise<DeployManifest | undefined> {
  for (const n of (await deployments(proposalDir)).reverse()) {
    const m = await readManifest(proposalDir, n).catch(() => undefined);
    if (m?.state === 'applied') return m;
  }
  return undefined;
}

/** Serializes accept/reject/rollback of one proposal (lock file `<proposal>/deploy.lock`). */
function withProposalLock<T>(proposalDir: string, fn: () => Promise<T>): Promise<T> {
  return withFileLock(path.join(proposalDir, DEPLOY_DIR), fn, 30_000);
}

export async function acceptProposal(proposalDir: string, id: string, opts: AcceptOptions = {}): Promise<AcceptResult> {
  return withProposalLock(proposalDir, async () => {
    const meta = await readProposalMeta(proposalDir);
    if (meta.status === 'infra-blocked' || meta.status === 'failed') {
      const why = meta.blockedReason ?? meta.failedReason;
      throw new SkvmError(`Proposal ${id} is ${meta.status}${why ? ` (${why})` : ''}; it cannot be accepted.`, {
        hint: 'Its rounds were never validated. Run jit_optimize again once the cause is fixed.',
        code: 'conflict',
      });
    }
    if (meta.status === 'accepted') {
      throw new SkvmError(`Proposal ${id} is already accepted (round ${meta.acceptedRound}).`, { hint: `To deploy another round, call proposal_rollback for ${id} first, then proposal_accept with that round.`, code: 'conflict' });
    }
    if (meta.status === 'rejected' && !opts.force) {
      throw new SkvmError(`Proposal ${id} was rejected.`, { hint: 'Pass force: true to accept it anyway.', code: 'conflict' });
    }
    const round = opts.round ?? meta.bestRound;
    if (round === 0) {
      throw new UsageError(`Round 0 of ${id} is the original skill; accepting it changes nothing.`, `Pick an optimized round (proposal_show ${id} lists them), or proposal_reject it.`);
    }
    const roundDir = path.join(proposalDir, roundDirName(round));
    if (!(await fsp.stat(roundDir).then((s) => s.isDirectory(), () => false))) {
      throw new UsageError(`Proposal ${id} has no round ${round} on disk.`, `proposal_show ${id} lists its rounds.`);
    }
    const target = await realTarget(meta.skillDir);
    const [original, next, current] = await Promise.all([
      readTrustedTree(path.join(proposalDir, ORIGINAL_DIR), 'the proposal’s original/'),
      readTrustedTree(roundDir, `round ${round}`),
      readTrustedTree(target, 'the target skill folder'),
    ]);
    const changes = await treeChanges(original, next);
    const drift = await treeChanges(original, current);
    const result = { round, target, changes, drift, applied: false, meta };
    if (opts.dryRun) return result;
    if (drift.length > 0 && !opts.force) {
      throw new SkvmError(
        `The skill at ${target} changed since proposal ${id} was made (${drift.slice(0, 5).map((d) => `${d.change} ${d.path}`).join(', ')}${drift.length > 5 ? ', …' : ''}).`,
        { hint: 'Review the changes (proposal_diff with against: "deployed"); pass force: true to apply the round over them (replaced files are backed up in the proposal).', code: 'conflict' },
      );
    }
    if (changes.length === 0) throw new UsageError(`Round ${round} of ${id} is identical to the original; nothing to accept.`);

    const n = ((await deployments(proposalDir)).at(-1) ?? 0) + 1;
    const dir = deployDir(proposalDir, n);
    await fsp.mkdir(dir, { recursive: true });
    const files = await Promise.all(
      changes.map(async (c) => {
        const cur = current.files.get(c.path);
        const after = next.files.get(c.path);
        return {
          path: c.path,
          change: c.change,
          sha256Before: cur ? await sha256File(cur.abs) : null,
          sha256After: after ? await sha256File(after.abs) : null,
          modeBefore: cur?.mode ?? null,
        };
      }),
    );
    const manifest: DeployManifest = {
      deployment: n,
      round,
      target,
      forced: !!opts.force,
      state: 'applying',
      files,
      history: [{ action: 'accept', at: new Date().toISOString(), forced: !!opts.force }],
    };
    const manifestFile = path.join(dir, MANIFEST_FILE);
    await writeJsonAtomic(manifestFile, manifest);
    const steps: Change[] = changes.map((c) => {
      const f = next.files.get(c.path);
      return f ? { rel: c.path, kind: 'write', source: f.abs, mode: f.mode } : { rel: c.path, kind: 'delete' };
    });
    try {
      await applyChanges(target, steps, path.join(dir, 'backup'), { onStep: opts.onStep, signal: opts.signal });
    } catch (err) {
      // The target is back as it was; this deployment never happened.
      await fsp.rm(dir, { recursive: true, force: true });
      throw err;
    }
    await writeJsonAtomic(manifestFile, { ...manifest, state: 'applied' });
    const updated = await updateProposalMeta(proposalDir, { status: 'accepted', acceptedRound: round });
    return { ...result, applied: true, deployment: n, backupDir: path.join(dir, 'backup'), meta: updated };
  });
}

export interface RollbackOptions {
  force?: boolean;
  onStep?(done: number, total: number, rel: string): void | Promise<void>;
  signal?: AbortSignal;
}

export interface RollbackResult {
  target: string;
  round: number;
  deployment: number;
  /** What rollback did: `restored` (a modified or deleted file put back) or `removed` (a file accept added). */
  files: Array<{ path: string; action: 'restored' | 'removed' }>;
  /** Files changed after accept that force overrode (kept in pre-rollback/). */
  drift: string[];
  meta: ProposalMeta;
}

export async function rollbackProposal(proposalDir: string, id: string, opts: RollbackOptions = {}): Promise<RollbackResult> {
  return withProposalLock(proposalDir, async () => {
    const meta = await readProposalMeta(proposalDir);
    const manifest = await activeDeployment(proposalDir);
    if (meta.status !== 'accepted' || !manifest) {
      throw new SkvmError(`Proposal ${id} is not deployed (status ${meta.status}); there is nothing to roll back.`, { hint: 'Only an accepted proposal can be rolled back; proposals_list with status: "accepted" shows them.', code: 'conflict' });
    }
    const target = await realTarget(manifest.target);
    const dir = deployDir(proposalDir, manifest.deployment);
    const drift: string[] = [];
    for (const f of manifest.files) {
      const abs = path.join(target, ...f.path.split('/'));
      const now = await fsp.lstat(abs).then((s) => (s.isFile() ? sha256File(abs) : 'not a file'), () => null);
      if (now !== f.sha256After) drift.push(f.path);
    }
    if (drift.length > 0 && !opts.force) {
      throw new SkvmError(`Files deployed by ${id} changed since accept: ${drift.slice(0, 5).join(', ')}${drift.length > 5 ? ', …' : ''}.`, {
        hint: 'Pass force: true to restore the backup over them (their current content is kept in the proposal under deploy/<n>/pre-rollback/).',
        code: 'conflict',
      });
    }
    const steps: Change[] = manifest.files.map((f) =>
      f.sha256Before === null
        ? { rel: f.path, kind: 'delete' }
        : { rel: f.path, kind: 'write', source: path.join(dir, 'backup', ...f.path.split('/')), mode: f.modeBefore ?? 0o644 },
    );
    await applyChanges(target, steps, path.join(dir, 'pre-rollback'), { onStep: opts.onStep, signal: opts.signal });
    const history = [...manifest.history, { action: 'rollback' as const, at: new Date().toISOString(), forced: !!opts.force }];
    await writeJsonAtomic(path.join(dir, MANIFEST_FILE), { ...manifest, state: 'rolled-back', history });
    const updated = await updateProposalMeta(proposalDir, { status: 'pending', acceptedRound: null });
    return {
      target,
      round: manifest.round,
      deployment: manifest.deployment,
      files: manifest.files.map((f) => ({ path: f.path, action: f.sha256Before === null ? 'removed' : 'restored' })),
      drift,
      meta: updated,
    };
  });
}

/** Reject (idempotent). An accepted proposal must be rolled back first: rejecting it would leave its files deployed. */
export async function rejectProposal(proposalDir: string, id: string): Promise<{ changed: boolean; meta: ProposalMeta }> {
  return withProposalLock(proposalDir, async () => {
    const meta = await readProposalMeta(proposalDir);
    if (meta.status === 'rejected') return { changed: false, meta };
    if (meta.status === 'accepted') {
      throw new SkvmError(`Proposal ${id} is deployed (round ${meta.acceptedRound}); rejecting it would leave its files in the skill.`, { hint: `Call proposal_rollback for ${id} first, then reject it.`, code: 'conflict' });
    }
    if (meta.status === 'failed') {
      throw new SkvmError(`Proposal ${id} failed (${meta.failedReason ?? 'no reason recorded'}); it is never used, so there is nothing to reject.`, { code: 'conflict' });
    }
    return { changed: true, meta: await updateProposalMeta(proposalDir, { status: 'rejected', acceptedRound: null }) };
  });
}
