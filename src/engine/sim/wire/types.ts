import type { SimApi, SimRequest } from '../policy.js';
import type { WireErrorKind } from '../faults.js';
import type { SseFrame } from '../http.js';
import type { ResolvedReply } from '../reply.js';

/**
 * One vendor API (OpenAI chat completions, OpenAI Responses, Anthropic messages).
 * A front end only translates: request JSON → neutral request, resolved reply → JSON or SSE
 * frames, error → the vendor's error JSON. The HTTP flow around it is shared (exchange.ts).
 */
export interface WireFrontEnd {
  readonly api: SimApi;
  /** Prefix of generated tool-call ids: `call_` (OpenAI) or `toolu_` (Anthropic). */
  readonly toolIdPrefix: string;
  /** Response header carrying the request id (`x-request-id` / `request-id`). */
  readonly requestIdHeader: string;
  /** Throws WireRequestError for a body the real vendor would reject with 400. */
  parse(body: unknown): ParsedWireRequest;
  renderMessage(reply: ResolvedReply, meta: ReplyMeta): unknown;
  streamFrames(reply: ResolvedReply, meta: ReplyMeta, opts: { includeUsage: boolean }): SseFrame[];
  errorBody(kind: WireErrorKind, message: string, meta?: { requestId?: string }): unknown;
}

export interface ParsedWireRequest {
  request: Omit<SimRequest, 'api' | 'seq' | 'headers'>;
  /** OpenAI chat sends usage in a stream only when `stream_options.include_usage` asks; the others always do. */
  streamUsage: boolean;
}

export interface ReplyMeta {
  seq: number;
  model: string;
  /** Unix seconds. */
  created: number;
  requestId: string;
}

/** A request the real vendor would reject with 400; the message names the JSON path. */
export class WireRequestError extends Error {}
