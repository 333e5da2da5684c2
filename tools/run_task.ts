import { z } from 'zod';
import { defineOperation } from '../src/contract/operation.js';
import { detailArg } from '../src/contract/detail.js';
import { modelArg, pathArg } from '../src/contract/limits.js';
import { adapterConfigArg, HARNESS_HELP, harnessSchema } from '../src/contract/harness.js';

const Criterion = z.object({
  id: z.string().optional(),
  name: z.string().optional(),
  method: z.string(),
  weight: z.number().optional(),
  score: z.number(),
  pass: z.boolean(),
  details: z.string().describe('What the grader found (first 300 characters unless detail is "full")'),
  checkpoints: z.array(z.object({ name: z.string(), score: z.number(), reason: z.string().optional() })).optional(),
  infraError: z.string().optional(),
});

const Output = z.object({
  taskId: z.string(),
  taskName: z.string().optional(),
  model: z.string(),
  adapter: z.string(),
  skills: z.array(z.string()).describe('Skills given to the agent'),
  skillMode: z.enum(['inject', 'discover']).optional(),
  skillLoaded: z.boolean().optional().describe('discover mode: whether the agent loaded the skill'),
  runStatus: z.enum(['ok', 'timeout', 'adapter-crashed', 'parse-failed', 'tainted']),
  statusDetail: z.string().optional(),
  evaluated: z.boolean().describe('false when evaluate=false or the run was not ok (then it is never scored)'),
  score: z.number().nullable().describe('Weighted score in [0,1] (criterion weights; what bench reports); null when not evaluated'),
  meanScore: z.number().nullable().describe('Unweighted mean of the criteria (the reference runner)'),
  passed: z.boolean().nullable().describe('Every criterion passed'),
  evalTainted: z.boolean().describe('A grader hit an infrastructure problem: do not trust the score'),
  criteria: z.array(Criterion),
  tokens: z.object({ input: z.number(), output: z.number(), cacheRead: z.number(), cacheWrite: z.number() }),
  costUsd: z.number().nullable().describe('null when a price was unknown'),
  durationMs: z.number(),
  llmDurationMs: z.number(),
  steps: z.number(),
  toolCalls: z.number(),
  finalText: z.string().describe('The agent’s final answer (first 500 characters, 4000 with detail "full"; the conversation log has it all)'),
  convLog: z.string().describe('Conversation log (JSONL)'),
  workDir: z.string().nullable().describe('Kept work directory, when keepWorkDir was set'),
});

/** Characters kept of the final answer and of each grader's details: [summary, full]. */
const FINAL_TEXT_CAP = { summary: 500, full: 4000 } as const;
const DETAILS_CAP = { summary: 300, full: 20_000 } as const;

export const runTaskTool = defineOperation({
  name: 'run_task',
  title: 'Run a task (and score it)',
  description:
    'Run one benchmark task with an agent on a model, optionally with a skill, and score the result with the task’s own graders — one call does both. `task` is a task id from the dataset (resources skvm://tasks/{id}) or a path to a task folder or task.json; `skill` a skill name or path, or set useTaskSkills to give the agent the skills the task names. Returns the run status (only `ok` runs are scored), the score and each criterion’s result, tokens, cost, duration, the final answer, and where the conversation log (and the work directory, if kept) are. This is a run: if it outlasts waitSeconds you get a runId for run_status.',
  input: z.strictObject({
    task: pathArg().describe('Task id (e.g. "sales-summary") or a path to a task folder / task.json.'),
    model: modelArg().describe('Agent model, <provider>/<model-id> (e.g. "openrouter/qwen/qwen3-30b").'),
    skill: pathArg().optional().describe('Skill name (under the dataset’s skills/) or a path to a skill folder / SKILL.md.'),
    useTaskSkills: z.boolean().default(false).describe('Give the agent the skill(s) the task’s task.json names.'),
    skillMode: z.enum(['inject', 'discover']).default('inject').describe('inject: skill text in the system prompt; discover: listed, loaded on request.'),
    adapter: harnessSchema().default('bare-agent').describe(HARNESS_HELP),
    adapterConfig: adapterConfigArg(),
    timeoutMs: z.number().int().min(1000).optional().describe('Wall-clock limit of the agent run (default: the task’s timeoutMs).'),
    maxSteps: z.number().int().min(1).max(500).optional().describe('Agent turn limit (default: the task’s maxSteps).'),
    evaluate: z.boolean().default(true).describe('Score the run with the task’s criteria.'),
    judgeModel: modelArg().optional().describe('Model for llm-judge criteria (required when the task has any and evaluate is on).'),
    keepWorkDir: z.boolean().default(false).describe('Keep the work directory and return its path.'),
    web: z.boolean().default(false).describe('Allow network access (web_fetch, commands).'),
    detail: detailArg('the first 4000 characters of the final answer and the graders\' full details'),
  }),
  output: Output,
  effect: 'write',
  idempotent: false,
  openWorld: true,
  mode: 'run',
  label: (i) => `run_task ${i.task} on ${i.model}${i.skill ? ` with ${i.skill}` : i.useTaskSkills ? ' with its skills' : ''}`,
  async handler(input, ctx) {
    const { runSingleTask } = await import('../src/engine/bench/single-run.js');
    const r = await runSingleTask(ctx.engine, { ...input, llm: ctx.llm, signal: ctx.signal, log: ctx.log, onStage: ctx.progress });
    return {
      ...r,
      finalText: r.finalText.slice(0, FINAL_TEXT_CAP[input.detail]),
      criteria: r.criteria.map((c) => ({ ...c, details: c.details.slice(0, DETAILS_CAP[input.detail]) })),
    };
  },
  verdict(out) {
    const log = `The conversation log is ${out.convLog}.`;
    if (out.runStatus === 'adapter-crashed' || out.runStatus === 'parse-failed' || out.runStatus === 'tainted') {
      return { kind: 'failed', message: `The agent run on ${out.model} did not complete (${out.runStatus}${out.statusDetail ? `: ${out.statusDetail}` : ''}); it was not scored.`, hint: `${log} config_doctor checks the model's route; a task whose setup fails needs fixing in its folder.` };
    }
    if (out.evalTainted) {
      const infra = out.criteria.find((c) => c.infraError)?.infraError;
      return { kind: 'failed', message: `A grader of ${out.taskId} hit an infrastructure problem${infra ? ` (${infra})` : ''}, so the score cannot be trusted.`, hint: 'Install what the grader needs (config_doctor lists harness and runtime problems), then run the task again.' };
    }
    if (out.runStatus === 'timeout') return { kind: 'not-passed', message: `The agent ran out of time (${out.statusDetail ?? 'timeout'}); the run was not scored.` };
    if (out.evaluated && out.passed === false) return { kind: 'not-passed', message: `${out.taskId} scored ${out.score!.toFixed(3)}: not every criterion passed.` };
    return { kind: 'ok' };
  },
  summarize(out) {
    const head = `${out.taskId} on ${out.model} (${out.adapter}${out.skills.length ? `, skill ${out.skills.join('+')} ${out.skillMode}` : ', no skill'}): run ${out.runStatus}${out.statusDetail ? ` — ${out.statusDetail}` : ''}`;
    const score = out.evaluated ? `score ${out.score!.toFixed(3)} (mean ${out.meanScore!.toFixed(3)}), ${out.passed ? 'all criteria passed' : 'not all criteria passed'}${out.evalTainted ? ' [grader infra problem: score not trustworthy]' : ''}` : 'not scored';
    const crit = out.criteria.map((c) => `  ${c.pass ? 'pass' : 'FAIL'} ${(c.id ?? c.name ?? c.method).padEnd(24)} ${c.score.toFixed(2)}  ${c.details.split('\n')[0]!.slice(0, 100)}`);
    const cost = out.costUsd === null ? 'n/a' : `$${out.costUsd.toFixed(4)}`;
    const usage = `${out.steps} steps, ${out.toolCalls} tool calls, ${out.tokens.input}+${out.tokens.output} tokens, ${cost}, ${(out.durationMs / 1000).toFixed(1)} s`;
    return [head, score, ...crit, usage, `log: ${out.convLog}${out.workDir ? `\nwork dir: ${out.workDir}` : ''}`].join('\n');
  },
});
