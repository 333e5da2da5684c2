import { z } from 'zod';
import type { ChatMessage, ToolCall, ToolChoice, ToolSpec } from '../../../llm/types.js';
import { describeZodIssues, jsonPath } from '../../json-path.js';
import { WireRequestError, type ParsedWireRequest } from '../types.js';

/** Loose objects: the SDK and other clients send many fields the simulator does not model. */
const ContentPart = z.looseObject({ type: z.string(), text: z.string().optional() });
const Content = z.union([z.string(), z.array(ContentPart)]);

const ToolCallSchema = z.looseObject({
  id: z.string().min(1),
  type: z.literal('function').optional(),
  function: z.looseObject({ name: z.string().min(1), arguments: z.string() }),
});

const MessageSchema = z.discriminatedUnion('role', [
  z.looseObject({ role: z.literal('system'), content: Content }),
  z.looseObject({ role: z.literal('developer'), content: Content }),
  z.looseObject({ role: z.literal('user'), content: Content }),
  z.looseObject({
    role: z.literal('assistant'),
    content: Content.nullish(),
    tool_calls: z.array(ToolCallSchema).nullish(),
    reasoning: z.string().nullish(),
    reasoning_content: z.string().nullish(),
  }),
  z.looseObject({ role: z.literal('tool'), tool_call_id: z.string().min(1), content: Content }),
]);

const ToolSchema = z.looseObject({
  type: z.literal('function'),
  function: z.looseObject({
    name: z.string().min(1),
    description: z.string().nullish(),
    parameters: z.record(z.string(), z.unknown()).nullish(),
  }),
});

const ToolChoiceSchema = z.union([
  z.enum(['auto', 'none', 'required']),
  z.looseObject({ type: z.literal('function'), function: z.looseObject({ name: z.string().min(1) }) }),
]);

const BodySchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(MessageSchema).min(1),
  tools: z.array(ToolSchema).nullish(),
  tool_choice: ToolChoiceSchema.nullish(),
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  temperature: z.number().nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().nullish() }).nullish(),
});

type Body = z.output<typeof BodySchema>;

function contentText(content: z.output<typeof Content> | null | undefined): string {
  if (content == null) return '';
  if (typeof content === 'string') return content;
  return content
    .filter((p) => p.type === 'text' && typeof p.text === 'string')
    .map((p) => p.text)
    .join('\n');
}

/** Tool-call arguments as OpenAI sends them (a JSON string); shared with the Responses front end. */
export function parseArguments(raw: string, path: Array<string | number>): Record<string, unknown> {
  // Some models emit "" for a tool without parameters; vendors accept it back as {}.
  if (raw.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new WireRequestError(`${jsonPath(path)}: arguments are not valid JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new WireRequestError(`${jsonPath(path)}: arguments must encode a JSON object`);
  }
  return value as Record<string, unknown>;
}

function toMessages(body: Body): { system?: string; messages: ChatMessage[] } {
  const systemParts: string[] = [];
  const messages: ChatMessage[] = [];
  // Tool results name only the call id; the neutral form also carries the tool's name.
  const toolNames = new Map<string, string>();
  body.messages.forEach((m, i) => {
    switch (m.role) {
      case 'system':
      case 'developer':
        systemParts.push(contentText(m.content));
        break;
      case 'user':
        messages.push({ role: 'user', content: contentText(m.content) });
        break;
      case 'assistant': {
        const msg: Extract<ChatMessage, { role: 'assistant' }> = { role: 'assistant', content: contentText(m.content) };
        if (m.tool_calls && m.tool_calls.length > 0) {
          msg.toolCalls = m.tool_calls.map((c, j): ToolCall => {
            toolNames.set(c.id, c.function.name);
            const args = parseArguments(c.function.arguments, ['messages', i, 'tool_calls', j, 'function', 'arguments']);
            return { id: c.id, name: c.function.name, arguments: args };
          });
        }
        const reasoning = m.reasoning ?? m.reasoning_content;
        if (reasoning) msg.reasoning = reasoning;
        messages.push(msg);
        break;
      }
      case 'tool': {
        const msg: Extract<ChatMessage, { role: 'tool' }> = { role: 'tool', toolCallId: m.tool_call_id, content: contentText(m.content) };
        const name = toolNames.get(m.tool_call_id);
        if (name !== undefined) msg.toolName = name;
        messages.push(msg);
        break;
      }
    }
  });
  return systemParts.length > 0 ? { system: systemParts.join('\n\n'), messages } : { messages };
}

function toToolChoice(choice: z.output<typeof ToolChoiceSchema>): ToolChoice {
  return typeof choice === 'string' ? choice : { name: choice.function.name };
}

export function parseOpenAiChatRequest(raw: unknown): ParsedWireRequest {
  const parsed = BodySchema.safeParse(raw);
  if (!parsed.success) throw new WireRequestError(describeZodIssues(parsed.error));
  const body = parsed.data;
  const tools: ToolSpec[] = (body.tools ?? []).map((t) => ({
    name: t.function.name,
    description: t.function.description ?? '',
    inputSchema: t.function.parameters ?? {},
  }));
  const request: ParsedWireRequest['request'] = {
    model: body.model,
    ...toMessages(body),
    tools,
    stream: body.stream === true,
  };
  if (body.tool_choice != null) request.toolChoice = toToolChoice(body.tool_choice);
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  if (maxTokens != null) request.maxTokens = maxTokens;
  if (body.temperature != null) request.temperature = body.temperature;
  return { request, streamUsage: body.stream_options?.include_usage === true };
}
