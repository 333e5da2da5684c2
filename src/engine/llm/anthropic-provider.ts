import type { Route } from '../config/schema.js';
import { LlmError } from './errors.js';
import {
  DEFAULT_MAX_TOKENS,
  nonNegative,
  parseToolArguments,
  settleStopReason,
  type ProviderCall,
  type ProviderResult,
  type RouteProvider,
} from './provider.js';
import type { ChatMessage, StopReason, TokenUsage, ToolCall, ToolChoice } from './types.js';
import { httpFetch } from './http-fetch.js';

/**
 * Route kind `anthropic`: the `@anthropic-ai/sdk` messages API. Tool results travel as
 * `tool_result` blocks inside user turns; consecutive user-side content is merged into one turn
 * because the API expects user/assistant alternation.
 */

type Json = Record<string, unknown>;
type Block = Json;
interface WireMessage {
  role: 'user' | 'assistant';
  content: string | Block[];
}

export async function createAnthropicProvider(route: Route, apiKey: string): Promise<RouteProvider> {
  const { default: Anthropic } = await import('@anthropic-ai/sdk');
  const headers: Record<string, string | null> = {};
  // Auth-free gateway (apiKey ""): a placeholder satisfies the SDK and the header is removed.
  if (apiKey === '') headers['Authorization'] = null;
  const client = new Anthropic({
    apiKey: apiKey === '' ? 'auth-free' : apiKey,
    ...(route.baseUrl ? { baseURL: route.baseUrl } : {}),
    maxRetries: 0,
    defaultHeaders: headers,
    // The SDK logs to console (stdout = the MCP channel) and may emit tracing spans; we do our own.
    logLevel: 'off',
    openTelemetry: false,
    fetch: httpFetch,
  });

  return {
    async send(call: ProviderCall): Promise<ProviderResult> {
      const body = buildAnthropicBody(call);
      const reqOpts = { signal: call.signal, timeout: call.timeoutMs, maxRetries: 0 };
      const ctx = { route: call.route.match, model: call.request.model };
      if (!call.request.stream) {
        const message = (await client.messages.create(body as never, reqOpts)) as unknown;
        return parseMessage(message, ctx);
      }
      const stream = (await client.messages.create({ ...body, stream: true } as never, reqOpts)) as unknown as AsyncIterable<Json>;
      return assembleAnthropicStream(stream, ctx, call.request.onTextDelta);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// neutral → Anthropic

export function buildAnthropicBody(call: ProviderCall): Json {
  const req = call.request;
  const body: Json = {
    model: call.backendModel,
    max_tokens: req.maxTokens ?? DEFAULT_MAX_TOKENS,
    messages: toAnthropicMessages(req.messages),
  };
  if (req.system) body.system = req.system;
  if (req.temperature !== undefined) body.temperature = req.temperature;
  if (req.stop && req.stop.length > 0) body.stop_sequences = req.stop;
  if (req.tools && req.tools.length > 0) {
    body.tools = req.tools.map((t) => ({ name: t.name, description: t.description, input_schema: t.inputSchema }));
  }
  if (req.toolChoice !== undefined) body.tool_choice = toAnthropicToolChoice(req.toolChoice);
  return body;
}

export function toAnthropicToolChoice(choice: ToolChoice): Json {
  if (choice === 'auto') return { type: 'auto' };
  if (choice === 'required') return { type: 'any' };
  if (choice === 'none') return { type: 'none' };
  return { type: 'tool', name: choice.name };
}

export function toAnthropicMessages(messages: readonly ChatMessage[]): WireMessage[] {
  const out: WireMessage[] = [];
  const pushUserBlocks = (blocks: Block[]) => {
    const last = out[out.length - 1];
    if (last && last.role === 'user') {
      const prev: Block[] = typeof last.content === 'string' ? [{ type: 'text', text: last.content }] : last.content;
      last.content = [...prev, ...blocks];
    } else out.push({ role: 'user', content: blocks });
  };
  for (const m of messages) {
    if (m.role === 'tool') {
      const block: Block = { type: 'tool_result', tool_use_id: m.toolCallId, content: m.content };
      if (m.isError) block.is_error = true;
      pushUserBlocks([block]);
    } else if (m.role === 'user') {
      const last = out[out.length - 1];
      if (last && last.role === 'user') pushUserBlocks([{ type: 'text', text: m.content }]);
      else out.push({ role: 'user', content: m.content });
    } else {
      const calls = m.toolCalls ?? [];
      if (calls.length === 0) {
        out.push({ role: 'assistant', content: m.content });
        continue;
      }
      const blocks: Block[] = [];
      if (m.content) blocks.push({ type: 'text', text: m.content });
      for (const c of calls) blocks.push({ type: 'tool_use', id: c.id, name: c.name, input: c.arguments });
      out.push({ role: 'assistant', content: blocks });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Anthropic → neutral

interface Ctx {
  route: string;
  model: string;
}

export function mapAnthropicStop(reason: unknown): StopReason {
  if (reason === 'tool_use') return 'tool_use';
  if (reason === 'max_tokens') return 'max_tokens';
  if (reason === 'stop_sequence') return 'stop_sequence';
  return 'end_turn';
}

export function mapAnthropicUsage(u: unknown): TokenUsage {
  const usage = (u && typeof u === 'object' ? u : {}) as Json;
  return {
    input: nonNegative(usage.input_tokens),
    output: nonNegative(usage.output_tokens),
    cacheRead: nonNegative(usage.cache_read_input_tokens),
    cacheWrite: nonNegative(usage.cache_creation_input_tokens),
  };
}

function malformed(ctx: Ctx, what: string): LlmError {
  return new LlmError({ kind: 'transient', route: ctx.route, model: ctx.model, message: `Route "${ctx.route}" returned a malformed response for ${ctx.model}: ${what}.` });
}

export function parseMessage(message: unknown, ctx: Ctx): ProviderResult {
  if (!message || typeof message !== 'object' || !Array.isArray((message as Json).content)) throw malformed(ctx, 'no content array');
  const m = message as Json;
  let text = '';
  const toolCalls: ToolCall[] = [];
  for (const block of m.content as Block[]) {
    if (block.type === 'text' && typeof block.text === 'string') text += block.text;
    else if (block.type === 'tool_use') {
      const input = block.input;
      const name = String(block.name ?? '');
      const args =
        input && typeof input === 'object' && !Array.isArray(input)
          ? (input as Record<string, unknown>)
          : parseToolArguments(typeof input === 'string' ? input : JSON.stringify(input ?? {}), { ...ctx, toolName: name });
      toolCalls.push({ id: String(block.id ?? `toolu_${toolCalls.length}`), name, arguments: args });
    }
  }
  return { text, toolCalls, stopReason: settleStopReason(mapAnthropicStop(m.stop_reason), toolCalls), usage: mapAnthropicUsage(m.usage) };
}

/** Assembles the SSE event sequence (message_start … content blocks … message_delta). */
export async function assembleAnthropicStream(stream: AsyncIterable<Json>, ctx: Ctx, onTextDelta?: (d: string) => void): Promise<ProviderResult> {
  let usage: Json = {};
  let stop: unknown;
  let sawStart = false;
  let sawEnd = false;
  const blocks = new Map<number, { type: string; text: string; id: string; name: string; json: string; input?: unknown }>();
  for await (const ev of stream) {
    switch (ev.type) {
      case 'message_start': {
        sawStart = true;
        const msg = (ev.message ?? {}) as Json;
        usage = { ...((msg.usage as Json | undefined) ?? {}) };
        break;
      }
      case 'content_block_start': {
        const b = (ev.content_block ?? {}) as Json;
        blocks.set(Number(ev.index), {
          type: String(b.type),
          text: typeof b.text === 'string' ? b.text : '',
          id: String(b.id ?? ''),
          name: String(b.name ?? ''),
          json: '',
          input: b.input,
        });
        if (b.type === 'text' && typeof b.text === 'string' && b.text) onTextDelta?.(b.text);
        break;
      }
      case 'content_block_delta': {
        const slot = blocks.get(Number(ev.index));
        const d = (ev.delta ?? {}) as Json;
        if (!slot) break;
        if (d.type === 'text_delta' && typeof d.text === 'string') {
          slot.text += d.text;
          onTextDelta?.(d.text);
        } else if (d.type === 'input_json_delta' && typeof d.partial_json === 'string') slot.json += d.partial_json;
        break;
      }
      case 'message_delta': {
        const d = (ev.delta ?? {}) as Json;
        if (d.stop_reason) stop = d.stop_reason;
        // message_delta usage is cumulative; non-null fields supersede message_start's.
        for (const [k, v] of Object.entries((ev.usage as Json | undefined) ?? {})) if (v !== null && v !== undefined) usage[k] = v;
        break;
      }
      case 'message_stop':
        sawEnd = true;
        break;
      case 'error': {
        const e = (ev.error ?? {}) as Json;
        throw new LlmError({ kind: 'transient', route: ctx.route, model: ctx.model, message: `Stream error from route "${ctx.route}": ${String(e.message ?? e.type ?? 'unknown')}` });
      }
    }
  }
  if (!sawStart) throw malformed(ctx, 'the event stream had no message_start');
  // A stream cut off mid-way must not pass for a complete (shorter) answer.
  if (!sawEnd) throw malformed(ctx, 'the event stream ended before message_stop');
  let text = '';
  const toolCalls: ToolCall[] = [];
  for (const [, b] of [...blocks.entries()].sort(([a], [c]) => a - c)) {
    if (b.type === 'text') text += b.text;
    else if (b.type === 'tool_use') {
      const preset = b.input && typeof b.input === 'object' && !Array.isArray(b.input) && Object.keys(b.input).length > 0 ? (b.input as Record<string, unknown>) : undefined;
      const args = b.json !== '' || !preset ? parseToolArguments(b.json, { ...ctx, toolName: b.name }) : preset;
      toolCalls.push({ id: b.id || `toolu_${toolCalls.length}`, name: b.name, arguments: args });
    }
  }
  return { text, toolCalls, stopReason: settleStopReason(mapAnthropicStop(stop), toolCalls), usage: mapAnthropicUsage(usage) };
}
