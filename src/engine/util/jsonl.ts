import { promises as fsp } from 'node:fs';
import * as path from 'node:path';

/** JSON Lines files: appends that never interleave, and tolerant reads. */

// Appends to one file are serialized within the process so concurrent writers never interleave lines.
const appendChains = new Map<string, Promise<void>>();

export async function appendJsonLine(file: string, value: unknown): Promise<void> {
  const line = JSON.stringify(value) + '\n';
  const prev = appendChains.get(file) ?? Promise.resolve();
  const next = prev.then(async () => {
    await fsp.mkdir(path.dirname(file), { recursive: true });
    await fsp.appendFile(file, line, 'utf8');
  });
  const settled = next.catch(() => undefined);
  appendChains.set(file, settled);
  void settled.then(() => {
    if (appendChains.get(file) === settled) appendChains.delete(file);
  });
  return next;
}

/** Parses a JSONL file; blank and unparseable lines (e.g. a line torn by a crash) are skipped. */
export async function readJsonLines(file: string): Promise<unknown[]> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return parseJsonLines(text);
}

/** JSONL text → its values; blank and unparseable lines are skipped. */
export function parseJsonLines(text: string): unknown[] {
  const out: unknown[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line));
    } catch {
      // torn or foreign line
    }
  }
  return out;
}
