import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import type { SimReply } from './policy.js';
import { scriptedSimulator } from '../../../test/scripted-sim.js';

const serve = scriptedSimulator((s) => new OpenAI({ baseURL: s.openaiBaseUrl, apiKey: 'sk-test-secret-value', maxRetries: 0 }));

const SHELL_TOOL = {
  type: 'function' as const,
  name: 'exec_command',
  description: 'Run a shell command',
  strict: false,
  parameters: { type: 'object', properties: { cmd: { type: 'string' } }, required: ['cmd'] },
};

const TOOL_REPLY: SimReply = {
  kind: 'message',
  text: 'Checking.',
  toolCalls: [
    { name: 'exec_command', arguments: { cmd: 'cat missing.txt', note: 'an argument string long enough to be split' } },
    { name: 'exec_command', arguments: { cmd: 'ls' } },
  ],
};

describe('OpenAI Responses front end', () => {
  it('answers plain text with usage, and reads instructions, developer messages and the input string', async () => {
    const { client, policy } = await serve([{ kind: 'message', text: 'Hello from the sim.', usage: { input: 11, output: 4, cacheRead: 3 } }]);
    const { data, response } = await client.responses
      .create({ model: 'gpt-sim', instructions: 'Be brief.', input: 'Hi', max_output_tokens: 50, temperature: 0.2 })
      .withResponse();
    expect(response.headers.get('x-skvm-simulator')).toBe('scripted');
    expect(response.headers.get('x-request-id')).toBe('req_sim_0');
    expect(data.object).toBe('response');
    expect(data.status).toBe('completed');
    expect(data.output_text).toBe('Hello from the sim.');
    expect(data.usage).toEqual({
      input_tokens: 14,
      input_tokens_details: { cached_tokens: 3 },
      output_tokens: 4,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 18,
    });
    const seen = policy.requests()[0]!;
    expect(seen.api).toBe('openai-responses');
    expect(seen.system).toBe('Be brief.');
    expect(seen.messages).toEqual([{ role: 'user', content: 'Hi' }]);
    expect(seen.maxTokens).toBe(50);
    expect(seen.temperature).toBe(0.2);
    expect(JSON.stringify(seen.headers)).not.toContain('sk-test-secret-value');
  });

  it('returns function_call items and links function_call_output back to the call, grouping one assistant turn', async () => {
    const { client, policy } = await serve([TOOL_REPLY, { kind: 'message', text: 'Done.' }]);
    const first = await client.responses.create({
      model: 'gpt-sim',
      input: [
        { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'dev rules' }] },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Look around' }] },
      ],
      tools: [SHELL_TOOL, { type: 'web_search' }],
      tool_choice: { type: 'function', name: 'exec_command' },
    });
    const calls = first.output.filter((i) => i.type === 'function_call');
    expect(first.output.map((i) => i.type)).toEqual(['message', 'function_call', 'function_call']);
    expect(calls[0]!.call_id).toMatch(/^call_/);
    expect(calls[0]!.name).toBe('exec_command');
    expect(JSON.parse(calls[0]!.arguments)).toEqual(TOOL_REPLY.kind === 'message' ? TOOL_REPLY.toolCalls![0]!.arguments : {});

    await client.responses.create({
      model: 'gpt-sim',
      input: [
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Look around' }] },
        ...first.output.map((item) => item as OpenAI.Responses.ResponseInputItem),
        { type: 'function_call_output', call_id: calls[0]!.call_id, output: 'cat: missing.txt: No such file' },
        { type: 'function_call_output', call_id: calls[1]!.call_id, output: 'a.txt' },
        { type: 'reasoning', id: 'rs_1', summary: [] },
      ],
      tools: [SHELL_TOOL],
    });
    const [req1, req2] = policy.requests();
    expect(req1!.system).toBe('dev rules');
    // Built-in tools (web_search) are not function tools the policy can call.
    expect(req1!.tools).toEqual([{ name: 'exec_command', description: 'Run a shell command', inputSchema: SHELL_TOOL.parameters }]);
    expect(req1!.toolChoice).toEqual({ name: 'exec_command' });
    expect(req2!.messages).toEqual([
      { role: 'user', content: 'Look around' },
      {
        role: 'assistant',
        content: 'Checking.',
        toolCalls: [
          { id: calls[0]!.call_id, name: 'exec_command', arguments: { cmd: 'cat missing.txt', note: 'an argument string long enough to be split' } },
          { id: calls[1]!.call_id, name: 'exec_command', arguments: { cmd: 'ls' } },
        ],
      },
      { role: 'tool', toolCallId: calls[0]!.call_id, toolName: 'exec_command', content: 'cat: missing.txt: No such file' },
      { role: 'tool', toolCallId: calls[1]!.call_id, toolName: 'exec_command', content: 'a.txt' },
    ]);
  });

  it('streams the event sequence the SDK accumulates into the same response as the plain call', async () => {
    const { client, policy } = await serve([TOOL_REPLY, TOOL_REPLY]);
    const plain = await client.responses.create({ model: 'gpt-sim', input: 'Look around', tools: [SHELL_TOOL] });
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    const stream = client.responses.stream({ model: 'gpt-sim', input: 'Look around', tools: [SHELL_TOOL] });
    for await (const event of stream) events.push(event);
    const streamed = await stream.finalResponse();
    expect(policy.requests()[1]!.stream).toBe(true);

    const types = events.map((e) => e.type);
    expect(types[0]).toBe('response.created');
    expect(types.at(-1)).toBe('response.completed');
    expect(types.filter((t) => t === 'response.output_text.delta').length).toBeGreaterThan(1);
    expect(types.filter((t) => t === 'response.function_call_arguments.delta').length).toBeGreaterThan(2);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    // Apart from per-request ids (seq) and the creation second (the two calls may straddle one), the completed event carries the plain response (the SDK adds output_text to both).
    const comparable = (r: unknown) =>
      JSON.parse(JSON.stringify(r).replace(/(resp_sim_|msg_sim_|fc_sim_|call_sim_)\d+/g, '$1N').replace(/"created_at":\d+/g, '"created_at":0')) as Record<string, unknown>;
    const completed = events.at(-1) as OpenAI.Responses.ResponseCompletedEvent;
    expect({ ...comparable(completed.response), output_text: undefined }).toEqual({ ...comparable(plain), output_text: undefined });
    expect(streamed.output_text).toBe('Checking.');
    expect(streamed.output.filter((i) => i.type === 'function_call').map((c) => c.arguments)).toEqual(
      plain.output.filter((i) => i.type === 'function_call').map((c) => c.arguments),
    );
  });

  it('reports a max_tokens stop as an incomplete response', async () => {
    const { client } = await serve([{ kind: 'message', text: 'cut', stopReason: 'max_tokens' }]);
    const r = await client.responses.create({ model: 'gpt-sim', input: 'Hi' });
    expect(r.status).toBe('incomplete');
    expect(r.incomplete_details).toEqual({ reason: 'max_output_tokens' });
  });

  it('rejects a malformed request with a 400 in OpenAI error shape naming the field', async () => {
    const { client } = await serve([{ kind: 'message', text: 'never' }]);
    const bad = client.responses.create({
      model: 'gpt-sim',
      input: [{ type: 'function_call', call_id: 'c1', name: 'exec_command', arguments: '{not json' }],
    });
    await expect(bad).rejects.toMatchObject({ status: 400, error: { type: 'invalid_request_error', message: expect.stringContaining('$.input[0].arguments') } });
  });

  it('acts out a rate-limit fault as a 429', async () => {
    const { client } = await serve([{ kind: 'fault', fault: { type: 'rate_limit', retryAfterSeconds: 1 } }]);
    await expect(client.responses.create({ model: 'gpt-sim', input: 'Hi' })).rejects.toMatchObject({ status: 429 });
  });
});
