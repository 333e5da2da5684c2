import { z } from 'zod';

/**
 * The CLI's view of an input schema: zod 4's JSON Schema (input side, so fields with a
 * default are optional), reduced to what flag parsing and help need. JSON Schema is used
 * rather than zod internals because it is a stable, documented shape.
 */

export interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  required?: string[];
  description?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  format?: string;
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  [key: string]: unknown;
}

/** One flag of a command, derived from one property of the input object. */
export interface FlagSpec {
  /** Property name in the schema (camelCase). */
  name: string;
  /** `--kebab-case` spelling shown to people. */
  flag: string;
  schema: JsonSchema;
  required: boolean;
  description?: string;
  hasDefault: boolean;
  default?: unknown;
}

const specCache = new WeakMap<z.ZodObject, FlagSpec[]>();

/** `maxTokens` → `max-tokens`; `max_tokens` → `max-tokens`. */
export function toKebab(name: string): string {
  return name
    .replace(/_/g, '-')
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1-$2')
    .toLowerCase();
}

/** The form two spellings of one flag share: no dashes or underscores, lower case. */
export function normalizeKey(name: string): string {
  return name.replace(/[-_]/g, '').toLowerCase();
}

export function toJsonSchema(schema: z.ZodType): JsonSchema {
  try {
    return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  } catch {
    // A schema zod cannot express (cycles without ids, exotic types): accept any JSON per field.
    const shape = (schema as z.ZodObject).shape as Record<string, z.ZodType> | undefined;
    const properties: Record<string, JsonSchema> = {};
    for (const key of Object.keys(shape ?? {})) {
      try {
        properties[key] = z.toJSONSchema(shape![key]!, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
      } catch {
        properties[key] = {};
      }
    }
    return { type: 'object', properties };
  }
}

/** The flags of an input object schema, in declaration order. */
export function flagSpecs(schema: z.ZodObject): FlagSpec[] {
  const cached = specCache.get(schema);
  if (cached) return cached;
  const root = toJsonSchema(schema);
  const required = new Set(root.required ?? []);
  const specs: FlagSpec[] = [];
  for (const [name, raw] of Object.entries(root.properties ?? {})) {
    const s = deref(raw, root);
    specs.push({
      name,
      flag: `--${toKebab(name)}`,
      schema: s,
      required: required.has(name),
      description: s.description ?? raw.description,
      hasDefault: 'default' in s,
      default: s.default,
    });
  }
  specCache.set(schema, specs);
  return specs;
}

/** Resolve local `$ref`s (`#/$defs/x`, `#`) against the root document, recursively. */
export function deref(s: JsonSchema, root: JsonSchema, depth = 0): JsonSchema {
  if (depth > 20 || !s || typeof s !== 'object') return s ?? {};
  let cur = s;
  if (typeof cur.$ref === 'string') {
    const target = resolvePointer(root, cur.$ref);
    const { $ref: _ignored, ...rest } = cur;
    cur = { ...(target ?? {}), ...rest };
  }
  const out: JsonSchema = { ...cur };
  if (cur.anyOf) out.anyOf = cur.anyOf.map((a) => deref(a, root, depth + 1));
  if (cur.oneOf) out.oneOf = cur.oneOf.map((a) => deref(a, root, depth + 1));
  if (cur.allOf) out.allOf = cur.allOf.map((a) => deref(a, root, depth + 1));
  if (cur.items && typeof cur.items === 'object') out.items = deref(cur.items, root, depth + 1);
  return out;
}

function resolvePointer(root: JsonSchema, ref: string): JsonSchema | undefined {
  if (ref === '#') return root;
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = root;
  for (const part of ref.slice(2).split('/')) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    if (!node || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node && typeof node === 'object' ? (node as JsonSchema) : undefined;
}

/** The alternatives of a union-like schema (anyOf/oneOf, or a `type` array), else undefined. */
export function alternatives(s: JsonSchema): JsonSchema[] | undefined {
  const alts = s.anyOf ?? s.oneOf;
  if (alts && alts.length > 0) return alts;
  if (Array.isArray(s.type) && s.type.length > 1) return s.type.map((t) => ({ ...s, type: t }));
  return undefined;
}

function singleType(s: JsonSchema): string | undefined {
  if (Array.isArray(s.type)) return s.type.length === 1 ? s.type[0] : undefined;
  return s.type;
}

export type Kind = 'enum' | 'boolean' | 'integer' | 'number' | 'null' | 'string' | 'array' | 'object' | 'any';

/** The kind of a non-union schema. */
export function kindOf(s: JsonSchema): Kind {
  if (s.const !== undefined || Array.isArray(s.enum)) return 'enum';
  const t = singleType(s);
  switch (t) {
    case 'boolean':
    case 'integer':
    case 'number':
    case 'null':
    case 'string':
    case 'array':
    case 'object':
      return t;
    default:
      return 'any';
  }
}

/** Every kind a schema accepts (unions flattened). */
export function kindsOf(s: JsonSchema): Set<Kind> {
  const alts = alternatives(s);
  if (!alts) return new Set([kindOf(s)]);
  const out = new Set<Kind>();
  for (const a of alts) for (const k of kindsOf(a)) out.add(k);
  return out;
}

export function acceptsBoolean(s: JsonSchema): boolean {
  const kinds = kindsOf(s);
  if (kinds.has('boolean')) return true;
  return enumValues(s).some((v) => typeof v === 'boolean');
}

export function acceptsArray(s: JsonSchema): boolean {
  return kindsOf(s).has('array');
}

/** Allowed literal values when the schema (or a union of literals) is an enum. */
export function enumValues(s: JsonSchema): unknown[] {
  const alts = alternatives(s);
  if (alts) return alts.flatMap(enumValues);
  if (s.const !== undefined) return [s.const];
  if (Array.isArray(s.enum)) return s.enum;
  return [];
}

const SAFE_LIMIT = Number.MAX_SAFE_INTEGER;

/** A short noun phrase for what a flag expects: "an integer", "one of a, b", "a JSON object". */
export function describeExpected(s: JsonSchema): string {
  const alts = alternatives(s);
  if (alts) {
    const literals = enumValues(s);
    if (literals.length > 0 && literals.length === alts.length) return `one of ${literals.map(String).join(', ')}`;
    return [...new Set(alts.map(describeExpected))].join(' or ');
  }
  const kind = kindOf(s);
  switch (kind) {
    case 'enum': {
      const vals = enumValues(s);
      return vals.length === 1 ? `exactly ${String(vals[0])}` : `one of ${vals.map(String).join(', ')}`;
    }
    case 'boolean':
      return 'true or false';
    case 'integer':
      return `an integer${rangeText(s)}`;
    case 'number':
      return `a number${rangeText(s)}`;
    case 'null':
      return 'null';
    case 'string':
      return 'a string';
    case 'array': {
      const items = s.items ?? {};
      const ik = kindsOf(items);
      if (ik.has('object') || ik.has('array')) return 'a JSON array';
      return `a comma-separated list of ${plural(items)}`;
    }
    case 'object':
      return 'a JSON object';
    default:
      return 'a value';
  }
}

function plural(items: JsonSchema): string {
  const vals = enumValues(items);
  if (vals.length > 0) return `values (${vals.map(String).join(', ')})`;
  switch (kindOf(items)) {
    case 'integer':
      return 'integers';
    case 'number':
      return 'numbers';
    case 'boolean':
      return 'booleans';
    case 'string':
      return 'strings';
    default:
      return 'values';
  }
}

/** " between 1 and 50", " ≥ 0"… ; zod's implicit safe-integer bounds are left out. */
export function rangeText(s: JsonSchema): string {
  const min = s.minimum ?? s.exclusiveMinimum;
  const max = s.maximum ?? s.exclusiveMaximum;
  const hasMin = typeof min === 'number' && Math.abs(min) < SAFE_LIMIT;
  const hasMax = typeof max === 'number' && Math.abs(max) < SAFE_LIMIT;
  const lo = s.exclusiveMinimum !== undefined && s.minimum === undefined ? '>' : '≥';
  const hi = s.exclusiveMaximum !== undefined && s.maximum === undefined ? '<' : '≤';
  if (hasMin && hasMax && lo === '≥' && hi === '≤') return ` from ${min} to ${max}`;
  const parts: string[] = [];
  if (hasMin) parts.push(`${lo} ${min}`);
  if (hasMax) parts.push(`${hi} ${max}`);
  return parts.length > 0 ? ` ${parts.join(' and ')}` : '';
}

/** The placeholder shown after `--flag=` in help: `<integer>`, `<a|b>`, `<JSON>`. */
export function valueLabel(s: JsonSchema): string {
  const alts = alternatives(s);
  if (alts) {
    const labels = alts.map(valueLabel).map((l) => l.replace(/^<|>$/g, ''));
    return `<${[...new Set(labels)].join('|')}>`;
  }
  switch (kindOf(s)) {
    case 'enum':
      return `<${enumValues(s).map(String).join('|')}>`;
    case 'boolean':
      return '<true|false>';
    case 'integer':
      return '<integer>';
    case 'number':
      return '<number>';
    case 'null':
      return '<null>';
    case 'string':
      return s.format ? `<${s.format}>` : '<string>';
    case 'array': {
      const items = s.items ?? {};
      const ik = kindsOf(items);
      if (ik.has('object') || ik.has('array')) return '<JSON array>';
      const inner = valueLabel(items).replace(/^<|>$/g, '');
      return `<${inner}>[,...]`;
    }
    case 'object':
      return '<JSON object>';
    default:
      return '<JSON>';
  }
}
