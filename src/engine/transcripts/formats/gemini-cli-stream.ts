import type { FormatDef } from '../format.js';
import { num, obj, str } from '../json-shapes.js';

/**
 * `gemini -p … --output-format stream-json`: `init` (session_id, model), `message` (role
 * user|assistant; assistant text arrives as `delta` pieces), `tool_use` (tool_name, tool_id,
 * parameters), `tool_result` (tool_id, status, output, error), `error`, and a final `result`
 * (status, stats with token counts).
 */
export const geminiCliStream: FormatDef = {
  format: 'gemini-cli',
  describe: 'Gemini CLI stream-json (gemini --output-format stream-json: init/message/tool_use/tool_result/result)',
  lines: {
    matches: (o) =>
      (o.type === 'init' && typeof o.session_id === 'string') ||
      (o.type === 'tool_use' && typeof o.tool_name === 'string') ||
      (o.type === 'message' && (o.role === 'user' || o.role === 'assistant') && typeof o.content === 'string' && o.message === undefined),
    open(b) {
      const names = new Map<string, string>();
      let reply = '';
      let replyTs: string | undefined;
      const flush = () => {
        b.assistant(reply, { ts: replyTs });
        reply = '';
        replyTs = undefined;
      };
      return {
        line(o) {
          const ts = str(o.timestamp);
          if (o.type === 'message' && o.role === 'assistant') {
            replyTs ??= ts;
            reply += str(o.content) ?? '';
            if (o.delta !== true) flush();
            return;
          }
          flush();
          if (o.type === 'init') {
            b.sessionId ??= str(o.session_id);
            b.model ??= str(o.model);
          } else if (o.type === 'message' && o.role === 'user') b.user(str(o.content) ?? '', { ts });
          else if (o.type === 'tool_use') {
            const id = str(o.tool_id);
            const name = str(o.tool_name) ?? 'unknown';
            if (id) names.set(id, name);
            b.toolCall(name, o.parameters ?? {}, { ts, toolCallId: id });
          } else if (o.type === 'tool_result') {
            const id = str(o.tool_id);
            const err = str(obj(o.error)?.message);
            b.toolResult(err ?? str(o.output) ?? '', { ts, toolCallId: id, toolName: id ? names.get(id) : undefined, isError: o.status === 'error' || err !== undefined });
          } else if (o.type === 'error') b.warn(`gemini-cli: ${str(o.message) ?? 'error'}`);
          else if (o.type === 'result') {
            const stats = obj(o.stats);
            if (stats) {
              const cached = num(stats.cached) ?? 0;
              b.setUsage({ input: Math.max(0, (num(stats.input_tokens) ?? 0) - cached), output: num(stats.output_tokens), cacheRead: cached });
            }
            if (o.status === 'error') b.setOutcome('error', str(obj(o.error)?.message) ?? 'error');
          }
        },
        end: flush,
      };
    },
  },
};
