import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { CancelledError } from '../util/errors.js';
import { isObj, type Obj } from './json-shapes.js';

/** A line that is a Markdown code fence (```json, ```jsonl, ```), tolerated around a log. */
const FENCE_LINE = /^```[a-z]*\s*$/i;

/** `opensJson`: the line starts like JSON but does not parse alone (a torn line, or the first line of a pretty-printed document). */
export type LineItem = { kind: 'object'; value: Obj } | { kind: 'malformed'; opensJson: boolean };

/**
 * Streams a JSON Lines file one line at a time (never the whole file in memory): each
 * non-empty line is a parsed object or `malformed` (torn by a crash, garbage, or JSON that is
 * not an object). A leading BOM and fence lines are dropped silently.
 */
export async function* jsonObjectLines(file: string, signal?: AbortSignal): AsyncGenerator<LineItem> {
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
      if (!t || FENCE_LINE.test(t)) continue;
      yield parseObjectLine(t);
    }
  } finally {
    rl.close();
    stream.destroy();
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
