import type { StopReason, TokenUsage } from '../../../llm/types.js';
import type { WireErrorKind } from '../../faults.js';
import type { SseFrame } from '../../http.js';
import type { ResolvedReply } from '../../reply.js';
import { splitForStream } from '../split.js';
import type { ReplyMeta } from '../types.js';

/** Shown in every OpenAI body so a transcript can never be mistaken for a real model's. */
export const SIM_FINGERPRINT = 'skvm-simulator';

export function openAiCompletionId(seq: number): string {
  return `chatcmpl-sim-${seq}`;
}

export function finishReason(stop: StopReason): 'stop' | 'tool_calls' | 'length' {
  if (stop === 'tool_use') return 'tool_calls';
  if (stop === 'max_tokens') return 'length';
  return 'stop';
}

/** Cached prompt tokens are part of prompt_tokens in OpenAI's accounting; cost is OpenRouter's extension. */
export function openAiUsage(usage: TokenUsage, costUsd?: number): Record<string, unknown> {
  const prompt = usage.input + usage.cacheRead;
  const out: Record<string, unknown> = {
    prompt_tokens: prompt,
    completion_tokens: usage.output,
    total_tokens: prompt + usage.output,
    prompt_tokens_details: { cached_tokens: usage.cacheRead },
  };
  if (costUsd !== undefined) out.cost = costUsd;
  return out;
}

function envelope(meta: ReplyMeta, object: 'chat.completion' | 'chat.completion.chunk') {
  return {
    id: openAiCompletionId(meta.seq),
    object,
    created: meta.created,
    model: meta.model,
    system_fingerprint: SIM_FINGERPRINT,
  };
}

export function renderOpenAiCompletion(reply: ResolvedReply, meta: ReplyMeta): unknown {
  const message: Record<string, unknown> = {
    role: 'assistant',
    // null, not "", when there is no text: the streamed form cannot express "" either.
    content: reply.text === '' ? null : reply.text,
    refusal: null,
  };
  if (reply.toolCalls.length > 0) {
    message.tool_calls = reply.toolCalls.map((c) => ({
      id: c.id,
      type: 'function',
      function: { name: c.name, arguments: c.argumentsJson },
    }));
  }
  return {
    ...envelope(meta, 'chat.completion'),
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason(reply.stopReason) }],
    usage: openAiUsage(reply.usage, reply.costUsd),
  };
}

/**
 * Chunks in the order OpenAI sends them: a role delta, text deltas, per tool call a header
 * (id, name, empty arguments) and argument pieces, the finish_reason chunk, then — only when
 * asked via stream_options — a usage chunk with no choices, and finally `[DONE]`.
 */
export function openAiStreamFrames(reply: ResolvedReply, meta: ReplyMeta, opts: { includeUsage: boolean }): SseFrame[] {
  const base = envelope(meta, 'chat.completion.chunk');
  const chunk = (delta: Record<string, unknown>, finish: string | null = null): SseFrame => ({
    data: JSON.stringify({
      ...base,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      ...(opts.includeUsage ? { usage: null } : {}),
    }),
  });
  const frames: SseFrame[] = [chunk({ role: 'assistant', content: '', refusal: null })];
  for (const piece of splitForStream(reply.text)) frames.push(chunk({ content: piece }));
  reply.toolCalls.forEach((call, index) => {
    frames.push(chunk({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] }));
    for (const piece of splitForStream(call.argumentsJson)) {
      frames.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
    }
  });
  frames.push(chunk({}, finishReason(reply.stopReason)));
  if (opts.includeUsage) {
    frames.push({ data: JSON.stringify({ ...base, choices: [], usage: openAiUsage(reply.usage, reply.costUsd) }) });
  }
  frames.push({ data: '[DONE]' });
  return frames;
}

const ERROR_SHAPE: Record<WireErrorKind, { type: string; code: string | null }> = {
  invalid_request: { type: 'invalid_request_error', code: null },
  authentication: { type: 'invalid_request_error', code: 'invalid_api_key' },
  not_found: { type: 'invalid_request_error', code: 'unknown_url' },
  rate_limit: { type: 'requests', code: 'rate_limit_exceeded' },
  api_error: { type: 'server_error', code: null },
  overloaded: { type: 'server_error', code: 'overloaded' },
};

export function openAiErrorBody(kind: WireErrorKind, message: string): unknown {
  const shape = ERROR_SHAPE[kind];
  return { error: { message, type: shape.type, param: null, code: shape.code } };
}
