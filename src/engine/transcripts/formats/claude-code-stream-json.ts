import type { FormatDef } from '../format.js';
import { num, obj, str } from '../json-shapes.js';
import { ClaudeMessages } from './claude-message.js';

const EVENT_TYPES = new Set(['system', 'assistant', 'user', 'result', 'stream_event']);

/**
 * `claude -p … --output-format stream-json --verbose`: a `system`/`init` event (cwd, model,
 * snake_case `session_id`), `assistant` and `user` events wrapping API messages
 * (`parent_tool_use_id` set inside a sub-agent), and a final `result` with the run's totals.
 * The prompt itself is not echoed unless the run replayed user messages.
 */
export const claudeCodeStreamJson: FormatDef = {
  format: 'claude-code-stream-json',
  describe: 'Claude Code stream-json (claude -p --output-format stream-json: system/assistant/user/result events with session_id)',
  lines: {
    matches: (o) => typeof o.type === 'string' && EVENT_TYPES.has(o.type) && typeof o.session_id === 'string',
    open(b) {
      const messages = new ClaudeMessages(b);
      let totals = false;
      return {
        line(o) {
          b.sessionId ??= str(o.session_id);
          const at = { ts: str(o.timestamp), sidechain: typeof o.parent_tool_use_id === 'string' ? true : undefined };
          const message = obj(o.message);
          if (o.type === 'system' && o.subtype === 'init') {
            b.cwd ??= str(o.cwd);
            b.model ??= str(o.model);
          } else if (o.type === 'assistant' && message) messages.assistant(message, at);
          // A synthetic user message is text Claude Code injected (a loaded skill's body), not the person's.
          else if (o.type === 'user' && message) (o.isSynthetic === true ? messages.meta(message) : messages.user(message, at));
          else if (o.type === 'result') {
            const u = obj(o.usage);
            if (u) {
              totals = true;
              b.setUsage({ input: num(u.input_tokens), output: num(u.output_tokens), cacheRead: num(u.cache_read_input_tokens), cacheWrite: num(u.cache_creation_input_tokens) });
            }
            const cost = num(o.total_cost_usd);
            if (cost !== undefined) b.costUsd = cost;
            const text = str(o.result) ?? (Array.isArray(o.errors) ? o.errors.join('\n') : str(o.subtype));
            b.setOutcome(o.is_error === true ? 'error' : 'unknown', text);
          }
        },
        // The result's usage is the run's total; the per-message sum only stands in without one.
        end: () => (totals ? undefined : messages.finishUsage()),
      };
    },
  },
};
