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
import type { ChatMessage, ChatRequest, StopReason, TokenUsage, ToolCall, ToolChoice } from './types.js';
import { httpFetch } from './http-fetch.js';

/**
 * Route kinds `openai-compatible` and `openrouter`: the `openai` SDK's chat completions, with
 * the neutral contract mapped both ways. Wire objects are handled as plain JSON because vendors
 * add fields the SDK types do not know (reasoning_content, usage.cost).
 */

export const OPENROUTER_BASE_URL = 'https://openrouter.ai/api/v1';
/** Sent to OpenRouter for its app attribution. */
const OPENROUTER_HEADERS = { 'HTTP-Referer': 'https://github.com/skvm-mcp', 'X-Title': 'skvm-mcp' };

type Json = Record<string, unknown>;

export async function createOpenAiProvider(route: Route, apiKey: string): Promise<RouteProvider> {
  const { default: OpenAI } = await import('openai');
  const isOpenRouter = route.kind === 'openrouter';
  const baseURL = route.baseUrl ?? (isOpenRouter ? OPENROUTER_BASE_URL : undefined);
  if (!baseURL) {
    throw new LlmError({ kind: 'auth', route: route.match, model: route.match, message: `Route "${route.match}" (kind openai-compatible) has no baseUrl.`, hint: 'Add baseUrl (e.g. http://localhost:8000/v1) to the route.' });
  }
  const headers: Record<string, string | null> = isOpenRouter ? { ...OPENROUTER_HEADERS } : {};
  // An auth-free endpoint (apiKey ""): the SDK insists on a key, so give it a placeholder and drop the header.
  if (apiKey === '') headers['Authorization'] = null;
  const client = new OpenAI({
    apiKey: apiKey === '' ? 'auth-free' : apiKey,
    // Explicit nulls stop the SDK from reading OPENAI_* variables from the environment.
    adminAPIKey: null,
    organization: null,
    project: null,
    baseURL,
    maxRetries: 0,
    defaultHeaders: headers,
    // The SDK logs to console (stdout = the MCP channel); our own logger reports calls.
    logLevel: 'off',
    fetch: httpFetch,
  });

  return {
    async send(call: ProviderCall): Promise<ProviderResult> {
      const body = buildBody(call, isOpenRouter);
      const reqOpts = { signal: call.signal, timeout: call.timeoutMs, maxRetries: 0 };
      const ctx = { route: call.route.match, model: call.request.model };
      if (!call.request.stream) {
        const completion = (await client.chat.completions.create(body as never, reqOpts)) as unknown;
        return parseCompletion(completion, ctx);
      }
      const stream = (await client.chat.completions.create({ ...body, stream: true, stream_options: { include_usage: true } } as never, reqOpts)) as unknown as AsyncIterable<Json>;
      return assembleStream(stream, ctx, call.request.onTextDelta);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// neutral → OpenAI

export function buildBody(call: ProviderCall, isOpenRouter: boolean): Json {
  const req = call.request;
  const body: Json = {
    model: call.backendModel,
    messages: toOpenAiMessages(req),
    max_tokens: req.maxTokens ?? DEFAULT_MAX_TOKENS,
    temperature: req.temperature ?? 0,
  };
  if (req.tools && req.tools.length > 0) {
    body.tools = req.tools.map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.inputSchema } }));
  }
  if (req.toolChoice !== undefined) body.tool_choice = toOpenAiToolChoice(req.toolChoice);
  if (req.stop && req.stop.length > 0) body.stop = req.stop;
  if (isOpenRouter) {
    body.usage = { include: true };
    if (!call.backendModel.toLowerCase().includes('minimax')) body.reasoning = { effort: 'none' };
  }
  return body;
}

export function toOpenAiToolChoice(choice: ToolChoice): unknown {
  return typeof choice === 'string' ? choice : { type: 'function', function: { name: choice.name } };
}

export function toOpenAiMessages(req: Pick<ChatRequest, 'system' | 'messages'>): Json[] {
  const out: Json[] = [];
  if (req.system) out.push({ role: 'system', content: req.system });
  for (const m of req.messages) out.push(toOpenAiMessage(m));
  return out;
}

function toOpenAiMessage(m: ChatMessage): Json {
  switch (m.role) {
    case 'user':
      return { role: 'user', content: m.content };
    case 'assistant': {
      const calls = m.toolCalls ?? [];
      if (calls.length === 0) return { role: 'assistant', content: m.content };
      const msg: Json = {
        role: 'assistant',
        content: m.content === '' ? null : m.content,
        tool_calls: calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: JSON.stringify(c.arguments) } })),
      };
      // Thinking-mode vendors (DeepSeek & co.) require their reasoning back on tool turns.
      if (m.reasoning) msg.reasoning_content = m.reasoning;
      return msg;
    }
    case 'tool':
      // OpenAI has no error flag on tool results; say it in the content so the model sees it.
      return { role: 'tool', tool_call_id: m.toolCallId, content: m.isError ? `Error: ${m.content}` : m.content };
  }
}

// ---------------------------------------------------------------------------------------------
// OpenAI → neutral

interface Ctx {
  route: string;
  model: string;
}

export function mapFinishReason(reason: unknown): StopReason {
  if (reason === 'tool_calls' || reason === 'function_call') return 'tool_use';
  if (reason === 'length') return 'max_tokens';
  return 'end_turn';
}

export function mapUsage(u: unknown): { usage: TokenUsage; cost?: number } {
  const usage = (u && typeof u === 'object' ? u : {}) as Json;
  const details = (usage.prompt_tokens_details ?? {}) as Json;
  const cached = nonNegative(details.cached_tokens);
  const prompt = nonNegative(usage.prompt_tokens);
  const cost = typeof usage.cost === 'number' && Number.isFinite(usage.cost) ? usage.cost : undefined;
  return {
    usage: { input: Math.max(0, prompt - cached), output: nonNegative(usage.completion_tokens), cacheRead: cached, cacheWrite: 0 },
    ...(cost !== undefined ? { cost } : {}),
  };
}

function malformed(ctx: Ctx, what: string): LlmError {
  return new LlmError({ kind: 'transient', route: ctx.route, model: ctx.model, message: `Route "${ctx.route}" returned a malformed response for ${ctx.model}: ${what}.` });
}

function reasoningOf(obj: Json): string | undefined {
  const r = obj.reasoning_content ?? obj.reasoning;
  return typeof r === 'string' && r !== '' ? r : undefined;
}

export function parseCompletion(completion: unknown, ctx: Ctx): ProviderResult {
  if (!completion || typeof completion !== 'object') throw malformed(ctx, 'body is not a JSON object');
  const c = completion as Json;
  const choice = Array.isArray(c.choices) ? (c.choices[0] as Json | undefined) : undefined;
  if (!choice || typeof choice !== 'object' || !choice.message || typeof choice.message !== 'object') throw malformed(ctx, 'no choices[0].message');
  const msg = choice.message as Json;
  const toolCalls: ToolCall[] = (Array.isArray(msg.tool_calls) ? (msg.tool_calls as Json[]) : []).map((tc, i) => {
    const fn = (tc.function ?? {}) as Json;
    const name = String(fn.name ?? '');
    const raw = typeof fn.arguments === 'string' ? fn.arguments : JSON.stringify(fn.arguments ?? {});
    return { id: typeof tc.id === 'string' && tc.id ? tc.id : `call_${i}`, name, arguments: parseToolArguments(raw, { ...ctx, toolName: name }) };
  });
  const { usage, cost } = mapUsage(c.usage);
  const reasoning = reasoningOf(msg);
  return {
    text: typeof msg.content === 'string' ? msg.content : '',
    toolCalls,
    stopReason: settleStopReason(mapFinishReason(choice.finish_reason), toolCalls),
    usage,
    ...(cost !== undefined ? { vendorCostUsd: cost } : {}),
    ...(reasoning ? { reasoning } : {}),
  };
}

/** Text and tool-call deltas assembled by index; usage arrives in the last chunk. */
export async function assembleStream(stream: AsyncIterable<Json>, ctx: Ctx, onTextDelta?: (d: string) => void): Promise<ProviderResult> {
  let text = '';
  let reasoning = '';
  let finish: unknown;
  let usageRaw: unknown;
  let chunks = 0;
  const calls = new Map<number, { id: string; name: string; args: string }>();
  for await (const chunk of stream) {
    chunks++;
    if (chunk.usage) usageRaw = chunk.usage;
    const choices = Array.isArray(chunk.choices) ? (chunk.choices as Json[]) : [];
    for (const choice of choices) {
      const delta = (choice.delta ?? {}) as Json;
      if (typeof delta.content === 'string' && delta.content) {
        text += delta.content;
        onTextDelta?.(delta.content);
      }
      const r = reasoningOf(delta);
      if (r) reasoning += r;
      for (const tc of Array.isArray(delta.tool_calls) ? (delta.tool_calls as Json[]) : []) {
        const index = typeof tc.index === 'number' ? tc.index : calls.size;
        const slot = calls.get(index) ?? { id: '', name: '', args: '' };
        const fn = (tc.function ?? {}) as Json;
        if (typeof tc.id === 'string' && tc.id) slot.id = tc.id;
        if (typeof fn.name === 'string' && fn.name) slot.name += fn.name;
        if (typeof fn.arguments === 'string') slot.args += fn.arguments;
        calls.set(index, slot);
      }
      if (choice.finish_reason) finish = choice.finish_reason;
    }
  }
  if (chunks === 0) throw malformed(ctx, 'the event stream was empty');
  // A stream cut off mid-way must not pass for a complete (shorter) answer.
  if (finish === undefined) throw malformed(ctx, 'the event stream ended before a finish_reason');
  const toolCalls: ToolCall[] = [...calls.entries()]
    .sort(([a], [b]) => a - b)
    .map(([i, s]) => ({ id: s.id || `call_${i}`, name: s.name, arguments: parseToolArguments(s.args, { ...ctx, toolName: s.name }) }));
  const { usage, cost } = mapUsage(usageRaw);
  return {
    text,
    toolCalls,
    stopReason: settleStopReason(mapFinishReason(finish), toolCalls),
    usage,
    ...(cost !== undefined ? { vendorCostUsd: cost } : {}),
    ...(reasoning ? { reasoning } : {}),
  };
}
