import { promises as fsp } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Price, Route, SkvmConfig } from '../../config/schema.js';
import { LlmClient } from '../../llm/client.js';
import { LlmError } from '../../llm/errors.js';
import type { ChatMessage, ChatProvider } from '../../llm/types.js';
import { scriptedPolicy, startSimServer, type ScriptStep, type ScriptedPolicy, type SimReply, type SimRequest, type SimServer } from '../../sim/index.js';
import type { Skill, SkillBundle } from '../../skills/types.js';
import { CancelledError, isAbortError } from '../../util/errors.js';
import { silentLogger } from '../../util/log.js';
import { runBareAgent, type BareAgentOptions } from './bare-agent.js';
import type { RunResult, ToolCallRecord } from '../types.js';

/**
 * bare-agent end to end: the real LlmClient and SDKs over HTTP against the simulator, the real
 * sandbox for files and commands. Each scripted policy records what the "vendor" received, so
 * the tests assert on the wire-level conversation, not on our own bookkeeping.
 */

const ROUTE_KEYS = { SIM_OPENAI_KEY: 'sim-agent-openai-key-0123456789', SIM_ANTH_KEY: 'sim-agent-anth-key-0123456789' };
// Keys a careless harness would pass to its commands; the sandbox must scrub them.
const FAKE_PROCESS_KEYS = {
  OPENAI_API_KEY: 'sk-fake-openai-process-key-4242',
  ANTHROPIC_API_KEY: 'sk-ant-fake-process-key-4242',
  OPENROUTER_API_KEY: 'sk-or-fake-process-key-4242',
};

let sim: SimServer;
let pricing: Record<string, Price> = {};
const tmpDirs: string[] = [];
const savedEnv: Record<string, string | undefined> = {};

beforeAll(async () => {
  sim = await startSimServer({ policy: scriptedPolicy([]) });
  for (const [k, v] of Object.entries(FAKE_PROCESS_KEYS)) {
    savedEnv[k] = process.env[k];
    process.env[k] = v;
  }
});
afterAll(async () => {
  await sim.close();
  for (const [k, v] of Object.entries(savedEnv)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await Promise.all(tmpDirs.map((d) => fsp.rm(d, { recursive: true, force: true })));
});
afterEach(() => {
  pricing = {};
});

function client(): LlmClient {
  const routes: Route[] = [
    { match: 'sim/*', kind: 'openai-compatible', baseUrl: sim.openaiBaseUrl, apiKeyEnv: 'SIM_OPENAI_KEY' },
    { match: 'simanth/*', kind: 'anthropic', baseUrl: sim.anthropicBaseUrl, apiKeyEnv: 'SIM_ANTH_KEY' },
  ];
  const config = (): SkvmConfig => ({ providers: { routes }, pricing: { ...pricing } });
  return new LlmClient({ config, configFile: '/tmp/skvm-agent-test/skvm.config.json', env: { ...ROUTE_KEYS }, log: silentLogger, retry: { baseDelayMs: 5, maxDelayMs: 20 } });
}

function script(steps: ScriptStep[], whenExhausted?: 'error' | 'repeat-last' | SimReply): ScriptedPolicy {
  const p = scriptedPolicy(steps, whenExhausted !== undefined ? { whenExhausted } : {});
  sim.setPolicy(p);
  return p;
}

async function workDir(files: Record<string, string> = {}): Promise<string> {
  const dir = await fsp.realpath(await fsp.mkdtemp(path.join(os.tmpdir(), 'skvm-agent-test-')));
  tmpDirs.push(dir);
  for (const [rel, content] of Object.entries(files)) {
    await fsp.mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await fsp.writeFile(path.join(dir, rel), content);
  }
  return dir;
}

const msg = (text: string, toolCalls?: Array<{ id?: string; name: string; arguments: Record<string, unknown> }>, extra: Partial<Extract<SimReply, { kind: 'message' }>> = {}): SimReply => ({
  kind: 'message',
  text,
  ...(toolCalls ? { toolCalls } : {}),
  ...extra,
});

function opts(model: string, dir: string, over: Partial<BareAgentOptions> = {}): BareAgentOptions {
  return {
    model,
    llm: client(),
    prompt: 'Do the task.',
    workDir: dir,
    maxSteps: 10,
    timeoutMs: 20_000,
    sandbox: { mode: 'auto', network: false },
    log: silentLogger,
    ...over,
  };
}

function toolMessages(req: SimRequest): Array<Extract<ChatMessage, { role: 'tool' }>> {
  return req.messages.filter((m): m is Extract<ChatMessage, { role: 'tool' }> => m.role === 'tool');
}

function toolResults(result: RunResult): ToolCallRecord[] {
  return result.steps.filter((s) => s.role === 'tool').flatMap((s) => s.toolCalls);
}

function makeSkill(name: string, description: string, content: string): Skill {
  return { name, description, dir: `/nonexistent/${name}`, skillMdPath: `/nonexistent/${name}/SKILL.md`, content, frontMatter: { name, description }, files: [], contentHash: '0123456789abcdef' };
}

const KINDS = [
  { kind: 'openai-compatible', model: 'sim/tiny-1' },
  { kind: 'anthropic', model: 'simanth/claude-sim-1' },
] as const;

describe.each(KINDS)('bare-agent over $kind', ({ model }) => {
  it('multi-step task: full native history on turn 3, untruncated 5000-char tool output, end_turn tool calls executed, usage and cost summed, conversation log', async () => {
    const big = Array.from({ length: 5000 }, (_, i) => String.fromCharCode(97 + (i % 26))).join('');
    const dir = await workDir({ 'input/data.txt': big });
    pricing = { [model]: { input: 1, output: 2 } };
    const policy = script([
      msg('Reading the input.', [{ name: 'read_file', arguments: { path: 'input/data.txt' } }], { usage: { input: 100, output: 10 } }),
      // Tool calls that arrive with an end_turn/stop finish reason must still run.
      msg('', [{ name: 'write_file', arguments: { path: 'out/result.txt', content: 'length=5000' } }], { stopReason: 'end_turn', usage: { input: 200, output: 20, cacheRead: 7 } }),
      msg('All done: wrote out/result.txt.', undefined, { usage: { input: 300, output: 30 } }),
    ]);
    const convLogPath = path.join(dir, '..', path.basename(dir) + '-logs', 'nested', 'conv.jsonl');
    tmpDirs.push(path.dirname(path.dirname(convLogPath)));
    const result = await runBareAgent(opts(model, dir, { convLogPath }));

    expect(result.runStatus).toBe('ok');
    expect(result.statusDetail).toBeUndefined();
    expect(result.text).toBe('All done: wrote out/result.txt.');
    expect(await fsp.readFile(path.join(dir, 'out/result.txt'), 'utf8')).toBe('length=5000');
    expect(result.steps.map((s) => s.role)).toEqual(['assistant', 'tool', 'assistant', 'tool', 'assistant']);
    expect(result.skillLoaded).toBeUndefined();
    expect(result.workDir).toBe(dir);

    const reqs = policy.requests();
    expect(reqs).toHaveLength(3);
    const third = reqs[2]!;
    expect(third.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'assistant', 'tool']);
    expect(third.messages[0]).toEqual({ role: 'user', content: 'Do the task.' });
    const [, a1, t1, a2, t2] = third.messages as [ChatMessage, ChatMessage, ChatMessage, ChatMessage, ChatMessage];
    if (a1.role !== 'assistant' || t1.role !== 'tool' || a2.role !== 'assistant' || t2.role !== 'tool') throw new Error('roles');
    expect(a1.toolCalls).toHaveLength(1);
    expect(a1.toolCalls![0]).toMatchObject({ name: 'read_file', arguments: { path: 'input/data.txt' } });
    expect(t1.toolCallId).toBe(a1.toolCalls![0]!.id);
    expect(t1.content).toBe(big); // the whole 5000 characters, not a 2000-char summary
    expect(a2.toolCalls![0]).toMatchObject({ name: 'write_file', arguments: { path: 'out/result.txt', content: 'length=5000' } });
    expect(t2.toolCallId).toBe(a2.toolCalls![0]!.id);
    expect(t2.content).toBe('File written: out/result.txt');
    // The ids the loop recorded are the vendor's.
    expect(toolResults(result).map((r) => r.id)).toEqual([a1.toolCalls![0]!.id, a2.toolCalls![0]!.id]);
    expect(toolResults(result)[0]!.output).toBe(big);
    expect(reqs[0]!.tools.map((t) => t.name)).toEqual(['read_file', 'write_file', 'list_directory', 'execute_command', 'web_fetch']);
    expect(reqs[0]!.system).not.toContain('<skill>');
    expect(reqs[0]!.maxTokens).toBe(16384);

    expect(result.tokens).toEqual({ input: 600, output: 60, cacheRead: 7, cacheWrite: 0 });
    expect(result.usageAvailable).toBe(true);
    const cacheReadPrice = 0.1; // default: a tenth of the input price
    expect(result.cost).toBeCloseTo((600 * 1 + 60 * 2 + 7 * cacheReadPrice) / 1_000_000, 12);
    expect(result.llmDurationMs).toBeGreaterThan(0);
    expect(result.durationMs).toBeGreaterThanOrEqual(result.llmDurationMs);

    // Conversation log: reference JSONL format, request/response pairs, no keys.
    const raw = await fsp.readFile(convLogPath, 'utf8');
    for (const key of [...Object.values(ROUTE_KEYS), ...Object.values(FAKE_PROCESS_KEYS)]) expect(raw).not.toContain(key);
    const lines = raw.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.type)).toEqual(['request', 'response', 'request', 'response', 'request', 'response']);
    const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
    for (const l of lines) expect(l.ts).toMatch(iso);
    const [r0, s0, r1, s1, r2, s2] = lines as [Record<string, any>, Record<string, any>, Record<string, any>, Record<string, any>, Record<string, any>, Record<string, any>];
    expect(Object.keys(r0).sort()).toEqual(['maxTokens', 'messages', 'method', 'system', 'tools', 'ts', 'type']);
    expect(r0).toMatchObject({ method: 'complete', maxTokens: 16384, messages: [{ role: 'user', content: 'Do the task.' }] });
    expect(r0.toolResults).toBeUndefined();
    expect(r0.tools).toEqual(reqs[0]!.tools.map((t) => ({ name: t.name, description: t.description })));
    expect(typeof r0.system).toBe('string');
    expect(s0).toMatchObject({ text: 'Reading the input.', stopReason: 'tool_use', tokens: { input: 100, output: 10, cacheRead: 0, cacheWrite: 0 } });
    expect(s0.toolCalls).toEqual([{ id: a1.toolCalls![0]!.id, name: 'read_file', arguments: { path: 'input/data.txt' } }]);
    expect(typeof s0.durationMs).toBe('number');
    expect(r1.method).toBe('completeWithToolResults');
    expect(r1.messages.map((m: ChatMessage) => m.role)).toEqual(['user', 'assistant']);
    expect(r1.toolResults).toEqual([{ toolCallId: a1.toolCalls![0]!.id, content: big }]);
    expect(s1.toolCalls[0].name).toBe('write_file');
    expect(r2.messages).toHaveLength(4);
    expect(r2.toolResults).toEqual([{ toolCallId: a2.toolCalls![0]!.id, content: 'File written: out/result.txt' }]);
    expect(s2).toMatchObject({ text: 'All done: wrote out/result.txt.', toolCalls: [], stopReason: 'end_turn' });
  });

  it('executes tool calls even when the provider reports stopReason end_turn with them', async () => {
    // LlmClient already normalises the vendor's finish reason; another ChatProvider may not.
    // This decorator passes the real HTTP response through with the stop reason forced.
    const dir = await workDir();
    const real = client();
    const seenStops: string[] = [];
    const endTurnProvider: ChatProvider = {
      chat: async (req, o) => {
        const res = await real.chat(req, o);
        seenStops.push(res.stopReason);
        return { ...res, stopReason: 'end_turn' };
      },
    };
    const policy = script([msg('writing', [{ name: 'write_file', arguments: { path: 'w.txt', content: 'W' } }]), msg('done')]);
    const result = await runBareAgent(opts(model, dir, { llm: endTurnProvider }));
    expect(seenStops).toEqual(['tool_use', 'end_turn']);
    expect(policy.requests()).toHaveLength(2);
    expect(await fsp.readFile(path.join(dir, 'w.txt'), 'utf8')).toBe('W');
    expect(result.text).toBe('done');
  });

  it('runs a turn\'s tool calls in parallel and returns the results in call order', async () => {
    const dir = await workDir({ 'note.txt': 'third' });
    // The first call can only succeed if the second runs at the same time (it creates the flag).
    const waitForFlag = 'for i in $(seq 1 60); do [ -f flag ] && break; sleep 0.05; done; cat flag 2>/dev/null || echo no-flag';
    const policy = script([
      msg('', [
        { name: 'execute_command', arguments: { command: waitForFlag } },
        { name: 'execute_command', arguments: { command: 'sleep 0.3; echo parallel > flag; echo made' } },
        { name: 'read_file', arguments: { path: 'note.txt' } },
      ]),
      msg('finished'),
    ]);
    const result = await runBareAgent(opts(model, dir));
    expect(result.runStatus).toBe('ok');
    const reqs = policy.requests();
    const calls = (reqs[1]!.messages[1] as Extract<ChatMessage, { role: 'assistant' }>).toolCalls!;
    const results = toolMessages(reqs[1]!);
    expect(results.map((t) => t.toolCallId)).toEqual(calls.map((c) => c.id));
    expect(results[0]!.content).toBe('stdout:\nparallel\n\nexit code: 0');
    expect(results[1]!.content).toBe('stdout:\nmade\n\nexit code: 0');
    expect(results[2]!.content).toBe('third');
    expect(toolResults(result).map((r) => r.exitCode)).toEqual([0, 0, undefined]);
  });

  it('path escapes come back to the model as errors and nothing outside the workDir is touched', async () => {
    const outside = await workDir({ 'secret.txt': 'TOP-SECRET-OUTSIDE' });
    const dir = await workDir({ 'inside.txt': 'ok' });
    await fsp.symlink(outside, path.join(dir, 'link'));
    const policy = script([
      msg('', [
        { name: 'read_file', arguments: { path: `../${path.basename(outside)}/secret.txt` } },
        { name: 'read_file', arguments: { path: path.join(outside, 'secret.txt') } },
        { name: 'read_file', arguments: { path: 'link/secret.txt' } },
        { name: 'write_file', arguments: { path: `../${path.basename(outside)}/pwned.txt`, content: 'x' } },
        { name: 'write_file', arguments: { path: 'link/pwned2.txt', content: 'x' } },
        { name: 'list_directory', arguments: { path: '..' } },
      ]),
      msg('tried'),
    ]);
    const result = await runBareAgent(opts(model, dir));
    expect(result.runStatus).toBe('ok');
    expect(result.text).toBe('tried');
    const outputs = toolMessages(policy.requests()[1]!).map((t) => t.content);
    expect(outputs).toHaveLength(6);
    for (const o of outputs) {
      expect(o).toMatch(/^Error: /);
      expect(o).not.toContain('TOP-SECRET-OUTSIDE');
    }
    expect((await fsp.readdir(outside)).sort()).toEqual(['secret.txt']);
  });

  it('execute_command: output format, exit code on the record, and no API key in the command environment', async () => {
    const dir = await workDir();
    const policy = script([
      msg('', [
        { name: 'execute_command', arguments: { command: 'echo out; echo err >&2; exit 3' } },
        { name: 'execute_command', arguments: { command: 'true' } },
        { name: 'execute_command', arguments: { command: 'echo only-err >&2' } },
        { name: 'execute_command', arguments: { command: 'env' } },
        { name: 'execute_command', arguments: { command: 'pkill -f node' } },
      ]),
      msg('ran'),
    ]);
    const result = await runBareAgent(opts(model, dir));
    const outs = toolMessages(policy.requests()[1]!).map((t) => t.content);
    expect(outs[0]).toBe('stdout:\nout\n\nstderr:\nerr\n\nexit code: 3');
    expect(outs[1]).toBe('exit code: 0');
    expect(outs[2]).toBe('stderr:\nonly-err\n\nexit code: 0');
    expect(outs[3]).toMatch(/^stdout:\n[\s\S]*PATH=/);
    for (const key of [...Object.values(FAKE_PROCESS_KEYS), ...Object.values(ROUTE_KEYS)]) expect(outs[3]).not.toContain(key);
    expect(outs[3]).not.toMatch(/OPENAI_API_KEY|ANTHROPIC_API_KEY|OPENROUTER_API_KEY/);
    expect(outs[4]).toMatch(/^Error: pkill and killall are not allowed/);
    expect(toolResults(result).map((r) => r.exitCode)).toEqual([3, 0, 0, 0, undefined]);
    expect(toolResults(result).every((r) => typeof r.durationMs === 'number')).toBe(true);
  });

  it('stops after maxSteps as a normal ok finish (the last turn\'s tools still run)', async () => {
    const dir = await workDir();
    const policy = script(Array.from({ length: 10 }, () => (req: SimRequest): SimReply => msg(`turn ${req.seq}`, [{ name: 'execute_command', arguments: { command: `echo step-${req.seq}` } }])));
    const result = await runBareAgent(opts(model, dir, { maxSteps: 3 }));
    expect(result.runStatus).toBe('ok');
    expect(result.statusDetail).toMatch(/maxSteps \(3 LLM turns\)/);
    expect(result.steps.filter((s) => s.role === 'assistant')).toHaveLength(3);
    expect(toolResults(result)).toHaveLength(3);
    expect(result.text).toMatch(/^turn \d+$/);
    expect(policy.requests()).toHaveLength(3);
    expect(toolResults(result)[2]!.output).toMatch(/^stdout:\nstep-\d+\n\nexit code: 0$/);
  });

  it('detects a loop: three identical tool-call turns stop the run and say so', async () => {
    const dir = await workDir({ 'a.txt': 'A' });
    const same = msg('checking', [{ name: 'read_file', arguments: { path: 'a.txt' } }]);
    const policy = script([same], 'repeat-last');
    const result = await runBareAgent(opts(model, dir, { maxSteps: 20 }));
    expect(policy.requests()).toHaveLength(3);
    expect(result.runStatus).toBe('ok');
    expect(result.statusDetail).toMatch(/same tool call\(s\) 3 turns in a row/);
    expect(result.statusDetail).toContain('read_file');
    expect(toolResults(result)).toHaveLength(2); // the third repetition is not run
  });

  it('wall-clock timeout during a hanging LLM call: runStatus timeout with the reason', async () => {
    const dir = await workDir();
    script([msg('', [{ name: 'list_directory', arguments: {} }]), { kind: 'fault', fault: { type: 'hang' } }]);
    const t0 = Date.now();
    const result = await runBareAgent(opts(model, dir, { timeoutMs: 1000 }));
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(result.runStatus).toBe('timeout');
    expect(result.statusDetail).toMatch(/^bare-agent loop exceeded timeout \d+ms after 1 iterations/);
    expect(toolResults(result)[0]!.output).toBe('(empty directory)');
  });

  it('wall-clock timeout during a long command kills it and reports timeout', async () => {
    const dir = await workDir();
    script([msg('', [{ name: 'execute_command', arguments: { command: 'sleep 1.5; touch late.txt; sleep 30' } }]), msg('never')]);
    const t0 = Date.now();
    const result = await runBareAgent(opts(model, dir, { timeoutMs: 700, commandTimeoutMs: 60_000 }));
    expect(Date.now() - t0).toBeLessThan(2500);
    expect(result.runStatus).toBe('timeout');
    expect(result.statusDetail).toMatch(/exceeded timeout/);
    await new Promise((r) => setTimeout(r, 1500));
    await expect(fsp.access(path.join(dir, 'late.txt'))).rejects.toThrow();
  });

  it('cancellation mid-LLM-call rejects with CancelledError within 2 s and still writes a valid log', async () => {
    const dir = await workDir();
    script([{ kind: 'fault', fault: { type: 'hang' } }]);
    const ctl = new AbortController();
    const convLogPath = path.join(dir, 'logs', 'conv.jsonl');
    const t0 = Date.now();
    setTimeout(() => ctl.abort('user stopped it'), 300);
    const err = await runBareAgent(opts(model, dir, { signal: ctl.signal, convLogPath })).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(err).toBeInstanceOf(CancelledError);
    expect(isAbortError(err)).toBe(true);
    expect((err as CancelledError).code).toBe('cancelled');
    const lines = (await fsp.readFile(convLogPath, 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l) as { type: string });
    expect(lines.map((l) => l.type)).toEqual(['request']);
  });

  it('cancellation mid-command kills the command and rejects within 2 s', async () => {
    const dir = await workDir();
    script([msg('', [{ name: 'execute_command', arguments: { command: 'sleep 1; touch late.txt; sleep 30' } }]), msg('never')]);
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 400);
    const t0 = Date.now();
    await expect(runBareAgent(opts(model, dir, { signal: ctl.signal }))).rejects.toBeInstanceOf(CancelledError);
    expect(Date.now() - t0).toBeLessThan(2000);
    await new Promise((r) => setTimeout(r, 1200));
    await expect(fsp.access(path.join(dir, 'late.txt'))).rejects.toThrow();
  });

  it('a provider error (401) escapes as LlmError and the log stays valid', async () => {
    const dir = await workDir();
    script([msg('', [{ name: 'list_directory', arguments: {} }]), { kind: 'fault', fault: { type: 'auth' } }]);
    const convLogPath = path.join(dir, 'conv.jsonl');
    const err = await runBareAgent(opts(model, dir, { convLogPath })).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(LlmError);
    expect((err as LlmError).kind).toBe('auth');
    const types = (await fsp.readFile(convLogPath, 'utf8')).trimEnd().split('\n').map((l) => (JSON.parse(l) as { type: string }).type);
    expect(types).toEqual(['request', 'response', 'request']);
  });
});

describe('bare-agent skills', () => {
  const model = 'sim/tiny-1';
  const skillBody = '---\nname: csv-report\ndescription: Summarise CSV files\n---\n# CSV report\nAlways write report.md with a table.';
  const skill = makeSkill('csv-report', 'Summarise CSV files into a markdown report', skillBody);

  it('inject: every skill inside <skill> tags in the system prompt, five tools, skillLoaded true', async () => {
    const dir = await workDir();
    const other = makeSkill('second', 'Another one', 'SECOND BODY');
    const policy = script([msg('ok')]);
    const result = await runBareAgent(opts(model, dir, { skills: { mode: 'inject', skills: [skill, other] } }));
    const req = policy.requests()[0]!;
    expect(req.system).toContain(`\n\n<skill>\n${skillBody}\n</skill>`);
    expect(req.system!.endsWith(`\n\n<skill>\n${skillBody}\n</skill>\n\n<skill>\nSECOND BODY\n</skill>`)).toBe(true);
    expect(req.tools.map((t) => t.name)).toEqual(['read_file', 'write_file', 'list_directory', 'execute_command', 'web_fetch']);
    expect(result.skillLoaded).toBe(true);
    await expect(fsp.access(path.join(dir, 'skills'))).rejects.toThrow();
  });

  it('discover: lists skills without their body, the model calls load_skill and gets the body, skillLoaded true', async () => {
    const dir = await workDir();
    const policy = script([msg('', [{ name: 'load_skill', arguments: { name: 'csv-report' } }]), msg('', [{ name: 'load_skill', arguments: { name: 'nope' } }]), msg('loaded')]);
    const bundle: SkillBundle = { mode: 'discover', skills: [skill] };
    const result = await runBareAgent(opts(model, dir, { skills: bundle }));
    const [r0, r1, r2] = policy.requests() as [SimRequest, SimRequest, SimRequest];
    expect(r0.system).toContain('- **csv-report**: Summarise CSV files into a markdown report');
    expect(r0.system).not.toContain('Always write report.md');
    expect(r0.system).not.toContain('<skill>');
    expect(r0.tools.map((t) => t.name)).toEqual(['read_file', 'write_file', 'list_directory', 'execute_command', 'web_fetch', 'load_skill']);
    expect(toolMessages(r1)[0]!.content).toBe(skillBody);
    expect(toolMessages(r2)[1]!.content).toMatch(/^Error: there is no skill named "nope". Available: csv-report/);
    expect(result.skillLoaded).toBe(true);
    expect(await fsp.readFile(path.join(dir, 'skills/csv-report/SKILL.md'), 'utf8')).toBe(skillBody);
  });

  it('discover: reading skills/<name>/SKILL.md with read_file also counts as loading', async () => {
    const dir = await workDir();
    const policy = script([msg('', [{ name: 'read_file', arguments: { path: './skills/csv-report/SKILL.md' } }]), msg('read it')]);
    const result = await runBareAgent(opts(model, dir, { skills: { mode: 'discover', skills: [skill] } }));
    expect(toolMessages(policy.requests()[1]!)[0]!.content).toBe(skillBody);
    expect(result.skillLoaded).toBe(true);
  });

  it('discover: skillLoaded stays false when the model never loads it', async () => {
    const dir = await workDir({ 'x.txt': 'x' });
    script([msg('', [{ name: 'read_file', arguments: { path: 'x.txt' } }]), msg('done without it')]);
    const result = await runBareAgent(opts(model, dir, { skills: { mode: 'discover', skills: [skill] } }));
    expect(result.skillLoaded).toBe(false);
    expect(result.runStatus).toBe('ok');
  });

  it('discover: the reference\'s <load-skill> reply delivers the body and the run continues', async () => {
    const dir = await workDir();
    const policy = script([msg('<load-skill>csv-report</load-skill>'), msg('continuing with the skill')]);
    const result = await runBareAgent(opts(model, dir, { skills: { mode: 'discover', skills: [skill] } }));
    const reqs = policy.requests();
    expect(reqs).toHaveLength(2);
    const last = reqs[1]!.messages[reqs[1]!.messages.length - 1]!;
    expect(last.role).toBe('user');
    expect((last as { content: string }).content).toContain(skillBody);
    expect(result.skillLoaded).toBe(true);
    expect(result.text).toBe('continuing with the skill');
  });

  it('no skill: skillLoaded is undefined and load_skill is an unknown tool', async () => {
    const dir = await workDir();
    const policy = script([msg('', [{ name: 'load_skill', arguments: { name: 'csv-report' } }]), msg('fine')]);
    const result = await runBareAgent(opts(model, dir));
    expect(result.skillLoaded).toBeUndefined();
    expect(toolMessages(policy.requests()[1]!)[0]!.content).toBe('Unknown tool: load_skill');
  });
});

describe('bare-agent hooks', () => {
  const model = 'simanth/claude-sim-1';

  it('calls beforeLLM/afterLLM/afterTool/afterRun with increasing iteration numbers', async () => {
    const dir = await workDir({ 'a.txt': 'A', 'b.txt': 'B' });
    script([
      msg('', [{ name: 'read_file', arguments: { path: 'a.txt' } }]),
      msg('', [
        { name: 'read_file', arguments: { path: 'b.txt' } },
        { name: 'list_directory', arguments: {} },
      ]),
      msg('end'),
    ]);
    const seen: string[] = [];
    const prevCounts: number[] = [];
    let runCtx: { success: boolean; text: string; skillId?: string } | undefined;
    const result = await runBareAgent(
      opts(model, dir, {
        hooks: {
          beforeLLM: [
            (ctx) => {
              seen.push(`before:${ctx.iteration}`);
              prevCounts.push(ctx.previousToolCalls.length);
              expect(ctx.prompt).toBe('Do the task.');
              expect(ctx.workDir).toBe(dir);
              return { action: 'passthrough' };
            },
          ],
          afterLLM: [(ctx) => void seen.push(`llm:${ctx.iteration}:${ctx.response.toolCalls.length}`)],
          afterTool: [(ctx) => void seen.push(`tool:${ctx.iteration}:${ctx.toolCall.name}:${ctx.toolCall.output}`)],
          afterRun: [(ctx) => void (runCtx = { success: ctx.success, text: ctx.result.text })],
        },
      }),
    );
    expect(seen).toEqual([
      'before:0',
      'llm:0:1',
      'tool:0:read_file:A',
      'before:1',
      'llm:1:2',
      'tool:1:read_file:B',
      'tool:1:list_directory:[file] a.txt\n[file] b.txt',
      'before:2',
      'llm:2:0',
    ]);
    expect(prevCounts).toEqual([0, 1, 2]);
    expect(runCtx).toEqual({ success: true, text: 'end' });
    expect(result.text).toBe('end');
  });

  it('a beforeLLM replace short-circuits the LLM call and ends the run with its text', async () => {
    const dir = await workDir({ 'a.txt': 'A' });
    const policy = script([msg('', [{ name: 'read_file', arguments: { path: 'a.txt' } }]), msg('must not be asked')]);
    const afterLlm: number[] = [];
    const result = await runBareAgent(
      opts(model, dir, {
        hooks: {
          beforeLLM: [
            (ctx) =>
              ctx.iteration === 1
                ? { action: 'replace', toolResults: [{ id: 'solid_1', name: 'execute_command', input: { command: 'echo solid' }, output: 'solid', exitCode: 0 }], text: 'solidified answer' }
                : { action: 'passthrough' },
          ],
          afterLLM: [(ctx) => void afterLlm.push(ctx.iteration)],
        },
      }),
    );
    expect(policy.requests()).toHaveLength(1);
    expect(result.runStatus).toBe('ok');
    expect(result.text).toBe('solidified answer');
    expect(result.statusDetail).toMatch(/beforeLLM hook/);
    expect(toolResults(result).map((r) => r.id)).toEqual([expect.any(String), 'solid_1']);
    expect(afterLlm).toEqual([0, 1]);
  });

  it('an exception inside the run (a throwing hook) is adapter-crashed with adapterError, not a rejection', async () => {
    const dir = await workDir();
    script([msg('', [{ name: 'list_directory', arguments: {} }]), msg('x')]);
    const result = await runBareAgent(
      opts(model, dir, {
        hooks: {
          afterTool: [
            () => {
              throw new Error('hook exploded');
            },
          ],
        },
      }),
    );
    expect(result.runStatus).toBe('adapter-crashed');
    expect(result.statusDetail).toContain('hook exploded');
    expect(result.adapterError).toMatchObject({ exitCode: 1 });
    expect(result.adapterError!.stderr).toContain('hook exploded');
  });
});

describe('bare-agent tools', () => {
  const model = 'sim/tiny-1';
  let server: Server;
  let base: string;
  const received: Array<{ method: string; headers: Record<string, unknown>; body: string }> = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ method: req.method ?? '', headers: req.headers, body });
        if (req.url === '/big') {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.end('z'.repeat(400_000));
          return;
        }
        res.writeHead(req.url === '/missing' ? 404 : 200, { 'content-type': 'text/plain' });
        res.end(`hello ${req.method} ${body}`);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('web_fetch is refused when web access is off', async () => {
    const dir = await workDir();
    const policy = script([msg('', [{ name: 'web_fetch', arguments: { url: `${base}/x` } }]), msg('no web')]);
    received.length = 0;
    await runBareAgent(opts(model, dir));
    expect(toolMessages(policy.requests()[1]!)[0]!.content).toMatch(/^Error: web access is turned off for this task/);
    expect(received).toHaveLength(0);
  });

  it('web_fetch with web access: status + body, method/headers/body passed, body capped, our keys never sent', async () => {
    const dir = await workDir();
    const policy = script([
      msg('', [
        { name: 'web_fetch', arguments: { url: `${base}/x`, method: 'POST', headers: { 'x-test': 'yes' }, body: 'payload' } },
        { name: 'web_fetch', arguments: { url: `${base}/missing` } },
        { name: 'web_fetch', arguments: { url: `${base}/big` } },
        { name: 'web_fetch', arguments: { url: `${base}/x`, headers: { authorization: `Bearer ${ROUTE_KEYS.SIM_OPENAI_KEY}` } } },
        { name: 'web_fetch', arguments: { url: 'file:///etc/passwd' } },
      ]),
      msg('fetched'),
    ]);
    received.length = 0;
    await runBareAgent(opts(model, dir, { web: true, allowLocalHosts: [new URL(base).host] }));
    const outs = toolMessages(policy.requests()[1]!).map((t) => t.content);
    expect(outs[0]).toBe('HTTP 200\nhello POST payload');
    expect(outs[1]).toBe('HTTP 404\nhello GET ');
    expect(outs[2]!.startsWith('HTTP 200\n' + 'z'.repeat(1000))).toBe(true);
    expect(outs[2]).toContain('[web_fetch: body cut after the first');
    expect(outs[2]!.length).toBeLessThan(140_000);
    expect(outs[3]).toMatch(/^Error: the request contains a credential/);
    expect(outs[4]).toMatch(/^Error: only http:\/\/ and https:\/\//);
    expect(received).toHaveLength(3);
    expect(received.find((r) => r.method === 'POST')!.headers['x-test']).toBe('yes');
    for (const r of received) expect(JSON.stringify(r)).not.toContain(ROUTE_KEYS.SIM_OPENAI_KEY);
  });

  it('web_fetch refuses a local server it was not told about', async () => {
    const dir = await workDir();
    const policy = script([msg('', [{ name: 'web_fetch', arguments: { url: `${base}/x` } }]), msg('refused')]);
    received.length = 0;
    await runBareAgent(opts(model, dir, { web: true }));
    expect(toolMessages(policy.requests()[1]!)[0]!.content).toMatch(/^Error: refused to fetch http:\/\/127\.0\.0\.1:\d+: 127\.0\.0\.1 is a loopback address/);
    expect(received).toHaveLength(0);
  });

  it('read_file caps very large files and says what was cut; list_directory and unknown tools', async () => {
    const dir = await workDir({ 'huge.txt': 'h'.repeat(300 * 1024), 'sub/inner.txt': 'i' });
    const policy = script([
      msg('', [
        { name: 'read_file', arguments: { path: 'huge.txt' } },
        { name: 'list_directory', arguments: {} },
        { name: 'list_directory', arguments: { path: 'sub' } },
        { name: 'read_file', arguments: { path: 'missing.txt' } },
        { name: 'frobnicate', arguments: {} },
        { name: 'write_file', arguments: { path: 'empty/' } },
      ]),
      msg('listed'),
    ]);
    await fsp.mkdir(path.join(dir, 'emptydir'));
    await runBareAgent(opts(model, dir));
    const outs = toolMessages(policy.requests()[1]!).map((t) => t.content);
    expect(outs[0]!.startsWith('h'.repeat(256 * 1024))).toBe(true);
    expect(outs[0]).toContain(`first ${256 * 1024} of ${300 * 1024} bytes`);
    expect(outs[1]).toBe('[dir] emptydir\n[file] huge.txt\n[dir] sub');
    expect(outs[2]).toBe('[file] inner.txt');
    expect(outs[3]).toBe('Error: File not found: missing.txt');
    expect(outs[4]).toBe('Unknown tool: frobnicate');
    expect(outs[5]).toMatch(/^Error: .*content/);
  });

  it('execute_command: a command over its own time limit is killed and reported, the run goes on', async () => {
    const dir = await workDir();
    const policy = script([msg('', [{ name: 'execute_command', arguments: { command: 'echo partial; sleep 5; echo never' } }]), msg('moved on')]);
    const t0 = Date.now();
    const result = await runBareAgent(opts(model, dir, { commandTimeoutMs: 400 }));
    expect(Date.now() - t0).toBeLessThan(3000);
    const out = toolMessages(policy.requests()[1]!)[0]!.content;
    expect(out).toMatch(/^Error: command timed out after 0\.4s\nstdout:\npartial\n/);
    expect(out).not.toContain('never');
    expect(result.runStatus).toBe('ok');
    expect(result.text).toBe('moved on');
  });

  it('discover: an untrusted skill name cannot place its file outside skills/', async () => {
    const dir = await workDir();
    const evil = makeSkill('../../evil name', 'Tries to escape', 'EVIL BODY');
    const policy = script([msg('', [{ name: 'load_skill', arguments: { name: '../../evil name' } }]), msg('ok')]);
    const result = await runBareAgent(opts(model, dir, { skills: { mode: 'discover', skills: [evil] } }));
    expect(await fsp.readFile(path.join(dir, 'skills/evil-name/SKILL.md'), 'utf8')).toBe('EVIL BODY');
    expect((await fsp.readdir(dir)).sort()).toEqual(['skills']);
    expect(policy.requests()[0]!.system).toContain('skills/evil-name/SKILL.md');
    expect(toolMessages(policy.requests()[1]!)[0]!.content).toBe('EVIL BODY');
    expect(result.skillLoaded).toBe(true);
  });

  it('cost is null when a call has no known price', async () => {
    const dir = await workDir();
    script([msg('one', undefined, { usage: { input: 10, output: 5 } })]);
    const result = await runBareAgent(opts('sim/unpriced-model', dir));
    expect(result.tokens).toEqual({ input: 10, output: 5, cacheRead: 0, cacheWrite: 0 });
    expect(result.cost).toBeNull();
    expect(result.usageAvailable).toBe(true);
  });
});
