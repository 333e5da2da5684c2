import { promises as fsp } from 'node:fs';
import { SkvmError } from '../util/errors.js';
import { TranscriptBuilder } from './builder.js';
import type { FormatDef } from './format.js';
import { FORMATS } from './formats/index.js';
import { parseLenientJson } from './lenient-json.js';
import { headLines, jsonObjectLines, parseObjectLine } from './lines.js';
import type { ParsedTranscript } from './types.js';

/** Head lines tried before giving up on line formats (garbage may precede the first good line). */
const HEAD_LINES = 50;
/** Bytes read to recognise a line format; longer first lines than this are not expected of any. */
const HEAD_BYTES = 1024 * 1024;
/** A single-document format is parsed whole; past this size it is refused rather than slurped. */
export const DOCUMENT_MAX_BYTES = 64 * 1024 * 1024;

/**
 * Reads one transcript of any known format, recognised from its content (never its name). JSONL
 * formats stream line by line; malformed lines are counted in `skippedLines`, never fatal.
 * Throws SkvmError naming every format tried when none matches.
 */
export async function parseTranscriptFile(file: string, opts: { signal?: AbortSignal } = {}): Promise<ParsedTranscript> {
  const size = await sizeOf(file);
  const lineFormat = detectLineFormat(await headLines(file, HEAD_BYTES));
  if (lineFormat) return streamLines(file, lineFormat, opts.signal);
  if (size > DOCUMENT_MAX_BYTES) throw noMatch(file, `it is ${size} bytes, too large to read as one JSON document (limit ${DOCUMENT_MAX_BYTES})`);
  const value = parseLenientJson(await fsp.readFile(file, 'utf8'));
  const docFormat = value === undefined ? undefined : FORMATS.find((f) => f.document?.matches(value));
  if (!docFormat) throw noMatch(file, size === 0 ? 'it is empty' : value === undefined ? 'no line is a known JSON event and the file is not one JSON document' : 'its JSON has none of the known shapes');
  const b = new TranscriptBuilder(docFormat.format);
  docFormat.document!.read(value, b);
  return b.build(file);
}

/**
 * The line format of the first recognisable JSON object among the first lines. A file whose
 * first line opens JSON without completing it is a pretty-printed document, whose inner lines
 * (a compact part inside an export) must not pass for events.
 */
function detectLineFormat(head: string[]): FormatDef | undefined {
  for (const [i, line] of head.slice(0, HEAD_LINES).entries()) {
    const item = parseObjectLine(line);
    if (item.kind !== 'object') {
      if (i === 0 && item.opensJson) return undefined;
      continue;
    }
    const f = FORMATS.find((d) => d.lines?.matches(item.value));
    if (f) return f;
  }
  return undefined;
}

async function streamLines(file: string, def: FormatDef, signal: AbortSignal | undefined): Promise<ParsedTranscript> {
  const b = new TranscriptBuilder(def.format);
  const reader = def.lines!.open(b);
  for await (const item of jsonObjectLines(file, signal)) {
    if (item.kind === 'malformed') b.skippedLines++;
    else reader.line(item.value);
  }
  reader.end?.();
  return b.build(file);
}

function noMatch(file: string, why: string): SkvmError {
  const tried = [...new Set(FORMATS.map((f) => f.describe))].map((d) => `- ${d}`).join('\n');
  return new SkvmError(`Not a recognised transcript: ${file} (${why}). Formats tried:\n${tried}`, {
    code: 'transcript_format',
    hint: 'Pass a Claude Code or Codex session file, a harness\'s JSON event output, an skvm conversation log, Format B JSONL or a simple report JSON; transcripts_list finds recent Claude Code and Codex sessions.',
  });
}

async function sizeOf(file: string): Promise<number> {
  try {
    const st = await fsp.stat(file);
    if (!st.isFile()) throw new SkvmError(`Not a file: ${file}.`, { hint: 'Pass the path of a transcript file.' });
    return st.size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new SkvmError(`Transcript not found: ${file}.`, { code: 'not_found', hint: 'Check the path; transcripts_list shows recent sessions.' });
    throw err;
  }
}
