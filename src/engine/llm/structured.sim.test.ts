import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Route } from '../config/schema.js';
import { SkvmError } from '../util/errors.js';
import { simulatedLlm } from '../../../test/scripted-sim.js';
import { echoPolicy, type ScriptStep } from '../sim/index.js';
import { LlmError } from './errors.js';
import { extractStructured } from './structured.js';

/** Structured extraction through the real client, SDKs and HTTP against the simulator. */

const { client: llm, script } = simulatedLlm(
  (sim): Route[] => [
    { match: 'sim/*', kind: 'openai-compatible', baseUrl: sim.openaiBaseUrl, apiKey: 'sim-test-key-123' },
    { match: 'simanth/*', kind: 'anthropic', baseUrl: sim.anthropicBaseUrl, apiKey: 'sim-anth-key-456' },
    { match: 'simor/*', kind: 'openrouter', baseUrl: sim.openaiBaseUrl, apiKey: 'sim-or-key-789' },
    { match: 'simjson/*', kind: 'openai-compatible', baseUrl: sim.openaiBaseUrl, apiKey: '', supportsToolChoice: false },
  ],
  { policy: echoPolicy() },
);

const Verdict = z.object({
  label: z.enum(['pass', 'fail']),
  score: z.number().min(0).max(1),
  reason: z.string().nullable(),
  tags: z.array(z.string()).optional(),
});
const good = { label: 'pass', score: 0.75, reason: null, tags: ['a'] };
const tool = (args: Record<string, unknown>): ScriptStep => ({ kind: 'message', toolCalls: [{ name: 'verdict', arguments: args }] });
const text = (t: string): ScriptStep => ({ kind: 'message', text: t });

describe.each(['sim/m', 'simanth/claude-m', 'simor/acme/m'])('extractStructured via %s', (model) => {
  const req = { model, schema: Verdict, name: 'verdict', description: 'Grade the answer', prompt: 'Grade this answer: 42.', system: 'You grade.' };

  it('forced tool call: tool_choice names the tool, schema keeps nullable as null-able string', async () => {
    const policy = script([tool(good)]);
    const r = await extractStructured(llm(), req);
    expect(r.value).toEqual(good);
    expect(r.responses).toHaveLength(1);
    const seen = policy.requests()[0]!;
    expect(seen.toolChoice).toEqual({ name: 'verdict' });
    expect(seen.temperature).toBe(0);
    expect(seen.system).toBe('You grade.');
    const schema = seen.tools[0]!.inputSchema as { properties: Record<string, unknown>; required: string[] };
    expect(JSON.stringify(schema.properties.reason)).toMatch(/null/);
    expect(JSON.stringify(schema.properties.reason)).not.toMatch(/object/);
    expect(schema.required).toEqual(['label', 'score', 'reason']);
  });

  it('toolChoiceSupported:false → JSON in text, fences stripped', async () => {
    const policy = script([text('```json\n' + JSON.stringify(good) + '\n```')]);
    const r = await extractStructured(llm(), { ...req, toolChoiceSupported: false });
    expect(r.value).toEqual(good);
    const seen = policy.requests()[0]!;
    expect(seen.tools).toEqual([]);
    expect(seen.toolChoice).toBeUndefined();
    expect(seen.messages[0]!.content).toContain('"label"');
  });

  it('a 400 refusing tool_choice falls back to JSON in text (no retry of the 400)', async () => {
    const policy = script([{ kind: 'fault', fault: { type: 'bad_request', message: 'tool_choice is not supported in thinking mode' } }, text(JSON.stringify(good))]);
    const r = await extractStructured(llm(), req);
    expect(r.value).toEqual(good);
    expect(policy.requests()).toHaveLength(2);
    expect(r.responses).toHaveLength(1);
  });

  it('other vendor errors propagate', async () => {
    script([{ kind: 'fault', fault: { type: 'bad_request', message: 'context too long' } }]);
    const e = await extractStructured(llm(), req).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(LlmError);
    expect((e as LlmError).kind).toBe('bad_request');
  });

  it('repair after an invalid first tool call: the model sees its answer and the issues', async () => {
    const policy = script([tool({ label: 'maybe', score: 3, reason: null }), tool(good)]);
    const r = await extractStructured(llm(), req);
    expect(r.value).toEqual(good);
    expect(r.responses).toHaveLength(2);
    const msgs = policy.requests()[1]!.messages;
    const assistant = msgs[1] as { role: string; toolCalls?: Array<{ id: string; arguments: unknown }> };
    expect(assistant.role).toBe('assistant');
    expect(assistant.toolCalls?.[0]?.arguments).toEqual({ label: 'maybe', score: 3, reason: null });
    const result = msgs[2] as { role: string; toolCallId: string; content: string };
    expect(result.role).toBe('tool');
    expect(result.toolCallId).toBe(assistant.toolCalls?.[0]?.id);
    expect(result.content).toMatch(/label: /);
    expect(result.content).toMatch(/score: /);
  });

  it('repair in the text layer after invalid JSON', async () => {
    const policy = script([text('{"label": "pass", "score": '), text(JSON.stringify(good))]);
    const r = await extractStructured(llm(), { ...req, toolChoiceSupported: false });
    expect(r.value).toEqual(good);
    expect(policy.requests()[1]!.messages[2]!.content).toMatch(/not valid JSON/);
  });

  it('two invalid answers fail with the zod issues and their paths', async () => {
    script([tool({ label: 'pass', score: 2, reason: null }), tool({ label: 'pass', score: 0.5, reason: 7, tags: [1] })]);
    const e = await extractStructured(llm(), req).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SkvmError);
    const msg = (e as Error).message;
    expect(msg).toMatch(/verdict/);
    expect(msg).toMatch(/- reason: /);
    expect(msg).toMatch(/- tags\[0\]: /);
  });
});

describe('route config supportsToolChoice: false', () => {
  it('makes extraction ask for JSON in text without a forced tool call, through a usage-tracking provider too', async () => {
    const good = { label: 'fail', score: 0, reason: 'wrong', tags: [] };
    const policy = script([text(JSON.stringify(good)), text(JSON.stringify(good))]);
    const direct = await extractStructured(llm(), { model: 'simjson/m', schema: Verdict, name: 'verdict', description: 'd', prompt: 'p' });
    expect(direct.value).toEqual(good);
    const usage: unknown[] = [];
    const tracked = await extractStructured(llm().withUsage((u) => usage.push(u)), { model: 'simjson/m', schema: Verdict, name: 'verdict', description: 'd', prompt: 'p' });
    expect(tracked.value).toEqual(good);
    expect(usage).toHaveLength(1);
    for (const seen of policy.requests()) {
      expect(seen.tools).toEqual([]);
      expect(seen.toolChoice).toBeUndefined();
    }
  });
});
