import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import type { SimReply, SimRequest } from './policy.js';
import { scriptedSimulator } from '../../../test/scripted-sim.js';

const serve = scriptedSimulator((s) => new OpenAI({ baseURL: s.openaiBaseUrl, apiKey: 'sk-test-secret-value', maxRetries: 0 }));

/**
 * Streamed and plain replies come from different requests, so per-request ids differ by seq;
 * the SDK's stream helper also adds `parsed: null`. Everything else must match exactly.
 */
function comparable(completion: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(completion).replace(/(call_sim_|chatcmpl-sim-)\d+/g, '$1N')) as {
    created: number;
    choices: Array<{ message: { parsed?: unknown } }>;
  };
  copy.created = 0;
  for (const c of copy.choices) delete c.message.parsed;
  return copy;
}

const WEATHER_TOOL = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

const TOOL_REPLY: SimReply = {
  kind: 'message',
  text: 'Let me check.',
  toolCalls: [
    { name: 'get_weather', arguments: { city: 'Paris', units: 'metric', note: 'a long enough argument string to split' } },
    { name: 'get_weather', arguments: { city: 'Oslo' } },
  ],
};

describe('OpenAI chat completions front end', () => {
  it('answers plain text and labels itself as the simulator', async () => {
    const { client, policy } = await serve([{ kind: 'message', text: 'Hello from the sim.' }]);
    const { data, response } = await client.chat.completions
      .create({
        model: 'gpt-sim',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Hi' },
        ],
        max_tokens: 50,
        temperature: 0.2,
      })
      .withResponse();
    expect(response.headers.get('x-skvm-simulator')).toBe('scripted');
    expect(data.system_fingerprint).toBe('skvm-simulator');
    expect(data.object).toBe('chat.completion');
    expect(data.model).toBe('gpt-sim');
    expect(data.choices[0]?.message.content).toBe('Hello from the sim.');
    expect(data.choices[0]?.finish_reason).toBe('stop');

    const seen = policy.requests()[0]!;
    expect(seen.api).toBe('openai');
    expect(seen.seq).toBe(0);
    expect(seen.system).toBe('Be brief.');
    expect(seen.messages).toEqual([{ role: 'user', content: 'Hi' }]);
    expect(seen.maxTokens).toBe(50);
    expect(seen.temperature).toBe(0.2);
    expect(seen.stream).toBe(false);
    expect(seen.headers['authorization']).toBeUndefined();
    expect(JSON.stringify(seen.headers)).not.toContain('sk-test-secret-value');
    expect(seen.headers['content-type']).toContain('application/json');
  });

  it('returns tool calls and links the follow-up tool result to the call id', async () => {
    const { client, policy } = await serve([TOOL_REPLY, { kind: 'message', text: 'Sunny in Paris.' }]);
    const first = await client.chat.completions.create({
      model: 'gpt-sim',
      messages: [{ role: 'user', content: 'Weather?' }],
      tools: [WEATHER_TOOL],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    });
    const choice = first.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    const calls = choice.message.tool_calls ?? [];
    expect(calls).toHaveLength(2);
    const call = calls[0]!;
    if (call.type !== 'function') throw new Error('expected a function tool call');
    expect(call.id).toMatch(/^call_/);
    expect(JSON.parse(call.function.arguments)).toEqual(TOOL_REPLY.kind === 'message' ? TOOL_REPLY.toolCalls![0]!.arguments : {});

    const second = await client.chat.completions.create({
      model: 'gpt-sim',
      messages: [
        { role: 'user', content: 'Weather?' },
        choice.message,
        { role: 'tool', tool_call_id: call.id, content: '21C sunny' },
        { role: 'tool', tool_call_id: calls[1]!.id, content: '3C snow' },
      ],
      tools: [WEATHER_TOOL],
    });
    expect(second.choices[0]?.message.content).toBe('Sunny in Paris.');

    const [req1, req2] = policy.requests() as SimRequest[];
    expect(req1!.tools).toEqual([{ name: 'get_weather', description: 'Weather for a city', inputSchema: WEATHER_TOOL.function.parameters }]);
    expect(req1!.toolChoice).toEqual({ name: 'get_weather' });
    expect(req2!.seq).toBe(1);
    expect(req2!.messages).toEqual([
      { role: 'user', content: 'Weather?' },
      {
        role: 'assistant',
        content: 'Let me check.',
        toolCalls: [
          { id: call.id, name: 'get_weather', arguments: { city: 'Paris', units: 'metric', note: 'a long enough argument string to split' } },
          { id: calls[1]!.id, name: 'get_weather', arguments: { city: 'Oslo' } },
        ],
      },
      { role: 'tool', toolCallId: call.id, toolName: 'get_weather', content: '21C sunny' },
      { role: 'tool', toolCallId: calls[1]!.id, toolName: 'get_weather', content: '3C snow' },
    ]);
  });

  it('maps tool_choice strings and max_completion_tokens', async () => {
    const { client, policy } = await serve([{ kind: 'message', text: 'a' }, { kind: 'message', text: 'b' }]);
    await client.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
      tools: [WEATHER_TOOL],
      tool_choice: 'required',
      max_completion_tokens: 7,
    });
    await client.chat.completions.create({
      model: 'm',
      messages: [
        { role: 'developer', content: 'dev rules' },
        { role: 'user', content: [{ type: 'text', text: 'parts' }] },
      ],
      tool_choice: 'none',
    });
    const [a, b] = policy.requests();
    expect(a!.toolChoice).toBe('required');
    expect(a!.maxTokens).toBe(7);
    expect(b!.toolChoice).toBe('none');
    expect(b!.system).toBe('dev rules');
    expect(b!.messages).toEqual([{ role: 'user', content: 'parts' }]);
  });

  it('streams text that equals the non-streamed reply', async () => {
    const reply: SimReply = { kind: 'message', text: 'The quick brown fox jumps over the lazy dog.' };
    const { client } = await serve([reply, reply, reply], { whenExhausted: 'repeat-last' });
    const params = { model: 'gpt-sim', messages: [{ role: 'user' as const, content: 'Tell me' }] };
    const plain = await client.chat.completions.create(params);

    const stream = await client.chat.completions.create({ ...params, stream: true, stream_options: { include_usage: true } });
    let text = '';
    let contentChunks = 0;
    let finish: string | null = null;
    let usage: unknown;
    for await (const chunk of stream) {
      expect(chunk.object).toBe('chat.completion.chunk');
      const delta = chunk.choices[0]?.delta;
      if (delta?.content) {
        text += delta.content;
        contentChunks++;
      }
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(contentChunks).toBeGreaterThan(1);
    expect(text).toBe(plain.choices[0]?.message.content);
    expect(finish).toBe('stop');
    expect(usage).toEqual(plain.usage);

    const helper = client.chat.completions.stream({ ...params, stream_options: { include_usage: true } });
    const final = await helper.finalChatCompletion();
    expect(comparable(final)).toEqual(comparable(plain));
  });

  it('streams tool calls with arguments split across chunks, equal to the non-streamed reply', async () => {
    const { client } = await serve([TOOL_REPLY], { whenExhausted: 'repeat-last' });
    const params = { model: 'gpt-sim', messages: [{ role: 'user' as const, content: 'Weather?' }], tools: [WEATHER_TOOL] };
    const plain = await client.chat.completions.create(params);

    const stream = await client.chat.completions.create({ ...params, stream: true });
    const args = new Map<number, string[]>();
    const ids = new Map<number, string>();
    let finish: string | null = null;
    let sawUsage = false;
    for await (const chunk of stream) {
      if (chunk.usage) sawUsage = true;
      for (const tc of chunk.choices[0]?.delta.tool_calls ?? []) {
        if (tc.id) ids.set(tc.index, tc.id);
        if (tc.function?.arguments) args.set(tc.index, [...(args.get(tc.index) ?? []), tc.function.arguments]);
      }
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(sawUsage).toBe(false); // usage only when stream_options.include_usage asks
    expect(finish).toBe('tool_calls');
    const plainCalls = plain.choices[0]!.message.tool_calls!;
    expect(args.get(0)!.length).toBeGreaterThan(1);
    plainCalls.forEach((c, i) => {
      if (c.type !== 'function') throw new Error('expected function call');
      expect(ids.get(i)).toMatch(/^call_/);
      expect(args.get(i)!.join('')).toBe(c.function.arguments);
    });

    const final = await client.chat.completions.stream({ ...params, stream_options: { include_usage: true } }).finalChatCompletion();
    expect(comparable(final)).toEqual(comparable(plain));
  });

  it('reports usage with cache tokens and cost, and estimates usage by default', async () => {
    const { client } = await serve([
      { kind: 'message', text: 'cached', usage: { input: 100, output: 20, cacheRead: 400 }, costUsd: 0.0123 },
      { kind: 'message', text: '12345678' },
    ]);
    const a = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
    expect(a.usage).toMatchObject({ prompt_tokens: 500, completion_tokens: 20, total_tokens: 520, prompt_tokens_details: { cached_tokens: 400 } });
    expect((a.usage as unknown as { cost: number }).cost).toBe(0.0123);

    const b = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'y'.repeat(400) }] });
    expect(b.usage?.completion_tokens).toBe(2); // 8 chars / 4
    expect(b.usage?.prompt_tokens).toBeGreaterThanOrEqual(100);
    expect(b.usage?.prompt_tokens_details?.cached_tokens).toBe(0);
    expect((b.usage as unknown as { cost?: number }).cost).toBeUndefined();
  });

  it('honours explicit stop reasons', async () => {
    const { client } = await serve([{ kind: 'message', text: 'trunc', stopReason: 'max_tokens' }]);
    const r = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
    expect(r.choices[0]?.finish_reason).toBe('length');
  });

  it('rejects invalid requests with a 400 naming the field', async () => {
    const { client } = await serve([]);
    const err = await client.chat.completions
      .create({
        model: 'm',
        messages: [{ role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{bad' } }] }],
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as Error).message).toContain('$.messages[0].tool_calls[0].function.arguments');

    const err2 = await client.chat.completions.create({ model: 'm', messages: [] }).catch((e: unknown) => e);
    expect(err2).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err2 as Error).message).toContain('$.messages');
  });
});
