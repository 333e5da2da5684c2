/**
 * The one provider-neutral chat contract. Every route kind maps it losslessly to its native
 * wire format (OpenAI chat completions, Anthropic messages), so a multi-turn conversation with
 * tool calls and tool results survives any number of turns.
 */

export interface ToolSpec {
  name: string;
  description: string;
  /** JSON Schema of the arguments object. */
  inputSchema: Record<string, unknown>;
}

export interface ToolCall {
  id: string;
  name: string;
  arguments: Record<string, unknown>;
}

export type ChatMessage =
  | { role: 'user'; content: string }
  | {
      role: 'assistant';
      content: string;
      toolCalls?: ToolCall[];
      /** Reasoning text some OpenAI-compatible vendors return and want echoed back on tool turns. */
      reasoning?: string;
    }
  | { role: 'tool'; toolCallId: string; toolName?: string; content: string; isError?: boolean };

export type ToolChoice = 'auto' | 'required' | 'none' | { name: string };

export interface ChatRequest {
  /** Full model id `<provider>/<model-id>`; the route prefix is stripped before the vendor sees it. */
  model: string;
  system?: string;
  messages: ChatMessage[];
  tools?: ToolSpec[];
  toolChoice?: ToolChoice;
  maxTokens?: number;
  temperature?: number;
  stop?: string[];
  /** Use the vendor's streaming API (server-sent events). Results are identical either way. */
  stream?: boolean;
  /** Called with each text delta when streaming. */
  onTextDelta?: (delta: string) => void;
}

export type StopReason = 'end_turn' | 'tool_use' | 'max_tokens' | 'stop_sequence';

export interface TokenUsage {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

export interface ChatResponse {
  text: string;
  toolCalls: ToolCall[];
  stopReason: StopReason;
  usage: TokenUsage;
  /** USD; the vendor's own figure when it reports one, else from the price table; null when unknown. */
  costUsd: number | null;
  /** Whether costUsd came from the vendor, the price table, or nowhere. */
  costSource: 'vendor' | 'table' | 'unknown';
  durationMs: number;
  /** Attempts made, including the successful one (retries = attempts - 1). */
  attempts: number;
  model: string;
  route: string;
  reasoning?: string;
}

export interface CallOptions {
  signal?: AbortSignal;
  /** Overrides the route's per-request timeout. */
  timeoutMs?: number;
  /** Overrides the retry policy's attempt limit (e.g. 1 for a quick health check). */
  maxAttempts?: number;
}

/** Everything a caller needs from the LLM layer; implemented by LlmClient. */
export interface ChatProvider {
  chat(req: ChatRequest, opts?: CallOptions): Promise<ChatResponse>;
  /** Whether the model's route accepts a forced tool choice (config `supportsToolChoice`); default true. */
  supportsToolChoice?(model: string): boolean;
  /** Where a model is served and with which key: for harness CLIs that make their own calls (managed mode). */
  endpoint?(model: string): ModelEndpoint;
  /**
   * The route serving a model as a concurrency domain: a key shared by every model on that route
   * and its in-flight limit (`maxConcurrency`). Throws like `endpoint` when no route serves it.
   */
  routeLimit?(model: string): RouteLimit;
  /** This provider with one more listener, told each call's usage record (its attempts include those of a call cut off by its deadline). */
  withUsage?(onUsage: (rec: UsageRecord) => void): ChatProvider;
}

export interface RouteLimit {
  key: string;
  limit: number;
}

/** A model's route as an external harness needs it; `apiKey` is a secret (registered for redaction). */
export interface ModelEndpoint {
  kind: 'openrouter' | 'anthropic' | 'openai-compatible';
  /** The route's base URL, or the vendor's default (OpenRouter `/api/v1`, Anthropic API root). */
  baseUrl: string;
  /** `""` for an auth-free endpoint. */
  apiKey: string;
  /** The id the vendor receives (after the provider prefix). */
  backendModel: string;
  /** The route's `match`, for messages. */
  route: string;
}

/** One usage record per call; runs and the profiler sum these. */
export interface UsageRecord {
  model: string;
  route: string;
  usage: TokenUsage;
  costUsd: number | null;
  durationMs: number;
  attempts: number;
  ok: boolean;
}

/** `inner` with its `chat` replaced and its route capabilities passed through: for wrappers that watch or count calls. */
export function withChat(inner: ChatProvider, chat: ChatProvider['chat']): ChatProvider {
  const wrapped: ChatProvider = { chat };
  if (inner.supportsToolChoice) wrapped.supportsToolChoice = (model) => inner.supportsToolChoice!(model);
  // A CLI harness in managed mode is configured from the route and makes its own calls.
  if (inner.endpoint) wrapped.endpoint = (model) => inner.endpoint!(model);
  if (inner.routeLimit) wrapped.routeLimit = (model) => inner.routeLimit!(model);
  // Not withUsage: a provider from it would call past the new `chat`.
  return wrapped;
}

export function emptyUsage(): TokenUsage {
  return { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
}

export function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return { input: a.input + b.input, output: a.output + b.output, cacheRead: a.cacheRead + b.cacheRead, cacheWrite: a.cacheWrite + b.cacheWrite };
}
