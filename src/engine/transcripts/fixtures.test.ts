import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TRANSCRIPT_FIXTURES } from '../../../test/transcript-fixtures.js';
import { parseTranscriptFile } from './index.js';
import type { ParsedTranscript, TranscriptTurn } from './types.js';

/**
 * Every checked-in transcript fixture parses to the turns it holds: prompt, tool names and
 * arguments, an error result with its exit code, usage, skills. Fixtures are listed in
 * test/fixtures/transcripts/README*.md with how each was made.
 */
const fx = (rel: string) => path.join(TRANSCRIPT_FIXTURES, rel);

const kinds = (t: ParsedTranscript) => t.turns.map((x) => x.kind);
const calls = (t: ParsedTranscript) => t.turns.filter((x) => x.kind === 'tool-call');
const results = (t: ParsedTranscript) => t.turns.filter((x) => x.kind === 'tool-result');
const errorResult = (t: ParsedTranscript): TranscriptTurn => {
  const errs = results(t).filter((r) => r.isError);
  expect(errs).toHaveLength(1);
  return errs[0]!;
};

describe('transcript fixtures', () => {
  it('Claude Code session JSONL (documented): prompt, Skill load, Bash error with exit code, sidechain, per-message usage, unknown line types skipped', async () => {
    const t = await parseTranscriptFile(fx('claude-code-documented/session.jsonl'));
    expect(t).toMatchObject({ format: 'claude-code-session', sessionId: '0b9c7d52-1f3e-4a6b-8c2d-4e5f6a7b8c9d', cwd: '/work/demo', model: 'claude-sim-1', skippedLines: 0 });
    expect(t.taskPrompt).toBe('Use the slug-rules skill to slugify title.txt into slug.txt');
    expect(t.skillsLoaded).toEqual(['slug-rules']);
    expect(calls(t).map((c) => c.toolName)).toEqual(['Skill', 'Bash', 'Write']);
    expect(calls(t)[1]!.arguments).toEqual({ command: 'cat titles.txt', description: 'Read the titles' });
    expect(errorResult(t)).toMatchObject({ toolName: 'Bash', toolCallId: 'toolu_02', exitCode: 1, text: 'Exit code 1\ncat: titles.txt: No such file or directory' });
    expect(t.turns.filter((x) => x.sidechain).map((x) => x.text)).toEqual(['Sub-agent: title.txt holds Hello World.']);
    // msg_sim_01 spans two lines with the same usage: counted once. Sidechain usage counts (it was paid for).
    expect(t.usage).toEqual({ input: 1200 + 1500 + 100 + 1600 + 1700, output: 25 + 30 + 10 + 40 + 12, cacheRead: 1200 + 1500 + 1600, cacheWrite: 300 });
    expect(t.turns[t.turns.length - 1]).toMatchObject({ kind: 'assistant', text: 'Wrote hello-world to slug.txt.' });
  });

  it('Claude Code stream-json (documented): init, error result, result totals and cost, no prompt in the stream', async () => {
    const t = await parseTranscriptFile(fx('claude-code-documented/stream-json.ndjson'));
    expect(t).toMatchObject({ format: 'claude-code-stream-json', cwd: '/work/demo', model: 'claude-sim-1', costUsd: 0.0123, outcome: { status: 'unknown', text: 'The directory does not exist.' } });
    expect(t.taskPrompt).toBeUndefined();
    expect(kinds(t)).toEqual(['tool-call', 'tool-result', 'assistant']);
    expect(errorResult(t)).toMatchObject({ toolName: 'Bash', exitCode: 2 });
    expect(t.usage).toEqual({ input: 1900, output: 30, cacheRead: 400, cacheWrite: 0 });
  });

  it('Codex rollout (documented): injected context skipped, SKILL.md read as a skill load, exit codes old and new style, running token totals', async () => {
    const t = await parseTranscriptFile(fx('codex-documented/rollout.jsonl'));
    expect(t).toMatchObject({ format: 'codex-rollout', sessionId: '019a1b2c-3d4e-7f60-8a9b-0c1d2e3f4a5b', cwd: '/work/demo', model: 'sim-gpt' });
    expect(t.taskPrompt).toBe('Slugify the title in title.txt with the slug-rules skill; write slug.txt.');
    expect(t.skillsLoaded).toEqual(['slug-rules']);
    expect(calls(t).map((c) => c.toolName)).toEqual(['shell', 'exec_command', 'apply_patch']);
    expect(calls(t)[1]!.arguments).toEqual({ cmd: 'cat titles.txt' });
    expect(results(t).map((r) => r.exitCode)).toEqual([0, 1, 0]);
    expect(errorResult(t)).toMatchObject({ toolName: 'exec_command', toolCallId: 'call_c2' });
    expect(t.usage).toEqual({ input: 2500, output: 120, cacheRead: 4000, cacheWrite: 0 });
    expect(t.turns.filter((x) => x.kind === 'assistant').map((x) => x.text)).toEqual(['Wrote hello-world to slug.txt.']);
  });

  it('Codex exec --json (documented): command items as call + result, failed status, summed turn usage, error item as a warning', async () => {
    const t = await parseTranscriptFile(fx('codex-documented/exec-json.ndjson'));
    expect(t).toMatchObject({ format: 'codex-exec-json', sessionId: '019a1b2c-aaaa-7bbb-8ccc-0d1e2f3a4b5c' });
    expect(kinds(t)).toEqual(['tool-call', 'tool-result', 'tool-call', 'tool-result', 'assistant']);
    expect(calls(t)[0]!.arguments).toEqual({ command: "bash -lc 'cat titles.txt'" });
    expect(errorResult(t)).toMatchObject({ exitCode: 1, text: 'cat: titles.txt: No such file or directory\n' });
    expect(t.usage).toEqual({ input: 2000, output: 90, cacheRead: 3000, cacheWrite: 0 });
    expect(t.warnings.join('\n')).toMatch(/Model metadata/);
  });

  it('opencode run --format json: skill tool, bash exit 1 as an error, step-finish tokens and cost', async () => {
    const t = await parseTranscriptFile(fx('opencode-documented/run-format-json.ndjson'));
    expect(t).toMatchObject({ format: 'opencode', sessionId: 'ses_7a1b2c3d4e5fFixtureRun01', skillsLoaded: ['slug-rules'] });
    expect(calls(t).map((c) => c.toolName)).toEqual(['skill', 'bash', 'write']);
    expect(calls(t)[2]!.arguments).toEqual({ filePath: '/work/demo/slug.txt', content: 'hello-world\n' });
    expect(errorResult(t)).toMatchObject({ toolName: 'bash', exitCode: 1 });
    expect(t.usage).toEqual({ input: 4400, output: 140, cacheRead: 2800, cacheWrite: 0 });
    expect(t.costUsd).toBeCloseTo(0.0038, 10);
    expect(t.turns[0]!.ts).toBe(new Date(1780000001200).toISOString());
  });

  it('opencode export: the prompt, a tool in error state, message-level tokens', async () => {
    const t = await parseTranscriptFile(fx('opencode-documented/export.json'));
    expect(t).toMatchObject({ format: 'opencode', sessionId: 'ses_7a1b2c3d4e5fFixtureExp01', cwd: '/work/demo', model: 'qwen3-coder' });
    expect(t.taskPrompt).toBe('Turn the title "Hello World" into a slug and save it in slug.txt.');
    expect(results(t).map((r) => [r.toolName, r.isError, r.exitCode])).toEqual([['bash', true, 1], ['write', true, undefined]]);
    expect(results(t)[1]!.text).toMatch(/Permission denied/);
    expect(t.usage).toEqual({ input: 4400, output: 140, cacheRead: 2800, cacheWrite: 0 });
  });

  it('pi session JSONL: SKILL.md read as a skill load, isError tool result, usage and cost from assistant messages', async () => {
    const t = await parseTranscriptFile(fx('pi-documented/session.jsonl'));
    expect(t).toMatchObject({ format: 'pi', sessionId: '8d0c8f2e-5a4b-4c3d-9e1f-0a1b2c3d4e5f', cwd: '/work/demo', model: 'qwen3-coder', skillsLoaded: ['slug-rules'] });
    expect(t.taskPrompt).toMatch(/^Use the slug-rules skill/);
    expect(calls(t).map((c) => c.toolName)).toEqual(['read', 'bash', 'write']);
    expect(errorResult(t)).toMatchObject({ toolName: 'bash', toolCallId: 'toolu_02' });
    expect(t.usage).toEqual({ input: 4200, output: 80, cacheRead: 2700, cacheWrite: 0 });
    expect(t.costUsd).toBeCloseTo(0.0049, 10);
  });

  it('pi --mode json: each message once (message_end only), not again from turn_end/agent_end', async () => {
    const t = await parseTranscriptFile(fx('pi-documented/mode-json.ndjson'));
    expect(t.format).toBe('pi');
    expect(kinds(t)).toEqual(['user', 'tool-call', 'tool-result', 'assistant']);
    expect(t.taskPrompt).toBe('How many lines does notes.md have?');
    expect(t.usage).toEqual({ input: 1460, output: 26, cacheRead: 600, cacheWrite: 0 });
  });

  it('Gemini CLI session JSON: activate_skill, an error functionResponse, tokens net of cache', async () => {
    const t = await parseTranscriptFile(fx('gemini-cli/session.json'));
    expect(t).toMatchObject({ format: 'gemini-cli', sessionId: 'b1be52ea-a27e-458c-8e0d-0080f8fe0427', model: 'gemini-2.5-flash', skillsLoaded: ['slug-rules'] });
    expect(t.taskPrompt).toMatch(/^Turn "Hello World" into a slug/);
    expect(calls(t).map((c) => c.toolName)).toEqual(['activate_skill', 'run_shell_command', 'write_file']);
    expect(errorResult(t)).toMatchObject({ toolName: 'run_shell_command', text: 'Command exited with code 1: cat: titles.txt: No such file or directory' });
    expect(t.usage).toEqual({ input: 2264 + 2500 + 2600 - 5400, output: 30 + 34 + 20 + 18, cacheRead: 5400, cacheWrite: 0 });
  });

  it('Gemini CLI session JSONL: a rewritten record counts once (its last version), $set lines ignored', async () => {
    const t = await parseTranscriptFile(fx('gemini-cli/session.jsonl'));
    expect(t.format).toBe('gemini-cli');
    expect(kinds(t)).toEqual(['user', 'tool-call', 'tool-result', 'assistant']);
    expect(results(t)[0]!.text).toMatch(/notes\.md\nslug\.txt/);
    expect(t.usage.input + t.usage.cacheRead).toBe(1700);
  });

  it('Gemini CLI stream-json: delta pieces joined into one reply, result stats', async () => {
    const t = await parseTranscriptFile(fx('gemini-cli/stream-json.ndjson'));
    expect(t).toMatchObject({ format: 'gemini-cli', sessionId: 'b35ecd66-4ed8-43cd-b73b-9dd2eb9b2f4e', taskPrompt: 'Count the lines of notes.md\n' });
    expect(t.turns.filter((x) => x.kind === 'assistant').map((x) => x.text)).toEqual(['notes.md has 12 lines.']);
    expect(t.usage).toEqual({ input: 1200, output: 50, cacheRead: 400, cacheWrite: 0 });
  });

  it('our conversation log (recorded from the bare agent): the task prompt from the first user message, load_skill, exit code of a failed command', async () => {
    const t = await parseTranscriptFile(fx('skvm-conversation-log/bare-agent.jsonl'));
    expect(t.format).toBe('skvm-conversation-log');
    expect(t.taskPrompt).toBe('Turn the title in title.txt into a slug following the slug-rules skill and write it to slug.txt.');
    expect(t.skillsLoaded).toEqual(['slug-rules']);
    expect(calls(t).map((c) => c.toolName)).toEqual(['load_skill', 'execute_command', 'read_file', 'write_file']);
    expect(errorResult(t)).toMatchObject({ toolName: 'execute_command', exitCode: 1 });
    expect(t.usage).toEqual({ input: 3290, output: 69, cacheRead: 800, cacheWrite: 0 });
  });

  it('Format B: request text is the prompt, tool entries carry output, isError and exit code', async () => {
    const t = await parseTranscriptFile(fx('skvm-evidence-jsonl/format-b.jsonl'));
    expect(t.format).toBe('skvm-evidence-jsonl');
    expect(t.taskPrompt).toMatch(/^Slugify "Hello World"/);
    expect(calls(t).map((c) => c.toolName)).toEqual(['execute_command', 'write_file']);
    expect(errorResult(t)).toMatchObject({ toolCallId: 'c1', exitCode: 1 });
  });

  it('simple report with BOM, ```json fence and trailing commas: partial ⇒ agent-reported criterion scored 0.5', async () => {
    const t = await parseTranscriptFile(fx('simple-report/report-partial.json'));
    expect(t).toMatchObject({ format: 'simple-report', outcome: { status: 'partial' } });
    expect(t.taskPrompt).toBe('Slugify every title in titles.txt into slugs.txt, one per line.');
    expect(t.criteria).toEqual([
      {
        id: 'agent-reported',
        name: 'agent-reported',
        method: 'custom',
        weight: 1,
        score: 0.5,
        passed: false,
        details: '- The skill does not say whether underscores are allowed.\n- Non-ASCII titles were dropped instead of transliterated.\nFeedback: Add a rule and an example for non-ASCII input.',
      },
    ]);
    expect(t.turns[1]!.text).toMatch(/^Outcome: partial\n\nIssues:\n- The skill/);
  });

  it('simple report pass ⇒ no criteria', async () => {
    const t = await parseTranscriptFile(fx('simple-report/report-pass.json'));
    expect(t).toMatchObject({ format: 'simple-report', outcome: { status: 'pass' }, taskPrompt: 'Count the lines of notes.md' });
    expect(t.criteria).toBeUndefined();
  });
});
