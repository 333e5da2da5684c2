import { z } from 'zod';
import { CLI_HARNESSES } from '../agent/adapters/harnesses.js';

/**
 * `skvm.config.json`, the reference's schema (spec runtime §1.7) plus a few optional keys of
 * ours that the reference ignores (it reads the file as plain JSON and validates only the
 * `providers` block, non-strictly): `pricing`, `runs`, `sandbox`, and the route fields `maxConcurrency`,
 * `timeoutMs`, `checkModel`, `supportsToolChoice`.
 */

export const ROUTE_KINDS = ['openrouter', 'anthropic', 'openai-compatible'] as const;
export type RouteKind = (typeof ROUTE_KINDS)[number];

/** Harnesses a config may point at (`adapters.<name>`): those that drive an external CLI. */
export const ADAPTER_NAMES = CLI_HARNESSES;

export const RouteSchema = z
  .object({
    match: z.string().min(1).describe('Glob over the full model id; only * is special.'),
    kind: z.enum(ROUTE_KINDS),
    apiKey: z.string().optional().describe('Literal key; wins over apiKeyEnv. "" marks an auth-free endpoint.'),
    apiKeyEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name')
      .optional(),
    baseUrl: z.string().url().optional(),
    discoveredAt: z.string().optional(),
    discoveredFrom: z.string().optional(),
    maxConcurrency: z.number().int().min(1).max(256).optional().describe('ours: in-flight requests on this route'),
    timeoutMs: z.number().int().min(1000).optional().describe('ours: per-request timeout'),
    checkModel: z.string().optional().describe('ours: model id config_doctor uses to test a wildcard route'),
    supportsToolChoice: z.boolean().optional().describe('ours: false forces prompt-based structured output'),
  })
  .refine((r) => r.apiKey !== undefined || r.apiKeyEnv !== undefined, {
    message: 'route requires either apiKey or apiKeyEnv',
  })
  .refine((r) => r.kind !== 'openai-compatible' || r.baseUrl !== undefined, {
    message: 'an openai-compatible route requires baseUrl',
    path: ['baseUrl'],
  });
export type Route = z.output<typeof RouteSchema>;

const AdapterEntrySchema = z.union([
  z.string().min(1),
  z.object({
    repoPath: z.string().min(1).optional(),
    nativeSourceAgent: z.string().optional(),
    nativeAgent: z.string().optional(),
    extraCliArgs: z.array(z.string()).optional(),
  }),
]);

/** USD per million tokens. */
export const PriceSchema = z.object({
  input: z.number().min(0),
  output: z.number().min(0),
  cacheRead: z.number().min(0).optional(),
  cacheWrite: z.number().min(0).optional(),
});
export type Price = z.output<typeof PriceSchema>;

export const ConfigSchema = z.object({
  adapters: z.record(z.string(), AdapterEntrySchema).optional(),
  providers: z.object({ routes: z.array(RouteSchema).default([]) }).optional(),
  headlessAgent: z
    .object({
      driver: z.enum(['pi', 'opencode']).optional(),
      opencodePath: z.string().optional(),
      claudePath: z.string().optional(),
      providerOverride: z.unknown().optional(),
      modelPrefix: z.unknown().optional(),
    })
    .optional(),
  defaults: z.object({ adapterConfigMode: z.enum(['native', 'managed']).optional() }).optional(),
  paths: z.object({ tmpDir: z.string().optional() }).optional(),
  proposalsDir: z.string().optional(),
  pricing: z.record(z.string(), PriceSchema).optional().describe('ours: extends the built-in price table'),
  runs: z.object({ maxConcurrent: z.number().int().min(1).max(64).optional() }).optional().describe('ours'),
  sandbox: z
    .object({ mode: z.enum(['auto', 'bwrap', 'sandbox-runtime', 'none']).optional() })
    .optional()
    .describe('ours: auto runs commands in the platform sandbox (bubblewrap on Linux, sandbox-runtime on macOS) and refuses them where none works; bwrap / sandbox-runtime name one; none opts into running them unconfined'),
});
export type SkvmConfig = z.output<typeof ConfigSchema>;

/**
 * Keys present in `value` that the schema does not declare, as JSON paths. `_comment*` keys
 * are the reference's convention for notes and are not reported.
 */
export function unknownKeys(schema: z.ZodType, value: unknown, at = ''): string[] {
  const inner = unwrap(schema);
  if (inner instanceof z.ZodObject) {
    if (!value || typeof value !== 'object' || Array.isArray(value)) return [];
    const shape = inner.shape as Record<string, z.ZodType>;
    const out: string[] = [];
    for (const [k, v] of Object.entries(value)) {
      const p = at ? `${at}.${k}` : k;
      if (k.startsWith('_comment')) continue;
      const child = shape[k];
      if (!child) out.push(p);
      else out.push(...unknownKeys(child, v, p));
    }
    return out;
  }
  if (inner instanceof z.ZodArray) {
    if (!Array.isArray(value)) return [];
    return value.flatMap((v, i) => unknownKeys(inner.element as z.ZodType, v, `${at}[${i}]`));
  }
  if (inner instanceof z.ZodRecord) {
    if (!value || typeof value !== 'object') return [];
    return Object.entries(value).flatMap(([k, v]) => unknownKeys(inner.valueType as z.ZodType, v, `${at}.${k}`));
  }
  if (inner instanceof z.ZodUnion) {
    // Report against the first object member only when the value is an object.
    const obj = (inner.options as z.ZodType[]).find((o) => unwrap(o) instanceof z.ZodObject);
    return obj && value && typeof value === 'object' && !Array.isArray(value) ? unknownKeys(obj, value, at) : [];
  }
  return [];
}

function unwrap(schema: z.ZodType): z.ZodType {
  let s: z.ZodType = schema;
  for (;;) {
    if (s instanceof z.ZodOptional || s instanceof z.ZodNullable || s instanceof z.ZodDefault) s = s.unwrap() as z.ZodType;
    else if (s instanceof z.ZodPipe) s = s.in as z.ZodType;
    else return s;
  }
}

/** `providers.routes[0].kind: Invalid option…` — one line per issue, with its JSON path. */
export function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`);
}

export function formatPath(p: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const seg of p) out += typeof seg === 'number' ? `[${seg}]` : out ? `.${String(seg)}` : String(seg);
  return out || '(root)';
}
