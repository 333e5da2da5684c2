import { StringDecoder } from 'node:string_decoder';

export const DEFAULT_OUTPUT_CAP_BYTES = 1024 * 1024;

/**
 * Keeps the first `cap` bytes of a stream and counts (then drops) the rest. The stream is always
 * drained, so a chatty child never blocks on a full pipe and memory stays bounded by `cap`.
 */
export class CappedBuffer {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  truncated = false;
  total = 0;

  constructor(private readonly cap: number) {}

  push(chunk: Buffer): void {
    this.total += chunk.length;
    const room = this.cap - this.kept;
    if (room <= 0) {
      if (chunk.length > 0) this.truncated = true;
      return;
    }
    if (chunk.length > room) {
      this.truncated = true;
      // Copy, so the whole (possibly 64 KiB) chunk is not kept alive by a small slice.
      this.chunks.push(Buffer.from(chunk.subarray(0, room)));
      this.kept += room;
      return;
    }
    this.chunks.push(chunk);
    this.kept += chunk.length;
  }

  /** The kept bytes as UTF-8; a multi-byte character cut by the cap is dropped, not mangled. */
  text(): string {
    const buf = Buffer.concat(this.chunks, this.kept);
    const decoder = new StringDecoder('utf8');
    return this.truncated ? decoder.write(buf) : decoder.write(buf) + decoder.end();
  }
}
