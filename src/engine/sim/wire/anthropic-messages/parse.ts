import { z } from 'zod';
import type { ChatMessage, ToolCall, ToolChoice, ToolSpec } from '../../../llm/types.js';
import { describeZodIssues } from '../../json-path.js';
import { WireRequestError, type ParsedWireRequest } from '../types.js';

/**
 * Blocks are checked per type after the outer shape, so block types the simulator does not
 * model (images, documents, server tools) pass through ignored instead of failing a union.
 */
const Block = z.looseObject({ type: z.string() });
const TextBlock = z.looseObject({ type: z.literal('text'), text: z.string() });
const ToolUseBlock = z.looseObject({
  type: z.literal('tool_use'),
  id: z.string().min(1),
  name: z.string().min(1),
  input: z.record(z.string(), z.unknown()),
});
const ToolResultBlock = z.looseObject({
  type: z.literal('tool_result'),
  tool_use_id: z.string().min(1),
  content: z.union([z.string(), z.array(Block)]).optional(),
  is_error: z.boolean().nullish(),
});
const ThinkingBlock = z.looseObject({ type: z.literal('thinking'), thinking: z.string() });

/**
 * `system` inside messages: Claude Code (2.1.x, beta `per-turn-control-2026-07-01`) sends
 * mid-conversation system messages there (environment notes after the first user turn).
 */
const MessageSchema = z.looseObject({
  role: z.enum(['user', 'assistant', 'system']),
  content: z.union([z.string(), z.array(Block)]),
});

const ToolSchema = z.looseObject({
  name: z.string().min(1),
  description: z.string().nullish(),
  input_schema: z.record(z.string(), z.unknown()).nullish(),
});

const ToolChoiceSchema = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('auto') }),
  z.looseObject({ type: z.literal('any') }),
  z.looseObject({ type: z.literal('none') }),
  z.looseObject({ type: z.literal('tool'), name: z.string().min(1) }),
]);

const BodySchema = z.looseObject({
  model: z.string().min(1),
  max_tokens: z.number().int().positive().optional(),
  system: z.union([z.string(), z.array(z.looseObject({ type: z.literal('text'), text: z.string() }))]).optional(),
  messages: z.array(MessageSchema).min(1),
  tools: z.array(ToolSchema).nullish(),
  tool_choice: ToolChoiceSchema.nullish(),
  temperature: z.number().nullish(),
  stream: z.boolean().nullish(),
});

type Body = z.output<typeof BodySchema>;
type Path = Array<string | number>;

function check<S extends z.ZodType>(schema: S, value: unknown, path: Path): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new WireRequestError(describeZodIssues(parsed.error, path));
  return parsed.data;
}

function blocksText(blocks: Array<z.output<typeof Block>>, path: Path): string {
  return blocks
    .map((b, i) => (b.type === 'text' ? check(TextBlock, b, [...path, i]).text : null))
    .filter((t): t is string => t !== null)
    .join('\n');
}

/** The neutral form has one system text: in-conversation system messages are appended to it, in order. */
function toMessages(body: Body): { messages: ChatMessage[]; systemParts: string[] } {
  const out: ChatMessage[] = [];
  const systemParts: string[] = [];
  // tool_result blocks name only the call id; the neutral form also carries the tool's name.
  const toolNames = new Map<string, string>();
  body.messages.forEach((m, i) => {
    const path: Path = ['messages', i, 'content'];
    if (m.role === 'system') {
      systemParts.push(typeof m.content === 'string' ? m.content : blocksText(m.content, path));
      return;
    }
    if (typeof m.content === 'string') {
      out.push({ role: m.role, content: m.content });
      return;
    }
    if (m.role === 'assistant') {
      const msg: Extract<ChatMessage, { role: 'assistant' }> = { role: 'assistant', content: blocksText(m.content, path) };
      const calls: ToolCall[] = [];
      const reasoning: string[] = [];
      m.content.forEach((b, j) => {
        if (b.type === 'tool_use') {
          const block = check(ToolUseBlock, b, [...path, j]);
          toolNames.set(block.id, block.name);
          calls.push({ id: block.id, name: block.name, arguments: block.input });
        } else if (b.type === 'thinking') {
          reasoning.push(check(ThinkingBlock, b, [...path, j]).thinking);
        }
      });
      if (calls.length > 0) msg.toolCalls = calls;
      if (reasoning.length > 0) msg.reasoning = reasoning.join('\n');
      out.push(msg);
      return;
    }
    // A user turn: tool results come first (the API requires it), then any text the user added.
    let hasText = false;
    m.content.forEach((b, j) => {
      if (b.type === 'text') hasText = true;
      if (b.type !== 'tool_result') return;
      const block = check(ToolResultBlock, b, [...path, j]);
      const content =
        block.content === undefined ? '' : typeof block.content === 'string' ? block.content : blocksText(block.content, [...path, j, 'content']);
      const msg: Extract<ChatMessage, { role: 'tool' }> = { role: 'tool', toolCallId: block.tool_use_id, content };
      const name = toolNames.get(block.tool_use_id);
      if (name !== undefined) msg.toolName = name;
      if (block.is_error === true) msg.isError = true;
      out.push(msg);
    });
    const onlyToolResults = m.content.length > 0 && m.content.every((b) => b.type === 'tool_result');
    if (hasText || !onlyToolResults) out.push({ role: 'user', content: blocksText(m.content, path) });
  });
  return { messages: out, systemParts };
}

function toToolChoice(choice: z.output<typeof ToolChoiceSchema>): ToolChoice {
  switch (choice.type) {
    case 'auto':
      return 'auto';
    case 'any':
      return 'required';
    case 'none':
      return 'none';
    case 'tool':
      return { name: choice.name };
  }
}

/** `requireMaxTokens` is false only for count_tokens, which the real API accepts without it. */
export function parseAnthropicMessagesRequest(raw: unknown, opts: { requireMaxTokens?: boolean } = {}): ParsedWireRequest {
  const parsed = BodySchema.safeParse(raw);
  if (!parsed.success) throw new WireRequestError(describeZodIssues(parsed.error));
  const body = parsed.data;
  if ((opts.requireMaxTokens ?? true) && body.max_tokens === undefined) {
    throw new WireRequestError('$.max_tokens: Field required');
  }
  const tools: ToolSpec[] = (body.tools ?? []).map((t) => ({
    name: t.name,
    description: t.description ?? '',
    inputSchema: t.input_schema ?? {},
  }));
  const { messages, systemParts } = toMessages(body);
  const request: ParsedWireRequest['request'] = { model: body.model, messages, tools, stream: body.stream === true };
  if (body.system !== undefined) {
    systemParts.unshift(typeof body.system === 'string' ? body.system : body.system.map((b) => b.text).join('\n\n'));
  }
  if (systemParts.length > 0) request.system = systemParts.join('\n\n');
  if (body.tool_choice != null) request.toolChoice = toToolChoice(body.tool_choice);
  if (body.max_tokens !== undefined) request.maxTokens = body.max_tokens;
  if (body.temperature != null) request.temperature = body.temperature;
  return { request, streamUsage: true };
}
