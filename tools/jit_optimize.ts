import { z } from 'zod';
import { HARNESS_HELP, harnessSchema } from '../src/contract/harness.js';
import { listArg, modelArg, pathArg } from '../src/contract/limits.js';
import { detailArg } from '../src/contract/detail.js';
import { defineOperation } from '../src/contract/operation.js';

/** What a result keeps, [summary, full]: characters of the best round's diff (proposal_diff has it all), warnings, characters of texts the optimizer wrote. */
const DIFF_CAP = { summary: 1200, full: 20_000 } as const;
const WARNINGS_CAP = { summary: 3, full: 50 } as const;
const TEXT_CAP = { summary: 300, full: 4000 } as const;

const Spend = z.object({ input: z.number(), output: z.number(), costUsd: z.number() });
const Scores = z.object({ trainScore: z.number().nullable(), testScore: z.number().nullable() });

const Output = z.object({
  proposalId: z.string(),
  proposalUri: z.string().describe('skvm://proposals/<id>: the proposal (rounds, evidence, analysis); proposal_diff / proposal_accept take the id'),
  status: z.enum(['pending', 'infra-blocked']).describe('pending: ready to review (nothing was applied); infra-blocked: the runs failed for infrastructure reasons'),
  skill: z.string(),
  source: z.enum(['real', 'synthetic', 'log']),
  targetModel: z.string(),
  adapter: z.string(),
  optimizerModel: z.string(),
  judgeModel: z.string().describe('Who judged llm-judge criteria'),
  judgeNote: z.string().describe('Why that judge'),
  bestRound: z.number().describe('0 = the original skill stays best'),
  bestRoundReason: z.string(),
  rounds: z.array(
    z.object({
      round: z.number(),
      trainScore: z.number().nullable(),
      testScore: z.number().nullable(),
      passed: z.string().describe('train runs passed/total'),
      basedOnRound: z.number().optional().describe('The round whose skill this round edited'),
      edited: z.boolean().describe('The optimizer changed files in this round'),
    }),
  ),
  baseline: z.object({ noSkill: Scores, original: Scores }).optional().describe('baseline: the tasks without any skill, and with the original'),
  rootCause: z.string().describe('The optimizer’s diagnosis for the best round (or the last round when none beat the original)'),
  changedFiles: z.array(z.object({ file: z.string(), status: z.enum(['added', 'modified', 'removed']) })).describe('Best round vs the original'),
  diff: z.string().describe(`Unified diff of the best round vs the original (first ${DIFF_CAP.summary} characters; ${DIFF_CAP.full} with detail "full"; proposal_diff has all of it)`),
  diffTruncated: z.boolean(),
  spend: z.object({ target: Spend, judge: Spend, optimizer: Spend, taskGen: Spend, totalCostUsd: z.number() }).describe('Tokens and USD by role (taskGen: writing synthetic tasks, by the optimizer model)'),
  excludedRounds: z.record(z.string(), z.string()).describe(`Rounds excluded by the per-task regression check, with why (the first ${WARNINGS_CAP.summary} unless detail is "full")`),
  infraBlocked: z.object({ reason: z.string(), evidenceIds: z.array(z.string()) }).optional(),
  warnings: z.array(z.string()).describe(`The first ${WARNINGS_CAP.summary} (${WARNINGS_CAP.full} with detail "full")`),
});
type Out = z.output<typeof Output>;

export const jitOptimizeTool = defineOperation({
  name: 'jit_optimize',
  title: 'Optimize a skill from evidence (makes a proposal)',
  description:
    'Improve a skill from evidence and leave the result as a proposal to review — nothing is applied to the skill. source "real" (or "synthetic", where the optimizer model first writes the tasks): the target agent runs the tasks with the skill (run_task’s preparation and graders), an optimizer agent (our own, working on a copy of the skill) edits it from the failures, and each edited round is run again; the best round is chosen conservatively (it must beat the original by minImprovement without regressing any task). A round that scores worse is never the base of the next round. source "log": one optimizer pass from transcripts (logs: paths, or latestSession: the newest Claude Code / Codex session that loaded this skill), not evaluated. Judge of llm-judge criteria: judgeModel, else the target model when it differs from the optimizer. Returns the proposal id and URI, the best round and why, per-round scores, the root cause, changed files and the diff of the best round, and tokens and cost by role (target, judge, optimizer). Review with proposal_show / proposal_diff, then proposal_accept (a separate, reviewed step). One optimization per skill, model and harness at a time. This is a run: poll it with run_status.',
  input: z.strictObject({
    skill: pathArg().describe('Skill name (under the dataset’s skills/) or path to a skill folder.'),
    source: z.enum(['real', 'synthetic', 'log']).describe('real: run the given tasks and evaluate every round; synthetic: the optimizer model first writes tasks for the skill (kept in the proposal), then as real; log: optimize once from transcripts.'),
    tasks: listArg(pathArg(), 50).optional().describe('source real: training task ids or paths (as run_task takes them).'),
    testTasks: listArg(pathArg(), 50).optional().describe('source real: held-out test tasks (default: the training tasks are the test).'),
    trainCount: z.number().int().min(1).max(20).optional().describe('source synthetic: training tasks to generate (default 3).'),
    testCount: z.number().int().min(0).max(20).optional().describe('source synthetic: held-out test tasks to generate (default 1; 0 = test on the training tasks).'),
    logs: z
      .array(z.strictObject({ path: pathArg(), criteriaPath: pathArg().optional().describe('JSON criteria (a list or one) replacing what the transcript says') }))
      .max(20)
      .optional()
      .describe('source log: transcript files (Claude Code, Codex, opencode, pi, Gemini CLI, skvm logs, simple reports).'),
    latestSession: z.boolean().default(false).describe('source log: use the newest Claude Code / Codex session on this machine that loaded the skill.'),
    targetModel: modelArg().describe('Model the skill is optimized for (and that runs the tasks), <provider>/<model-id>.'),
    adapter: harnessSchema().default('bare-agent').describe(HARNESS_HELP),
    skillMode: z.enum(['inject', 'discover']).default('inject').describe('How the target agent gets the skill.'),
    optimizerModel: modelArg().describe('Model of the optimizer agent (a strong one).'),
    judgeModel: modelArg().optional().describe('Judge of llm-judge criteria (default: the target model when it is not the optimizer).'),
    rounds: z.number().int().min(1).max(10).optional().describe('Optimizer rounds (default 3; log source: 1).'),
    runsPerTask: z.number().int().min(1).max(10).default(1).describe('Runs of each task per round (more = less noise).'),
    convergence: z.number().min(0).max(1).default(0.95).describe('Stop once the score reaches this.'),
    minImprovement: z.number().min(0).max(1).default(0.02).describe('A round must beat the original by this much (noise floor).'),
    taskConcurrency: z.number().int().min(1).max(16).default(1).describe('Task runs in flight at once.'),
    baseline: z.boolean().default(false).describe('Also run the tasks without any skill and report it beside the original.'),
    keepAllRounds: z.boolean().default(true).describe('Keep every round in the proposal (false: only the best).'),
    taskTimeoutMs: z.number().int().min(1000).max(3_600_000).optional().describe('Per task run (default: the task’s own).'),
    optimizerTimeoutMs: z.number().int().min(1000).max(3_600_000).default(600_000).describe('Per optimizer pass.'),
    taskGenTimeoutMs: z.number().int().min(1000).max(3_600_000).default(900_000).describe('source synthetic: per task-generation attempt.'),
    detail: detailArg(`a longer diff (${DIFF_CAP.full} characters), the whole root cause and reasons, and up to ${WARNINGS_CAP.full} warnings`),
  }),
  output: Output,
  effect: 'write',
  idempotent: false,
  openWorld: true,
  mode: 'run',
  cliDefaults: { detail: 'full' },
  label: (i) => `jit_optimize ${i.skill} for ${i.targetModel} (${i.source})`,
  async handler(input, ctx) {
    const { startJitOptimize } = await import('../src/engine/jit/start.js');
    const { detail, ...rest } = input;
    const r = await startJitOptimize(ctx.engine, {
      ...rest,
      ...(input.rounds !== undefined ? { rounds: input.rounds } : {}),
      llm: ctx.llm,
      signal: ctx.signal,
      log: ctx.log,
      onProgress: ctx.progress,
      ...(ctx.runId ? { runId: ctx.runId } : {}),
    });
    const best = r.rounds.find((x) => x.round === r.bestRound)?.historyEntry ?? r.history.at(-1) ?? null;
    const diff = r.changes.map((c) => c.patch || `${c.status} ${c.file} (binary or empty)\n`).join('');
    const slice = (s: { tokens: { input: number; output: number }; costUsd: number }) => ({ input: s.tokens.input, output: s.tokens.output, costUsd: s.costUsd });
    return {
      proposalId: r.proposalId,
      proposalUri: `skvm://proposals/${r.proposalId}`,
      status: r.infraBlocked ? ('infra-blocked' as const) : ('pending' as const),
      skill: r.skillName,
      source: r.source,
      targetModel: input.targetModel,
      adapter: input.adapter,
      optimizerModel: input.optimizerModel,
      judgeModel: r.judgeModel,
      judgeNote: r.judgeNote,
      bestRound: r.bestRound,
      bestRoundReason: r.bestRoundReason.slice(0, TEXT_CAP[detail]),
      rounds: r.rounds.map((x) => ({
        round: x.round,
        trainScore: x.trainScore,
        testScore: x.testScore,
        passed: `${x.trainPassed}/${x.trainTotal}`,
        ...(x.historyEntry?.basedOnRound !== undefined ? { basedOnRound: x.historyEntry.basedOnRound } : {}),
        edited: r.editedRounds.includes(x.round),
      })),
      ...(r.baseline ? { baseline: r.baseline } : {}),
      rootCause: (best?.rootCause ?? '').slice(0, TEXT_CAP[detail]),
      changedFiles: r.changes.map((c) => ({ file: c.file, status: c.status })),
      diff: diff.slice(0, DIFF_CAP[detail]),
      diffTruncated: diff.length > DIFF_CAP[detail],
      spend: {
        target: slice(r.spend.target),
        judge: slice(r.spend.judge),
        optimizer: slice(r.spend.optimizer),
        taskGen: slice(r.spend.setup),
        totalCostUsd: r.spend.target.costUsd + r.spend.judge.costUsd + r.spend.optimizer.costUsd + r.spend.setup.costUsd,
      },
      excludedRounds: Object.fromEntries(Object.entries(r.excludedRounds).slice(0, WARNINGS_CAP[detail]).map(([k, v]) => [k, v.slice(0, TEXT_CAP[detail])])),
      ...(r.infraBlocked ? { infraBlocked: r.infraBlocked } : {}),
      warnings: r.warnings.slice(0, WARNINGS_CAP[detail]).map((w) => w.slice(0, TEXT_CAP[detail])),
    };
  },
  verdict(out) {
    if (out.status === 'infra-blocked') {
      return { kind: 'failed', message: `The optimization of ${out.skill} was blocked by infrastructure problems: ${out.infraBlocked?.reason ?? 'see the proposal'}. Proposal ${out.proposalId} is marked infra-blocked.`, hint: 'config_doctor checks the model routes and harnesses; fix what the reason names and run jit_optimize again.' };
    }
    return { kind: 'ok' };
  },
  summarize(out: Out) {
    const f = (x: number | null) => (x === null ? 'n/a' : x.toFixed(3));
    const lines = [
      `${out.skill} for ${out.targetModel} on ${out.adapter} (${out.source}): proposal ${out.proposalId} [${out.status}] — nothing applied`,
      `best round ${out.bestRound}: ${out.bestRoundReason}`,
      ...out.rounds.map((r) => `  round ${r.round}: train ${f(r.trainScore)}${r.testScore !== null ? ` test ${f(r.testScore)}` : ''} (${r.passed} passed)${r.basedOnRound !== undefined ? ` edited round ${r.basedOnRound}` : ''}`),
      ...(out.baseline ? [`baseline: no skill ${f(out.baseline.noSkill.trainScore)}, original ${f(out.baseline.original.trainScore)}`] : []),
      ...(out.rootCause ? [`root cause: ${out.rootCause}`] : []),
      `changed: ${out.changedFiles.map((c) => `${c.file} (${c.status})`).join(', ') || 'nothing'}`,
      `judge: ${out.judgeModel} (${out.judgeNote}); cost $${out.spend.totalCostUsd.toFixed(4)} (target $${out.spend.target.costUsd.toFixed(4)}, judge $${out.spend.judge.costUsd.toFixed(4)}, optimizer $${out.spend.optimizer.costUsd.toFixed(4)})`,
      ...out.warnings.map((w) => `warning: ${w}`),
      ...(out.diff ? ['', out.diff + (out.diffTruncated ? '\n… (diff cut; proposal_diff shows it all)' : '')] : []),
      `review: proposal_show ${out.proposalId}; accept with proposal_accept (separate step).`,
    ];
    return lines.join('\n');
  },
});
