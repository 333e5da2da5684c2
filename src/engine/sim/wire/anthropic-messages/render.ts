import type { TokenUsage } from '../../../llm/types.js';
import type { WireErrorKind } from '../../faults.js';
import type { SseFrame } from '../../http.js';
import type { ResolvedReply } from '../../reply.js';
import { splitForStream } from '../split.js';
import type { ReplyMeta } from '../types.js';

export function anthropicMessageId(seq: number): string {
  return `msg_sim_${seq}`;
}

function usageJson(usage: TokenUsage): Record<string, number> {
  return {
    input_tokens: usage.input,
    output_tokens: usage.output,
    cache_creation_input_tokens: usage.cacheWrite,
    cache_read_input_tokens: usage.cacheRead,
  };
}

type Block = { type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

/** Text first, then tool calls, as Claude orders them. No empty text block: the stream would not carry one. */
function contentBlocks(reply: ResolvedReply): Block[] {
  const blocks: Block[] = [];
  if (reply.text !== '') blocks.push({ type: 'text', text: reply.text });
  for (const c of reply.toolCalls) blocks.push({ type: 'tool_use', id: c.id, name: c.name, input: c.arguments });
  return blocks;
}

/** Includes the nullable fields current SDK types declare, so typed clients see a complete Message. */
function messageShell(meta: ReplyMeta) {
  return { id: anthropicMessageId(meta.seq), type: 'message', role: 'assistant', model: meta.model, container: null, stop_details: null };
}

export function renderAnthropicMessage(reply: ResolvedReply, meta: ReplyMeta): unknown {
  return {
    ...messageShell(meta),
    content: contentBlocks(reply),
    stop_reason: reply.stopReason,
    stop_sequence: null,
    usage: usageJson(reply.usage),
  };
}

/**
 * The Messages streaming event sequence: message_start (input usage), a ping, per block
 * content_block_start / _delta (text_delta or input_json_delta pieces) / _stop, then
 * message_delta (stop_reason, whole-message usage) and message_stop.
 */
export function anthropicStreamFrames(reply: ResolvedReply, meta: ReplyMeta): SseFrame[] {
  const frames: SseFrame[] = [];
  const emit = (event: string, data: Record<string, unknown>) => frames.push({ event, data: JSON.stringify({ type: event, ...data }) });
  emit('message_start', {
    message: {
      ...messageShell(meta),
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: usageJson({ ...reply.usage, output: Math.min(1, reply.usage.output) }),
    },
  });
  emit('ping', {});
  contentBlocks(reply).forEach((block, index) => {
    if (block.type === 'text') {
      emit('content_block_start', { index, content_block: { type: 'text', text: '' } });
      for (const text of splitForStream(block.text)) emit('content_block_delta', { index, delta: { type: 'text_delta', text } });
    } else {
      emit('content_block_start', { index, content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} } });
      for (const partial_json of splitForStream(JSON.stringify(block.input))) {
        emit('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json } });
      }
    }
    emit('content_block_stop', { index });
  });
  emit('message_delta', { delta: { stop_reason: reply.stopReason, stop_sequence: null, stop_details: null }, usage: usageJson(reply.usage) });
  emit('message_stop', {});
  return frames;
}

const ERROR_TYPE: Record<WireErrorKind, string> = {
  invalid_request: 'invalid_request_error',
  authentication: 'authentication_error',
  not_found: 'not_found_error',
  rate_limit: 'rate_limit_error',
  api_error: 'api_error',
  overloaded: 'overloaded_error',
};

export function anthropicErrorBody(kind: WireErrorKind, message: string, meta?: { requestId?: string }): unknown {
  return {
    type: 'error',
    error: { type: ERROR_TYPE[kind], message },
    ...(meta?.requestId !== undefined ? { request_id: meta.requestId } : {}),
  };
}
