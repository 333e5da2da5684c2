import type { StandardSchemaV1, StandardSchemaWithJSON } from '@modelcontextprotocol/server';
import { z } from 'zod';

/**
 * Tool schemas as hosts receive them in tools/list. zod validates; the JSON Schema it emits is
 * rewritten into the portable subset every host dialect reads (what `inspector --strict` checks):
 * - a nullable field is `anyOf: [{type: X}, {type: "null"}]`, never a `type` array, which
 *   single-type dialects (Gemini's OpenAPI subset) reject or silently drop;
 * - a free-form value under `additionalProperties` is `true`, never an empty schema `{}`.
 * Both rewrites accept exactly the same values as zod's own output.
 */

export type JsonSchema = Record<string, unknown>;

/** Keys whose values are data, not subschemas: never rewritten. */
const DATA_KEYS = new Set(['default', 'const', 'enum', 'examples']);

/** JSON Schema keywords that constrain a value (an object with none of them accepts anything). */
const CONSTRAINING = new Set([
  'type', 'enum', 'const', 'multipleOf', 'maximum', 'exclusiveMaximum', 'minimum', 'exclusiveMinimum', 'maxLength', 'minLength',
  'pattern', 'format', 'maxItems', 'minItems', 'uniqueItems', 'maxProperties', 'minProperties', 'required', 'allOf', 'anyOf',
  'oneOf', 'not', 'items', 'prefixItems', 'contains', 'properties', 'patternProperties', 'additionalProperties', 'propertyNames', '$ref',
]);

function isObject(v: unknown): v is JsonSchema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function constrains(node: JsonSchema): boolean {
  return Object.keys(node).some((k) => CONSTRAINING.has(k));
}

/** Rewrites a JSON Schema document into the portable subset (a new object; the input is untouched). */
export function portableJsonSchema(node: JsonSchema): JsonSchema {
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) {
    if (DATA_KEYS.has(key)) out[key] = value;
    else if (key === 'additionalProperties' && isObject(value) && !constrains(value)) out[key] = true;
    else if (Array.isArray(value)) out[key] = value.map((v) => (isObject(v) ? portableJsonSchema(v) : v));
    else if (isObject(value)) out[key] = portableJsonSchema(value);
    else out[key] = value;
  }
  if (Array.isArray(out.type)) {
    if (out.anyOf !== undefined) throw new Error('portableJsonSchema: a schema with both a type array and anyOf');
    out.anyOf = (out.type as unknown[]).map((t) => ({ type: t }));
    delete out.type;
  }
  return out;
}

/** The JSON Schema (2020-12, portable) of a zod schema, for the input or the output side. */
export function toolJsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  return portableJsonSchema(z.toJSONSchema(schema, { target: 'draft-2020-12', io }) as JsonSchema);
}

type Args = Record<string, unknown>;
type Result = StandardSchemaV1.Result<Args>;

/** Longest validation message sent back; zod echoes unknown keys, which can be arbitrarily long. */
const MAX_ISSUE_CHARS = 300;

/**
 * A schema the SDK accepts: the JSON Schema as listed, and validation by the zod schema, which
 * is only loaded when a call first needs it.
 */
export function sdkSchema(json: JsonSchema, zod: () => z.ZodType | Promise<z.ZodType>): StandardSchemaWithJSON<Args> {
  const validate = async (value: unknown): Promise<Result> => {
    const r = (await (await zod())['~standard'].validate(value)) as Result;
    if (!r.issues) return r;
    return { issues: r.issues.map((i) => (i.message.length > MAX_ISSUE_CHARS ? { ...i, message: `${i.message.slice(0, MAX_ISSUE_CHARS)}…` } : i)) };
  };
  return { '~standard': { version: 1, vendor: 'skvm', validate, jsonSchema: { input: () => json, output: () => json } } };
}
