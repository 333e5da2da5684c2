import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURE_SKILL } from '../scripts/transcript-fixtures/produce.js';
import { HARNESS_TASK_DEFAULTS } from '../src/engine/sim/policies/harness-task.js';

/**
 * The checked-in transcripts are what `node dist/scripts/transcript-fixtures/make.js` writes
 * when the real CLIs run the harness-task policy: a regeneration that lost the skill load, the
 * failing or succeeding command, the final answer or the usage is caught here (no CLI runs).
 */

const DIR = path.join(path.dirname(new URL(import.meta.url).pathname), 'fixtures', 'transcripts');

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function jsonl(file: string): Json[] {
  return readFileSync(path.join(DIR, file), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Json);
}

function record(harness: string): Json {
  return JSON.parse(readFileSync(path.join(DIR, harness, 'fixture.json'), 'utf8')) as Json;
}

/** Content blocks of Claude Code's user/assistant lines (session and stream-json share the message shape). */
function blocks(lines: Json[], type: 'user' | 'assistant'): Json[] {
  return lines.filter((l) => l.type === type && Array.isArray(l.message?.content)).flatMap((l) => l.message.content as Json[]);
}

describe.each(['session.jsonl', 'stream-json.jsonl'])('claude-code/%s', (file) => {
  const lines = jsonl(`claude-code/${file}`);
  const toolUses = blocks(lines, 'assistant').filter((b) => b.type === 'tool_use');
  const results = blocks(lines, 'user').filter((b) => b.type === 'tool_result');

  it('loads the skill through the Skill tool, writes the file, runs both commands', () => {
    expect(toolUses.map((t) => t.name)).toEqual(['Skill', 'Write', 'Bash', 'Bash']);
    expect(toolUses[0]!.input).toEqual({ skill: FIXTURE_SKILL.name });
    expect(toolUses.slice(2).map((t) => t.input.command)).toEqual([HARNESS_TASK_DEFAULTS.failingCommand, HARNESS_TASK_DEFAULTS.succeedingCommand]);
  });

  it('has one error result (the failing command) and the succeeding output, each linked to its call', () => {
    expect(results.map((r) => r.tool_use_id)).toEqual(toolUses.map((t) => t.id));
    expect(results.filter((r) => r.is_error === true).map((r) => r.tool_use_id)).toEqual([toolUses[2]!.id]);
    expect(String(results[2]!.content)).toMatch(/^Exit code 1\n.*missing-input\.txt/);
    expect(String(results[3]!.content)).toContain(HARNESS_TASK_DEFAULTS.file.content.trim());
  });

  it('ends with the final answer and carries token usage', () => {
    const texts = blocks(lines, 'assistant').filter((b) => b.type === 'text');
    expect(texts.at(-1)?.text).toBe(HARNESS_TASK_DEFAULTS.answer);
    const usage = lines.filter((l) => l.type === 'assistant').map((l) => l.message.usage as Json);
    expect(usage.length).toBe(toolUses.length + 1);
    for (const u of usage) expect(u.input_tokens).toBeGreaterThan(0);
  });
});

describe('claude-code', () => {
  it('session file: the skill content was injected, sessions agree, and the run is recorded', () => {
    const session = jsonl('claude-code/session.jsonl');
    const stream = jsonl('claude-code/stream-json.jsonl');
    expect(new Set(session.map((l) => l.sessionId).filter(Boolean))).toEqual(new Set([stream[0]!.session_id]));
    expect(JSON.stringify(session)).toContain(`.claude/skills/${FIXTURE_SKILL.name}`);
    const result = stream.at(-1)!;
    expect(result).toMatchObject({ type: 'result', is_error: false });
    expect(result.num_turns).toBeGreaterThanOrEqual(5); // four tool turns and the answer (2.1.330 also counts the skill's injected prompt)
    expect(result.usage.output_tokens).toBeGreaterThan(0);
    expect(record('claude-code')).toMatchObject({ cli: '@anthropic-ai/claude-code', exitCode: 0, policy: { type: 'harness-task', skill: FIXTURE_SKILL.name } });
  });
});

describe('codex', () => {
  it('exec --json: reads the SKILL.md, writes, fails once, succeeds, answers, with usage', () => {
    const events = jsonl('codex/exec.jsonl');
    const commands = events.filter((e) => e.type === 'item.completed' && e.item.type === 'command_execution').map((e) => e.item as Json);
    expect(commands).toHaveLength(4);
    expect(commands[0]!.command).toContain(`.agents/skills/${FIXTURE_SKILL.name}/SKILL.md`);
    expect(commands.map((c) => c.exit_code)).toEqual([0, 0, 1, 0]);
    expect(commands[3]!.aggregated_output).toContain(HARNESS_TASK_DEFAULTS.file.content.trim());
    const answer = events.filter((e) => e.type === 'item.completed' && e.item.type === 'agent_message').at(-1);
    expect(answer?.item.text).toBe(HARNESS_TASK_DEFAULTS.answer);
    const done = events.at(-1)!;
    expect(done.type).toBe('turn.completed');
    expect(done.usage.input_tokens).toBeGreaterThan(0);
    expect(done.usage.output_tokens).toBeGreaterThan(0);
  });

  it('rollout: function calls with call ids, outputs linked to them, the session meta and token counts', () => {
    const lines = jsonl('codex/rollout.jsonl');
    expect(lines[0]).toMatchObject({ type: 'session_meta' });
    const items = lines.filter((l) => l.type === 'response_item').map((l) => l.payload as Json);
    const calls = items.filter((i) => i.type === 'function_call');
    const outputs = items.filter((i) => i.type === 'function_call_output');
    expect(calls.map((c) => c.name)).toEqual(['exec_command', 'exec_command', 'exec_command', 'exec_command']);
    expect(outputs.map((o) => o.call_id)).toEqual(calls.map((c) => c.call_id));
    expect(JSON.parse(calls[2]!.arguments as string)).toEqual({ cmd: HARNESS_TASK_DEFAULTS.failingCommand });
    expect(JSON.stringify(outputs[2])).toMatch(/exit(ed with)? code 1/i);
    expect(lines.some((l) => l.type === 'event_msg' && l.payload?.type === 'token_count' && l.payload.info)).toBe(true);
    expect(record('codex')).toMatchObject({ cli: '@openai/codex', exitCode: 0, policy: { type: 'harness-task', skill: FIXTURE_SKILL.name } });
  });
});

describe('pi', () => {
  it('session: reads the listed SKILL.md, writes, fails once, succeeds, answers, with usage on every assistant message', () => {
    const messages = jsonl('pi/session.jsonl')
      .filter((l) => l.type === 'message')
      .map((l) => l.message as Json);
    const calls = messages.filter((m) => m.role === 'assistant').flatMap((m) => (m.content as Json[]).filter((c) => c.type === 'toolCall'));
    expect(calls.map((c) => c.name)).toEqual(['bash', 'write', 'bash', 'bash']);
    expect(calls[0]!.arguments.command).toBe(`cat /tmp/skvm-transcript-fixtures/pi/project/.agents/skills/${FIXTURE_SKILL.name}/SKILL.md`);
    const results = messages.filter((m) => m.role === 'toolResult');
    expect(results.map((r) => r.toolCallId)).toEqual(calls.map((c) => c.id));
    expect(results.map((r) => r.isError === true)).toEqual([false, false, true, false]);
    expect(JSON.stringify(results[0]!.content)).toContain('# Tidy notes');
    const assistant = messages.filter((m) => m.role === 'assistant');
    expect((assistant.at(-1)!.content as Json[]).find((c) => c.type === 'text')?.text).toBe(HARNESS_TASK_DEFAULTS.answer);
    for (const m of assistant) expect(m.usage.input).toBeGreaterThan(0);
    expect(jsonl('pi/json.jsonl').length).toBeGreaterThan(0);
    expect(record('pi')).toMatchObject({ cli: '@mariozechner/pi-coding-agent', exitCode: 0 });
  });
});

describe('opencode', () => {
  const runEvents = jsonl('opencode/run-format-json.jsonl');
  const exported = JSON.parse(readFileSync(path.join(DIR, 'opencode', 'export.json'), 'utf8')) as Json;
  const exportParts = (exported.messages as Json[]).flatMap((m) => (m.parts as Json[]).map((p) => ({ role: m.info.role as string, ...p })));

  // The tool parts, from the run's `tool_use` events and from the export's messages.
  it.each([
    ['run --format json', runEvents.filter((e) => e.type === 'tool_use').map((e) => e.part as Json)],
    ['export', exportParts.filter((p) => p.type === 'tool')],
  ])('%s: skill tool, write, the failing command completed with exit 1, the succeeding one', (_what, tools) => {
    expect(tools.map((t) => t.tool)).toEqual(['skill', 'write', 'bash', 'bash']);
    expect(tools[0]!.state.input).toEqual({ name: FIXTURE_SKILL.name });
    expect(tools[0]!.state.output).toContain('# Tidy notes');
    expect(tools[1]!.state.input.content).toBe(HARNESS_TASK_DEFAULTS.file.content);
    expect(tools.slice(2).map((t) => t.state.input.command)).toEqual([HARNESS_TASK_DEFAULTS.failingCommand, HARNESS_TASK_DEFAULTS.succeedingCommand]);
    expect(tools.map((t) => t.state.status)).toEqual(['completed', 'completed', 'completed', 'completed']);
    expect(tools.slice(2).map((t) => t.state.metadata.exit)).toEqual([1, 0]);
    expect(tools[2]!.state.output).toMatch(/missing-input\.txt: No such file or directory/);
    expect(new Set(tools.map((t) => t.callID)).size).toBe(4);
  });

  it('run --format json: one session, the answer last, tokens on every step_finish', () => {
    expect(new Set(runEvents.map((e) => e.sessionID))).toEqual(new Set([exported.info.id]));
    const finishes = runEvents.filter((e) => e.type === 'step_finish');
    expect(finishes.map((e) => e.part.reason)).toEqual(['tool-calls', 'tool-calls', 'tool-calls', 'tool-calls', 'stop']);
    for (const f of finishes) expect(f.part.tokens.input).toBeGreaterThan(0);
    expect(runEvents.filter((e) => e.type === 'text').at(-1)?.part.text).toBe(HARNESS_TASK_DEFAULTS.answer);
  });

  it('export: the quoted prompt, the cwd, session token totals equal to the steps, and the run is recorded', () => {
    const users = exportParts.filter((p) => p.role === 'user');
    expect(users.map((p) => p.text)).toEqual([`"${record('opencode').prompt}"`]);
    const assistants = (exported.messages as Json[]).filter((m) => m.info.role === 'assistant').map((m) => m.info as Json);
    expect(assistants.map((a) => a.path.cwd)).toEqual(Array(5).fill('/tmp/skvm-transcript-fixtures/opencode/project'));
    expect(exported.info.tokens.input).toBe(assistants.reduce((sum, a) => sum + (a.tokens.input as number), 0));
    expect(exported.info.tokens.output).toBeGreaterThan(0);
    expect(record('opencode')).toMatchObject({ cli: 'opencode-ai', version: '1.18.33', exitCode: 0, policy: { type: 'harness-task', skill: FIXTURE_SKILL.name } });
  });
});
