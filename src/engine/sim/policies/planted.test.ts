import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HEADLESS_DIRECTIVE } from '../../agent/adapters/cli/cli-adapter.js';
import { BARE_AGENT_TOOLS } from '../../agent/tools.js';
import type { ChatMessage, ToolSpec } from '../../llm/types.js';
import { policyFromSpec } from '../policy-file.js';
import type { SimContext, SimReply, SimRequest } from '../policy.js';
import { PLANTED_FALLBACK_TEXT, PLANTED_SIDE_TEXT, PLANTED_UNTRANSLATABLE, plantedPolicy, probeRegistryKey, probeRegistryPath, solutionTurnReply, writeProbeRegistryEntry, type ProbeRegistryEntry } from './planted.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function registry(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'skvm-planted-test-'));
  dirs.push(d);
  return d;
}
const ctx = (): SimContext => ({ signal: new AbortController().signal });

/** A request after `turns` completed assistant turns. */
function request(prompt: string, turns: number): SimRequest {
  const messages: ChatMessage[] = [{ role: 'user', content: prompt }];
  for (let i = 0; i < turns; i++) {
    messages.push({ role: 'assistant', content: '', toolCalls: [{ id: `c${i}`, name: 'read_file', arguments: { path: 'x' } }] });
    messages.push({ role: 'tool', toolCallId: `c${i}`, content: 'out' });
  }
  return { api: 'openai', model: 'planted', messages, tools: [], stream: false, seq: 0, headers: {} };
}

function entry(primitiveId: string, level: 'L1' | 'L2' | 'L3'): ProbeRegistryEntry {
  return {
    primitiveId,
    level,
    reference: { turns: [{ toolCalls: [{ name: 'read_file', arguments: { path: 'in.txt' } }] }, { toolCalls: [{ name: 'write_file', arguments: { path: 'out.txt', content: 'R' } }] }, { text: 'reference done' }] },
    nearMiss: { turns: [{ toolCalls: [{ name: 'write_file', arguments: { path: 'out.txt', content: 'N' } }] }, { text: 'near-miss done' }] },
  };
}

const text = (r: SimReply) => (r.kind === 'message' ? r.text : undefined);
const calls = (r: SimReply) => (r.kind === 'message' ? (r.toolCalls ?? []).map((c) => `${c.name}:${JSON.stringify(c.arguments)}`) : []);

describe('plantedPolicy', () => {
  it('plays the reference when the probe level is within the planted level, else the near-miss, turn by turn; past the end the final text repeats', async () => {
    const dir = registry();
    await writeProbeRegistryEntry(dir, 'probe one (L2)', entry('tool.file.read', 'L2'));
    await writeProbeRegistryEntry(dir, 'probe two (L3)', entry('tool.file.read', 'L3'));
    await writeProbeRegistryEntry(dir, 'probe three (L1)', entry('gen.regex', 'L1'));
    const p = plantedPolicy({ levels: { 'tool.file.read': 'L2' }, registryDir: dir });
    expect(p.name).toBe('planted');

    const ref = await Promise.all([0, 1, 2, 3, 7].map((k) => p.respond(request('probe one (L2)', k), ctx())));
    expect(calls(ref[0]!)).toEqual(['read_file:{"path":"in.txt"}']);
    expect(calls(ref[1]!)).toEqual(['write_file:{"path":"out.txt","content":"R"}']);
    expect(ref.slice(2).map(text)).toEqual(['reference done', 'reference done', 'reference done']);
    expect(ref.slice(2).every((r) => calls(r).length === 0)).toBe(true);

    // L3 > planted L2 → near-miss.
    const miss = await Promise.all([0, 1, 5].map((k) => p.respond(request('probe two (L3)', k), ctx())));
    expect(calls(miss[0]!)).toEqual(['write_file:{"path":"out.txt","content":"N"}']);
    expect(miss.slice(1).map(text)).toEqual(['near-miss done', 'near-miss done']);

    // A primitive absent from the map is L0: always the near-miss.
    expect(calls(await p.respond(request('probe three (L1)', 0), ctx()))).toEqual(['write_file:{"path":"out.txt","content":"N"}']);
    expect((await p.choose(request('probe three (L1)', 1)))).toMatchObject({ solution: 'nearMiss', turn: 1, entry: { primitiveId: 'gen.regex' } });
  });

  it('answers unknown prompts with the fallback (default text, or the one given); nothing depends on a marker in the prompt', async () => {
    const dir = registry();
    const p = plantedPolicy({ levels: {}, registryDir: dir });
    expect(text(await p.respond(request('not a probe', 0), ctx()))).toBe(PLANTED_FALLBACK_TEXT);
    const q = plantedPolicy({ levels: {}, registryDir: dir, fallback: { kind: 'message', text: 'fb' } });
    expect(text(await q.respond(request('not a probe', 3), ctx()))).toBe('fb');
    // A probe registered after a miss is found (misses are not cached).
    await writeProbeRegistryEntry(dir, 'not a probe', entry('x.y', 'L1'));
    expect(await p.choose(request('not a probe', 0))).toMatchObject({ solution: 'nearMiss' });
  });

  it('is stateless and concurrency-safe: interleaved and repeated requests get the same answers; a rewritten entry is re-read', async () => {
    const dir = registry();
    const prompts = Array.from({ length: 8 }, (_, i) => `concurrent probe ${i}`);
    for (const [i, pr] of prompts.entries()) await writeProbeRegistryEntry(dir, pr, entry(i % 2 ? 'a.b' : 'c.d', 'L1'));
    const p = plantedPolicy({ levels: { 'a.b': 'L3' }, registryDir: dir });
    const reqs = prompts.flatMap((pr) => [0, 1, 2].map((k) => request(pr, k)));
    const first = await Promise.all(reqs.map((r) => p.respond(r, ctx())));
    const again = await Promise.all([...reqs].reverse().map((r) => p.respond(r, ctx())));
    expect(again.reverse()).toEqual(first);
    expect(first.filter((r, i) => Math.floor(i / 3) % 2 === 1 && i % 3 === 2).map(text)).toEqual(Array(4).fill('reference done'));
    expect(first.filter((r, i) => Math.floor(i / 3) % 2 === 0 && i % 3 === 1).map(text)).toEqual(Array(4).fill('near-miss done'));

    // The same prompt re-registered for another probe (e.g. a reused port): the new entry wins.
    await writeProbeRegistryEntry(dir, prompts[0]!, entry('a.b', 'L1'));
    expect(await p.choose(request(prompts[0]!, 0))).toMatchObject({ solution: 'reference', entry: { primitiveId: 'a.b' } });
  });

  it('keys the registry by sha256 of the exact prompt and ignores malformed entries', async () => {
    const dir = registry();
    expect(probeRegistryKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(probeRegistryPath(dir, 'abc')).toBe(path.join(dir, 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad.json'));
    writeFileSync(probeRegistryPath(dir, 'bad'), '{"primitiveId": 1}');
    const p = plantedPolicy({ levels: {}, registryDir: dir });
    expect(text(await p.respond(request('bad', 0), ctx()))).toBe(PLANTED_FALLBACK_TEXT);
  });

  it('solutionTurnReply repeats the final text-only turn past the end', () => {
    const turns = [{ text: 'thinking', toolCalls: [{ name: 't', arguments: {} }] }, { text: 'final' }];
    expect(text(solutionTurnReply(turns, 0))).toBe('thinking');
    expect(calls(solutionTurnReply(turns, 0))).toEqual(['t:{}']);
    expect(text(solutionTurnReply(turns, 4))).toBe('final');
    expect(text(solutionTurnReply([{ toolCalls: [{ name: 't', arguments: {} }] }], 3))).toBe('');
  });

  it('refuses a level outside L0–L3', () => {
    expect(() => plantedPolicy({ levels: { x: 'L4' as never }, registryDir: '/tmp' })).toThrow(/L4/);
  });
});

describe('policy type "planted"', () => {
  it('builds from a policy file object, with faults applied by the loader', async () => {
    const dir = registry();
    await writeProbeRegistryEntry(dir, 'file probe', entry('tool.exec', 'L2'));
    const p = policyFromSpec({ policy: 'planted', levels: { 'tool.exec': 'L3' }, registryDir: dir, fallback: { text: 'nope' } });
    expect(calls(await p.respond(request('file probe', 0), ctx()))).toEqual(['read_file:{"path":"in.txt"}']);
    expect(text(await p.respond(request('other', 0), ctx()))).toBe('nope');
    expect(() => policyFromSpec({ policy: 'planted', levels: { 'tool.exec': 'L5' }, registryDir: dir })).toThrow(/levels/);
    expect(() => policyFromSpec({ policy: 'planted', levels: {} })).toThrow(/registryDir/);
    expect(() => policyFromSpec({ policy: 'planted', levels: {}, registryDir: dir, extra: 1 })).toThrow(/extra/);
  });
});

describe('plantedPolicy through a CLI harness', () => {
  const tool = (name: string, properties: Record<string, unknown>): ToolSpec => ({ name, description: '', inputSchema: { type: 'object', properties } });
  const CLAUDE_TOOLS = [tool('Bash', { command: { type: 'string' } }), tool('Read', { file_path: { type: 'string' } }), tool('Write', { file_path: { type: 'string' }, content: { type: 'string' } }), tool('Skill', { skill: { type: 'string' } })];
  const CLAUDE_SYSTEM = 'You are a Claude agent.\n - Primary working directory: /w/probe-1\n';
  const PROMPT = 'Read in.txt and write out.txt.\n';
  const wrapped = `<system-reminder>\nAttribution for commits…\n</system-reminder>\n\n${PROMPT.trim()}`;

  /** A Claude Code request after `toolTurns` assistant tool turns (each answered), with a text-only assistant message mixed in. */
  function claudeRequest(toolTurns: number, tools: ToolSpec[] = CLAUDE_TOOLS): SimRequest {
    const messages: ChatMessage[] = [{ role: 'user', content: wrapped }];
    for (let i = 0; i < toolTurns; i++) {
      messages.push({ role: 'assistant', content: '', toolCalls: [{ id: `t${i}`, name: 'Bash', arguments: { command: 'true' } }] });
      messages.push({ role: 'tool', toolCallId: `t${i}`, content: 'ok' });
    }
    return { api: 'anthropic', model: 'planted', system: CLAUDE_SYSTEM, messages, tools, stream: true, seq: 0, headers: {} };
  }

  it('finds the probe whose prompt a wrapped user message contains, counts tool turns, and writes/reads through the harness tools at absolute paths', async () => {
    const dir = registry();
    await writeProbeRegistryEntry(dir, PROMPT, { ...entry('tool.file.read', 'L2'), prompt: PROMPT });
    const p = plantedPolicy({ levels: { 'tool.file.read': 'L2' }, registryDir: dir });
    expect(await p.choose(claudeRequest(1))).toMatchObject({ solution: 'reference', turn: 1, harness: true });
    expect(calls(await p.respond(claudeRequest(0), ctx()))).toEqual(['Read:{"file_path":"/w/probe-1/in.txt"}']);
    expect(calls(await p.respond(claudeRequest(1), ctx()))).toEqual(['Write:{"file_path":"/w/probe-1/out.txt","content":"R"}']);
    expect(text(await p.respond(claudeRequest(2), ctx()))).toBe('reference done');
    // A side request (a title) quotes the prompt but offers no tools: a short text, never a tool call.
    expect(await p.respond({ ...claudeRequest(0), tools: [] }, ctx())).toEqual({ kind: 'message', text: PLANTED_SIDE_TEXT });

    // Codex: no write tool, a shell taking `cmd`, the prompt after environment messages.
    const codex: SimRequest = {
      ...claudeRequest(0, [tool('exec_command', { cmd: { type: 'string' } })]),
      system: '',
      messages: [{ role: 'user', content: '<environment_context>\n  <cwd>/w/probe-2</cwd>\n</environment_context>' }, { role: 'user', content: PROMPT }],
    };
    expect(calls(await p.respond(codex, ctx()))).toEqual([`exec_command:${JSON.stringify({ cmd: 'cat -- /w/probe-2/in.txt' })}`]);
    codex.messages.push({ role: 'assistant', content: '', toolCalls: [{ id: 'x', name: 'exec_command', arguments: {} }] }, { role: 'tool', toolCallId: 'x', content: '' });
    expect(calls(await p.respond(codex, ctx()))).toEqual([`exec_command:${JSON.stringify({ cmd: "mkdir -p -- /w/probe-2 && printf '%s' R > /w/probe-2/out.txt" })}`]);
  });

  it("opencode's title request (no tools, the task quoted after an instruction) gets the side text, not the probe's first turn", async () => {
    const dir = registry();
    await writeProbeRegistryEntry(dir, PROMPT, { ...entry('tool.file.read', 'L2'), prompt: PROMPT });
    const p = plantedPolicy({ levels: { 'tool.file.read': 'L2' }, registryDir: dir });
    // The shape opencode 1.18 sends (captured from the pinned CLI): the run's prompt is directive + task.
    const task = `${HEADLESS_DIRECTIVE}\n\n${PROMPT}`;
    const title: SimRequest = {
      ...claudeRequest(0, []),
      api: 'openai',
      system: 'You are a title generator. You output ONLY a thread title. Nothing else.',
      messages: [{ role: 'user', content: 'Generate a title for this conversation: ' }, { role: 'user', content: `"${task}"` }],
    };
    expect(await p.choose(title)).toMatchObject({ harness: true });
    expect(await p.respond(title, ctx())).toEqual({ kind: 'message', text: PLANTED_SIDE_TEXT });
    // The run itself: the same task as the first message, with opencode's tools offered.
    const run: SimRequest = { ...title, system: 'You are opencode.\nWorking directory: /w/probe-3', messages: [{ role: 'user', content: task }], tools: [tool('read', { filePath: { type: 'string' } }), tool('bash', { command: { type: 'string' } })] };
    expect(calls(await p.respond(run, ctx()))).toEqual(['read:{"filePath":"/w/probe-3/in.txt"}']);
  });

  it('says so in a text when a call cannot go through the offered tools, and the longest contained prompt wins', async () => {
    const dir = registry();
    await writeProbeRegistryEntry(dir, PROMPT, { ...entry('a.b', 'L1'), prompt: PROMPT });
    const longer = `${PROMPT}Then also list the folder.`;
    await writeProbeRegistryEntry(dir, longer, { ...entry('c.d', 'L1'), prompt: longer });
    const p = plantedPolicy({ levels: { 'a.b': 'L1', 'c.d': 'L1' }, registryDir: dir });
    const req = claudeRequest(0, [tool('WebSearch', { query: { type: 'string' } })]);
    req.messages[0] = { role: 'user', content: `quoted: "${longer}"` };
    expect((await p.choose(req))?.entry.primitiveId).toBe('c.d');
    const reply = text(await p.respond(req, ctx()));
    expect(reply).toMatch(new RegExp(`^${PLANTED_UNTRANSLATABLE.replace(/[().]/g, '\\$&')} the bare-agent call read_file needs a shell tool and the request offers none \\(offered: WebSearch\\)\\.$`));
  });

  it('matches an entry without a stored prompt only by the exact hash, and ignores an entry whose prompt is not its name', async () => {
    const dir = registry();
    await writeProbeRegistryEntry(dir, PROMPT, entry('a.b', 'L1'));
    await writeProbeRegistryEntry(dir, 'another probe', { ...entry('c.d', 'L1'), prompt: PROMPT });
    const p = plantedPolicy({ levels: {}, registryDir: dir });
    expect(await p.choose(claudeRequest(0))).toBeUndefined();
    expect(await p.choose({ ...claudeRequest(0), messages: [{ role: 'user', content: PROMPT }] })).toMatchObject({ entry: { primitiveId: 'a.b' }, harness: true, turn: 0 });
    // Registered later with its prompt: found (misses are not cached).
    await writeProbeRegistryEntry(dir, PROMPT, { ...entry('a.b', 'L1'), prompt: PROMPT });
    expect(await p.choose(claudeRequest(0))).toMatchObject({ entry: { primitiveId: 'a.b' } });
  });

  it('keeps bare-agent requests as they were: its own tool names, every assistant message a turn', async () => {
    const dir = registry();
    await writeProbeRegistryEntry(dir, PROMPT, { ...entry('a.b', 'L1'), prompt: PROMPT });
    const p = plantedPolicy({ levels: { 'a.b': 'L1' }, registryDir: dir });
    const req = { ...request(PROMPT, 1), tools: [...BARE_AGENT_TOOLS] };
    expect(await p.choose(req)).toMatchObject({ harness: false, turn: 1 });
    expect(calls(await p.respond(req, ctx()))).toEqual(['write_file:{"path":"out.txt","content":"R"}']);
  });
});
