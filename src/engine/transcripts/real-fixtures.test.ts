import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TRANSCRIPT_FIXTURES } from '../../../test/transcript-fixtures.js';
import { parseTranscriptFile, transcriptToEvidence } from './index.js';
import type { ParsedTranscript } from './types.js';

/**
 * The transcripts the real CLIs wrote against the simulator (test/fixtures/transcripts/README.md):
 * each did the same task — load the tidy-notes skill, write notes.txt, fail to read
 * missing-input.txt, read notes.txt back, answer. Every shape of one harness must tell the same
 * story, down to the token totals.
 */
const fx = (rel: string) => path.join(TRANSCRIPT_FIXTURES, rel);
const PROMPT = 'Use the tidy-notes skill: write a short note to notes.txt, try to read missing-input.txt, then read notes.txt back and report.';
const ANSWER = 'Done: the file is written and reads back correctly; the missing input file could not be read, as expected.';

/** The commands or calls, the failed one, and the final answer, as every harness shows them. */
function expectTheTask(t: ParsedTranscript, tools: string[]): void {
  expect(t.skippedLines).toBe(0);
  expect(t.skillsLoaded).toEqual(['tidy-notes']);
  expect(t.turns.filter((x) => x.kind === 'tool-call').map((x) => x.toolName)).toEqual(tools);
  const results = t.turns.filter((x) => x.kind === 'tool-result');
  expect(results).toHaveLength(tools.length);
  const failed = results.filter((r) => r.isError);
  expect(failed).toHaveLength(1);
  expect(failed[0]!.text).toMatch(/missing-input\.txt: No such file or directory/);
  expect(failed[0]!.exitCode).toBe(1);
  expect(results[results.length - 1]!.text).toMatch(/skvm fixture: written by the simulated model/);
  const last = t.turns[t.turns.length - 1]!;
  expect(last).toMatchObject({ kind: 'assistant', text: ANSWER });
  expect(t.usage.input).toBeGreaterThan(0);
  expect(t.usage.output).toBeGreaterThan(0);
}

describe('real Claude Code 2.1.330 transcripts', () => {
  it('session JSONL: prompt, Skill → Write → Bash ×2, the failed cat, cost from cost-state; unknown line types skipped', async () => {
    const t = await parseTranscriptFile(fx('claude-code/session.jsonl'));
    expect(t).toMatchObject({ format: 'claude-code-session', cwd: '/tmp/skvm-transcript-fixtures/claude-code/project', model: 'claude-opus-5-5', taskPrompt: PROMPT });
    expectTheTask(t, ['Skill', 'Write', 'Bash', 'Bash']);
    expect(t.turns.find((x) => x.toolName === 'Write' && x.kind === 'tool-call')!.arguments).toMatchObject({ file_path: '/tmp/skvm-transcript-fixtures/claude-code/project/notes.txt' });
    expect(t.costUsd).toBeGreaterThan(0);
    // The skill body Claude Code injects is not a user turn.
    expect(t.turns.filter((x) => x.kind === 'user')).toHaveLength(1);
  });

  it('stream-json tells the same story with the same totals; its prompt is not in the stream', async () => {
    const session = await parseTranscriptFile(fx('claude-code/session.jsonl'));
    const t = await parseTranscriptFile(fx('claude-code/stream-json.jsonl'));
    expect(t).toMatchObject({ format: 'claude-code-stream-json', sessionId: session.sessionId, cwd: session.cwd, model: session.model, outcome: { status: 'unknown', text: ANSWER } });
    expect(t.taskPrompt).toBeUndefined();
    expectTheTask(t, ['Skill', 'Write', 'Bash', 'Bash']);
    expect(t.usage).toEqual(session.usage);
    expect(t.costUsd).toBe(session.costUsd);
  });

  it('Evidence from the session: the prompt, the failed call with its arguments, skill loaded', async () => {
    const e = transcriptToEvidence(await parseTranscriptFile(fx('claude-code/session.jsonl')), 'last-session');
    expect(e.taskPrompt).toBe(PROMPT);
    const failed = e.conversationLog.find((x) => x.type === 'tool' && x.toolCalls?.[0]?.isError);
    expect(failed!.toolCalls![0]).toMatchObject({ name: 'Bash', arguments: { command: 'cat missing-input.txt' }, exitCode: 1 });
    expect(e.runMeta).toMatchObject({ skillLoaded: true });
  });
});

describe('real Codex 0.169.0 transcripts', () => {
  it('rollout: the prompt past the injected context, the SKILL.md cat as the skill load, exit codes from the output text', async () => {
    const t = await parseTranscriptFile(fx('codex/rollout.jsonl'));
    expect(t).toMatchObject({ format: 'codex-rollout', cwd: '/tmp/skvm-transcript-fixtures/codex/project', model: 'sim-codex', taskPrompt: PROMPT });
    expectTheTask(t, ['exec_command', 'exec_command', 'exec_command', 'exec_command']);
    expect(t.turns.filter((x) => x.kind === 'tool-result').map((x) => x.exitCode)).toEqual([0, 0, 1, 0]);
  });

  it('exec --json: the same commands and the same token totals as the rollout', async () => {
    const rollout = await parseTranscriptFile(fx('codex/rollout.jsonl'));
    const t = await parseTranscriptFile(fx('codex/exec.jsonl'));
    expect(t).toMatchObject({ format: 'codex-exec-json', sessionId: rollout.sessionId });
    expectTheTask(t, ['shell', 'shell', 'shell', 'shell']);
    expect(t.usage).toEqual(rollout.usage);
    expect(t.warnings.join('\n')).toMatch(/Model metadata for `sim-codex` not found/);
  });
});

describe('real pi 0.73.1 transcripts', () => {
  it('session JSONL and --mode json output agree turn for turn', async () => {
    const session = await parseTranscriptFile(fx('pi/session.jsonl'));
    const json = await parseTranscriptFile(fx('pi/json.jsonl'));
    for (const t of [session, json]) {
      expect(t).toMatchObject({ format: 'pi', cwd: '/tmp/skvm-transcript-fixtures/pi/project', model: 'sim-pi', taskPrompt: PROMPT });
      expectTheTask(t, ['bash', 'write', 'bash', 'bash']);
    }
    const strip = (t: ParsedTranscript) => t.turns.map(({ ts: _ts, ...rest }) => rest);
    expect(strip(json)).toEqual(strip(session));
    expect(json.usage).toEqual(session.usage);
  });
});

describe('real opencode 1.18.33 transcripts', () => {
  it('export: the prompt (in the quotes `opencode run` adds), skill → write → bash ×2, the failed cat from metadata.exit', async () => {
    const t = await parseTranscriptFile(fx('opencode/export.json'));
    expect(t).toMatchObject({ format: 'opencode', cwd: '/tmp/skvm-transcript-fixtures/opencode/project', model: 'sim-opencode', taskPrompt: `"${PROMPT}"`, costUsd: 0 });
    expectTheTask(t, ['skill', 'write', 'bash', 'bash']);
    const calls = t.turns.filter((x) => x.kind === 'tool-call');
    expect(calls[0]!.arguments).toEqual({ name: 'tidy-notes' });
    expect(calls[1]!.arguments).toEqual({ filePath: '/tmp/skvm-transcript-fixtures/opencode/project/notes.txt', content: 'skvm fixture: written by the simulated model\n' });
    expect(t.turns.filter((x) => x.kind === 'tool-result').map((x) => x.exitCode)).toEqual([undefined, undefined, 1, 0]);
  });

  it('run --format json tells the same story with the same totals; its prompt is not in the stream', async () => {
    const exported = await parseTranscriptFile(fx('opencode/export.json'));
    const t = await parseTranscriptFile(fx('opencode/run-format-json.jsonl'));
    expect(t).toMatchObject({ format: 'opencode', sessionId: exported.sessionId });
    expect(t.taskPrompt).toBeUndefined();
    expectTheTask(t, ['skill', 'write', 'bash', 'bash']);
    const strip = (x: ParsedTranscript) => x.turns.filter((turn) => turn.kind !== 'user').map(({ ts: _ts, ...rest }) => rest);
    expect(strip(t)).toEqual(strip(exported));
    expect(t.usage).toEqual(exported.usage);
  });

  it('Evidence from the export: the failed bash call with its command and exit code, skill loaded', async () => {
    const e = transcriptToEvidence(await parseTranscriptFile(fx('opencode/export.json')), 'last-session');
    const failed = e.conversationLog.find((x) => x.type === 'tool' && x.toolCalls?.[0]?.isError);
    expect(failed!.toolCalls![0]).toMatchObject({ name: 'bash', arguments: { command: 'cat missing-input.txt' }, exitCode: 1 });
    expect(e.runMeta).toMatchObject({ skillLoaded: true });
  });
});
