import { openForRead } from '../../../sandbox/index.js';

/** Small text helpers for the pass's prompts and its bounded file reads. */

/** `body` in a Markdown fence longer than any backtick run inside it, so the fence cannot close early. */
export function fenced(body: string, lang = ''): string {
  let fence = '```';
  while (body.includes(fence)) fence += '`';
  return `${fence}${lang}\n${body.endsWith('\n') ? body : body + '\n'}${fence}`;
}

/** One line of at most `max` characters (newlines folded), marked when cut. */
export function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/** The non-empty lines of a reply, at most `maxLines` of at most `maxChars` each; a last line counts the rest. */
export function replyLines(text: string, maxLines: number, maxChars: number): string[] {
  const lines = text.split('\n').map((l) => oneLine(l, maxChars)).filter(Boolean);
  if (lines.length <= maxLines) return lines;
  const rest = lines.length - (maxLines - 1);
  return [...lines.slice(0, maxLines - 1), `… ${rest} more line${rest === 1 ? '' : 's'}`];
}

export interface Excerpt {
  text: string;
  /** Size of the whole file in bytes. */
  size: number;
  truncated: boolean;
}

/**
 * The first `maxBytes` of a regular file inside `root` (a path relative to it, or an absolute path
 * inside it), cut back to a line end when one is near. Refuses — by throwing — anything outside
 * `root`, a symlink, a device or a hard link (sandbox openForRead); undefined for binary content.
 */
export async function readExcerpt(root: string, file: string, maxBytes: number): Promise<Excerpt | undefined> {
  const { handle, stat } = await openForRead(root, file);
  try {
    const buf = Buffer.alloc(Math.max(0, Math.min(stat.size, maxBytes)));
    let got = 0;
    while (got < buf.length) {
      const { bytesRead } = await handle.read(buf, got, buf.length - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    let head = buf.subarray(0, got);
    if (head.includes(0)) return undefined;
    const truncated = stat.size > got;
    if (truncated) {
      const lastNewline = head.lastIndexOf(0x0a);
      if (lastNewline >= head.length / 2) head = head.subarray(0, lastNewline + 1);
    }
    // A cut inside a multi-byte character decodes to U+FFFD; drop that tail.
    const text = head.toString('utf8').replace(/\uFFFD+$/, '');
    return { text, size: stat.size, truncated };
  } finally {
    await handle.close();
  }
}
