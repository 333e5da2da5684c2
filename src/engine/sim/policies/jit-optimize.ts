import type { ChatMessage } from '../../llm/types.js';
import type { SimPolicy, SimReply, SimRequest } from '../policy.js';

/**
 * Simulated models for jit-optimize (tests and demos, over real HTTP through the real SDKs):
 *
 * - the OPTIMIZER (requests for `optimizerModel`): a bare agent that reads
 *   `.optimize/PER_TASK_SUMMARY.md`, then `SKILL.md`; when the summary shows a FAILING,
 *   MARGINAL or UNSCORED task and one of its `edits` finds its text in SKILL.md, it writes SKILL.md with the
 *   first such edit and a submission naming the worst task; otherwise it submits noChanges.
 *   What it does depends only on what it read, so a round based on a different skill version
 *   makes a different edit.
 * - the TARGET (any other model): writes `output.path` with `output.pass` when the skill text it
 *   was given (inject mode: the system prompt) contains `marker`, else `output.fail`; then ends.
 *   A file-check on that file then scores the skill text.
 * - TASK GENERATION (optimizer requests asking for ./tasks-out/): writes as many of
 *   `generatedTasks` as the prompt asks for, one task.json per turn, continuing across attempts.
 */

export interface JitOptimizeSimSpec {
  /** The optimizer's model id as the vendor sees it (route prefix stripped), e.g. "optimizer". */
  optimizerModel: string;
  /** Tried in order on the SKILL.md the optimizer read; the first whose `find` occurs is applied. */
  edits: Array<{ find: string; replace: string; rootCause: string }>;
  marker: string;
  output: { path: string; pass: string; fail: string };
  /** Task generation (requests for `optimizerModel` that ask for ./tasks-out/): task.json bodies written in order, `id` set to the folder name; the next attempt continues where the last stopped. */
  generatedTasks?: Array<Record<string, unknown>>;
  /** USD per reply (default 0.001). */
  costUsd?: number;
}

const toolResults = (msgs: readonly ChatMessage[]) => msgs.filter((m): m is Extract<ChatMessage, { role: 'tool' }> => m.role === 'tool');
const lastCall = (msgs: readonly ChatMessage[]) => {
  for (let i = msgs.length - 1; i >= 0; i--) {
    const m = msgs[i]!;
    if (m.role === 'assistant' && m.toolCalls?.length) return m.toolCalls[0]!;
  }
  return undefined;
};

/** Task ids of the summary's FAILING/MARGINAL/UNSCORED rows, worst first (the summary's order). */
export function weakTasks(summary: string): string[] {
  return [...summary.matchAll(/^\| (?:FAILING|MARGINAL|UNSCORED) \| ([^|]+?) \|/gm)].map((m) => m[1]!);
}

function optimizerReply(spec: JitOptimizeSimSpec, req: SimRequest, cost: number): SimReply {
  const call = (name: string, args: Record<string, unknown>): SimReply => ({ kind: 'message', toolCalls: [{ name, arguments: args }], stopReason: 'tool_use', costUsd: cost });
  const results = toolResults(req.messages);
  const submit = (body: Record<string, unknown>) => call('write_file', { path: '.optimize/submission.json', content: JSON.stringify(body, null, 2) });
  switch (results.length) {
    case 0:
      return call('read_file', { path: '.optimize/PER_TASK_SUMMARY.md' });
    case 1:
      return call('read_file', { path: 'SKILL.md' });
    case 2: {
      const [summary, skill] = [results[0]!.content, results[1]!.content];
      const weak = weakTasks(summary);
      const edit = spec.edits.find((e) => skill.includes(e.find));
      if (weak.length === 0 || !edit) {
        return submit({ noChanges: true, rootCause: weak.length === 0 ? 'every task passes' : 'no known fix applies to this skill', reasoning: 'nothing in the skill to change', confidence: 0.9 });
      }
      return call('write_file', { path: 'SKILL.md', content: skill.replace(edit.find, edit.replace) });
    }
    case 3: {
      const prev = lastCall(req.messages);
      if (prev?.arguments.path !== 'SKILL.md') break;
      const [summary, skill] = [results[0]!.content, results[1]!.content];
      const edit = spec.edits.find((e) => skill.includes(e.find))!;
      const lines = edit.replace.split('\n').length - edit.find.split('\n').length;
      return submit({
        rootCause: `${edit.rootCause} (worst task: ${weakTasks(summary)[0]})`,
        reasoning: 'the failing runs follow the passage this edit rewrites',
        confidence: 0.7,
        changedFiles: ['SKILL.md'],
        changes: [{ file: 'SKILL.md', description: `replaced "${edit.find.slice(0, 40)}"`, generality: 'any task that reads this passage', linesDelta: lines }],
      });
    }
  }
  return { kind: 'message', text: 'Submitted.', stopReason: 'end_turn', costUsd: cost };
}

function targetReply(spec: JitOptimizeSimSpec, req: SimRequest, cost: number): SimReply {
  if (toolResults(req.messages).length > 0) return { kind: 'message', text: 'Done.', stopReason: 'end_turn', costUsd: cost };
  const skillText = [req.system ?? '', ...req.messages.map((m) => m.content)].join('\n');
  const content = skillText.includes(spec.marker) ? spec.output.pass : spec.output.fail;
  return { kind: 'message', toolCalls: [{ name: 'write_file', arguments: { path: spec.output.path, content } }], stopReason: 'tool_use', costUsd: cost };
}

function taskGenReply(spec: JitOptimizeSimSpec, req: SimRequest, prompt: string, cost: number, next: { index: number }): SimReply {
  const asked = Number(/Write (\d+) evaluation task/.exec(prompt)?.[1] ?? 0);
  const written = toolResults(req.messages).length;
  const body = spec.generatedTasks?.[next.index];
  if (written >= asked || !body) return { kind: 'message', text: 'Tasks written.', stopReason: 'end_turn', costUsd: cost };
  next.index++;
  const id = `task-${written}`;
  return { kind: 'message', toolCalls: [{ name: 'write_file', arguments: { path: `tasks-out/${id}/task.json`, content: JSON.stringify({ ...body, id }) } }], stopReason: 'tool_use', costUsd: cost };
}

export function jitOptimizePolicy(spec: JitOptimizeSimSpec): SimPolicy {
  const cost = spec.costUsd ?? 0.001;
  const next = { index: 0 };
  return {
    name: 'jit-optimize',
    respond: (req) => {
      if (req.model !== spec.optimizerModel) return targetReply(spec, req, cost);
      const first = req.messages[0];
      const prompt = first?.role === 'user' ? first.content : '';
      return prompt.includes('./tasks-out/') ? taskGenReply(spec, req, prompt, cost, next) : optimizerReply(spec, req, cost);
    },
  };
}
