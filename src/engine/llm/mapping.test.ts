import { describe, expect, it } from 'vitest';
import type { Route } from '../config/schema.js';
import { buildAnthropicBody, toAnthropicMessages, toAnthropicToolChoice } from './anthropic-provider.js';
import { ToolArgumentsParseError } from './errors.js';
import { buildBody, parseCompletion, toOpenAiMessages, toOpenAiToolChoice } from './openai-provider.js';
import type { ProviderCall } from './provider.js';
import type { ChatMessage, ChatRequest } from './types.js';

/** Pure wire-mapping checks for details the simulator normalises away (merging, extras, echo). */

const call = (request: Partial<ChatRequest>, backendModel = 'vendor/model', kind: Route['kind'] = 'openrouter'): ProviderCall => ({
  request: { model: `x/${backendModel}`, messages: [{ role: 'user', content: 'hi' }], ...request },
  backendModel,
  route: { match: 'x/*', kind, apiKey: '' } as Route,
  signal: new AbortController().signal,
  timeoutMs: 1000,
});

const toolTurn: ChatMessage[] = [
  { role: 'user', content: 'read both' },
  {
    role: 'assistant',
    content: '',
    reasoning: 'I should read both files',
    toolCalls: [
      { id: 'c1', name: 'read', arguments: { p: 'a' } },
      { id: 'c2', name: 'read', arguments: { p: 'b' } },
    ],
  },
  { role: 'tool', toolCallId: 'c1', content: 'A' },
  { role: 'tool', toolCallId: 'c2', content: 'no such file', isError: true },
  { role: 'user', content: 'and now?' },
];

describe('OpenAI mapping', () => {
  it('system first, tool_calls with JSON-string arguments, tool messages by id, reasoning echoed on tool turns', () => {
    const msgs = toOpenAiMessages({ system: 'sys', messages: toolTurn });
    expect(msgs[0]).toEqual({ role: 'system', content: 'sys' });
    expect(msgs[2]).toEqual({
      role: 'assistant',
      content: null,
      reasoning_content: 'I should read both files',
      tool_calls: [
        { id: 'c1', type: 'function', function: { name: 'read', arguments: '{"p":"a"}' } },
        { id: 'c2', type: 'function', function: { name: 'read', arguments: '{"p":"b"}' } },
      ],
    });
    expect(msgs[3]).toEqual({ role: 'tool', tool_call_id: 'c1', content: 'A' });
    expect(msgs[4]).toMatchObject({ role: 'tool', tool_call_id: 'c2' });
    expect(msgs[4]!.content).toContain('no such file');
    // Reasoning is only echoed on turns that had tool calls.
    expect(toOpenAiMessages({ messages: [{ role: 'assistant', content: 'x', reasoning: 'r' }] })[0]).toEqual({ role: 'assistant', content: 'x' });
  });
  it('tool_choice mapping', () => {
    expect(toOpenAiToolChoice('auto')).toBe('auto');
    expect(toOpenAiToolChoice('required')).toBe('required');
    expect(toOpenAiToolChoice('none')).toBe('none');
    expect(toOpenAiToolChoice({ name: 't' })).toEqual({ type: 'function', function: { name: 't' } });
  });
  it('defaults and OpenRouter extras', () => {
    const or = buildBody(call({}), true);
    expect(or).toMatchObject({ model: 'vendor/model', max_tokens: 16384, temperature: 0, usage: { include: true }, reasoning: { effort: 'none' } });
    expect(buildBody(call({}, 'minimax/minimax-m2'), true).reasoning).toBeUndefined();
    const plain = buildBody(call({ maxTokens: 10, temperature: 0.5, stop: ['END'] }, 'm', 'openai-compatible'), false);
    expect(plain).toMatchObject({ max_tokens: 10, temperature: 0.5, stop: ['END'] });
    expect(plain.usage).toBeUndefined();
    expect(plain.reasoning).toBeUndefined();
  });
  it('parses reasoning_content, cached tokens, cost; keeps tool calls under finish_reason stop', () => {
    const r = parseCompletion(
      {
        choices: [
          {
            finish_reason: 'stop',
            message: { content: null, reasoning_content: 'thinking', tool_calls: [{ id: 'x', type: 'function', function: { name: 't', arguments: '{"a":1}' } }] },
          },
        ],
        usage: { prompt_tokens: 100, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 40 }, cost: 0.01 },
      },
      { route: 'x/*', model: 'x/m' },
    );
    expect(r).toEqual({
      text: '',
      toolCalls: [{ id: 'x', name: 't', arguments: { a: 1 } }],
      stopReason: 'tool_use',
      usage: { input: 60, output: 5, cacheRead: 40, cacheWrite: 0 },
      vendorCostUsd: 0.01,
      reasoning: 'thinking',
    });
  });
  it('invalid tool arguments raise ToolArgumentsParseError; a non-object body is a transient error', () => {
    const bad = { choices: [{ finish_reason: 'tool_calls', message: { tool_calls: [{ id: 'x', function: { name: 't', arguments: '<think>{"a"' } }] } }] };
    expect(() => parseCompletion(bad, { route: 'x/*', model: 'x/m' })).toThrow(ToolArgumentsParseError);
    expect(() => parseCompletion('<html>', { route: 'x/*', model: 'x/m' })).toThrow(expect.objectContaining({ kind: 'transient' }));
  });
});

describe('Anthropic mapping', () => {
  it('assistant text + tool_use blocks; consecutive tool results (and a following user turn) merge into one user message', () => {
    const msgs = toAnthropicMessages(toolTurn);
    expect(msgs).toHaveLength(3);
    expect(msgs[1]).toEqual({
      role: 'assistant',
      content: [
        { type: 'tool_use', id: 'c1', name: 'read', input: { p: 'a' } },
        { type: 'tool_use', id: 'c2', name: 'read', input: { p: 'b' } },
      ],
    });
    expect(msgs[2]).toEqual({
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 'c1', content: 'A' },
        { type: 'tool_result', tool_use_id: 'c2', content: 'no such file', is_error: true },
        { type: 'text', text: 'and now?' },
      ],
    });
  });
  it('tool_choice mapping', () => {
    expect(toAnthropicToolChoice('auto')).toEqual({ type: 'auto' });
    expect(toAnthropicToolChoice('required')).toEqual({ type: 'any' });
    expect(toAnthropicToolChoice('none')).toEqual({ type: 'none' });
    expect(toAnthropicToolChoice({ name: 't' })).toEqual({ type: 'tool', name: 't' });
  });
  it('system separate, max_tokens default, temperature only when given', () => {
    const b = buildAnthropicBody(call({ system: 'sys' }, 'claude-x', 'anthropic'));
    expect(b).toMatchObject({ model: 'claude-x', system: 'sys', max_tokens: 16384 });
    expect('temperature' in b).toBe(false);
    expect(buildAnthropicBody(call({ temperature: 0 }, 'claude-x', 'anthropic')).temperature).toBe(0);
  });
});
