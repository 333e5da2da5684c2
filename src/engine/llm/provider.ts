import type { Route } from '../config/schema.js';
import { ToolArgumentsParseError } from './errors.js';
import type { ChatRequest, StopReason, TokenUsage, ToolCall } from './types.js';

/**
 * The internal contract between LlmClient and one wire format. A RouteProvider does exactly one
 * HTTP request per `send` (no retries, no cost, no timing): the client owns everything else.
 */
export interface ProviderCall {
  request: ChatRequest;
  /** Model id as the vendor receives it (route prefix stripped). */
  backendModel: string;
  route: Route;
  /** Aborts on caller cancellation or on the per-request timeout. */
  signal: AbortSignal;
  timeoutMs: number;
}

export interface ProviderResult {
  text: string;
  toolCalls: ToolCall[];
  stopReason: StopReason;
  usage: TokenUsage;
  /** The vendor's own bill for this call, when it reports one. */
  vendorCostUsd?: number;
  reasoning?: string;
}

export interface RouteProvider {
  send(call: ProviderCall): Promise<ProviderResult>;
}

export const DEFAULT_MAX_TOKENS = 16384;

/** Vendor tool arguments (a JSON string) → object; '' means no arguments. */
export function parseToolArguments(raw: string, ctx: { route: string; model: string; toolName: string }): Record<string, unknown> {
  if (raw.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ToolArgumentsParseError({ ...ctx, raw });
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ToolArgumentsParseError({ ...ctx, raw });
  return parsed as Record<string, unknown>;
}

/** Tool calls are never dropped: if any came back, the turn is a tool turn whatever the vendor said. */
export function settleStopReason(vendor: StopReason, toolCalls: readonly ToolCall[]): StopReason {
  return toolCalls.length > 0 ? 'tool_use' : vendor;
}

export function nonNegative(n: unknown): number {
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : 0;
}
