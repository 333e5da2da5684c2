import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Skill, SkillBundle } from '../../skills/types.js';
import { hermesTrailer, parseHermesSession } from './hermes-output.js';
import { jiuwenclawReply, parseJiuwenclawRun } from './jiuwenclaw-output.js';
import { parseOpenclawTranscript } from './openclaw-output.js';

/** Parsers of the harnesses that cannot run here, over samples written from their documented formats (samples/README.md). */
const SAMPLES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'samples');
const sample = (p: string) => readFileSync(path.join(SAMPLES, p), 'utf8');

const TIDY = '---\nname: tidy-notes\ndescription: Keep notes tidy. Use when writing notes.txt.\n---\n\n# Tidy notes\nWrite notes to notes.txt in the project root, then read the file back to check it.\n';
function bundle(mode: SkillBundle['mode'], content = TIDY): SkillBundle {
  const s: Skill = { name: 'tidy-notes', description: 'd', dir: '/nonexistent/tidy-notes', skillMdPath: '/nonexistent/tidy-notes/SKILL.md', content, frontMatter: {}, files: [], contentHash: '0123456789abcdef' };
  return { mode, skills: [s] };
}

describe('openclaw transcript', () => {
  const file = sample('openclaw/session.jsonl');

  it('pairs tool calls with results (outputs, error ⇒ exit 1), sums usage and cost, takes the last answer', async () => {
    const r = parseOpenclawTranscript(file, undefined);
    expect(r.steps.map((s) => s.role)).toEqual(['assistant', 'tool', 'assistant', 'tool', 'assistant']);
    const calls = r.steps.filter((s) => s.role === 'tool').flatMap((s) => s.toolCalls);
    expect(calls[0]).toMatchObject({ id: 'call_1', name: 'read', input: { path: 'skills/tidy-notes/SKILL.md' } });
    expect(calls[0]!.output).toContain('# Tidy notes');
    expect(calls[1]).toMatchObject({ name: 'exec', input: { command: 'cat missing-input.txt' }, exitCode: 1 });
    expect(r.tokens).toEqual({ input: 4300, output: 90, cacheRead: 2400, cacheWrite: 0 });
    expect(r.cost).toBeCloseTo(0.0029, 8);
    expect(r).toMatchObject({ usageAvailable: true, text: 'Done: notes.txt is written; missing-input.txt does not exist.' });
    expect('skillLoaded' in r).toBe(false);
  });

  it('discover: reading skills/<name>/SKILL.md is a load; a transcript that never touches it is not; inject: any answer', async () => {
    expect(parseOpenclawTranscript(file, bundle('discover')).skillLoaded).toBe(true);
    const other = JSON.stringify({ type: 'message', timestamp: 1, message: { role: 'assistant', content: 'I did it without help.' } }) + '\n';
    expect(parseOpenclawTranscript(other, bundle('discover')).skillLoaded).toBe(false);
    expect(parseOpenclawTranscript(other, bundle('inject')).skillLoaded).toBe(true);
  });

  it('no transcript is telemetry only (usage unavailable, cost null); an error stop is reported', async () => {
    const none = parseOpenclawTranscript(undefined, bundle('inject'));
    expect(none).toMatchObject({ steps: [], cost: null, usageAvailable: false, skillLoaded: false });
    expect(none.statusDetail).toMatch(/telemetry only/);
    const failed = JSON.stringify({ type: 'message', timestamp: 1, message: { role: 'assistant', content: [], stopReason: 'error', errorMessage: '401 invalid x-api-key' } }) + '\n';
    expect(parseOpenclawTranscript(failed, undefined).error).toEqual({ text: '401 invalid x-api-key', source: 'openclaw:transcript' });
  });
});

describe('hermes session export', () => {
  it('the trailer gives the session id and is stripped from the answer', () => {
    expect(hermesTrailer(sample('hermes/chat-stdout.txt'))).toEqual({ sessionId: '20261206_024123_a1b2c3', answer: 'Done: notes.txt is written and reads back correctly.' });
    expect(hermesTrailer('just an answer\n')).toEqual({ answer: 'just an answer' });
  });

  it('steps from messages (JSON-text arguments, {output, exit_code} results), session totals, estimated cost when nothing was billed', () => {
    const r = parseHermesSession(JSON.parse(sample('hermes/session-export.json')), sample('hermes/chat-stdout.txt'), bundle('inject'));
    const calls = r.steps.filter((s) => s.role === 'tool').flatMap((s) => s.toolCalls);
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatchObject({ id: 'call_a1', name: 'write_file', input: { path: 'notes.txt', content: 'a tidy note\n' } });
    expect(calls[1]).toMatchObject({ name: 'terminal', input: { command: 'cat missing-input.txt' }, output: 'cat: missing-input.txt: No such file or directory', exitCode: 1 });
    expect(r.tokens).toEqual({ input: 5200, output: 150, cacheRead: 1200, cacheWrite: 0 });
    expect(r).toMatchObject({ cost: 0.0042, usageAvailable: true, skillLoaded: true, text: 'Done: notes.txt is written and reads back correctly.' });
    expect(r.steps[0]!.timestamp).toBe(1796524885000);
  });

  it('billed cost beats the estimate; discover counts only an answer quoting the skill', () => {
    const exported = { ...JSON.parse(sample('hermes/session-export.json')), actual_cost_usd: 0.01 };
    const r = parseHermesSession(exported, sample('hermes/chat-stdout.txt'), bundle('discover'));
    expect(r.cost).toBe(0.01);
    expect(r.skillLoaded).toBe(false);
    exported.messages.at(-1).content = 'Following: Write notes to notes.txt in the project root, then read the file back to check it.';
    expect(parseHermesSession(exported, '', bundle('discover')).skillLoaded).toBe(true);
  });

  it('without an export: a minimal record from stdout, usage unavailable', () => {
    const r = parseHermesSession(undefined, sample('hermes/chat-stdout.txt'), undefined);
    expect(r).toMatchObject({ text: 'Done: notes.txt is written and reads back correctly.', cost: null, usageAvailable: false });
    expect(r.steps).toHaveLength(1);
    expect(r.statusDetail).toMatch(/no Hermes session export/);
  });
});

describe('jiuwenclaw reply and history', () => {
  it('tool calls (arguments as text or args object) paired with results, final answer from the JSON-RPC reply, never usage', () => {
    const reply = jiuwenclawReply(`starting agent…\n${sample('jiuwenclaw/acp-stdout.json')}`);
    const r = parseJiuwenclawRun(reply, JSON.parse(sample('jiuwenclaw/history.json')), bundle('discover'));
    const calls = r.steps.filter((s) => s.role === 'tool').flatMap((s) => s.toolCalls);
    expect(calls.map((c) => [c.id, c.name])).toEqual([['tc1', 'write_file'], ['tc2', 'bash']]);
    expect(calls[0]).toMatchObject({ input: { path: 'notes.txt' }, output: 'File written: notes.txt' });
    expect(calls[1]!.input).toEqual({ command: 'cat missing-input.txt' });
    expect(JSON.parse(calls[1]!.output!)).toMatchObject({ returncode: 1 });
    expect(r).toMatchObject({ text: 'Done: notes.txt is written; missing-input.txt does not exist.', cost: null, usageAvailable: false, skillLoaded: true });
    expect(r.tokens).toEqual({ input: 0, output: 0, cacheRead: 0, cacheWrite: 0 });
  });

  it('a JSON-RPC error or a chat.error record is the adapter error; no reply is telemetry only', () => {
    const r = parseJiuwenclawRun({ jsonrpc: '2.0', id: 1, error: { code: -32000, message: 'model endpoint refused the key (401)' } }, [], undefined);
    expect(r.error).toEqual({ text: 'model endpoint refused the key (401)', source: 'jiuwenclaw:history' });
    const h = parseJiuwenclawRun(undefined, [{ role: 'assistant', timestamp: 1, event_type: 'chat.error', event_payload: { message: 'boom' } }], undefined);
    expect(h.error?.text).toBe('boom');
    expect(h.statusDetail).toMatch(/telemetry only/);
    expect(jiuwenclawReply('not json at all')).toBeUndefined();
  });
});
