import { z } from 'zod';
import { LlmError } from '../llm/errors.js';
import { extractStructured } from '../llm/structured.js';
import { addUsage, emptyUsage, type ChatProvider, type TokenUsage } from '../llm/types.js';
import type { LlmJudgeCriterion } from '../tasks/criteria.js';
import { errorMessage, isAbortError } from '../util/errors.js';
import { collectJudgeInputs, renderRubric } from './judge-inputs.js';
import type { EvaluatorOutcome } from './script.js';
import type { EvalContext, JudgeInputs } from './types.js';

/**
 * `llm-judge` criteria (spec runtime §3.3): a judge model scores the agent's trace, final output
 * and work-dir files against the rubric, through a forced `submit_score` tool call (with the
 * structured-extraction fallbacks). normalized = clamp(score, 0, maxScore) / maxScore.
 */

export const JUDGE_TOOL_NAME = 'submit_score';
export const JUDGE_MAX_TOKENS = 2048;

export const JudgeScoreSchema = z.object({
  score: z.coerce.number().describe('The score, from 0 to the maximum given in the instructions.'),
  reasoning: z.string().describe('Why this score: the evidence for and against, briefly.'),
});

const JUDGE_SYSTEM = [
  'You grade the work of an autonomous AI agent. You are impartial and strict: a score must be earned by evidence.',
  'Judge only against the rubric you are given, using what the agent actually did and produced (its steps, tool results,',
  'final answer and the files it left behind), never what it merely claims. Report your verdict with the submit_score tool.',
].join(' ');

export function buildJudgePrompt(rubric: string, maxScore: number, inputs: JudgeInputs): string {
  const parts = [
    `Score the agent's work on a scale from 0.0 to ${maxScore} (fractions allowed), where ${maxScore} means the rubric is fully satisfied and 0.0 means not at all.`,
    'Give a short reasoning that points at the evidence (steps, output, files) behind the score.',
    '',
    '## Rubric',
    rubric.trim() || '(no rubric text: judge whether the task was completed well)',
    '',
    '## Agent Execution Trace',
    inputs.trace.trim() || '(the agent took no recorded steps)',
    '',
    '## Final Output',
    inputs.finalOutput.trim() || '(the agent gave no final output)',
  ];
  if (inputs.workDirFiles.trim()) parts.push('', '## Files Created in Working Directory', inputs.workDirFiles.trim());
  return parts.join('\n');
}

export interface JudgeVerdict {
  pass: boolean;
  score: number;
  details: string;
  infraError?: string;
  /** Summed over the judge's calls (present when a call succeeded). */
  usage?: TokenUsage;
  costUsd?: number | null;
}

/** One judge call. Provider failures become score 0 with `infraError`; cancellation propagates. */
export async function judgeWithLlm(opts: {
  llm: ChatProvider;
  model: string;
  /** Already rendered (see renderRubric). */
  rubric: string;
  maxScore: number;
  inputs: JudgeInputs;
  signal?: AbortSignal;
}): Promise<JudgeVerdict> {
  const maxScore = opts.maxScore > 0 && Number.isFinite(opts.maxScore) ? opts.maxScore : 1;
  try {
    const { value, responses } = await extractStructured(
      opts.llm,
      {
        model: opts.model,
        schema: JudgeScoreSchema,
        name: JUDGE_TOOL_NAME,
        description: 'Submit the score for the agent\'s work and the reasoning behind it.',
        prompt: buildJudgePrompt(opts.rubric, maxScore, opts.inputs),
        system: JUDGE_SYSTEM,
        maxTokens: JUDGE_MAX_TOKENS,
      },
      opts.signal ? { signal: opts.signal } : {},
    );
    const raw = Number.isFinite(value.score) ? value.score : 0;
    const score = Math.min(Math.max(raw, 0), maxScore) / maxScore;
    const usage = responses.reduce((u, r) => addUsage(u, r.usage), emptyUsage());
    const costUsd = responses.some((r) => r.costUsd === null) ? null : responses.reduce((s, r) => s + (r.costUsd ?? 0), 0);
    return { pass: score >= 0.5, score, details: value.reasoning, usage, costUsd };
  } catch (err) {
    if (isAbortError(err) || opts.signal?.aborted) throw err;
    if (err instanceof LlmError) {
      const msg = `LLM judge call failed: ${err.message}`;
      return { pass: false, score: 0, details: msg, infraError: msg };
    }
    return { pass: false, score: 0, details: `LLM judge error: ${errorMessage(err)}` };
  }
}

export async function evaluateLlmJudge(criterion: LlmJudgeCriterion, ctx: EvalContext): Promise<EvaluatorOutcome> {
  if (!ctx.judge) {
    return { pass: false, score: 0, details: 'LLM judge not configured: llm-judge criteria need a judge model (set one for this run).' };
  }
  const inputs = await collectJudgeInputs(ctx.runResult, ctx.workDir);
  const verdict = await judgeWithLlm({
    llm: ctx.judge.llm,
    model: ctx.judge.model,
    rubric: renderRubric(criterion.rubric),
    maxScore: criterion.maxScore ?? 1,
    inputs,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  if (verdict.usage && ctx.onJudgeUsage) ctx.onJudgeUsage(verdict.usage, verdict.costUsd ?? null);
  return outcomeOf(verdict);
}

export function outcomeOf(v: JudgeVerdict): EvaluatorOutcome {
  return { pass: v.pass, score: v.score, details: v.details, ...(v.infraError ? { infraError: v.infraError } : {}) };
}
