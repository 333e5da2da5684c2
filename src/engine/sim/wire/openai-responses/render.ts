import type { TokenUsage } from '../../../llm/types.js';
import type { SseFrame } from '../../http.js';
import type { ResolvedReply } from '../../reply.js';
import { splitForStream } from '../split.js';
import type { ReplyMeta } from '../types.js';

export function responseId(seq: number): string {
  return `resp_sim_${seq}`;
}

/** Cached tokens are part of input_tokens in OpenAI's accounting, as in chat completions. */
function usageJson(usage: TokenUsage) {
  const input = usage.input + usage.cacheRead;
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: usage.cacheRead },
    output_tokens: usage.output,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: input + usage.output,
  };
}

type OutputItem =
  | { type: 'message'; id: string; status: 'completed'; role: 'assistant'; content: Array<{ type: 'output_text'; text: string; annotations: []; logprobs: [] }> }
  | { type: 'function_call'; id: string; call_id: string; name: string; arguments: string; status: 'completed' };

/** Text first, then function calls; no empty message item (a real response has none). */
function outputItems(reply: ResolvedReply, seq: number): OutputItem[] {
  const items: OutputItem[] = [];
  if (reply.text !== '') {
    items.push({
      type: 'message',
      id: `msg_sim_${seq}`,
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', text: reply.text, annotations: [], logprobs: [] }],
    });
  }
  reply.toolCalls.forEach((c, i) => {
    items.push({ type: 'function_call', id: `fc_sim_${seq}_${i}`, call_id: c.id, name: c.name, arguments: c.argumentsJson, status: 'completed' });
  });
  return items;
}

/** The Response object; `max_tokens` ends as status "incomplete", as the real API reports a cut-off. */
function responseObject(reply: ResolvedReply | undefined, meta: ReplyMeta) {
  const incomplete = reply?.stopReason === 'max_tokens';
  return {
    id: responseId(meta.seq),
    object: 'response',
    created_at: meta.created,
    status: reply === undefined ? 'in_progress' : incomplete ? 'incomplete' : 'completed',
    error: null,
    incomplete_details: incomplete ? { reason: 'max_output_tokens' } : null,
    instructions: null,
    model: meta.model,
    output: reply === undefined ? [] : outputItems(reply, meta.seq),
    parallel_tool_calls: true,
    tool_choice: 'auto',
    tools: [],
    metadata: {},
    temperature: null,
    top_p: null,
    usage: reply === undefined ? null : usageJson(reply.usage),
  };
}

export function renderOpenAiResponse(reply: ResolvedReply, meta: ReplyMeta): unknown {
  return responseObject(reply, meta);
}

/**
 * The Responses streaming sequence: response.created / in_progress, then per output item
 * output_item.added, its deltas (output_text.delta inside a content part, or
 * function_call_arguments.delta) and output_item.done, and last response.completed (or
 * .incomplete) carrying the whole response with usage. Every event names itself in `event:`
 * and `type`, and carries a sequence_number.
 */
export function openAiResponsesStreamFrames(reply: ResolvedReply, meta: ReplyMeta): SseFrame[] {
  const frames: SseFrame[] = [];
  let sequence = 0;
  const emit = (type: string, data: Record<string, unknown>) =>
    frames.push({ event: type, data: JSON.stringify({ type, sequence_number: sequence++, ...data }) });
  emit('response.created', { response: responseObject(undefined, meta) });
  emit('response.in_progress', { response: responseObject(undefined, meta) });
  outputItems(reply, meta.seq).forEach((item, output_index) => {
    if (item.type === 'message') {
      const text = item.content[0]!.text;
      emit('response.output_item.added', { output_index, item: { ...item, status: 'in_progress', content: [] } });
      const part = { type: 'output_text', text: '', annotations: [], logprobs: [] };
      const at = { item_id: item.id, output_index, content_index: 0 };
      emit('response.content_part.added', { ...at, part });
      for (const delta of splitForStream(text)) emit('response.output_text.delta', { ...at, delta, logprobs: [] });
      emit('response.output_text.done', { ...at, text, logprobs: [] });
      emit('response.content_part.done', { ...at, part: { ...part, text } });
    } else {
      emit('response.output_item.added', { output_index, item: { ...item, arguments: '', status: 'in_progress' } });
      for (const delta of splitForStream(item.arguments)) emit('response.function_call_arguments.delta', { item_id: item.id, output_index, delta });
      emit('response.function_call_arguments.done', { item_id: item.id, output_index, name: item.name, arguments: item.arguments });
    }
    emit('response.output_item.done', { output_index, item });
  });
  const final = responseObject(reply, meta);
  emit(final.status === 'incomplete' ? 'response.incomplete' : 'response.completed', { response: final });
  return frames;
}
