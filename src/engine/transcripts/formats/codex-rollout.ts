import type { TranscriptBuilder } from '../builder.js';
import type { FormatDef } from '../format.js';
import { arr, isObj, num, obj, parseArgs, str, textOf, type Obj } from '../json-shapes.js';

const LINE_TYPES = new Set(['session_meta', 'response_item', 'event_msg', 'turn_context', 'compacted']);
/** User-role messages Codex injects before the prompt (environment, AGENTS.md, permissions). */
const INJECTED_USER_TEXT = /^\s*(<environment_context>|<user_instructions>|<permissions instructions>|# AGENTS\.md instructions)/;

/**
 * Codex's rollout file (`~/.codex/sessions/YYYY/MM/DD/rollout-*.jsonl`): `{timestamp, type,
 * payload}` lines. `session_meta` names the session and cwd, `turn_context` the model, and
 * `response_item` holds the conversation as Responses-API items (message, function_call,
 * function_call_output, custom_tool_call…, reasoning). `event_msg` mirrors those for the UI; only
 * its `token_count` (running totals) and `exec_command_end` (exit codes) add anything.
 */
export const codexRollout: FormatDef = {
  format: 'codex-rollout',
  describe: 'Codex rollout JSONL (~/.codex/sessions/…/rollout-*.jsonl: {timestamp, type: session_meta|response_item|event_msg|turn_context, payload})',
  lines: {
    matches: (o) => typeof o.type === 'string' && LINE_TYPES.has(o.type) && isObj(o.payload),
    open(b) {
      const names = new Map<string, string>();
      const exitCodes = new Map<string, number>();
      return {
        line(o) {
          const p = obj(o.payload)!;
          const ts = str(o.timestamp);
          if (o.type === 'session_meta') {
            b.sessionId ??= str(p.id);
            b.cwd ??= str(p.cwd);
            b.startedAt ??= str(p.timestamp) ?? ts;
          } else if (o.type === 'turn_context') {
            b.cwd ??= str(p.cwd);
            b.model ??= str(p.model);
          } else if (o.type === 'event_msg') readEvent(p, b, exitCodes);
          else if (o.type === 'response_item') readItem(p, ts, b, names, exitCodes);
        },
      };
    },
  },
};

function readEvent(p: Obj, b: TranscriptBuilder, exitCodes: Map<string, number>): void {
  if (p.type === 'token_count') {
    const total = obj(obj(p.info)?.total_token_usage);
    if (total) b.setUsage(openAiUsage(total));
  } else if (p.type === 'exec_command_end' && str(p.call_id) && num(p.exit_code) !== undefined) {
    exitCodes.set(str(p.call_id)!, num(p.exit_code)!);
  } else if (p.type === 'error' || p.type === 'stream_error') {
    b.warn(`codex: ${str(p.message) ?? 'error'}`);
  }
}

function readItem(p: Obj, ts: string | undefined, b: TranscriptBuilder, names: Map<string, string>, exitCodes: Map<string, number>): void {
  const id = str(p.call_id);
  switch (p.type) {
    case 'message': {
      const text = textOf(p.content);
      if (p.role === 'assistant') b.assistant(text, { ts });
      else if (p.role === 'user' && !INJECTED_USER_TEXT.test(text)) b.user(text, { ts });
      return;
    }
    case 'function_call':
    case 'custom_tool_call': {
      const name = str(p.name) ?? 'unknown';
      if (id) names.set(id, name);
      b.toolCall(name, p.type === 'function_call' ? parseArgs(p.arguments) : { input: p.input }, { ts, toolCallId: id });
      return;
    }
    case 'local_shell_call': {
      if (id) names.set(id, 'shell');
      b.toolCall('shell', obj(p.action) ?? {}, { ts, toolCallId: id });
      return;
    }
    case 'function_call_output':
    case 'custom_tool_call_output': {
      const { text, exitCode, failed } = codexOutput(p.output);
      const exit = exitCode ?? (id ? exitCodes.get(id) : undefined);
      b.toolResult(text, { ts, toolCallId: id, toolName: id ? names.get(id) : undefined, isError: failed || (exit !== undefined && exit !== 0), exitCode: exit });
      return;
    }
  }
}

/**
 * A tool output as Codex stores it: older versions a JSON string `{output, metadata:{exit_code}}`,
 * newer ones plain text that starts "Exit code: N" or "Process exited with code N", or
 * `{content, success}`.
 */
export function codexOutput(raw: unknown): { text: string; exitCode?: number; failed: boolean } {
  const parsed = parseArgs(raw);
  if (isObj(parsed)) {
    const text = str(parsed.output) ?? str(parsed.content) ?? textOf(parsed.content);
    const exitCode = num(obj(parsed.metadata)?.exit_code);
    return { text, exitCode, failed: parsed.success === false };
  }
  const text = typeof raw === 'string' ? raw : arr(raw).length ? textOf(raw) : JSON.stringify(raw ?? '');
  const m = /(?:^|\n)(?:Exit code:|Process exited with code)\s*(-?\d+)/.exec(text);
  return { text, exitCode: m ? Number(m[1]) : undefined, failed: false };
}

/** OpenAI usage counts cached tokens inside input; ours keeps them apart. */
export function openAiUsage(u: Obj): { input: number; output: number; cacheRead: number } {
  const cached = num(u.cached_input_tokens) ?? 0;
  return { input: Math.max(0, (num(u.input_tokens) ?? 0) - cached), output: num(u.output_tokens) ?? 0, cacheRead: cached };
}
