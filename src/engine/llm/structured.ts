import { z, type ZodType } from 'zod';
import { formatPath } from '../config/schema.js';
import { SkvmError } from '../util/errors.js';
import { ToolArgumentsParseError, isToolChoiceUnsupported } from './errors.js';
import type { CallOptions, ChatMessage, ChatProvider, ChatRequest, ChatResponse, ToolCall } from './types.js';

/**
 * Get a schema-valid object out of a model.
 * Layer 1: one forced tool call whose input schema is the zod schema.
 * Layer 2 (route refuses tool_choice, bad tool arguments, no tool call, or
 * `toolChoiceSupported: false`): ask for one JSON object in plain text.
 * Whichever layer produced the answer, an answer that fails validation gets exactly one repair
 * turn that shows the model its answer and the zod issues. LlmErrors other than a tool_choice
 * refusal propagate unchanged.
 */

export interface StructuredRequest<T> {
  model: string;
  schema: ZodType<T>;
  /** Tool name in layer 1; also names the object in messages. */
  name: string;
  description: string;
  prompt: string;
  system?: string;
  /** false skips layer 1 (route config `supportsToolChoice: false`). */
  toolChoiceSupported?: boolean;
  maxTokens?: number;
}

export interface StructuredResult<T> {
  value: T;
  /** Every response in call order (for usage and cost). */
  responses: ChatResponse[];
}

/** Key under which a non-object schema travels inside the tool's (necessarily object) arguments. */
const WRAP_KEY = 'value';

export async function extractStructured<T>(provider: ChatProvider, req: StructuredRequest<T>, opts: CallOptions = {}): Promise<StructuredResult<T>> {
  const jsonSchema = toJsonSchema(req.schema);
  const responses: ChatResponse[] = [];
  const ask = async (r: Omit<ChatRequest, 'model' | 'temperature' | 'maxTokens' | 'system'>): Promise<ChatResponse> => {
    const res = await provider.chat(
      { ...r, model: req.model, temperature: 0, ...(req.system ? { system: req.system } : {}), ...(req.maxTokens ? { maxTokens: req.maxTokens } : {}) },
      opts,
    );
    responses.push(res);
    return res;
  };

  const toolChoice = req.toolChoiceSupported ?? provider.supportsToolChoice?.(req.model) ?? true;
  if (toolChoice) {
    const viaTool = await tryToolLayer(req, jsonSchema, ask);
    if (viaTool.done) return { value: viaTool.value, responses };
  }
  const value = await textLayer(req, jsonSchema, ask);
  return { value, responses };
}

type Ask = (r: Omit<ChatRequest, 'model' | 'temperature' | 'maxTokens' | 'system'>) => Promise<ChatResponse>;

// ---------------------------------------------------------------------------------------------
// Layer 1: forced tool call

async function tryToolLayer<T>(req: StructuredRequest<T>, jsonSchema: Record<string, unknown>, ask: Ask): Promise<{ done: true; value: T } | { done: false }> {
  const wrapped = jsonSchema.type !== 'object';
  const inputSchema = wrapped ? { type: 'object', properties: { [WRAP_KEY]: jsonSchema }, required: [WRAP_KEY] } : jsonSchema;
  const base = {
    tools: [{ name: req.name, description: req.description, inputSchema }],
    toolChoice: { name: req.name },
  };
  const first: ChatMessage = { role: 'user', content: req.prompt };
  let res: ChatResponse;
  try {
    res = await ask({ ...base, messages: [first] });
  } catch (err) {
    if (isToolChoiceUnsupported(err) || err instanceof ToolArgumentsParseError) return { done: false };
    throw err;
  }
  const call = pickCall(res.toolCalls, req.name);
  if (!call) return { done: false };
  const unwrap = (c: ToolCall): unknown => (wrapped ? c.arguments[WRAP_KEY] : c.arguments);
  const checked = req.schema.safeParse(unwrap(call));
  if (checked.success) return { done: true, value: checked.data };

  // One repair turn: the invalid call, then a tool result listing what was wrong.
  const issues = formatZodIssues(checked.error);
  let repaired: ChatResponse;
  try {
    repaired = await ask({
      ...base,
      messages: [
        first,
        { role: 'assistant', content: res.text, toolCalls: [call] },
        { role: 'tool', toolCallId: call.id, toolName: call.name, isError: true, content: repairInstruction(req.name, issues, 'Call the tool again') },
      ],
    });
  } catch (err) {
    if (err instanceof ToolArgumentsParseError) throw failure(req, 'the repaired tool call had arguments that are not JSON', issues, err);
    throw err;
  }
  const again = pickCall(repaired.toolCalls, req.name);
  if (!again) throw failure(req, 'the model did not call the tool again after being shown the problems', issues);
  const second = req.schema.safeParse(unwrap(again));
  if (second.success) return { done: true, value: second.data };
  throw failure(req, 'the tool-call arguments did not match the schema, also after one repair attempt', formatZodIssues(second.error));
}

function pickCall(calls: readonly ToolCall[], name: string): ToolCall | undefined {
  return calls.find((c) => c.name === name) ?? calls[0];
}

// ---------------------------------------------------------------------------------------------
// Layer 2: JSON in the text

async function textLayer<T>(req: StructuredRequest<T>, jsonSchema: Record<string, unknown>, ask: Ask): Promise<T> {
  const instruction = [
    '',
    '',
    `Reply with a single JSON object ("${req.name}": ${req.description}) that is valid against the JSON Schema below.`,
    'The reply must contain that JSON object and nothing else: no explanation, no Markdown code fence.',
    '',
    JSON.stringify(jsonSchema, null, 2),
  ].join('\n');
  const first: ChatMessage = { role: 'user', content: req.prompt + instruction };
  const res = await ask({ messages: [first] });
  const checked = validateText(req.schema, res.text);
  if (checked.ok) return checked.value;

  const repaired = await ask({
    messages: [first, { role: 'assistant', content: res.text }, { role: 'user', content: repairInstruction(req.name, checked.issues, 'Reply again') }],
  });
  const second = validateText(req.schema, repaired.text);
  if (second.ok) return second.value;
  throw failure(req, 'the JSON answer did not match the schema, also after one repair attempt', second.issues);
}

type Checked<T> = { ok: true; value: T } | { ok: false; issues: string[] };

export function validateText<T>(schema: ZodType<T>, text: string): Checked<T> {
  let parsed: unknown;
  try {
    parsed = parseJsonAnswer(text);
  } catch (err) {
    return { ok: false, issues: [`(root): the reply is not valid JSON (${err instanceof Error ? err.message : String(err)})`] };
  }
  const r = schema.safeParse(parsed);
  return r.success ? { ok: true, value: r.data } : { ok: false, issues: formatZodIssues(r.error) };
}

/** JSON.parse after removing a ```json fence; falls back to the outermost {...} span. */
export function parseJsonAnswer(text: string): unknown {
  const t = stripFences(text);
  try {
    return JSON.parse(t);
  } catch (err) {
    const start = t.indexOf('{');
    const end = t.lastIndexOf('}');
    if (start >= 0 && end > start) return JSON.parse(t.slice(start, end + 1));
    throw err;
  }
}

export function stripFences(text: string): string {
  const t = text.trim();
  const m = /^```[a-zA-Z0-9_-]*[ \t]*\r?\n([\s\S]*?)\r?\n?```\s*$/.exec(t);
  return m ? m[1]!.trim() : t;
}

// ---------------------------------------------------------------------------------------------

/** zod 4's converter (handles nullable/optional/unions); `$schema` dropped, vendors don't need it. */
export function toJsonSchema(schema: ZodType): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

export function formatZodIssues(error: z.ZodError): string[] {
  return error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`);
}

function repairInstruction(name: string, issues: string[], action: string): string {
  return [
    `That "${name}" object is not valid against the schema:`,
    ...issues.map((i) => `- ${i}`),
    `${action} with a corrected, complete object that fixes every problem listed.`,
  ].join('\n');
}

function failure<T>(req: StructuredRequest<T>, what: string, issues: string[], cause?: unknown): SkvmError {
  return new SkvmError(`Structured extraction "${req.name}" from ${req.model} failed: ${what}.\n${issues.map((i) => `- ${i}`).join('\n')}`, {
    code: 'structured_failed',
    hint: 'Try a stronger model, simplify the schema, or set supportsToolChoice on the route to switch between tool calls and JSON text.',
    cause,
  });
}
