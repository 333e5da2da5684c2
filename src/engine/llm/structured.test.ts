import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SkvmError } from '../util/errors.js';
import { LlmError, ToolArgumentsParseError } from './errors.js';
import { extractStructured, parseJsonAnswer, stripFences, toJsonSchema } from './structured.js';
import type { ChatProvider, ChatRequest, ChatResponse, ToolCall } from './types.js';

/** Unit tests of the layering logic over our own ChatProvider interface (the SDKs are exercised in llm-sim tests). */
type Step = { text?: string; toolCalls?: ToolCall[] } | Error;
function scripted(steps: Step[]): ChatProvider & { requests: ChatRequest[] } {
  const requests: ChatRequest[] = [];
  return {
    requests,
    async chat(req) {
      requests.push(req);
      const s = steps.shift();
      if (!s) throw new Error('script exhausted');
      if (s instanceof Error) throw s;
      const toolCalls = s.toolCalls ?? [];
      const res: ChatResponse = {
        text: s.text ?? '',
        toolCalls,
        stopReason: toolCalls.length ? 'tool_use' : 'end_turn',
        usage: { input: 10, output: 5, cacheRead: 0, cacheWrite: 0 },
        costUsd: null,
        costSource: 'unknown',
        durationMs: 1,
        attempts: 1,
        model: req.model,
        route: 'x/*',
      };
      return res;
    },
  };
}

const Verdict = z.object({ name: z.string(), score: z.number().int().min(0).max(100), note: z.string().nullable() });
const base = { model: 'x/m', schema: Verdict, name: 'verdict', description: 'A graded verdict', prompt: 'Grade it.' };
const call = (args: Record<string, unknown>, id = 'c1'): ToolCall => ({ id, name: 'verdict', arguments: args });
const bad400 = (msg: string) => new LlmError({ kind: 'bad_request', route: 'x/*', model: 'x/m', status: 400, message: `HTTP 400 ${msg}` });

describe('toJsonSchema', () => {
  it('uses zod 4 conversion: nullable stays a nullable string, not an object', () => {
    const s = toJsonSchema(Verdict) as { properties: Record<string, unknown>; required: string[]; $schema?: string };
    expect(s.$schema).toBeUndefined();
    expect(JSON.stringify(s.properties.note)).toMatch(/null/);
    expect(JSON.stringify(s.properties.note)).toMatch(/string/);
    expect(JSON.stringify(s.properties.note)).not.toMatch(/object/);
    expect(s.required).toEqual(['name', 'score', 'note']);
  });
});

describe('fences and JSON', () => {
  it('strips ```json fences and surrounding chatter', () => {
    expect(stripFences('```json\n{"a":1}\n```')).toBe('{"a":1}');
    expect(stripFences('```\n{"a":1}\n```  ')).toBe('{"a":1}');
    expect(parseJsonAnswer('Here you go: {"a":{"b":2}} hope that helps')).toEqual({ a: { b: 2 } });
    expect(() => parseJsonAnswer('no json here')).toThrow();
  });
});

describe('extractStructured', () => {
  it('layer 1: forced tool call at temperature 0', async () => {
    const p = scripted([{ toolCalls: [call({ name: 'a', score: 7, note: null })] }]);
    const r = await extractStructured(p, base);
    expect(r.value).toEqual({ name: 'a', score: 7, note: null });
    expect(r.responses).toHaveLength(1);
    expect(p.requests[0]!.toolChoice).toEqual({ name: 'verdict' });
    expect(p.requests[0]!.temperature).toBe(0);
    expect(p.requests[0]!.tools?.[0]?.name).toBe('verdict');
  });

  it('wraps a non-object schema in a tool argument object', async () => {
    const p = scripted([{ toolCalls: [call({ value: ['x', 'y'] })] }]);
    const r = await extractStructured(p, { ...base, schema: z.array(z.string()) });
    expect(r.value).toEqual(['x', 'y']);
    expect((p.requests[0]!.tools![0]!.inputSchema as { type: string }).type).toBe('object');
  });

  it.each([
    ['a tool_choice refusal', bad400('tool_choice "required" is not supported with thinking')],
    ['unparseable tool arguments', new ToolArgumentsParseError({ route: 'x/*', model: 'x/m', toolName: 'verdict', raw: '<think>' })],
  ])('falls back to JSON text after %s', async (_label, failure) => {
    const p = scripted([failure, { text: '```json\n{"name":"b","score":3,"note":"ok"}\n```' }]);
    const r = await extractStructured(p, base);
    expect(r.value).toEqual({ name: 'b', score: 3, note: 'ok' });
    expect(p.requests[1]!.tools).toBeUndefined();
    expect(p.requests[1]!.messages[0]!.content).toContain('"score"');
  });

  it('falls back when no tool call came back', async () => {
    const p = scripted([{ text: 'I would rather chat' }, { text: '{"name":"c","score":1,"note":null}' }]);
    expect((await extractStructured(p, base)).value.name).toBe('c');
  });

  it('toolChoiceSupported:false skips layer 1', async () => {
    const p = scripted([{ text: '{"name":"d","score":1,"note":null}' }]);
    await extractStructured(p, { ...base, toolChoiceSupported: false });
    expect(p.requests).toHaveLength(1);
    expect(p.requests[0]!.toolChoice).toBeUndefined();
  });

  it('other LLM errors propagate', async () => {
    const auth = new LlmError({ kind: 'auth', route: 'x/*', model: 'x/m', message: 'nope' });
    await expect(extractStructured(scripted([auth]), base)).rejects.toBe(auth);
    const other400 = bad400('max_tokens too large');
    await expect(extractStructured(scripted([other400]), base)).rejects.toBe(other400);
  });

  it('layer 1 repair: shows the invalid call and the zod issues, then accepts the fix', async () => {
    const p = scripted([{ toolCalls: [call({ name: 'e', score: 900, note: null })] }, { toolCalls: [call({ name: 'e', score: 90, note: null }, 'c2')] }]);
    const r = await extractStructured(p, base);
    expect(r.value.score).toBe(90);
    expect(r.responses).toHaveLength(2);
    const msgs = p.requests[1]!.messages;
    expect(msgs[1]).toMatchObject({ role: 'assistant', toolCalls: [{ id: 'c1' }] });
    expect(msgs[2]).toMatchObject({ role: 'tool', toolCallId: 'c1', isError: true });
    expect(msgs[2]!.content).toMatch(/score: .*100/);
  });

  it('layer 2 repair, then failure with the zod issues and paths after a second invalid answer', async () => {
    const p = scripted([{ text: '{"name":"f"}' }, { text: '{"name":5,"score":"x","note":null}' }]);
    const e = await extractStructured(p, { ...base, toolChoiceSupported: false }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SkvmError);
    expect((e as SkvmError).code).toBe('structured_failed');
    expect((e as Error).message).toMatch(/^- name: /m);
    expect((e as Error).message).toMatch(/^- score: /m);
    expect(p.requests).toHaveLength(2);
    expect(p.requests[1]!.messages[1]).toMatchObject({ role: 'assistant', content: '{"name":"f"}' });
    expect(p.requests[1]!.messages[2]!.content).toMatch(/score/);
  });

  it('non-JSON text counts as invalid and gets the one repair', async () => {
    const p = scripted([{ text: 'sure! score is 5' }, { text: '{"name":"g","score":5,"note":null}' }]);
    const r = await extractStructured(p, { ...base, toolChoiceSupported: false });
    expect(r.value.name).toBe('g');
    expect(p.requests[1]!.messages[2]!.content).toMatch(/not valid JSON/);
  });
});
