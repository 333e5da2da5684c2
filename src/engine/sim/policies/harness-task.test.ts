import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ChatMessage, ToolSpec } from '../../llm/types.js';
import type { SimReply, SimRequest } from '../policy.js';
import { loadPolicyFile } from '../policy-file.js';
import { harnessTaskPolicy, planHarnessTask } from './harness-task.js';
import { tempDirs } from '../../../../test/tmp.js';

const tool = (name: string, properties: Record<string, unknown>): ToolSpec => ({ name, description: '', inputSchema: { type: 'object', properties } });

const CLAUDE_TOOLS = [
  tool('Bash', { command: { type: 'string' }, description: { type: 'string' } }),
  tool('Write', { file_path: { type: 'string' }, content: { type: 'string' } }),
  tool('Skill', { skill: { type: 'string' }, args: { type: 'string' } }),
  tool('Read', { file_path: { type: 'string' } }),
];
const CODEX_TOOLS = [tool('exec_command', { cmd: { type: 'string' } }), tool('write_stdin', { session_id: { type: 'number' } })];

function request(tools: ToolSpec[], messages: ChatMessage[], system = ''): SimRequest {
  return { api: 'anthropic', model: 'm', system, messages, tools, stream: true, seq: 0, headers: {} };
}

/** Plays the policy against a harness that answers every tool call with "ok". */
async function drive(tools: ToolSpec[], opts: Parameters<typeof harnessTaskPolicy>[0], system = ''): Promise<SimReply[]> {
  const policy = harnessTaskPolicy(opts);
  const messages: ChatMessage[] = [{ role: 'user', content: 'do the task' }];
  const replies: SimReply[] = [];
  for (let i = 0; i < 10; i++) {
    const reply = await policy.respond(request(tools, [...messages], system), { signal: new AbortController().signal });
    replies.push(reply);
    if (reply.kind !== 'message' || !reply.toolCalls) break;
    const id = `c${i}`;
    const call = reply.toolCalls[0]!;
    messages.push({ role: 'assistant', content: '', toolCalls: [{ id, name: call.name, arguments: call.arguments }] });
    messages.push({ role: 'tool', toolCallId: id, content: 'ok' });
  }
  return replies;
}

describe('harness-task policy', () => {
  it("drives Claude Code's tools: Skill, Write (absolute path), failing Bash, succeeding Bash, answer", async () => {
    const replies = await drive(CLAUDE_TOOLS, { projectDir: '/p', skill: 'tidy-notes' });
    expect(replies.map((r) => (r.kind === 'message' ? (r.toolCalls?.[0] ?? r.text) : r))).toEqual([
      { name: 'Skill', arguments: { skill: 'tidy-notes' } },
      { name: 'Write', arguments: { file_path: '/p/notes.txt', content: 'skvm fixture: written by the simulated model\n' } },
      { name: 'Bash', arguments: { command: 'cat missing-input.txt' } },
      { name: 'Bash', arguments: { command: 'cat notes.txt' } },
      expect.stringMatching(/^Done:/),
    ]);
  });

  it("reads the skill Codex listed (short path + roots table) and writes through exec_command", async () => {
    const system = 'Skill roots\n- `r0` = `/h/.codex/skills/.system`\n- `r1` = `/p/.agents/skills`\n- tidy-notes: Keep notes. (file: r1/tidy-notes/SKILL.md)';
    const plan = planHarnessTask(request(CODEX_TOOLS, [{ role: 'user', content: 'x' }], system), { skill: 'tidy-notes' });
    expect(plan).toEqual([
      { name: 'exec_command', arguments: { cmd: 'cat /p/.agents/skills/tidy-notes/SKILL.md' } },
      { name: 'exec_command', arguments: { cmd: "printf '%s' 'skvm fixture: written by the simulated model\n' > notes.txt" } },
      { name: 'exec_command', arguments: { cmd: 'cat missing-input.txt' } },
      { name: 'exec_command', arguments: { cmd: 'cat notes.txt' } },
    ]);
  });

  it('finds a skill path pi lists inside an XML tag', () => {
    const system = '<skill><name>tidy-notes</name><location>/p/.agents/skills/tidy-notes/SKILL.md</location></skill>';
    const plan = planHarnessTask(request([tool('bash', { command: { type: 'string' } })], [{ role: 'user', content: 'x' }], system), { skill: 'tidy-notes' });
    expect(plan[0]).toEqual({ name: 'bash', arguments: { command: 'cat /p/.agents/skills/tidy-notes/SKILL.md' } });
  });

  it('passes an argv array to shell tools that declare one, and skips a skill nobody listed', () => {
    const shell = tool('shell', { command: { type: 'array', items: { type: 'string' } } });
    const plan = planHarnessTask(request([shell], [{ role: 'user', content: 'x' }]), { skill: 'unlisted', file: { path: 'a.txt', content: 'A' } });
    expect(plan[0]).toEqual({ name: 'shell', arguments: { command: ['bash', '-lc', "printf '%s' A > a.txt"] } });
    expect(plan).toHaveLength(3);
  });

  it('answers side requests without tools with a short text, and tools it cannot use with the final answer', async () => {
    const policy = harnessTaskPolicy({ answer: 'all done' });
    const signal = new AbortController().signal;
    expect(await policy.respond(request([], [{ role: 'user', content: 'title?' }]), { signal })).toEqual({ kind: 'message', text: 'Simulated harness task' });
    expect(await policy.respond(request([tool('WebSearch', {})], [{ role: 'user', content: 'x' }]), { signal })).toEqual({ kind: 'message', text: 'all done' });
  });

  const tmp = tempDirs('skvm-harness-task-');
  it('loads from a policy file and rejects unknown keys', async () => {
    const dir = tmp();
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify({ policy: 'harness-task', skill: 'tidy-notes', projectDir: '/p' }));
    const policy = await loadPolicyFile(good);
    expect(policy.name).toBe('harness-task');
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ policy: 'harness-task', skil: 'typo' }));
    await expect(loadPolicyFile(bad)).rejects.toThrow(/skil/);
  });
});
