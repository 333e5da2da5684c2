import type { TranscriptBuilder } from '../builder.js';
import type { FormatDef } from '../format.js';
import { arr, isObj, num, obj, str, textOf, type Obj } from '../json-shapes.js';

const MESSAGE_TYPES = new Set(['user', 'gemini', 'info', 'error', 'warning']);

/**
 * Gemini CLI's recorded chats under `~/.gemini/tmp/<project hash>/chats/`: older versions write
 * one JSON document `{sessionId, projectHash, startTime, lastUpdated, messages}`, newer ones
 * JSONL — that header as the first line, then message records and `{$set}` metadata updates; a
 * record may be rewritten as it grows (tool results arrive), so the last record of an id wins.
 * Also the `/chat save` checkpoint: a bare array of API `Content` (`{role, parts}`).
 * Messages are `user` or `gemini` (content, toolCalls [{id, name, args, result, status}], tokens).
 */
export const geminiCliSession: FormatDef = {
  format: 'gemini-cli',
  describe: 'Gemini CLI chat recording (~/.gemini/tmp/<hash>/chats/session-*.json or .jsonl: sessionId, projectHash, messages) or a /chat save checkpoint',
  lines: {
    matches: (o) =>
      (typeof o.sessionId === 'string' && typeof o.projectHash === 'string') ||
      (typeof o.type === 'string' && MESSAGE_TYPES.has(o.type) && typeof o.id === 'string' && 'content' in o && o.sessionId === undefined && o.uuid === undefined),
    open(b) {
      let pending: Obj | undefined;
      return {
        line(o) {
          if (typeof o.projectHash === 'string') return readHeader(o, b);
          if (!MESSAGE_TYPES.has(String(o.type))) return;
          if (pending && pending.id !== o.id) readMessage(pending, b);
          pending = o;
        },
        end: () => pending && readMessage(pending, b),
      };
    },
  },
  document: {
    matches: (v) => (isObj(v) && typeof v.sessionId === 'string' && Array.isArray(v.messages)) || isCheckpoint(v),
    read(v, b) {
      if (Array.isArray(v)) return readCheckpoint(v, b);
      readHeader(v as Obj, b);
    },
  },
};

function readHeader(o: Obj, b: TranscriptBuilder): void {
  b.sessionId ??= str(o.sessionId);
  b.startedAt ??= str(o.startTime);
  // A document saved on one line reads as a one-line JSONL file: its messages are in the header.
  for (const m of arr(o.messages)) if (isObj(m)) readMessage(m, b);
}

function readMessage(m: Obj, b: TranscriptBuilder): void {
  const ts = str(m.timestamp);
  const text = textOf(m.content);
  if (m.type === 'user') b.user(text, { ts });
  else if (m.type === 'error') b.warn(`gemini-cli: ${text}`);
  if (m.type !== 'gemini') return;
  b.model ??= str(m.model);
  b.assistant(text, { ts });
  for (const call of arr(m.toolCalls)) {
    if (!isObj(call)) continue;
    const name = str(call.name) ?? 'unknown';
    const id = str(call.id);
    b.toolCall(name, call.args ?? {}, { ts: str(call.timestamp) ?? ts, toolCallId: id });
    if (call.result === undefined && call.resultDisplay === undefined) continue;
    b.toolResult(resultText(call), { ts: str(call.timestamp) ?? ts, toolCallId: id, toolName: name, isError: call.status === 'error' || call.status === 'cancelled' });
  }
  const t = obj(m.tokens);
  if (t) {
    const cached = num(t.cached) ?? 0;
    b.addUsage({ input: Math.max(0, (num(t.input) ?? 0) - cached), output: (num(t.output) ?? 0) + (num(t.thoughts) ?? 0), cacheRead: cached });
  }
}

/** The functionResponse's `output` (or `error`), else what the CLI displayed. */
function resultText(call: Obj): string {
  for (const part of arr(call.result)) {
    const response = obj(obj(obj(part)?.functionResponse)?.response);
    const text = str(response?.output) ?? str(response?.error);
    if (text !== undefined) return text;
  }
  return str(call.resultDisplay) ?? (typeof call.result === 'string' ? call.result : JSON.stringify(call.result ?? ''));
}

function isCheckpoint(v: unknown): boolean {
  return Array.isArray(v) && v.length > 0 && v.every((c) => isObj(c) && (c.role === 'user' || c.role === 'model') && Array.isArray(c.parts));
}

function readCheckpoint(contents: unknown[], b: TranscriptBuilder): void {
  for (const c of contents) {
    const role = obj(c)?.role;
    for (const part of arr(obj(c)?.parts)) {
      if (!isObj(part)) continue;
      const call = obj(part.functionCall);
      const response = obj(part.functionResponse);
      if (typeof part.text === 'string' && part.thought !== true) (role === 'user' ? b.user(part.text) : b.assistant(part.text));
      else if (call) b.toolCall(str(call.name) ?? 'unknown', call.args ?? {}, { toolCallId: str(call.id) });
      else if (response) {
        const r = obj(response.response);
        const err = str(r?.error);
        b.toolResult(err ?? str(r?.output) ?? JSON.stringify(r ?? ''), { toolCallId: str(response.id), toolName: str(response.name), isError: err !== undefined });
      }
    }
  }
}
