import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import type { SimReply } from './policy.js';
import { scriptedSimulator } from '../../../test/scripted-sim.js';

const serve = scriptedSimulator((s) => new Anthropic({ baseURL: s.anthropicBaseUrl, apiKey: 'sk-ant-test-secret', maxRetries: 0 }));

/**
 * Per-request ids derive from the seq, so streamed and plain replies differ there; the SDK's
 * stream helper also adds `parsed_output: null`. Everything else must match exactly.
 */
function comparable(message: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(message).replace(/(toolu_sim_|msg_sim_)\d+/g, '$1N')) as Record<string, unknown>;
  delete copy.parsed_output;
  return copy;
}

const SEARCH_TOOL: Anthropic.Tool = {
  name: 'search',
  description: 'Search the docs',
  input_schema: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] },
};

const TOOL_REPLY: SimReply = {
  kind: 'message',
  text: 'Searching now.',
  toolCalls: [{ name: 'search', arguments: { query: 'streaming server-sent events', limit: 5, filters: { lang: 'en' } } }],
};

describe('Anthropic messages front end', () => {
  it('folds system messages inside the conversation into the system text, as Claude Code 2.1 sends them', async () => {
    const { client, policy } = await serve([{ kind: 'message', text: 'ok' }]);
    await client.messages.create({
      model: 'claude-sim',
      max_tokens: 64,
      system: 'Top rules.',
      // Not in this SDK's types; Claude Code sends it under a beta header.
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'say hi' }] },
        { role: 'system', content: [{ type: 'text', text: '# Environment\ncwd: /p' }] },
      ] as unknown as Anthropic.MessageParam[],
    });
    const seen = policy.requests()[0]!;
    expect(seen.system).toBe('Top rules.\n\n# Environment\ncwd: /p');
    expect(seen.messages).toEqual([{ role: 'user', content: 'say hi' }]);
  });

  it('answers plain text and parses system, max_tokens and temperature', async () => {
    const { client, policy } = await serve([{ kind: 'message', text: 'Hello from the sim.' }]);
    const { data, response } = await client.messages
      .create({
        model: 'claude-sim',
        max_tokens: 64,
        // This SDK version no longer types `temperature`; older clients and other SDKs still send it.
        ...({ temperature: 0.5 } as object),
        system: [{ type: 'text', text: 'Rule one.' }, { type: 'text', text: 'Rule two.' }],
        messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi there' }] }],
      })
      .withResponse();
    expect(response.headers.get('x-skvm-simulator')).toBe('scripted');
    expect(response.headers.get('request-id')).toBe('req_sim_0');
    expect(data.type).toBe('message');
    expect(data.model).toBe('claude-sim');
    expect(data.content).toEqual([{ type: 'text', text: 'Hello from the sim.' }]);
    expect(data.stop_reason).toBe('end_turn');

    const seen = policy.requests()[0]!;
    expect(seen.api).toBe('anthropic');
    expect(seen.system).toBe('Rule one.\n\nRule two.');
    expect(seen.messages).toEqual([{ role: 'user', content: 'Hi there' }]);
    expect(seen.maxTokens).toBe(64);
    expect(seen.temperature).toBe(0.5);
    expect(seen.headers['x-api-key']).toBeUndefined();
    expect(JSON.stringify(seen.headers)).not.toContain('sk-ant-test-secret');
    expect(seen.headers['anthropic-version']).toBeDefined();
  });

  it('returns tool_use and links the follow-up tool_result to the call id', async () => {
    const { client, policy } = await serve([TOOL_REPLY, { kind: 'message', text: 'Found it.' }]);
    const first = await client.messages.create({
      model: 'claude-sim',
      max_tokens: 256,
      messages: [{ role: 'user', content: 'Find docs' }],
      tools: [SEARCH_TOOL],
      tool_choice: { type: 'any' },
    });
    expect(first.stop_reason).toBe('tool_use');
    const toolUse = first.content.find((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use')!;
    expect(toolUse.id).toMatch(/^toolu_/);
    expect(toolUse.input).toEqual({ query: 'streaming server-sent events', limit: 5, filters: { lang: 'en' } });

    const second = await client.messages.create({
      model: 'claude-sim',
      max_tokens: 256,
      system: 'sys',
      messages: [
        { role: 'user', content: 'Find docs' },
        { role: 'assistant', content: first.content },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: toolUse.id, content: [{ type: 'text', text: 'doc A' }], is_error: true },
            { type: 'text', text: 'Summarise please' },
          ],
        },
      ],
      tools: [SEARCH_TOOL],
      tool_choice: { type: 'tool', name: 'search' },
    });
    expect(second.content).toEqual([{ type: 'text', text: 'Found it.' }]);

    const [req1, req2] = policy.requests();
    expect(req1!.tools).toEqual([{ name: 'search', description: 'Search the docs', inputSchema: SEARCH_TOOL.input_schema }]);
    expect(req1!.toolChoice).toBe('required');
    expect(req2!.toolChoice).toEqual({ name: 'search' });
    expect(req2!.system).toBe('sys');
    expect(req2!.messages).toEqual([
      { role: 'user', content: 'Find docs' },
      { role: 'assistant', content: 'Searching now.', toolCalls: [{ id: toolUse.id, name: 'search', arguments: toolUse.input }] },
      { role: 'tool', toolCallId: toolUse.id, toolName: 'search', content: 'doc A', isError: true },
      { role: 'user', content: 'Summarise please' },
    ]);
  });

  it('streams text equal to the non-streamed reply (create iteration and messages.stream)', async () => {
    const reply: SimReply = { kind: 'message', text: 'Streaming works across several text deltas.', usage: { cacheRead: 30, cacheWrite: 12 } };
    const { client } = await serve([reply], { whenExhausted: 'repeat-last' });
    const params = { model: 'claude-sim', max_tokens: 100, messages: [{ role: 'user' as const, content: 'go' }] };
    const plain = await client.messages.create(params);

    const stream = await client.messages.create({ ...params, stream: true });
    const types: string[] = [];
    let text = '';
    let stop: string | null = null;
    let outputTokens = 0;
    let startUsage: Anthropic.Usage | undefined;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'message_start') startUsage = event.message.usage;
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
      if (event.type === 'message_delta') {
        stop = event.delta.stop_reason;
        outputTokens = event.usage.output_tokens;
      }
    }
    expect(types[0]).toBe('message_start');
    expect(types.at(-1)).toBe('message_stop');
    expect(types.filter((t) => t === 'content_block_delta').length).toBeGreaterThan(1);
    expect(types).toContain('content_block_start');
    expect(types).toContain('content_block_stop');
    expect(text).toBe('Streaming works across several text deltas.');
    expect(stop).toBe('end_turn');
    expect(outputTokens).toBe(plain.usage.output_tokens);
    expect(startUsage?.input_tokens).toBe(plain.usage.input_tokens);
    expect(startUsage?.cache_read_input_tokens).toBe(30);

    const final = await client.messages.stream(params).finalMessage();
    expect(comparable(final)).toEqual(comparable(plain));
  });

  it('streams tool_use with input_json_delta pieces equal to the non-streamed reply', async () => {
    const { client } = await serve([TOOL_REPLY], { whenExhausted: 'repeat-last' });
    const params = { model: 'claude-sim', max_tokens: 100, messages: [{ role: 'user' as const, content: 'go' }], tools: [SEARCH_TOOL] };
    const plain = await client.messages.create(params);

    const stream = await client.messages.create({ ...params, stream: true });
    const pieces: string[] = [];
    for await (const event of stream) {
      if (event.type === 'content_block_delta' && event.delta.type === 'input_json_delta') pieces.push(event.delta.partial_json);
    }
    expect(pieces.length).toBeGreaterThan(1);
    const toolUse = plain.content.find((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use')!;
    expect(JSON.parse(pieces.join(''))).toEqual(toolUse.input);

    const final = await client.messages.stream(params).finalMessage();
    expect(comparable(final)).toEqual(comparable(plain));
    expect(final.stop_reason).toBe('tool_use');
  });

  it('reports usage with cache read and creation tokens', async () => {
    const { client } = await serve([
      { kind: 'message', text: 'cached', usage: { input: 10, output: 3, cacheRead: 200, cacheWrite: 50 } },
      { kind: 'message', text: '12345678' },
    ]);
    const a = await client.messages.create({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] });
    expect(a.usage).toMatchObject({ input_tokens: 10, output_tokens: 3, cache_read_input_tokens: 200, cache_creation_input_tokens: 50 });
    const b = await client.messages.create({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'y'.repeat(400) }] });
    expect(b.usage.output_tokens).toBe(2);
    expect(b.usage.input_tokens).toBeGreaterThanOrEqual(100);
    expect(b.usage.cache_read_input_tokens).toBe(0);
  });

  it('counts tokens without calling the policy', async () => {
    const { client, policy } = await serve([]);
    const count = await client.messages.countTokens({ model: 'm', messages: [{ role: 'user', content: 'z'.repeat(400) }] });
    expect(count.input_tokens).toBeGreaterThanOrEqual(100);
    expect(policy.requests()).toHaveLength(0);
  });

  it('rejects a request without max_tokens or with a bad block, naming the field', async () => {
    const { client } = await serve([]);
    const err = await client.messages
      .create({ model: 'm', messages: [{ role: 'user', content: 'x' }] } as unknown as Anthropic.MessageCreateParamsNonStreaming)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect((err as Error).message).toContain('$.max_tokens');
    const err2 = await client.messages
      .create({
        model: 'm',
        max_tokens: 5,
        messages: [{ role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'f' } as unknown as Anthropic.ToolUseBlockParam] }],
      })
      .catch((e: unknown) => e);
    expect(err2).toBeInstanceOf(Anthropic.BadRequestError);
    expect((err2 as Error).message).toContain('$.messages[0].content[0].input');
  });
});
