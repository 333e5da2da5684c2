import type { StopReason, TokenUsage } from '../llm/types.js';
import type { SimMessageReply, SimRequest } from './policy.js';

/** A policy's reply with every default filled in, ready for any wire front end to render. */
export interface ResolvedReply {
  text: string;
  toolCalls: ResolvedToolCall[];
  stopReason: StopReason;
  usage: TokenUsage;
  costUsd?: number;
}

export interface ResolvedToolCall {
  id: string;
  name: string;
  arguments: Record<string, unknown>;
  /** Serialised once so streamed pieces and the non-streamed body carry identical text. */
  argumentsJson: string;
}

/** About four characters per token, the usual rule of thumb; good enough for usage accounting tests. */
export function estimateTokens(chars: number): number {
  return Math.ceil(chars / 4);
}

export function estimateInputTokens(req: Pick<SimRequest, 'system' | 'messages' | 'tools'>): number {
  const chars =
    (req.system?.length ?? 0) + JSON.stringify(req.messages).length + (req.tools.length > 0 ? JSON.stringify(req.tools).length : 0);
  return estimateTokens(chars);
}

/**
 * Fill in ids, stop reason and usage. Tool-call ids derive from the request's seq so transcripts
 * repeat exactly between runs; the prefix follows the vendor (`call_` OpenAI, `toolu_` Anthropic).
 */
export function resolveReply(reply: SimMessageReply, req: SimRequest, toolIdPrefix: string): ResolvedReply {
  const text = reply.text ?? '';
  const toolCalls = (reply.toolCalls ?? []).map((call, i) => ({
    id: call.id ?? `${toolIdPrefix}sim_${req.seq}_${i}`,
    name: call.name,
    arguments: call.arguments,
    argumentsJson: JSON.stringify(call.arguments ?? {}),
  }));
  const outputChars = text.length + toolCalls.reduce((n, c) => n + c.argumentsJson.length, 0);
  const usage: TokenUsage = {
    input: reply.usage?.input ?? estimateInputTokens(req),
    output: reply.usage?.output ?? estimateTokens(outputChars),
    cacheRead: reply.usage?.cacheRead ?? 0,
    cacheWrite: reply.usage?.cacheWrite ?? 0,
  };
  const resolved: ResolvedReply = {
    text,
    toolCalls,
    stopReason: reply.stopReason ?? (toolCalls.length > 0 ? 'tool_use' : 'end_turn'),
    usage,
  };
  if (reply.costUsd !== undefined) resolved.costUsd = reply.costUsd;
  return resolved;
}
