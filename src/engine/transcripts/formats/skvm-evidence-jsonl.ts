import type { FormatDef } from '../format.js';
import { arr, num, obj, str } from '../json-shapes.js';

/**
 * "Format B" of the skvm-jit skill and of durable evidence records (spec §5.6 items 2–3):
 * `{type: request|response|tool, ts, text, toolCalls?}`. A `tool` entry's calls may carry their
 * `output`, `isError` and `exitCode`, as transcriptToEvidence writes them.
 */
export const skvmEvidenceJsonl: FormatDef = {
  format: 'skvm-evidence-jsonl',
  describe: 'Format B JSONL ({type: request|response|tool, ts, text, toolCalls?})',
  lines: {
    matches: (o) => (o.type === 'request' || o.type === 'response' || o.type === 'tool') && o.messages === undefined && (typeof o.text === 'string' || Array.isArray(o.toolCalls)),
    open(b) {
      return {
        line(o) {
          const ts = str(o.ts);
          const text = str(o.text) ?? '';
          const calls = arr(o.toolCalls).map(obj).filter((c) => c !== undefined);
          if (o.type === 'request') b.user(text, { ts });
          else if (o.type === 'response') {
            b.assistant(text, { ts });
            for (const c of calls) b.toolCall(str(c.name) ?? 'unknown', c.arguments ?? {}, { ts, toolCallId: str(c.id) });
          } else if (o.type === 'tool') {
            if (calls.length === 0) b.toolResult(text, { ts });
            for (const c of calls) {
              b.toolResult(str(c.output) ?? text, { ts, toolCallId: str(c.id), toolName: str(c.name), isError: c.isError === true ? true : undefined, exitCode: num(c.exitCode) });
            }
          }
        },
      };
    },
  },
};
