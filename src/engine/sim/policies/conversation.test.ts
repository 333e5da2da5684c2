import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../llm/types.js';
import { loadSkill } from '../../skills/load.js';
import { loadPolicyFile, policyFromSpec } from '../policy-file.js';
import type { SimContext, SimPolicy, SimReply, SimRequest } from '../policy.js';
import { conversationPolicy, selectConversationStep, type ConversationScript } from './conversation.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const SIM_DIR = path.join(repo, 'skvm-data', 'sim');
const ctx = (): SimContext => ({ signal: new AbortController().signal });
const text = (t: string): SimReply => ({ kind: 'message', text: t });

/** A request after `turns` completed tool rounds (assistant + tool message each). */
function request(prompt: string, turns: number, system?: string): SimRequest {
  const messages: ChatMessage[] = [{ role: 'user', content: prompt }];
  for (let i = 0; i < turns; i++) {
    messages.push({ role: 'assistant', content: '', toolCalls: [{ id: `c${i}`, name: 'read_file', arguments: { path: 'x' } }] });
    messages.push({ role: 'tool', toolCallId: `c${i}`, content: 'out' });
  }
  return { api: 'openai', model: 'm', messages, tools: [], stream: false, seq: 0, headers: {}, ...(system !== undefined ? { system } : {}) };
}

const scripts: ConversationScript[] = [
  { name: 'with-skill', match: { prompt: /alpha/, system: /<skill>/ }, steps: [text('s0'), text('s1'), text('s2')] },
  { name: 'alpha', match: { prompt: /alpha/ }, steps: [text('a0'), text('a1')] },
  { name: 'by-system', match: { system: /^special/ }, steps: [text('sys')] },
];

describe('conversationPolicy', () => {
  it('answers steps[k] where k counts the assistant messages already in the request; repeats the last step', async () => {
    const p = conversationPolicy({ scripts });
    expect(p.name).toBe('conversation');
    const answers: SimReply[] = [];
    for (let k = 0; k < 5; k++) answers.push(await p.respond(request('alpha task', k, 'base\n\n<skill>\nx\n</skill>'), ctx()));
    expect(answers).toEqual([text('s0'), text('s1'), text('s2'), text('s2'), text('s2')]);
  });

  it('is stateless: interleaved, repeated and out-of-order requests get the same answers', async () => {
    const p = conversationPolicy({ scripts });
    const reqs = [request('alpha', 1), request('alpha', 0, '<skill>'), request('alpha', 1), request('alpha', 0), request('alpha', 2, '<skill>')];
    const first = await Promise.all(reqs.map((r) => p.respond(r, ctx())));
    const again = await Promise.all([...reqs].reverse().map((r) => p.respond(r, ctx())));
    expect(first).toEqual([text('a1'), text('s0'), text('a1'), text('a0'), text('s2')]);
    expect(again.reverse()).toEqual(first);
  });

  it('matches the first user message and the system prompt, first matching script wins', () => {
    const sel = (prompt: string, system?: string) => selectConversationStep(scripts, request(prompt, 0, system))?.script.name;
    expect(sel('alpha', 'has <skill> block')).toBe('with-skill');
    expect(sel('alpha', 'no block')).toBe('alpha');
    expect(sel('alpha')).toBe('alpha');
    expect(sel('beta', 'special system')).toBe('by-system');
    expect(sel('beta', 'not special')).toBeUndefined();
    // Only the FIRST user message is the prompt; later user messages do not count.
    const req = request('beta', 0, 'x');
    req.messages.push({ role: 'user', content: 'alpha' });
    expect(selectConversationStep(scripts, req)).toBeUndefined();
  });

  it('uses the fallback when nothing matches, else a non-retryable 400 naming the policy', async () => {
    const withFallback = conversationPolicy({ scripts, fallback: text('fallback'), name: 'demo' });
    expect(withFallback.name).toBe('demo');
    expect(await withFallback.respond(request('gamma', 3), ctx())).toEqual(text('fallback'));
    const bare = conversationPolicy({ scripts });
    const fault = await bare.respond(request('gamma', 0), ctx());
    expect(fault).toMatchObject({ kind: 'fault', fault: { type: 'bad_request' } });
    const message = fault.kind === 'fault' && fault.fault.type === 'bad_request' ? fault.fault.message : '';
    expect(message).toMatch(/no script of conversation policy "conversation" matches.*"gamma"/);
  });

  it('refuses empty scripts and stateful (g/y) regexes', () => {
    expect(() => conversationPolicy({ scripts: [{ name: 'e', match: {}, steps: [] }] })).toThrow(/no steps/);
    expect(() => conversationPolicy({ scripts: [{ name: 'g', match: { prompt: /a/g }, steps: [text('x')] }] })).toThrow(/flags g and y/);
  });
});

describe('policy type "conversation"', () => {
  it('builds from a policy file object with string or {pattern, flags} regexes', async () => {
    const p = policyFromSpec({
      policy: 'conversation',
      name: 'n',
      description: 'for people',
      scripts: [
        { name: 'ci', description: 'case-insensitive', match: { prompt: { pattern: 'HELLO', flags: 'i' } }, steps: [{ text: 'hi' }, { toolCalls: [{ name: 'read_file', arguments: { path: 'a' } }] }] },
        { name: 'sys', match: { system: '^S' }, steps: [{ fault: { type: 'rate_limit' } }] },
      ],
      fallback: { text: 'fb' },
    });
    expect(p.name).toBe('n');
    expect(await p.respond(request('hello there', 0), ctx())).toEqual({ kind: 'message', text: 'hi' });
    expect(await p.respond(request('hello there', 1), ctx())).toEqual({ kind: 'message', toolCalls: [{ name: 'read_file', arguments: { path: 'a' } }] });
    expect(await p.respond(request('x', 0, 'Sys'), ctx())).toEqual({ kind: 'fault', fault: { type: 'rate_limit' } });
    expect(await p.respond(request('x', 0), ctx())).toEqual({ kind: 'message', text: 'fb' });
  });

  it('reports bad specs with their JSON path', () => {
    expect(() => policyFromSpec({ policy: 'conversation', scripts: [] })).toThrow(/\$\.scripts/);
    expect(() => policyFromSpec({ policy: 'conversation', scripts: [{ name: 'a', match: { prompt: '(' }, steps: [{ text: 'x' }] }] })).toThrow(
      /\$\.scripts\[0\]\.match\.prompt: not a valid regular expression/,
    );
    expect(() => policyFromSpec({ policy: 'conversation', scripts: [{ name: 'a', match: { prompt: { pattern: 'a', flags: 'g' } }, steps: [{ text: 'x' }] }] })).toThrow(
      /flags may only use/,
    );
    expect(() => policyFromSpec({ policy: 'conversation', scripts: [{ name: 'a', match: {}, steps: [{}] }] })).toThrow(/\$\.scripts\[0\]\.steps\[0\]/);
    expect(() => policyFromSpec({ policy: 'conversation', scripts: [{ name: 'a', match: { promt: 'x' }, steps: [{ text: 'x' }] }] })).toThrow(/promt/);
  });
});

// ── the bundled simulator scripts ─────────────────────────────────────────────

interface ScriptFile {
  policy: string;
  description: string;
  scripts: Array<{ name: string; match: { prompt?: string; system?: string }; steps: unknown[] }>;
  fallback?: unknown;
}
const readSim = (name: string) => JSON.parse(readFileSync(path.join(SIM_DIR, name), 'utf8')) as ScriptFile;
const TASKS = [
  { id: 'sales-summary', skill: 'sales-report', other: 'slug-rules' },
  { id: 'log-triage', skill: 'log-triage', other: 'sales-report' },
  { id: 'slugify', skill: 'slug-rules', other: 'log-triage' },
];
const BARE_SYSTEM = 'You are a helpful assistant that completes tasks with tools, working in the provided directory.';

describe('skvm-data/sim policy files', () => {
  it('every file loads; tasks.json is exactly the three task files concatenated plus a fallback', async () => {
    const files = readdirSync(SIM_DIR).filter((f) => f.endsWith('.json')).sort();
    // compiler.json and planted-target.json play the demo's compile and bench (src/cli/commands/demo.sim.test.ts);
    // jit-optimizer.json its JIT step, on the tidy-notes skill beside it (test/cli/demo.test.ts).
    expect(files).toEqual(['compiler.json', 'jit-optimizer.json', 'log-triage.json', 'planted-target.json', 'sales-summary.json', 'slugify.json', 'tasks.json']);
    for (const f of files) await loadPolicyFile(path.join(SIM_DIR, f));
    const combined = readSim('tasks.json');
    expect(combined.scripts).toEqual(TASKS.flatMap((t) => readSim(`${t.id}.json`).scripts));
    expect(combined.fallback).toBeDefined();
    for (const t of TASKS) {
      const file = readSim(`${t.id}.json`);
      expect(file.description).toMatch(/with-skill/);
      expect(file.scripts.map((s) => s.name)).toEqual([`${t.id}/with-skill`, `${t.id}/no-skill`, `${t.id}/other-skill`]);
    }
  });

  it('with the bare-agent system prompt: own skill injected → with-skill, none → no-skill, another skill → other-skill', async () => {
    const tasksDir = path.join(repo, 'skvm-data', 'tasks');
    const policies: Array<[string, SimPolicy]> = [['tasks.json', await loadPolicyFile(path.join(SIM_DIR, 'tasks.json'))]];
    for (const t of TASKS) policies.push([`${t.id}.json`, await loadPolicyFile(path.join(SIM_DIR, `${t.id}.json`))]);
    const scriptsByName = new Map(readSim('tasks.json').scripts.map((s) => [s.name, s]));
    for (const t of TASKS) {
      const prompt = (JSON.parse(readFileSync(path.join(tasksDir, t.id, 'task.json'), 'utf8')) as { prompt: string }).prompt;
      const own = await loadSkill(path.join(repo, 'skvm-data', 'skills', t.skill));
      const other = await loadSkill(path.join(repo, 'skvm-data', 'skills', t.other));
      const systems = {
        'with-skill': `${BARE_SYSTEM}\n\n<skill>\n${own.content}\n</skill>`,
        'no-skill': `${BARE_SYSTEM}\n\n## Available Skills\n- **${own.name}**: ${own.description}`,
        'other-skill': `${BARE_SYSTEM}\n\n<skill>\n${other.content}\n</skill>`,
      };
      for (const [variant, system] of Object.entries(systems)) {
        const script = scriptsByName.get(`${t.id}/${variant}`)!;
        for (const [file, policy] of policies) {
          if (file !== 'tasks.json' && file !== `${t.id}.json`) continue;
          for (let k = 0; k < script.steps.length + 1; k++) {
            const reply = await policy.respond(request(prompt, k, system), ctx());
            const expected = policyFromSpec({ policy: 'scripted', replies: [script.steps[Math.min(k, script.steps.length - 1)]] });
            expect(reply, `${file} ${t.id}/${variant} step ${k}`).toEqual(await expected.respond(request('', 0), ctx()));
          }
        }
      }
      // A final step ends the turn with text and no tool calls.
      for (const variant of ['with-skill', 'no-skill', 'other-skill']) {
        const last = scriptsByName.get(`${t.id}/${variant}`)!.steps.at(-1) as { text?: string; toolCalls?: unknown[] };
        expect(last.text).toBeTruthy();
        expect(last.toolCalls).toBeUndefined();
      }
    }
  });

  it('uses only the bare-agent tool names with their argument shapes; with-skill takes 2–4 tool calls', () => {
    const shapes: Record<string, string[]> = {
      read_file: ['path'],
      write_file: ['content', 'path'],
      list_directory: ['path'],
      execute_command: ['command'],
    };
    for (const s of readSim('tasks.json').scripts) {
      let calls = 0;
      for (const step of s.steps as Array<{ toolCalls?: Array<{ name: string; arguments: Record<string, unknown> }> }>) {
        for (const c of step.toolCalls ?? []) {
          calls++;
          expect(Object.keys(shapes), s.name).toContain(c.name);
          expect(Object.keys(c.arguments).sort(), `${s.name} ${c.name}`).toEqual(shapes[c.name]);
        }
      }
      if (s.name.endsWith('/with-skill')) {
        expect(calls).toBeGreaterThanOrEqual(2);
        expect(calls).toBeLessThanOrEqual(4);
      }
    }
  });
});
