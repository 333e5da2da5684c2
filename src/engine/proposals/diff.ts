import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { skillDiff } from '../compiler/diff.js';
import { UsageError } from '../util/errors.js';
import { ORIGINAL_DIR, roundDirName } from './paths.js';
import { readProposalMeta } from './storage.js';
import { readTree } from './tree.js';

/**
 * Unified diff of a round against `original/` or against the skill as deployed now (spec
 * runtime §7.3 diff, without needing git). One patch per changed file, with jsdiff's hunks.
 */

export interface FileDiff {
  path: string;
  change: 'added' | 'modified' | 'deleted';
  added: number;
  removed: number;
  binary: boolean;
}

export interface ProposalDiff {
  round: number;
  against: 'original' | 'deployed';
  baseDir: string;
  files: FileDiff[];
  patch: string;
  /** Entries of either tree that were left out (symlinks, special files). */
  problems: string[];
}

async function readMaybeText(file: string): Promise<{ text: string; binary: boolean }> {
  const buf = await fsp.readFile(file);
  return buf.includes(0) ? { text: '', binary: true } : { text: buf.toString('utf8'), binary: false };
}

export async function diffProposal(proposalDir: string, id: string, opts: { round?: number; against?: 'original' | 'deployed' } = {}): Promise<ProposalDiff> {
  const meta = await readProposalMeta(proposalDir);
  const round = opts.round ?? meta.bestRound;
  const against = opts.against ?? 'original';
  const roundDir = path.join(proposalDir, roundDirName(round));
  if (!(await fsp.stat(roundDir).then((s) => s.isDirectory(), () => false))) {
    throw new UsageError(`Proposal ${id} has no round ${round} on disk.`, `proposal_show ${id} lists its rounds.`);
  }
  const baseDir = against === 'original' ? path.join(proposalDir, ORIGINAL_DIR) : meta.skillDir;
  const [base, next] = await Promise.all([readTree(baseDir), readTree(roundDir)]);
  const files: FileDiff[] = [];
  const patches: string[] = [];
  const rels = [...new Set([...base.files.keys(), ...next.files.keys()])].sort();
  for (const rel of rels) {
    const a = base.files.get(rel);
    const b = next.files.get(rel);
    const before = a ? await readMaybeText(a.abs) : { text: '', binary: false };
    const after = b ? await readMaybeText(b.abs) : { text: '', binary: false };
    const change = !a ? 'added' : !b ? 'deleted' : 'modified';
    if (before.binary || after.binary) {
      if (a && b && Buffer.compare(await fsp.readFile(a.abs), await fsp.readFile(b.abs)) === 0 && a.mode === b.mode) continue;
      files.push({ path: rel, change, added: 0, removed: 0, binary: true });
      patches.push(`Binary files ${a ? `a/${rel}` : '/dev/null'} and ${b ? `b/${rel}` : '/dev/null'} differ\n`);
      continue;
    }
    const d = skillDiff(before.text, after.text, rel);
    const modeChanged = !!a && !!b && a.mode !== b.mode;
    if (!d.patch && !modeChanged && a && b) continue;
    files.push({ path: rel, change, added: d.added, removed: d.removed, binary: false });
    if (modeChanged) patches.push(`diff a/${rel} b/${rel}\nold mode ${a.mode.toString(8)}\nnew mode ${b.mode.toString(8)}\n`);
    if (d.patch) patches.push(d.patch.endsWith('\n') ? d.patch : `${d.patch}\n`);
    else if (!a || !b) patches.push(`${!a ? 'Added' : 'Deleted'} empty file ${rel}\n`);
  }
  return { round, against, baseDir, files, patch: patches.join(''), problems: [...base.problems, ...next.problems] };
}
