import type { ChatMessage, StopReason, ToolCall, ToolChoice, ToolSpec, TokenUsage } from '../llm/types.js';

/**
 * The simulator's contract. A wire front end (OpenAI chat completions or Responses, Anthropic messages)
 * parses each HTTP request into a SimRequest, asks the policy, and renders the SimReply in
 * that API's native format, streaming or not. Policies know nothing about HTTP.
 */

/** `openai` is chat completions; `openai-responses` the Responses API (what Codex speaks). */
export type SimApi = 'openai' | 'anthropic' | 'openai-responses';

export interface SimRequest {
  api: SimApi;
  /** Model id exactly as the vendor received it (route prefix already stripped by the client). */
  model: string;
  system?: string;
  messages: ChatMessage[];
  tools: ToolSpec[];
  toolChoice?: ToolChoice;
  maxTokens?: number;
  temperature?: number;
  stream: boolean;
  /** 0-based sequence number of this request since the simulator started. */
  seq: number;
  /** Request headers, lower-cased names (the simulator never logs auth headers). */
  headers: Record<string, string>;
  /** `performance.now()` when the request reached the server (before its body was read); latency counts from here. */
  receivedAt?: number;
}

export type SimFault =
  | { type: 'rate_limit'; retryAfterSeconds?: number }
  | { type: 'server_error'; status?: 500 | 502 | 503 | 529; message?: string }
  | { type: 'auth' }
  | { type: 'bad_request'; message?: string }
  | { type: 'malformed' }
  /** Accept the request and never answer (until the client gives up or the server closes). */
  | { type: 'hang' }
  /** Stream some text, then drop the connection. */
  | { type: 'disconnect' };

export interface SimMessageReply {
  kind: 'message';
  text?: string;
  toolCalls?: Array<Omit<ToolCall, 'id'> & { id?: string }>;
  stopReason?: StopReason;
  /** Overrides the computed usage (the default counts ~4 characters per token). */
  usage?: Partial<TokenUsage>;
  /** Reported by the OpenAI front end as `usage.cost` (OpenRouter style) when set. */
  costUsd?: number;
}

export type SimReply = SimMessageReply | { kind: 'fault'; fault: SimFault };

export interface SimContext {
  /** Aborted when the client disconnects. */
  signal: AbortSignal;
}

export interface SimPolicy {
  /** Short label shown in `sim serve` output and the simulator's responses. */
  readonly name: string;
  respond(req: SimRequest, ctx: SimContext): SimReply | Promise<SimReply>;
}
