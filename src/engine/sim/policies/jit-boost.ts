import type { SimMessageReply, SimPolicy, SimReply, SimRequest } from '../policy.js';

/**
 * A simulated model for jit-boost end to end: the target that keeps writing the same kind of
 * command, and the generator answering every candidate-generation call. Stateless (the step is
 * the number of assistant messages so far), so any number of runs may share one simulator.
 *
 * - Target — task "Count the words in <file> and write the number to count.txt": three
 *   different `wc -w` commands on <file> (each matches the candidate's signature), then one that
 *   writes count.txt, then a summary. Five LLM calls without help.
 * - `generate_boost_candidates` (forced tool call, Phase 1): the `count-words` candidate with an
 *   empty template when the prompt shows `wc -w` code (and `phase1Candidates` is not false),
 *   else no candidates.
 * - Phase 2 agent (its prompt lists the candidates): writes boost-candidates.json with the
 *   template filled in, then reports.
 * - Doc-based agent (its prompt asks to read the skill): reads SKILL.md, writes the complete
 *   candidate, then reports.
 * - `extract_params` (forced tool call): `{file}` from the task text.
 * Anything else is a 400 naming the request.
 */

export interface JitBoostPolicyOptions {
  /** Phase 1 finds the candidate in the logged code (default true); false sends generation to the doc-based fallback. */
  phase1Candidates?: boolean;
  name?: string;
}

const TASK = /count the words in (\S+?) and write/i;

/** `$(…)` keeps wc's exit status, so a missing file fails the template (a fallback). */
export const COUNT_WORDS_TEMPLATE = 'n=$(wc -w < ${file}) && echo $n > count.txt && echo "$n words"';

export function countWordsCandidate(template: string): Record<string, unknown> {
  return {
    purposeId: 'count-words',
    keywords: ['count the words'],
    codeSignature: 'wc[\\s\\S]*?-w',
    functionTemplate: template,
    params: { file: { type: 'string', description: 'the file whose words are counted', extractPattern: 'count the words in (\\S+?) and' } },
    materializationType: 'shell',
    monitoredTools: ['execute_command'],
  };
}

const call = (name: string, args: Record<string, unknown>): SimMessageReply => ({ kind: 'message', toolCalls: [{ name, arguments: args }] });
const say = (text: string): SimMessageReply => ({ kind: 'message', text });

export function jitBoostPolicy(opts: JitBoostPolicyOptions = {}): SimPolicy {
  const name = opts.name ?? 'jit-boost';
  return {
    name,
    respond(req: SimRequest): SimReply {
      const forced = typeof req.toolChoice === 'object' ? req.toolChoice.name : undefined;
      const prompt = req.messages.find((m) => m.role === 'user')?.content ?? '';
      const step = req.messages.filter((m) => m.role === 'assistant').length;
      if (forced === 'generate_boost_candidates') {
        const found = opts.phase1Candidates !== false && /wc\s+-w/.test(prompt);
        return call(forced, { candidates: found ? [countWordsCandidate('')] : [] });
      }
      if (forced === 'extract_params') return call(forced, { file: TASK.exec(prompt)?.[1] ?? null });
      if (prompt.includes('The operations below recur')) return writeCandidatesAgent(step, 0);
      if (prompt.includes('Read it, then find the concrete operations')) return step === 0 ? call('read_file', { path: 'SKILL.md' }) : writeCandidatesAgent(step, 1);
      const task = TASK.exec(prompt);
      if (task) return targetStep(task[1]!, step);
      return { kind: 'fault', fault: { type: 'bad_request', message: `skvm simulator: policy "${name}" has no answer for a request starting ${JSON.stringify(prompt.slice(0, 80))}.` } };
    },
  };
}

function writeCandidatesAgent(step: number, first: number): SimReply {
  if (step === first) return call('write_file', { path: 'boost-candidates.json', content: JSON.stringify({ candidates: [countWordsCandidate(COUNT_WORDS_TEMPLATE)] }, null, 2) });
  return say('Wrote boost-candidates.json with one candidate, count-words.');
}

function targetStep(file: string, step: number): SimReply {
  const commands = [`wc -w ${file}`, `cat ${file} | wc -w`, `wc -w < ${file}`, `wc -w < ${file} | tr -d " " > count.txt`];
  if (step < commands.length) return call('execute_command', { command: commands[step]! });
  return say(`Counted the words in ${file} and wrote the number to count.txt.`);
}
