import { z } from 'zod';
import type { ChatMessage, ToolChoice, ToolSpec } from '../../../llm/types.js';
import { describeZodIssues } from '../../json-path.js';
import { parseArguments } from '../openai-chat/parse.js';
import { WireRequestError, type ParsedWireRequest } from '../types.js';

/**
 * Items are checked per type after the outer shape, so item and tool types the simulator does
 * not model (reasoning, web search, Codex's tool namespaces) pass through ignored.
 */
const Item = z.looseObject({ type: z.string().optional() });
const ContentPart = z.looseObject({ type: z.string(), text: z.string().optional() });
const MessageItem = z.looseObject({
  role: z.enum(['user', 'assistant', 'system', 'developer']),
  content: z.union([z.string(), z.array(ContentPart)]),
});
const FunctionCallItem = z.looseObject({
  type: z.literal('function_call'),
  call_id: z.string().min(1),
  name: z.string().min(1),
  arguments: z.string(),
});
const FunctionCallOutputItem = z.looseObject({
  type: z.literal('function_call_output'),
  call_id: z.string().min(1),
  output: z.union([z.string(), z.array(ContentPart)]),
});

const FunctionTool = z.looseObject({
  type: z.literal('function'),
  name: z.string().min(1),
  description: z.string().nullish(),
  parameters: z.record(z.string(), z.unknown()).nullish(),
});

const ToolChoiceSchema = z.union([
  z.enum(['auto', 'none', 'required']),
  z.looseObject({ type: z.literal('function'), name: z.string().min(1) }),
  z.looseObject({ type: z.string() }),
]);

const BodySchema = z.looseObject({
  model: z.string().min(1),
  instructions: z.string().nullish(),
  input: z.union([z.string(), z.array(Item)]),
  tools: z.array(z.looseObject({ type: z.string() })).nullish(),
  tool_choice: ToolChoiceSchema.nullish(),
  max_output_tokens: z.number().int().positive().nullish(),
  temperature: z.number().nullish(),
  stream: z.boolean().nullish(),
});

type Path = Array<string | number>;

function check<S extends z.ZodType>(schema: S, value: unknown, path: Path): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new WireRequestError(describeZodIssues(parsed.error, path));
  return parsed.data;
}

function partsText(content: string | Array<z.output<typeof ContentPart>>): string {
  if (typeof content === 'string') return content;
  return content
    .filter((p) => (p.type === 'input_text' || p.type === 'output_text' || p.type === 'text') && typeof p.text === 'string')
    .map((p) => p.text)
    .join('\n');
}

/**
 * Input items → neutral messages. A run of assistant text and function_call items is one
 * assistant turn (the Responses API lists them as separate items); system and developer
 * messages join the system text, after `instructions`.
 */
function toMessages(items: Array<z.output<typeof Item>>, systemParts: string[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  const toolNames = new Map<string, string>();
  let assistant: Extract<ChatMessage, { role: 'assistant' }> | undefined;
  const assistantTurn = () => {
    if (!assistant) {
      assistant = { role: 'assistant', content: '' };
      out.push(assistant);
    }
    return assistant;
  };
  items.forEach((item, i) => {
    const path: Path = ['input', i];
    if (item.type === 'function_call') {
      const call = check(FunctionCallItem, item, path);
      toolNames.set(call.call_id, call.name);
      const turn = assistantTurn();
      (turn.toolCalls ??= []).push({ id: call.call_id, name: call.name, arguments: parseArguments(call.arguments, [...path, 'arguments']) });
      return;
    }
    if (item.type === 'function_call_output') {
      const result = check(FunctionCallOutputItem, item, path);
      const msg: Extract<ChatMessage, { role: 'tool' }> = { role: 'tool', toolCallId: result.call_id, content: partsText(result.output) };
      const name = toolNames.get(result.call_id);
      if (name !== undefined) msg.toolName = name;
      out.push(msg);
      assistant = undefined;
      return;
    }
    if (item.type !== undefined && item.type !== 'message') return;
    const message = check(MessageItem, item, path);
    const text = partsText(message.content);
    if (message.role === 'system' || message.role === 'developer') {
      systemParts.push(text);
    } else if (message.role === 'assistant') {
      const turn = assistantTurn();
      turn.content = turn.content ? `${turn.content}\n${text}` : text;
    } else {
      out.push({ role: 'user', content: text });
      assistant = undefined;
    }
  });
  return out;
}

function toToolChoice(choice: z.output<typeof ToolChoiceSchema>): ToolChoice | undefined {
  if (typeof choice === 'string') return choice;
  return choice.type === 'function' && typeof choice.name === 'string' ? { name: choice.name } : undefined;
}

export function parseOpenAiResponsesRequest(raw: unknown): ParsedWireRequest {
  const parsed = BodySchema.safeParse(raw);
  if (!parsed.success) throw new WireRequestError(describeZodIssues(parsed.error));
  const body = parsed.data;
  const systemParts: string[] = body.instructions ? [body.instructions] : [];
  const messages = typeof body.input === 'string' ? [{ role: 'user' as const, content: body.input }] : toMessages(body.input, systemParts);
  const tools: ToolSpec[] = [];
  (body.tools ?? []).forEach((t, i) => {
    if (t.type !== 'function') return; // built-in tools (web_search…) and namespaces are not modelled
    const tool = check(FunctionTool, t, ['tools', i]);
    tools.push({ name: tool.name, description: tool.description ?? '', inputSchema: tool.parameters ?? {} });
  });
  const request: ParsedWireRequest['request'] = { model: body.model, messages, tools, stream: body.stream === true };
  if (systemParts.length > 0) request.system = systemParts.join('\n\n');
  const toolChoice = body.tool_choice != null ? toToolChoice(body.tool_choice) : undefined;
  if (toolChoice !== undefined) request.toolChoice = toolChoice;
  if (body.max_output_tokens != null) request.maxTokens = body.max_output_tokens;
  if (body.temperature != null) request.temperature = body.temperature;
  return { request, streamUsage: true };
}
