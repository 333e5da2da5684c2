import type { FormatDef } from '../format.js';
import { obj, str } from '../json-shapes.js';
import { ClaudeMessages } from './claude-message.js';

/**
 * Claude Code's session file (`~/.claude/projects/<cwd with / as ->/<session>.jsonl`). Lines
 * carry `type`, camelCase `sessionId`, `uuid`, `timestamp`, `cwd` and `isSidechain`; only `user`
 * and `assistant` lines hold the conversation. The CLI writes many bookkeeping types besides
 * (`summary`, `queue-operation`, `attachment`, `last-prompt`, `cost-state`…) which are skipped.
 */
export const claudeCodeSession: FormatDef = {
  format: 'claude-code-session',
  describe: 'Claude Code session JSONL (~/.claude/projects/…/<uuid>.jsonl: lines with type and sessionId)',
  lines: {
    matches: (o) => typeof o.type === 'string' && typeof o.sessionId === 'string' && o.session_id === undefined,
    open(b) {
      const messages = new ClaudeMessages(b);
      return {
        line(o) {
          const at = { ts: str(o.timestamp), sidechain: o.isSidechain === true ? true : undefined };
          if (!at.sidechain) {
            b.sessionId ??= str(o.sessionId);
            b.cwd ??= str(o.cwd);
          }
          const message = obj(o.message);
          if (!message || (o.type !== 'user' && o.type !== 'assistant')) return;
          if (b.startedAt === undefined && at.ts) b.startedAt = at.ts;
          if (o.type === 'assistant') messages.assistant(message, at);
          else if (o.isMeta === true) messages.meta(message);
          else messages.user(message, at);
        },
        end: () => messages.finishUsage(),
      };
    },
  },
};
