import * as path from 'node:path';
import { statOrNull } from '../util/fs.js';
import { listProposals } from './list.js';
import type { ProposalKey } from './paths.js';
import { roundDirName } from './paths.js';

/**
 * Which optimized round stands for a (harness, target model, skill) — the bench condition
 * `jit-optimized`. Unlike the reference (spec §10 items 13 and 19), status matters: by default
 * only an accepted proposal's deployed round; on request (`best-completed`) the best round of
 * the newest finished proposal that is pending or accepted. Rejected, failed, infra-blocked and
 * unfinished proposals are never used.
 */
export type JitOptimizedSelection = 'accepted' | 'best-completed';

export type JitRoundLookup =
  | { found: true; id: string; round: number; roundDir: string; status: string }
  | { found: false; reason: string };

export async function lookupJitRound(proposalsDir: string, key: ProposalKey, use: JitOptimizedSelection): Promise<JitRoundLookup> {
  const { proposals } = await listProposals(proposalsDir, { harness: key.harness, skill: key.skillName });
  const mine = proposals.filter((p) => p.meta.targetModel === key.targetModel || path.basename(path.dirname(path.dirname(p.dir))) === key.targetModel);
  for (const p of mine) {
    const m = p.meta;
    let round: number | undefined;
    if (m.status === 'accepted' && m.acceptedRound !== null) round = m.acceptedRound;
    else if (use === 'best-completed' && m.status === 'pending' && m.roundCount > 0) round = m.bestRound;
    if (round === undefined) continue;
    const roundDir = path.join(p.dir, roundDirName(round));
    if ((await statOrNull(roundDir))?.isDirectory()) return { found: true, id: p.id, round, roundDir, status: m.status };
  }
  const counts = new Map<string, number>();
  for (const p of mine) counts.set(p.meta.status, (counts.get(p.meta.status) ?? 0) + 1);
  const seen = [...counts].map(([s, n]) => `${n} ${s}`).join(', ');
  const what = use === 'accepted' ? 'accepted' : 'accepted or finished pending';
  const hint =
    use === 'accepted' && (counts.get('pending') ?? 0) > 0
      ? ' Accept one (proposal_accept), or bench with jitOptimized: "best-completed" to use the best round of the newest finished one.'
      : ' Run jit_optimize for this skill, target model and harness first.';
  return { found: false, reason: `no ${what} jit-optimize proposal for skill ${key.skillName}, target ${key.targetModel} on ${key.harness}${seen ? ` (found: ${seen})` : ''}.${hint}` };
}
