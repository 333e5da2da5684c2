import { z } from 'zod';
import { defineOperation } from '../src/contract/operation.js';
import { detailArg } from '../src/contract/detail.js';
import { idArg } from '../src/contract/limits.js';
import { textTable } from '../src/contract/text-table.js';
import { PROPOSAL_STATUSES } from '../src/engine/proposals/meta.js';

const RoundRow = z.object({
  round: z.number(),
  trainScore: z.number().nullable(),
  testScore: z.number().nullable(),
  trainPass: z.string().describe('passed/total train runs'),
  testPass: z.string().nullable(),
  costUsd: z.number().describe('Target agent + judge + optimizer cost of the round'),
  improved: z.boolean().nullable().describe('From history: did this round beat the last scored one'),
  onDisk: z.boolean().describe('round-<n>/ exists (keepAllRounds=false keeps only the best)'),
});

const EvidenceRow = z.object({
  round: z.string().describe('round-<k> or round-<k>-regen'),
  set: z.string().describe('train, test, …'),
  runs: z.number(),
  passed: z.number(),
  tainted: z.number().describe('Runs an infrastructure error tainted (not scored)'),
  meanScore: z.number().nullable(),
});

const Output = z.object({
  id: z.string(),
  uri: z.string(),
  status: z.enum(PROPOSAL_STATUSES),
  skill: z.string(),
  skillDir: z.string(),
  harness: z.string(),
  targetModel: z.string(),
  optimizerModel: z.string(),
  judgeModel: z.string().nullable().describe('Who graded llm-judge criteria; null when not recorded (reference proposals)'),
  source: z.string(),
  bestRound: z.number(),
  bestRoundReason: z.string(),
  acceptedRound: z.number().nullable(),
  roundCount: z.number(),
  problem: z.string().optional().describe('Why the proposal is infra-blocked or failed'),
  rounds: z.array(RoundRow),
  best: z.object({ rootCause: z.string(), changedFiles: z.array(z.string()) }).nullable().describe('The optimizer’s account of the best round; null for round 0'),
  evidence: z.array(EvidenceRow),
  deployed: z.object({ deployment: z.number(), round: z.number(), files: z.number() }).optional().describe('The deployment in effect when accepted'),
  legacy: z.boolean().describe('Written before schemaVersion existed (reference v0): fewer records'),
  next: z.string().describe('What can be done with it now'),
  history: z.array(z.object({ round: z.number(), rootCause: z.string(), changedFiles: z.array(z.string()), confidence: z.number().nullable() })).optional().describe('detail "full": every optimizer round'),
  selection: z.record(z.string(), z.unknown()).optional().describe('detail "full": selectionConfig and excludedRounds'),
  analysis: z.string().optional().describe('detail "full": analysis.md'),
});

export const proposalShowTool = defineOperation({
  name: 'proposal_show',
  title: 'Show a skill-optimization proposal',
  description:
    'Shows one proposal by id (from proposals_list or jit_optimize): status, target/optimizer/judge models, source, ' +
    'the best round and why, a table of rounds (scores, passes, cost), the best round’s root cause and changed files, ' +
    'and per round a summary of the evidence (runs, passed, tainted, mean score). detail "full" adds every optimizer ' +
    'round, the selection settings and analysis.md. proposal_diff shows the changes themselves.',
  input: z.strictObject({
    id: idArg().describe('Proposal id, e.g. bare-agent/openrouter--qwen--qwen3.5-9b/my-skill/20260410T124408123Z'),
    detail: detailArg('every optimizer round, selection settings and analysis.md'),
  }),
  output: Output,
  effect: 'read',
  idempotent: true,
  openWorld: false,
  mode: 'instant',
  async handler(input, ctx) {
    const [{ findProposal }, { readProposalDetails }, { proposalUri, ANALYSIS_FILE }, { promises: fsp }, path] = await Promise.all([
      import('../src/engine/proposals/list.js'),
      import('../src/engine/proposals/show.js'),
      import('../src/engine/proposals/paths.js'),
      import('node:fs'),
      import('node:path'),
    ]);
    const dir = await findProposal(ctx.engine.roots.proposals.value, input.id);
    const d = await readProposalDetails(dir);
    const m = d.meta;
    const entryOf = (r: number) => d.entries.find((e) => e.round === r);
    const bestEntry = m.bestRound > 0 ? entryOf(m.bestRound) : undefined;
    const out: z.output<typeof Output> = {
      id: input.id,
      uri: proposalUri(input.id),
      status: m.status,
      skill: m.skillName,
      skillDir: m.skillDir,
      harness: m.harness,
      targetModel: m.targetModel,
      optimizerModel: m.optimizerModel,
      judgeModel: m.judgeModel ?? null,
      source: m.source,
      bestRound: m.bestRound,
      bestRoundReason: m.bestRoundReason,
      acceptedRound: m.acceptedRound,
      roundCount: m.roundCount,
      rounds: d.rounds.map((r) => ({
        round: r.round,
        trainScore: r.trainScore,
        testScore: r.testScore,
        trainPass: `${r.trainPassed}/${r.trainTotal}`,
        testPass: r.testScore === null ? null : `${r.testPassed}/${r.testTotal}`,
        costUsd: (r.targetAgent?.costUsd ?? 0) + (r.evalJudge?.costUsd ?? 0) + (r.optimizer?.costUsd ?? 0),
        improved: entryOf(r.round)?.improved ?? null,
        onDisk: d.roundDirs.includes(r.round),
      })),
      best: bestEntry ? { rootCause: bestEntry.rootCause, changedFiles: bestEntry.changedFiles } : null,
      evidence: Object.entries(d.evidence).flatMap(([round, sets]) => sets.map((s) => ({ round, set: s.set, runs: s.runs, passed: s.passed, tainted: s.tainted, meanScore: s.meanScore }))),
      legacy: d.schemaVersion === 0,
      next: nextStep(input.id, m.status, m.bestRound),
    };
    const problem = m.status === 'infra-blocked' ? m.blockedReason : m.status === 'failed' ? m.failedReason : undefined;
    if (problem) out.problem = problem;
    if (d.deployment) out.deployed = { deployment: d.deployment.deployment, round: d.deployment.round, files: d.deployment.files.length };
    if (input.detail === 'full') {
      out.history = d.entries.map((e) => ({ round: e.round, rootCause: e.rootCause, changedFiles: e.changedFiles, confidence: e.confidence ?? null }));
      out.selection = { ...(m.selectionConfig ? { selectionConfig: m.selectionConfig } : {}), ...(m.excludedRounds ? { excludedRounds: m.excludedRounds } : {}) };
      const analysis = await fsp.readFile(path.join(dir, ANALYSIS_FILE), 'utf8').catch(() => undefined);
      if (analysis !== undefined) out.analysis = analysis;
    }
    return out;
  },
  summarize(out) {
    const score = (v: number | null) => (v === null ? '—' : v.toFixed(3));
    const lines = [
      `# ${out.id}`,
      `status: ${out.status}${out.acceptedRound !== null ? ` (round ${out.acceptedRound} deployed)` : ''}${out.problem ? ` — ${out.problem}` : ''}`,
      `skill: ${out.skill} (${out.skillDir})`,
      `target: ${out.targetModel} on ${out.harness}; optimizer: ${out.optimizerModel}; judge: ${out.judgeModel ?? 'not recorded'}`,
      `source: ${out.source}`,
      `best round: ${out.bestRound} — ${out.bestRoundReason || '(not finalized)'}; rounds: ${out.roundCount}`,
    ];
    if (out.legacy) lines.push('(legacy proposal written before schemaVersion: fewer records)');
    if (out.rounds.length > 0) {
      lines.push(
        textTable(
          ['round', 'train', 'pass', 'test', 'cost', 'improved'],
          out.rounds.map((r) => [`${r.round}${r.round === out.bestRound ? '*' : ''}`, score(r.trainScore), r.trainPass, r.testPass === null ? '—' : `${score(r.testScore)} ${r.testPass}`, `$${r.costUsd.toFixed(4)}`, r.improved === null ? '' : r.improved ? 'yes' : 'no']),
        ),
      );
    }
    if (out.best) lines.push(`root cause: ${out.best.rootCause}`, `changed: ${out.best.changedFiles.join(', ') || '(none)'}`);
    for (const e of out.evidence) lines.push(`evidence ${e.round}/${e.set}: ${e.passed}/${e.runs} passed, mean ${score(e.meanScore)}${e.tainted ? `, ${e.tainted} tainted` : ''}`);
    lines.push(out.next);
    if (out.analysis) lines.push('', out.analysis);
    return lines.join('\n');
  },
});

function nextStep(id: string, status: string, bestRound: number): string {
  switch (status) {
    case 'pending':
      return bestRound > 0 ? `Review with proposal_diff, then proposal_accept or proposal_reject (id ${id}).` : 'Round 0 (the original) is best: nothing to deploy; proposal_reject it.';
    case 'accepted':
      return `Deployed; proposal_rollback restores the skill as it was.`;
    case 'rejected':
      return 'Rejected; proposal_accept with force: true would still deploy it.';
    case 'infra-blocked':
      return 'Its runs hit infrastructure errors, so nothing was validated; fix the cause and run jit_optimize again.';
    default:
      return 'The optimization crashed; run jit_optimize again.';
  }
}
