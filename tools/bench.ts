import { z } from 'zod';
import { defineOperation } from '../src/contract/operation.js';
import { detailArg } from '../src/contract/detail.js';
import { idArg, listArg, modelArg, pathArg } from '../src/contract/limits.js';
import { adapterConfigArg, HARNESS_HELP, harnessSchema } from '../src/contract/harness.js';
import { RUNNABLE_ADAPTERS } from '../src/engine/agent/adapters/harnesses.js';

/** Skipped cells and warnings listed by default; the report has them all. */
const LISTED = 10;

/** Condition names come from the bench condition registry; a test keeps this list in step with it. */
export const BENCH_CONDITIONS_HELP =
  'no-skill (baseline), original (the task’s own skills), custom-skill (the `skill` you pass), aot-compiled (the task’s skills compiled for the target model and harness by passes 1–3, from variants_list or compiled on demand; aot-compiled-p1 … aot-compiled-p12 pick the passes), jit-optimized (the task’s skills as an accepted jit_optimize proposal left them for the target model and harness; see jitOptimized), jit-boost (the task’s skills over 3 runs: a warm-up, then runs where code the agent keeps writing runs directly instead of asking the model; the last run is scored)';

const ConditionRow = z.object({
  condition: z.string(),
  avgScore: z.number().nullable(),
  passRate: z.number().nullable(),
  avgTokens: z.number().nullable(),
  avgCostUsd: z.number().nullable(),
  avgDurationMs: z.number(),
  evaluable: z.number(),
  tainted: z.number(),
});

const SessionOut = z.object({
  model: z.string(),
  adapter: z.string(),
  sessionId: z.string(),
  resource: z.string(),
  reportMarkdown: z.string().describe('Path of report.md'),
  conditions: z.array(ConditionRow),
  deltaVsNoSkill: z.record(z.string(), z.number().nullable()).describe('Average score difference of each condition against no-skill'),
  tasks: z
    .array(z.object({ taskId: z.string(), scores: z.record(z.string(), z.number().nullable()) }))
    .optional()
    .describe('detail "full": score per task and condition (null = not evaluable); always in the session report'),
});

export const benchTool = defineOperation({
  name: 'bench',
  title: 'Benchmark tasks × models × harnesses × conditions',
  description: `Benchmark skills: run every task under each condition (${BENCH_CONDITIONS_HELP}) on each model through each agent harness (adapter, or several with adapters: every model on every harness), repeated runsPerTask times, score each run with the task's graders, and write a session per model and harness (progress.json, report.json, report.md) under the logs root, plus a comparison session ranking them when there are several. Use it to measure whether a skill helps a model, or how the same model does in different harnesses: compare each condition's average score with no-skill. tasks defaults to every task in the dataset. An interrupted or cancelled bench resumes with resume=<sessionId> (or "latest") without redoing finished cells; it keeps the session's own harnesses. Returns, per model and harness, the average score / pass rate / tokens / cost per condition, the delta against no-skill, per-task scores, and the report's resource (skvm://bench/{sessionId}). This is a run: poll it with run_status.`,
  input: z.strictObject({
    models: listArg(modelArg(), 50).min(1).describe('Agent models, <provider>/<model-id>; several give a comparison session.'),
    tasks: listArg(pathArg(), 1000).optional().describe('Task ids or paths (default: every task in the dataset).'),
    conditions: listArg(idArg(), 20).min(1).default(['no-skill', 'original']).describe(`Conditions: ${BENCH_CONDITIONS_HELP}.`),
    skill: pathArg().optional().describe('Skill name or path for the custom-skill condition.'),
    skillMode: z.enum(['inject', 'discover']).default('inject').describe('inject: skill text in the system prompt; discover: listed, loaded on request.'),
    adapter: harnessSchema().optional().describe(`${HARNESS_HELP} Default bare-agent; a resume keeps the session's.`),
    adapters: listArg(harnessSchema(), RUNNABLE_ADAPTERS.length).min(1).optional().describe('Several harnesses instead of adapter: each model runs on each, one session per pair.'),
    adapterConfig: adapterConfigArg(),
    runsPerTask: z.number().int().min(1).max(20).default(1).describe('Repetitions per task × condition (averaged).'),
    concurrency: z.number().int().min(1).max(32).default(4).describe('Cells run at once.'),
    asyncJudge: z.boolean().default(false).describe('Judge llm-judge criteria at the end, in one batch.'),
    judgeModel: modelArg().optional().describe('Model for llm-judge criteria (required when any task has them).'),
    jitRuns: z.number().int().min(1).max(20).default(3).describe('Runs per jit-boost cell: one warm-up, then runs with the solidifier; the last is scored.'),
    jitOptimized: z
      .enum(['accepted', 'best-completed'])
      .default('accepted')
      .describe('Which proposal round jit-optimized uses: accepted (default) = the deployed round of the newest accepted proposal; best-completed = also the best round of the newest finished pending one. Rejected, failed and infra-blocked proposals are never used.'),
    compilerModel: modelArg().optional().describe('Model that compiles skills for aot-compiled conditions when no variant is published yet (without it such cells fail and say how to compile); it also generates jit-boost candidates (default: the target model).'),
    timeoutMs: z.number().int().min(1000).optional().describe('Per-run limit (default: each task’s timeoutMs).'),
    maxSteps: z.number().int().min(1).max(500).default(30).describe('Agent turn limit per run.'),
    keepWorkDirs: z.boolean().default(false).describe('Keep each run’s work directory.'),
    resume: idArg().optional().describe('Session id to continue, or "latest".'),
    web: z.boolean().default(false).describe('Allow network access (web_fetch, commands).'),
    detail: detailArg('the score of every task under every condition, and every skipped cell and warning'),
  }),
  output: z.object({
    sessionId: z.string().describe('The session (one model on one harness) or the comparison session (several)'),
    sessionDir: z.string(),
    resource: z.string(),
    totalCells: z.number(),
    ranCells: z.number().describe('Cells run by this call (the rest were done before a resume)'),
    sessions: z.array(SessionOut),
    ranking: z.array(z.object({ model: z.string(), adapter: z.string(), avgScore: z.number().nullable(), passRate: z.number().nullable() })).optional().describe('Several sessions: each model on each harness, best average score first'),
    skipped: z.array(z.object({ taskId: z.string(), condition: z.string(), reason: z.string() })).describe(`Cells not run (the first ${LISTED} unless detail is "full")`),
    skippedCount: z.number(),
    warnings: z.array(z.string()).describe(`The first ${LISTED} unless detail is "full"`),
  }),
  effect: 'write',
  idempotent: false,
  openWorld: true,
  mode: 'run',
  label: (i) => `bench ${i.tasks?.length ? `${i.tasks.length} task(s)` : 'all tasks'} × ${i.models.join(', ')}${i.adapters ? ` × ${i.adapters.join(', ')}` : i.adapter ? ` on ${i.adapter}` : ''} × ${i.conditions.join('+')}`,
  async handler(input, ctx) {
    const [{ startBench }, { summarizeOutcome }] = await Promise.all([import('../src/engine/bench/start.js'), import('../src/engine/bench/summary.js')]);
    const { detail, ...options } = input;
    const outcome = await startBench(ctx.engine, { ...options, llm: ctx.llm, signal: ctx.signal, onProgress: ctx.progress, log: ctx.log });
    const out = summarizeOutcome(outcome);
    if (detail === 'full') return { ...out, skippedCount: out.skipped.length };
    return {
      ...out,
      sessions: out.sessions.map(({ tasks: _perTask, ...s }) => s),
      skipped: out.skipped.slice(0, LISTED),
      skippedCount: out.skipped.length,
      warnings: out.warnings.slice(0, LISTED),
    };
  },
  verdict(out) {
    const evaluable = out.sessions.reduce((n, s) => n + s.conditions.reduce((m, c) => m + c.evaluable, 0), 0);
    if (out.ranCells === 0 || evaluable > 0) return { kind: 'ok' };
    return {
      kind: 'failed',
      message: `None of the ${out.ranCells} bench cells run produced a score: every run hit an infrastructure problem (vendor errors, a crashing harness or grader).`,
      hint: `The report lists each cell's error (${out.resource}); config_doctor tests the routes. Resume with resume="${out.sessionId}" once fixed.`,
    };
  },
  summarize(out) {
    const lines = [`bench session ${out.sessionId}: ${out.ranCells}/${out.totalCells} cells run now${out.totalCells > out.ranCells ? ' (rest resumed)' : ''}`];
    for (const s of out.sessions) {
      lines.push(`\n${s.model} on ${s.adapter} — ${s.resource}`);
      lines.push(`  ${'condition'.padEnd(14)} ${'score'.padStart(6)} ${'pass'.padStart(6)} ${'Δ no-skill'.padStart(10)} ${'tokens'.padStart(8)} ${'cost'.padStart(9)}`);
      for (const c of s.conditions) {
        const d = s.deltaVsNoSkill[c.condition];
        lines.push(
          `  ${c.condition.padEnd(14)} ${fmt(c.avgScore).padStart(6)} ${pct(c.passRate).padStart(6)} ${(d === undefined || d === null ? '' : (d >= 0 ? '+' : '') + d.toFixed(3)).padStart(10)} ${(c.avgTokens === null ? 'n/a' : Math.round(c.avgTokens).toString()).padStart(8)} ${(c.avgCostUsd === null ? 'n/a' : '$' + c.avgCostUsd.toFixed(4)).padStart(9)}${c.tainted ? `  (${c.tainted} tainted)` : ''}`,
        );
      }
      lines.push(`  report: ${s.reportMarkdown}`);
    }
    if (out.ranking) lines.push('\nranking: ' + out.ranking.map((r) => `${r.model} on ${r.adapter} ${fmt(r.avgScore)}`).join(' > '));
    if (out.skipped.length) lines.push(`\n${out.skippedCount} cell(s) skipped, e.g. ${out.skipped[0]!.taskId}/${out.skipped[0]!.condition}: ${out.skipped[0]!.reason}`);
    for (const w of out.warnings.slice(0, 5)) lines.push(`warning: ${w}`);
    return lines.join('\n');
  },
});

function fmt(n: number | null): string {
  return n === null ? 'n/a' : n.toFixed(3);
}
function pct(n: number | null): string {
  return n === null ? 'n/a' : `${Math.round(n * 100)}%`;
}
