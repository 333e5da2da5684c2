import type { TranscriptBuilder } from '../builder.js';
import type { FormatDef } from '../format.js';
import { arr, isObj, isoTime, num, obj, str, textOf, type Obj } from '../json-shapes.js';

/**
 * pi (`@mariozechner/pi-coding-agent`), in its two shapes, which share their first line
 * (`{type:"session", version, id, timestamp, cwd}`) and their message objects: the session file
 * (`~/.pi/agent/sessions/--<cwd>--/<ts>_<uuid>.jsonl`, `{type:"message", message}` lines) and
 * `pi --mode json` events (`message_end` carries each finished message; `message_start`/
 * `_update`, `turn_end` and `agent_end` repeat them and are not read). Messages: `user`,
 * `assistant` (text/thinking/toolCall blocks, usage with cost), `toolResult` (toolCallId,
 * toolName, isError) and `bashExecution` (a command the person ran, with exitCode).
 */
export const pi: FormatDef = {
  format: 'pi',
  describe: 'pi session JSONL or --mode json events (first line {type:"session", id, cwd}; message / message_end lines)',
  lines: {
    matches: (o) =>
      (o.type === 'session' && typeof o.id === 'string' && o.payload === undefined) ||
      ((o.type === 'message' || o.type === 'message_end') && isObj(o.message) && typeof obj(o.message)!.role === 'string' && o.sessionId === undefined),
    open(b) {
      return {
        line(o) {
          if (o.type === 'session') {
            b.sessionId ??= str(o.id);
            b.cwd ??= str(o.cwd);
            b.startedAt ??= isoTime(o.timestamp);
            if (str(o.modelId)) b.model ??= `${str(o.provider) ?? ''}${o.provider ? '/' : ''}${str(o.modelId)}`;
          } else if ((o.type === 'message' || o.type === 'message_end') && isObj(o.message)) {
            readMessage(o.message, isoTime(o.timestamp) ?? isoTime(o.message.timestamp), b);
          }
        },
      };
    },
  },
};

function readMessage(m: Obj, ts: string | undefined, b: TranscriptBuilder): void {
  switch (m.role) {
    case 'user':
      b.user(textOf(m.content), { ts });
      return;
    case 'assistant':
      b.model ??= str(m.model);
      for (const block of arr(m.content)) {
        if (!isObj(block)) continue;
        if (block.type === 'text') b.assistant(str(block.text) ?? '', { ts });
        else if (block.type === 'toolCall') b.toolCall(str(block.name) ?? 'unknown', block.arguments ?? {}, { ts, toolCallId: str(block.id) });
      }
      addUsage(obj(m.usage), b);
      if (m.stopReason === 'error' || m.stopReason === 'aborted') b.setOutcome('error', str(m.errorMessage) ?? String(m.stopReason));
      return;
    case 'toolResult': {
      const text = textOf(m.content);
      // pi's bash tool ends a failed command's output with this line.
      const exit = /Command exited with code (-?\d+)\s*$/.exec(text);
      b.toolResult(text, { ts, toolCallId: str(m.toolCallId), toolName: str(m.toolName), isError: m.isError === true, exitCode: exit ? Number(exit[1]) : undefined });
      return;
    }
    case 'bashExecution': {
      const exitCode = num(m.exitCode);
      b.toolCall('bash', { command: m.command }, { ts });
      b.toolResult(str(m.output) ?? '', { ts, toolName: 'bash', exitCode, isError: exitCode !== undefined && exitCode !== 0 });
      return;
    }
  }
}

function addUsage(u: Obj | undefined, b: TranscriptBuilder): void {
  if (!u) return;
  b.addUsage({ input: num(u.input), output: num(u.output), cacheRead: num(u.cacheRead), cacheWrite: num(u.cacheWrite) });
  const cost = num(obj(u.cost)?.total);
  if (cost !== undefined) b.addCost(cost);
}
