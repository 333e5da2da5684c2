import type { FormatDef } from '../format.js';
import { arr, isObj, num, obj, str } from '../json-shapes.js';

/**
 * Our own conversation log (src/engine/agent/conv-log.ts, spec §2.5): a `request` line before
 * each LLM call (`messages` = the history up to the last assistant turn, `toolResults` = the
 * results it answers) and a `response` line after (text, toolCalls, tokens, costUsd). The task
 * prompt is the first user message — which the reference never recovered.
 */
export const skvmConversationLog: FormatDef = {
  format: 'skvm-conversation-log',
  describe: 'skvm conversation log (request lines with messages, response lines with toolCalls and tokens)',
  lines: {
    matches: (o) => (o.type === 'request' && Array.isArray(o.messages)) || (o.type === 'response' && Array.isArray(o.toolCalls) && isObj(o.tokens)),
    open(b) {
      const names = new Map<string, string>();
      let seenMessages = 0;
      return {
        line(o) {
          const ts = str(o.ts);
          b.startedAt ??= ts;
          if (o.type === 'request') {
            const messages = arr(o.messages);
            // Earlier messages were read from earlier lines; only user turns added since are new.
            for (const m of messages.slice(seenMessages)) if (obj(m)?.role === 'user') b.user(str(obj(m)!.content) ?? '', { ts });
            seenMessages = messages.length;
            for (const r of arr(o.toolResults)) {
              const id = str(obj(r)?.toolCallId);
              const content = str(obj(r)?.content) ?? '';
              // execute_command ends its result with "exit code: N" (src/engine/agent/tools.ts).
              const exit = /\bexit code: (-?\d+)\s*$/.exec(content);
              const exitCode = exit ? Number(exit[1]) : undefined;
              b.toolResult(content, { ts, toolCallId: id, toolName: id ? names.get(id) : undefined, isError: obj(r)?.isError === true || (exitCode !== undefined && exitCode !== 0), exitCode });
            }
          } else if (o.type === 'response') {
            b.assistant(str(o.text) ?? '', { ts });
            for (const c of arr(o.toolCalls)) {
              const call = obj(c);
              if (!call) continue;
              const id = str(call.id);
              if (id) names.set(id, str(call.name) ?? 'unknown');
              b.toolCall(str(call.name) ?? 'unknown', call.arguments ?? {}, { ts, toolCallId: id });
            }
            const t = obj(o.tokens)!;
            b.addUsage({ input: num(t.input), output: num(t.output), cacheRead: num(t.cacheRead), cacheWrite: num(t.cacheWrite) });
            const cost = num(o.costUsd);
            if (cost !== undefined) b.addCost(cost);
          }
        },
      };
    },
  },
};
