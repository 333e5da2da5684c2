import type { SkillBundle } from '../../skills/types.js';
import { RunSteps, argumentsObject, num, obj, str, type HarnessOutput } from './run-steps.js';

/**
 * JiuwenClaw (spec runtime §2.10). `jiuwenclaw-cli acp --session-id <sid> <prompt>` prints one
 * JSON-RPC object (`result.content | result.response`, `result.session_id`, `error.message`);
 * the details are in the session's `history.json`: records `{id, role, timestamp (s), content,
 * event_type, event_payload}` with `chat.tool_call` (payload.tool_call {name, arguments | args,
 * id | tool_call_id}), `chat.tool_result` (payload.result, tool_name, tool_call_id),
 * `chat.final` and `chat.error`. It never reports usage.
 */

/** The JSON-RPC reply on stdout (the last line that parses), or undefined. */
export function jiuwenclawReply(stdout: string): Record<string, unknown> | undefined {
  for (const line of stdout.trim().split('\n').reverse()) {
    try {
      const v = obj(JSON.parse(line));
      if (v && ('result' in v || 'error' in v)) return v;
    } catch {
      // a log line
    }
  }
  try {
    return obj(JSON.parse(stdout));
  } catch {
    return undefined;
  }
}

export function parseJiuwenclawRun(reply: Record<string, unknown> | undefined, history: unknown, skills: SkillBundle | undefined): HarnessOutput {
  const run = new RunSteps();
  let error = str(obj(reply?.error)?.message);
  const records = Array.isArray(history) ? history.map(obj) : Array.isArray(obj(history)?.messages) ? (obj(history)!.messages as unknown[]).map(obj) : [];
  for (const r of records) {
    if (!r) continue;
    const ts = (num(r.timestamp) ?? Date.now() / 1000) * 1000;
    const payload = obj(r.event_payload) ?? {};
    switch (r.event_type) {
      case 'chat.tool_call': {
        const call = obj(payload.tool_call) ?? {};
        const id = str(call.id) ?? str(call.tool_call_id) ?? `jiuwenclaw-${ts}`;
        run.assistantToolCalls([{ id, name: str(call.name) ?? 'unknown', input: argumentsObject(call.arguments ?? call.args) }], ts);
        break;
      }
      case 'chat.tool_result': {
        const result = payload.result;
        run.toolResult(str(payload.tool_call_id) ?? `jiuwenclaw-result-${ts}`, { ...(str(payload.tool_name) ? { name: str(payload.tool_name)! } : {}), output: typeof result === 'string' ? result : JSON.stringify(result ?? '') }, ts);
        break;
      }
      case 'chat.error':
        error ??= str(payload.message) ?? str(payload.error) ?? (str(r.content) || 'error');
        break;
      default:
        if (r.role === 'assistant') run.assistantText(str(r.content) ?? '', ts);
    }
  }
  const result = obj(reply?.result);
  const answer = str(result?.content) ?? str(result?.response);
  if (answer) run.setFinalText(answer);
  return {
    text: run.text(),
    steps: run.steps,
    tokens: run.tokens,
    cost: null,
    usageAvailable: false,
    // The skill travels with the prompt in both modes: loaded once the agent did anything.
    ...(skills ? { skillLoaded: run.steps.length > 0 || answer !== undefined } : {}),
    ...(error ? { error: { text: error, source: 'jiuwenclaw:history' } } : {}),
    ...(reply === undefined ? { statusDetail: 'JiuwenClaw printed no JSON-RPC reply: telemetry only, workDir scored as-is' } : {}),
  };
}
