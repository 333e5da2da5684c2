import { z } from 'zod';
import { defineOperation } from '../src/contract/operation.js';
import { detailArg } from '../src/contract/detail.js';
import { idArg } from '../src/contract/limits.js';

const Pair = z.object({ lhs: z.number().nullable(), rhs: z.number().nullable(), delta: z.number().nullable() });
const Aggregate = z.object({
  taskCount: z.number(),
  comparableCount: z.number(),
  incomparableCount: z.number(),
  avgScore: Pair,
  passRate: Pair,
  avgTokens: Pair,
  avgDurationMs: Pair,
  avgLlmDurationMs: Pair,
  avgSteps: Pair,
});
const Side = z.object({ sessionId: z.string(), model: z.string(), adapter: z.string(), complete: z.boolean(), taskCount: z.number(), conditions: z.array(z.string()) });
/** Rows returned: the largest score changes by default, task order with detail "full". */
const MAX_ROWS = { summary: 10, full: 100 } as const;

export const benchCompareTool = defineOperation({
  name: 'bench_compare',
  title: 'Compare two bench sessions',
  description:
    'Compare two bench sessions (e.g. before and after changing a skill, two models, or the same model in two harnesses — two sessions of one bench over several adapters) task by task on every task × condition both have: score, tokens, duration and steps, with deltas as rhs − lhs. Rows where either side did not run cleanly are marked incomparable and left out of score averages. Returns the overall and per-condition averages for both sides, per-row deltas, and warnings (different models or harnesses, different task sets, unfinished sessions). Session ids come from bench results or the skvm://bench resources.',
  input: z.strictObject({
    lhs: idArg().describe('Baseline session id.'),
    rhs: idArg().describe('Session compared against the baseline.'),
    detail: detailArg(`up to ${MAX_ROWS.full} rows in task order (instead of the ${MAX_ROWS.summary} largest score changes) and the comparison as Markdown`),
  }),
  output: z.object({
    lhs: Side,
    rhs: Side,
    aggregate: Aggregate,
    perCondition: z.record(z.string(), Aggregate),
    rows: z.array(
      z.object({
        taskId: z.string(),
        condition: z.string(),
        lhsScore: z.number(),
        rhsScore: z.number(),
        delta: z.object({ score: z.number(), tokens: z.number(), durationMs: z.number(), llmDurationMs: z.number(), steps: z.number() }),
        incomparable: z.boolean(),
      }),
    ),
    rowsOmitted: z.number().describe('Rows left out (the counts and averages include them)'),
    unmatched: z.object({ lhsOnly: z.array(z.string()), rhsOnly: z.array(z.string()) }),
    warnings: z.array(z.string()),
    markdown: z.string().optional().describe('detail "full": the comparison as a Markdown document'),
  }),
  effect: 'read',
  idempotent: true,
  openWorld: false,
  mode: 'instant',
  async handler(input, ctx) {
    const { compareSessions, renderComparisonMarkdown } = await import('../src/engine/bench/compare.js');
    const c = await compareSessions(ctx.engine.roots.logs.value, input.lhs, input.rhs);
    const rows = c.tasks.map((t) => ({
      taskId: t.taskId,
      condition: t.condition,
      lhsScore: t.lhs.score,
      rhsScore: t.rhs.score,
      delta: t.delta,
      incomparable: t.incomparable === true,
    }));
    const full = input.detail === 'full';
    const chosen = full ? rows : [...rows].sort((x, y) => Math.abs(y.delta.score) - Math.abs(x.delta.score));
    return {
      lhs: c.lhs,
      rhs: c.rhs,
      aggregate: c.aggregate,
      perCondition: c.perCondition,
      rows: chosen.slice(0, MAX_ROWS[input.detail]),
      rowsOmitted: Math.max(0, rows.length - MAX_ROWS[input.detail]),
      unmatched: c.unmatched,
      warnings: c.warnings,
      ...(full ? { markdown: renderComparisonMarkdown(c) } : {}),
    };
  },
  summarize(out) {
    const a = out.aggregate;
    const f = (p: z.output<typeof Pair>, digits = 3) => `${p.lhs === null ? 'n/a' : p.lhs.toFixed(digits)} → ${p.rhs === null ? 'n/a' : p.rhs.toFixed(digits)} (${p.delta === null ? 'n/a' : (p.delta >= 0 ? '+' : '') + p.delta.toFixed(digits)})`;
    const lines = [
      `${out.lhs.sessionId} (${out.lhs.model} on ${out.lhs.adapter}) → ${out.rhs.sessionId} (${out.rhs.model} on ${out.rhs.adapter}): ${a.comparableCount} comparable rows, ${a.incomparableCount} incomparable`,
      `score ${f(a.avgScore)}, pass rate ${f(a.passRate, 2)}, tokens ${f(a.avgTokens, 0)}`,
    ];
    for (const [cond, agg] of Object.entries(out.perCondition)) lines.push(`  ${cond.padEnd(14)} score ${f(agg.avgScore)}`);
    for (const w of out.warnings) lines.push(`warning: ${w}`);
    return lines.join('\n');
  },
});
