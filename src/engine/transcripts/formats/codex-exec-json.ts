import type { FormatDef } from '../format.js';
import { obj, str, num, type Obj } from '../json-shapes.js';
import type { TranscriptBuilder } from '../builder.js';
import { openAiUsage } from './codex-rollout.js';

const EVENT = /^(thread|turn|item)\.[a-z_]+$/;

/**
 * `codex exec --json`: `thread.started` (thread_id), `turn.started`, `item.started|updated|completed`
 * (command_execution, agent_message, reasoning, file_change, mcp_tool_call, web_search, error…),
 * `turn.completed` with that turn's usage, `turn.failed`, and top-level `error`. Only completed
 * items are read, so an item is never counted twice. The prompt is not in the stream.
 */
export const codexExecJson: FormatDef = {
  format: 'codex-exec-json',
  describe: 'Codex exec --json events (thread.started, item.completed, turn.completed)',
  lines: {
    matches: (o) => typeof o.type === 'string' && EVENT.test(o.type),
    open(b) {
      return {
        line(o) {
          if (o.type === 'thread.started') b.sessionId ??= str(o.thread_id);
          else if (o.type === 'turn.completed') {
            const u = obj(o.usage);
            if (u) b.addUsage(openAiUsage(u));
          } else if (o.type === 'turn.failed') {
            b.setOutcome('error', str(obj(o.error)?.message) ?? 'turn failed');
          } else if (o.type === 'error') b.warn(`codex: ${str(o.message) ?? 'error'}`);
          else if (o.type === 'item.completed') {
            const item = obj(o.item);
            if (item) readItem(item, b);
          }
        },
      };
    },
  },
};

function readItem(item: Obj, b: TranscriptBuilder): void {
  const id = str(item.id);
  switch (item.type) {
    case 'agent_message':
      b.assistant(str(item.text) ?? '');
      return;
    case 'command_execution': {
      const exitCode = num(item.exit_code);
      b.toolCall('shell', { command: item.command }, { toolCallId: id });
      b.toolResult(str(item.aggregated_output) ?? '', { toolCallId: id, toolName: 'shell', exitCode, isError: item.status === 'failed' || (exitCode !== undefined && exitCode !== 0) });
      return;
    }
    case 'file_change':
      b.toolCall('apply_patch', { changes: item.changes }, { toolCallId: id });
      b.toolResult(String(item.status ?? ''), { toolCallId: id, toolName: 'apply_patch', isError: item.status === 'failed' });
      return;
    case 'mcp_tool_call': {
      const name = `${str(item.server) ?? 'mcp'}.${str(item.tool) ?? 'tool'}`;
      b.toolCall(name, item.arguments ?? {}, { toolCallId: id });
      const error = str(obj(item.error)?.message);
      b.toolResult(error ?? JSON.stringify(item.result ?? ''), { toolCallId: id, toolName: name, isError: error !== undefined || item.status === 'failed' });
      return;
    }
    case 'web_search':
      b.toolCall('web_search', { query: item.query }, { toolCallId: id });
      return;
    case 'error':
      b.warn(`codex: ${str(item.message) ?? 'error item'}`);
      return;
  }
}
