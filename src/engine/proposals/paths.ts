import * as path from 'node:path';
import { checkHarnessName, isSafeDirName, toModelDirName } from '../profiles/names.js';
import { UsageError } from '../util/errors.js';
import { encodePathSegments } from '../util/uri.js';
import { isInside } from '../skills/walk.js';

/**
 * Where proposals live (MUST compat, spec runtime §7.1):
 *   <proposals>/jit-optimize/<harness>/<safeModelName(target)>/<skill>/<timestamp>/
 * A proposal id is that path relative to the jit-optimize root.
 */
export const JIT_OPTIMIZE_DIR = 'jit-optimize';

/** `YYYYMMDDTHHMMSSmmmZ`, optionally `-<n>` after a same-millisecond collision. */
export const PROPOSAL_TIMESTAMP = /^\d{8}T\d{9}Z(-\d{1,3})?$/;

export interface ProposalKey {
  harness: string;
  /** Model id or its directory name. */
  targetModel: string;
  skillName: string;
}

export function jitOptimizeRoot(proposalsDir: string): string {
  return path.join(proposalsDir, JIT_OPTIMIZE_DIR);
}

function checkSkillName(name: string): string {
  if (!isSafeDirName(name)) {
    throw new UsageError(`"${name}" cannot name a proposal directory.`, 'Skill names are single path segments of letters, digits, ".", "_", "+", "@" or "-".');
  }
  return name;
}

/** The folder holding every proposal (and the optimize lock) of one (harness, target, skill). */
export function proposalKeyDir(proposalsDir: string, k: ProposalKey): string {
  return path.join(jitOptimizeRoot(proposalsDir), checkHarnessName(k.harness), toModelDirName(k.targetModel), checkSkillName(k.skillName));
}

export function proposalId(k: ProposalKey, timestamp: string): string {
  return [k.harness, toModelDirName(k.targetModel), k.skillName, timestamp].join('/');
}

/**
 * The directory of a proposal id. Ids come from users and hosts, so unlike the reference this
 * validates: exactly four segments, each a plain directory name, the last a proposal
 * timestamp, and the result inside the jit-optimize root.
 */
export function proposalDirFromId(proposalsDir: string, id: string): string {
  const segments = id.split('/');
  const hint = 'Proposal ids look like bare-agent/openrouter--qwen--qwen3.5-9b/my-skill/20260410T124408123Z (proposals_list shows them).';
  if (segments.length !== 4 || !segments.every(isSafeDirName) || !PROPOSAL_TIMESTAMP.test(segments[3]!)) {
    throw new UsageError(`"${id}" is not a proposal id.`, hint);
  }
  const root = jitOptimizeRoot(proposalsDir);
  const dir = path.join(root, ...segments);
  if (!isInside(root, dir) || dir === root) throw new UsageError(`"${id}" is not a proposal id.`, hint);
  return dir;
}

/** The id of a proposal directory under the root (inverse of proposalDirFromId). */
export function proposalIdFromDir(proposalsDir: string, dir: string): string {
  return path.relative(jitOptimizeRoot(proposalsDir), dir).split(path.sep).join('/');
}

/** The skill name a skill folder stands for: its basename, or its parent's when the basename is a version (`v1`, `v2.0`). */
export function proposalSkillName(skillDir: string): string {
  const resolved = path.resolve(skillDir);
  const base = path.basename(resolved);
  return /^v\d/.test(base) ? path.basename(path.dirname(resolved)) : base;
}

export function roundDirName(round: number): string {
  return `round-${round}`;
}

export const ORIGINAL_DIR = 'original';
export const META_FILE = 'meta.json';
export const HISTORY_FILE = 'history.json';
export const ANALYSIS_FILE = 'analysis.md';
export const OPTIMIZE_LOCK_FILE = '.optimize.lock';

/** `skvm://proposals/<harness>/<model>/<skill>/<timestamp>`: each id segment percent-encoded, slashes kept. */
export function proposalUri(id: string): string {
  return `skvm://proposals/${encodePathSegments(id)}`;
}

/** One file of a round of a proposal (resources/proposals.ts serves it). */
export function proposalRoundFileUri(id: string, round: number, rel: string): string {
  return `${proposalUri(id)}/rounds/${round}/${encodePathSegments(rel)}`;
}

/** The whole diff of a round (default: best) against original/ (default) or the deployed skill. */
export function proposalDiffUri(id: string, round?: number, against?: 'original' | 'deployed'): string {
  const q = new URLSearchParams();
  if (round !== undefined) q.set('round', String(round));
  if (against && against !== 'original') q.set('against', against);
  const query = q.toString();
  return `${proposalUri(id)}/diff${query ? `?${query}` : ''}`;
}
