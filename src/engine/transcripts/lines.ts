import { createReadStream, promises as fsp } from 'node:fs';
import { createInterface } from 'node:readline';
import { CancelledError } from '../util/errors.js';
import { isObj, type Obj } from './json-shapes.js';

/** A line that is a Markdown code fence (```json, ```jsonl, ```), tolerated around a log. */
const FENCE_LINE = /^```[a-z]*\s*$/i;

/** `opensJson`: the line starts like JSON but does not parse alone (a torn line, or the first line of a pretty-printed document). */
export type LineItem = { kind: 'object'; value: Obj } | { kind: 'malformed'; opensJson: boolean };

/**
 * Streams a text file one line at a time (never the whole file in memory): each non-empty line,
 * trimmed. A leading BOM and Markdown fence lines are dropped.
 */
export async function* textLines(file: string, signal?: AbortSignal): AsyncGenerator<string> {
  const stream = createReadStream(file, { encoding: 'utf8' });
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  let first = true;
  try {
    for await (let line of rl) {
      if (signal?.aborted) throw new CancelledError(signal.reason);
      if (first) {
        line = line.replace(/^\uFEFF/, '');
        first = false;
      }
      const t = line.trim();
      if (t && !FENCE_LINE.test(t)) yield t;
    }
  } finally {
    rl.close();
    stream.destroy();
  }
}

/**
 * The JSON Lines of a file, streamed: each non-empty line is a parsed object or `malformed`
 * (torn by a crash, garbage, or JSON that is not an object).
 */
export async function* jsonObjectLines(file: string, signal?: AbortSignal): AsyncGenerator<LineItem> {
  for await (const t of textLines(file, signal)) yield parseObjectLine(t);
}

/**
 * The complete lines within the first `maxBytes` of a file, trimmed, without blank and fence
 * lines; a line cut by the byte limit is dropped. Reading a bounded head (not `readline`)
 * means a file without newlines is never pulled into memory just to recognise it.
 */
export async function headLines(file: string, maxBytes: number): Promise<string[]> {
  const fh = await fsp.open(file, 'r');
  try {
    const buf = Buffer.alloc(maxBytes);
    const { bytesRead } = await fh.read(buf, 0, maxBytes, 0);
    const lines = buf.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '').split('\n');
    if (bytesRead === maxBytes) lines.pop();
    return lines.map((l) => l.trim()).filter((t) => t && !FENCE_LINE.test(t));
  } finally {
    await fh.close();
  }
}

/** One trimmed line as a JSON object, or `malformed`. */
export function parseObjectLine(t: string): LineItem {
  if (t[0] !== '{') return { kind: 'malformed', opensJson: t[0] === '[' };
  try {
    const v = JSON.parse(t) as unknown;
    return isObj(v) ? { kind: 'object', value: v } : { kind: 'malformed', opensJson: false };
  } catch {
    return { kind: 'malformed', opensJson: true };
  }
}
