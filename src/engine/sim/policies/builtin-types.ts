import { z } from 'zod';
import type { SimReply } from '../policy.js';
import { registerPolicyType } from '../policy-registry.js';
import { conversationPolicy } from './conversation.js';
import { echoPolicy } from './echo.js';
import { harnessTaskPolicy } from './harness-task.js';
import { jitBoostPolicy } from './jit-boost.js';
import { plantedPolicy } from './planted.js';
import { scriptedPolicy } from './scripted.js';

/** The reply forms a policy file may script; they map one-to-one onto SimReply. */
const FaultSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('rate_limit'), retryAfterSeconds: z.number().nonnegative().optional() }),
  z.strictObject({
    type: z.literal('server_error'),
    status: z.union([z.literal(500), z.literal(502), z.literal(503), z.literal(529)]).optional(),
    message: z.string().optional(),
  }),
  z.strictObject({ type: z.literal('auth') }),
  z.strictObject({ type: z.literal('bad_request'), message: z.string().optional() }),
  z.strictObject({ type: z.literal('malformed') }),
  z.strictObject({ type: z.literal('hang') }),
  z.strictObject({ type: z.literal('disconnect') }),
]);

const UsageSchema = z.strictObject({
  input: z.number().int().nonnegative().optional(),
  output: z.number().int().nonnegative().optional(),
  cacheRead: z.number().int().nonnegative().optional(),
  cacheWrite: z.number().int().nonnegative().optional(),
});

const MessageReplySchema = z
  .strictObject({
    text: z.string().optional(),
    toolCalls: z
      .array(z.strictObject({ id: z.string().min(1).optional(), name: z.string().min(1), arguments: z.record(z.string(), z.unknown()).default({}) }))
      .optional(),
    stopReason: z.enum(['end_turn', 'tool_use', 'max_tokens', 'stop_sequence']).optional(),
    usage: UsageSchema.optional(),
    costUsd: z.number().nonnegative().optional(),
  })
  .refine((r) => r.text !== undefined || (r.toolCalls?.length ?? 0) > 0, { message: 'a reply needs "text", "toolCalls" or "fault"' });

const FaultReplySchema = z.strictObject({ fault: FaultSchema });

type ReplySpec = z.output<typeof FaultReplySchema> | z.output<typeof MessageReplySchema>;

function toSimReply(spec: ReplySpec): SimReply {
  if ('fault' in spec) return { kind: 'fault', fault: spec.fault };
  const reply: SimReply = { kind: 'message' };
  if (spec.text !== undefined) reply.text = spec.text;
  if (spec.toolCalls !== undefined) {
    reply.toolCalls = spec.toolCalls.map((c) =>
      c.id ? { id: c.id, name: c.name, arguments: c.arguments } : { name: c.name, arguments: c.arguments },
    );
  }
  if (spec.stopReason !== undefined) reply.stopReason = spec.stopReason;
  if (spec.usage !== undefined) reply.usage = spec.usage;
  if (spec.costUsd !== undefined) reply.costUsd = spec.costUsd;
  return reply;
}

/**
 * `{"fault": …}` or a message reply, chosen by the `fault` key rather than a union, so errors
 * point at the exact bad field instead of "no union member matched".
 */
export const ReplySpecSchema = z.unknown().transform((value, ctx): SimReply => {
  const isFault = typeof value === 'object' && value !== null && 'fault' in value;
  const parsed = (isFault ? FaultReplySchema : MessageReplySchema).safeParse(value);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.issues.push({ code: 'custom', message: issue.message, path: issue.path, input: value });
    return z.NEVER;
  }
  return toSimReply(parsed.data);
});

const WhenExhaustedSchema = z.unknown().transform((value, ctx): 'error' | 'repeat-last' | SimReply => {
  if (value === 'error' || value === 'repeat-last') return value;
  if (typeof value !== 'object' || value === null) {
    ctx.issues.push({ code: 'custom', message: 'expected "error", "repeat-last" or a reply object', input: value });
    return z.NEVER;
  }
  const parsed = ReplySpecSchema.safeParse(value);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.issues.push({ code: 'custom', message: issue.message, path: issue.path, input: value });
    return z.NEVER;
  }
  return parsed.data;
});

registerPolicyType('echo', {
  description: 'replies "sim: <last user message>" ("ok" when max_tokens <= 4)',
  schema: z.strictObject({}),
  build: () => echoPolicy(),
});

registerPolicyType('scripted', {
  description: 'answers each request with the next of "replies"',
  schema: z.strictObject({
    name: z.string().min(1).optional(),
    replies: z.array(ReplySpecSchema).min(1),
    whenExhausted: WhenExhaustedSchema.optional(),
  }),
  build(spec) {
    return scriptedPolicy(spec.replies, {
      ...(spec.whenExhausted !== undefined ? { whenExhausted: spec.whenExhausted } : {}),
      name: spec.name ?? 'scripted',
    });
  },
});

/** A regex as a pattern string (no flags) or `{pattern, flags}` with flags from "imsu". */
const RegexSpecSchema = z
  .union([z.string(), z.strictObject({ pattern: z.string(), flags: z.string().regex(/^[imsu]*$/, 'flags may only use i, m, s and u').optional() })])
  .transform((value, ctx): RegExp => {
    const [pattern, flags] = typeof value === 'string' ? [value, ''] : [value.pattern, value.flags ?? ''];
    try {
      return new RegExp(pattern, flags);
    } catch (err) {
      ctx.issues.push({ code: 'custom', message: `not a valid regular expression: ${(err as Error).message}`, input: value });
      return z.NEVER;
    }
  });

registerPolicyType('conversation', {
  description: 'stateless: picks the script whose regexes match the first user message / system prompt, answers steps[number of assistant messages so far]',
  schema: z.strictObject({
    name: z.string().min(1).optional(),
    /** Free text for people reading the file (which script applies when). */
    description: z.string().optional(),
    scripts: z
      .array(
        z.strictObject({
          name: z.string().min(1),
          description: z.string().optional(),
          match: z.strictObject({ prompt: RegexSpecSchema.optional(), system: RegexSpecSchema.optional() }),
          steps: z.array(ReplySpecSchema).min(1),
        }),
      )
      .min(1),
    fallback: ReplySpecSchema.optional(),
  }),
  build(spec) {
    return conversationPolicy({
      name: spec.name ?? 'conversation',
      scripts: spec.scripts.map((s) => ({
        name: s.name,
        ...(s.description !== undefined ? { description: s.description } : {}),
        match: {
          ...(s.match.prompt !== undefined ? { prompt: s.match.prompt } : {}),
          ...(s.match.system !== undefined ? { system: s.match.system } : {}),
        },
        steps: s.steps,
      })),
      ...(spec.fallback !== undefined ? { fallback: spec.fallback } : {}),
    });
  },
});

registerPolicyType('planted', {
  description:
    'planted-capability target: answers each registered profiler probe (registryDir/<sha256(prompt)>.json) with its reference solution when the probe level <= the planted level of its primitive, else with its near-miss',
  schema: z.strictObject({
    name: z.string().min(1).optional(),
    /** Planted level per primitive id; unlisted primitives are L0. */
    levels: z.record(z.string(), z.enum(['L0', 'L1', 'L2', 'L3'])),
    /** The directory a probe observer fills (probeRegistryObserver / the preload). */
    registryDir: z.string().min(1),
    fallback: ReplySpecSchema.optional(),
  }),
  build(spec) {
    return plantedPolicy({
      levels: spec.levels,
      registryDir: spec.registryDir,
      ...(spec.fallback !== undefined ? { fallback: spec.fallback } : {}),
      ...(spec.name !== undefined ? { name: spec.name } : {}),
    });
  },
});

registerPolicyType('harness-task', {
  description:
    'drives a real agent harness through a small task with the tools it offers: load "skill", write "file", run a failing then a succeeding command, answer',
  schema: z.strictObject({
    name: z.string().min(1).optional(),
    projectDir: z.string().min(1).optional(),
    skill: z.string().min(1).optional(),
    file: z.strictObject({ path: z.string().min(1), content: z.string() }).optional(),
    failingCommand: z.string().min(1).optional(),
    succeedingCommand: z.string().min(1).optional(),
    answer: z.string().min(1).optional(),
  }),
  build: (spec) => harnessTaskPolicy(spec),
});

registerPolicyType('jit-boost', {
  description: 'jit-boost demo model: a word-count target repeating `wc -w` commands, and the candidate-generation calls and agents (see policies/jit-boost.ts)',
  schema: z.strictObject({ name: z.string().min(1).optional(), phase1Candidates: z.boolean().optional() }),
  build: (spec) => jitBoostPolicy(spec),
});
