import { Transform, type TransformCallback } from 'node:stream';

/**
 * stdin → one chunk per complete JSON-RPC line, in front of the SDK's stdio transport.
 *
 * The SDK's read buffer appends every pipe chunk to all the bytes not yet read, which is
 * quadratic (about half a second of copying for one 10 MB message), and on a message over its
 * cap it tears the whole connection down. Here the pieces of a line are kept in a list and
 * joined once, and a line over `maxLineBytes` is dropped as it streams by: only its first and
 * last bytes are kept, so `onOversized` can name the request id (when it can be found) and the
 * session goes on with the next message.
 */

export interface OversizedLine {
  bytes: number;
  /** The JSON-RPC id of the dropped request, when one is found at the start or the end of the line. */
  id?: string | number;
}

const EDGE_BYTES = 512;
const NEWLINE = 0x0a;

export class LineChunker extends Transform {
  private parts: Buffer[] = [];
  private size = 0;
  private head: Buffer | undefined;
  private tail = Buffer.alloc(0);

  constructor(
    private readonly maxLineBytes: number,
    private readonly onOversized: (line: OversizedLine) => void,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    let start = 0;
    for (let nl = chunk.indexOf(NEWLINE); nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
      this.keep(chunk.subarray(start, nl + 1));
      this.endLine();
      start = nl + 1;
    }
    this.keep(chunk.subarray(start));
    done();
  }

  override _flush(done: TransformCallback): void {
    if (this.size > 0) this.endLine();
    done();
  }

  private keep(part: Buffer): void {
    if (part.length === 0) return;
    this.size += part.length;
    if (this.head === undefined && this.size > this.maxLineBytes) {
      // Too long: from here on keep only the edges.
      const all = Buffer.concat(this.parts);
      this.head = all.subarray(0, EDGE_BYTES);
      this.tail = all.subarray(-EDGE_BYTES);
      this.parts = [];
    }
    if (this.head === undefined) this.parts.push(part);
    else this.tail = Buffer.concat([this.tail, part]).subarray(-EDGE_BYTES);
  }

  private endLine(): void {
    if (this.head === undefined) this.push(this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts));
    else this.onOversized({ bytes: this.size, ...requestId(this.head.toString('utf8'), this.tail.toString('utf8')) });
    this.parts = [];
    this.size = 0;
    this.head = undefined;
    this.tail = Buffer.alloc(0);
  }
}

const ID = String.raw`"id"\s*:\s*(-?\d+|"(?:[^"\\]|\\.){0,200}")`;
const ID_FIRST = new RegExp(String.raw`^\s*\{\s*(?:"jsonrpc"\s*:\s*"2\.0"\s*,\s*)?${ID}`);
const ID_LAST = new RegExp(String.raw`${ID}\s*\}\s*$`);

/** The id of a JSON-RPC request from the edges of its text: first or last member of the object. */
export function requestId(head: string, tail: string): { id?: string | number } {
  const m = ID_FIRST.exec(head) ?? ID_LAST.exec(tail);
  if (!m) return {};
  try {
    return { id: JSON.parse(m[1]!) as string | number };
  } catch {
    return {};
  }
}
