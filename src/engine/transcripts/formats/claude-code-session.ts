import type { FormatDef } from '../format.js';
import { num, obj, str } from '../json-shapes.js';
import { ClaudeMessages } from './claude-message.js';

/**
 * Claude Code's session file (`~/.claude/projects/<cwd with / as ->/<session>.jsonl`). Lines
 * carry `type`, camelCase `sessionId`, `uuid`, `timestamp`, `cwd` and `isSidechain`; only `user`
 * and `assistant` lines hold the conversation. The CLI writes many bookkeeping types besides
 * (`summary`, `queue-operation`, `attachment`, `last-prompt`…) which are skipped, except
 * `cost-state` (the session's running cost).
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
          if (o.type === 'cost-state') {
            // Claude Code's running total for the session; the last one is the session's cost.
            const cost = num(o.totalCostUSD);
            if (cost !== undefined) b.costUsd = cost;
            return;
          }
          const message = obj(o.message);
          if (!message || (o.type !== 'user' && o.type !== 'assistant')) return;
          // Claude Code marks each assistant turn taken under a loaded skill.
          if (typeof o.attributionSkill === 'string') b.skill(o.attributionSkill);
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
