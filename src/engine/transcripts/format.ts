import type { TranscriptBuilder } from './builder.js';
import type { Obj } from './json-shapes.js';
import type { TranscriptFormat } from './types.js';

/**
 * One transcript format. A line format recognises itself from one JSON object (a line near the
 * head of the file) and is then fed every line in order; a document format recognises and reads
 * one whole JSON value. A format may be both (Gemini CLI and opencode write either).
 */
export interface FormatDef {
  format: TranscriptFormat;
  /** For the "nothing matched" error: what a file of this format looks like. */
  describe: string;
  lines?: {
    matches(line: Obj): boolean;
    /** Fresh per-file state; `line` is called for every JSON object line, `end` once at EOF. */
    open(b: TranscriptBuilder): { line(o: Obj): void; end?(): void };
  };
  document?: {
    matches(value: unknown): boolean;
    read(value: unknown, b: TranscriptBuilder): void;
  };
}
