import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirs } from '../../../test/tmp.js';
import { TRANSCRIPT_FIXTURES as FIXTURES } from '../../../test/transcript-fixtures.js';
import { SkvmError } from '../util/errors.js';
import { DOCUMENT_MAX_BYTES, parseTranscriptFile } from './index.js';

/** Damaged copies of every JSONL fixture: what survives is parsed, what is broken is counted. */
const JSONL_FIXTURES = [
  'claude-code/session.jsonl',
  'claude-code/stream-json.jsonl',
  'codex/rollout.jsonl',
  'codex/exec.jsonl',
  'pi/session.jsonl',
  'pi/json.jsonl',
  'claude-code-documented/session.jsonl',
  'claude-code-documented/stream-json.ndjson',
  'codex-documented/rollout.jsonl',
  'codex-documented/exec-json.ndjson',
  'opencode-documented/run-format-json.ndjson',
  'pi-documented/session.jsonl',
  'pi-documented/mode-json.ndjson',
  'gemini-cli/session.jsonl',
  'gemini-cli/stream-json.ndjson',
  'skvm-conversation-log/bare-agent.jsonl',
  'skvm-evidence-jsonl/format-b.jsonl',
];

const tmp = tempDirs('skvm-transcripts-degrade-')();

async function write(name: string, text: string): Promise<string> {
  const file = path.join(tmp, name);
  await fsp.writeFile(file, text);
  return file;
}

describe.each(JSONL_FIXTURES)('%s', (rel) => {
  it('cut mid-line: the torn last line is skipped and counted, the rest parsed', async () => {
    const text = await fsp.readFile(path.join(FIXTURES, rel), 'utf8');
    const whole = await parseTranscriptFile(path.join(FIXTURES, rel));
    const lines = text.trimEnd().split('\n');
    const last = lines[lines.length - 1]!;
    const cut = [...lines.slice(0, -1), last.slice(0, Math.floor(last.length / 2))].join('\n');
    const t = await parseTranscriptFile(await write(`cut-${rel.replace(/\//g, '_')}`, cut));
    expect(t.format).toBe(whole.format);
    expect(t.skippedLines).toBe(1);
    expect(t.turns.length).toBeGreaterThan(0);
    expect(t.turns.length).toBeLessThanOrEqual(whole.turns.length);
    expect(t.turns).toEqual(whole.turns.slice(0, t.turns.length));
    expect(t.warnings.join('\n')).toMatch(/1 malformed line/);
  });

  it('garbage lines inserted: each skipped and counted, the turns unchanged', async () => {
    const text = await fsp.readFile(path.join(FIXTURES, rel), 'utf8');
    const whole = await parseTranscriptFile(path.join(FIXTURES, rel));
    const lines = text.trimEnd().split('\n');
    const garbage = ['not json at all', '{"torn": ', '[1, 2, 3]', '\u0000\u0001binary'];
    const mixed = lines.flatMap((l, i) => (i > 0 && i % 2 === 0 ? [garbage[i % garbage.length]!, l] : [l]));
    const inserted = mixed.length - lines.length;
    const t = await parseTranscriptFile(await write(`garbage-${rel.replace(/\//g, '_')}`, mixed.join('\n') + '\n'));
    expect(t.format).toBe(whole.format);
    expect(t.skippedLines).toBe(inserted);
    expect(t.turns).toEqual(whole.turns);
    expect(t.usage).toEqual(whole.usage);
  });
});

describe('files that are no transcript', () => {
  it('unknown JSONL ⇒ SkvmError naming every format tried, with a hint', async () => {
    const file = await write('unknown.jsonl', '{"event":"x","n":1}\n{"event":"y","n":2}\n');
    const err = await parseTranscriptFile(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SkvmError);
    const msg = (err as SkvmError).message;
    for (const name of ['Claude Code session', 'Claude Code stream-json', 'Codex rollout', 'Codex exec', 'opencode', 'pi ', 'Gemini CLI', 'skvm conversation log', 'Format B', 'simple report']) expect(msg).toContain(name);
    expect((err as SkvmError).hint).toMatch(/transcripts_list/);
  });

  it('plain text, an empty file, a JSON document of another shape and a missing path are clear errors', async () => {
    await expect(parseTranscriptFile(await write('notes.md', '# notes\nhello\n'))).rejects.toThrow(/Not a recognised transcript.*not one JSON document/s);
    await expect(parseTranscriptFile(await write('empty.jsonl', ''))).rejects.toThrow(/it is empty/);
    await expect(parseTranscriptFile(await write('other.json', '{\n  "name": "pkg",\n  "version": "1.0.0"\n}\n'))).rejects.toThrow(/none of the known shapes/);
    await expect(parseTranscriptFile(path.join(tmp, 'nope.jsonl'))).rejects.toThrow(/Transcript not found/);
  });

  it('a huge file that is no JSONL is refused from its head, not read whole', async () => {
    const file = await write('huge.bin', '');
    await fsp.truncate(file, DOCUMENT_MAX_BYTES + 1); // sparse: no newline anywhere
    const before = process.memoryUsage().rss;
    await expect(parseTranscriptFile(file)).rejects.toThrow(/too large to read as one JSON document/);
    expect(process.memoryUsage().rss - before).toBeLessThan(DOCUMENT_MAX_BYTES / 2);
  });

  it('detection reads content, not the name: a Codex rollout saved as .json is still one', async () => {
    const text = await fsp.readFile(path.join(FIXTURES, 'codex-documented/rollout.jsonl'), 'utf8');
    const t = await parseTranscriptFile(await write('renamed.json', text));
    expect(t.format).toBe('codex-rollout');
  });

  it('a BOM and a ```jsonl fence around a log are tolerated', async () => {
    const text = await fsp.readFile(path.join(FIXTURES, 'skvm-evidence-jsonl/format-b.jsonl'), 'utf8');
    const t = await parseTranscriptFile(await write('fenced.jsonl', `\uFEFF\`\`\`jsonl\n${text}\`\`\`\n`));
    expect(t.format).toBe('skvm-evidence-jsonl');
    expect(t.skippedLines).toBe(0);
    expect(t.taskPrompt).toMatch(/^Slugify/);
  });
});
