import type { TranscriptBuilder } from '../builder.js';
import type { FormatDef } from '../format.js';
import { arr, isObj, isoTime, num, obj, str, type Obj } from '../json-shapes.js';

const EVENT_TYPES = new Set(['text', 'tool_use', 'step_start', 'step_finish', 'reasoning', 'error']);

/**
 * opencode, in its two shapes: `opencode run --format json` NDJSON events (`{type, timestamp,
 * sessionID, part}` with parts `text`, `tool` (callID, tool, state {status, input, output,
 * error, metadata.exit}) and `step-finish` (tokens, cost)), and `opencode export <session>` —
 * one JSON document `{info, messages: [{info: {role, tokens, cost…}, parts}]}` that also holds
 * the user's prompt, which the event stream does not.
 */
export const opencode: FormatDef = {
  format: 'opencode',
  describe: 'opencode (run --format json NDJSON with sessionID and part, or the `opencode export` JSON document)',
  lines: {
    matches: (o) => typeof o.type === 'string' && EVENT_TYPES.has(o.type) && typeof o.sessionID === 'string',
    open(b) {
      return {
        line(o) {
          b.sessionId ??= str(o.sessionID);
          const ts = isoTime(o.timestamp);
          if (o.type === 'error') {
            const e = obj(o.error);
            b.setOutcome('error', str(obj(e?.data)?.message) ?? str(e?.message) ?? str(e?.name) ?? 'error');
            return;
          }
          const part = obj(o.part);
          if (!part) return;
          if (part.type === 'step-finish') addStepUsage(part, b);
          else readPart(part, 'assistant', ts, b);
        },
      };
    },
  },
  document: {
    matches: (v) => isObj(v) && isObj(v.info) && Array.isArray(v.messages) && v.messages.some((m) => isObj(m) && isObj(m.info) && Array.isArray(m.parts)),
    read(v, b) {
      const doc = v as Obj;
      const info = obj(doc.info)!;
      b.sessionId = str(info.id);
      b.cwd = str(info.directory);
      b.startedAt = isoTime(obj(info.time)?.created);
      for (const m of arr(doc.messages)) {
        const mi = obj(obj(m)?.info);
        if (!mi) continue;
        const role = mi.role === 'user' ? 'user' : 'assistant';
        const ts = isoTime(obj(mi.time)?.created);
        if (role === 'assistant') {
          b.model ??= str(mi.modelID);
          b.cwd ??= str(obj(mi.path)?.cwd);
          addTokens(obj(mi.tokens), b);
          const cost = num(mi.cost);
          if (cost !== undefined) b.addCost(cost);
        }
        for (const part of arr(obj(m)!.parts)) if (isObj(part)) readPart(part, role, ts, b);
      }
    },
  },
};

function readPart(part: Obj, role: 'user' | 'assistant', ts: string | undefined, b: TranscriptBuilder): void {
  if (part.type === 'text') {
    const text = str(part.text) ?? '';
    if (role === 'user') {
      // opencode adds synthetic user parts (file contents it attached); the person typed the others.
      if (part.synthetic !== true) b.user(text, { ts });
    } else b.assistant(text, { ts });
    return;
  }
  if (part.type !== 'tool') return;
  const state = obj(part.state) ?? {};
  const name = str(part.tool) ?? 'unknown';
  const id = str(part.callID);
  b.toolCall(name, state.input ?? {}, { ts, toolCallId: id });
  if (state.status !== 'completed' && state.status !== 'error') return;
  const exitCode = num(obj(state.metadata)?.exit);
  const failed = state.status === 'error';
  b.toolResult(failed ? (str(state.error) ?? 'error') : (str(state.output) ?? ''), {
    ts,
    toolCallId: id,
    toolName: name,
    isError: failed || (exitCode !== undefined && exitCode !== 0),
    exitCode,
  });
}

function addStepUsage(part: Obj, b: TranscriptBuilder): void {
  addTokens(obj(part.tokens), b);
  const cost = num(part.cost);
  if (cost !== undefined) b.addCost(cost);
}

function addTokens(t: Obj | undefined, b: TranscriptBuilder): void {
  if (!t) return;
  const cache = obj(t.cache);
  b.addUsage({ input: num(t.input), output: (num(t.output) ?? 0) + (num(t.reasoning) ?? 0), cacheRead: num(cache?.read), cacheWrite: num(cache?.write) });
}
