import type { z } from 'zod';
import { closestMatches } from '../engine/util/closest.js';
import { UsageError } from '../engine/util/errors.js';
import {
  acceptsArray,
  acceptsBoolean,
  alternatives,
  describeExpected,
  enumValues,
  flagSpecs,
  kindOf,
  kindsOf,
  normalizeKey,
  toKebab,
  type FlagSpec,
  type JsonSchema,
} from './schema.js';

/**
 * Command flags → the input object of a command, coerced by the schema's JSON Schema and
 * then validated by the zod schema itself. Accepted spellings: `--key=value`, `--key value`
 * (when the next token does not start with `--`), `--flag` (true), `--no-flag` (false);
 * keys in kebab-case, camelCase or snake_case; arrays comma-separated or repeated.
 */

export type ParseResult =
  | { ok: true; value: Record<string, unknown>; provided: Set<string> }
  | { ok: false; errors: string[] };

type Coerced = { ok: true; value: unknown } | { ok: false };

const TRUE = new Set(['true', '1', 'yes', 'y', 'on']);
const FALSE = new Set(['false', '0', 'no', 'n', 'off']);

/** Parse and validate. Never throws; errors name the flag and what it expects. */
export function parseFlags(tokens: readonly string[], schema: z.ZodObject): ParseResult {
  const specs = flagSpecs(schema);
  const byKey = new Map<string, FlagSpec>();
  for (const s of specs) {
    byKey.set(normalizeKey(s.name), s);
  }
  const errors: string[] = [];
  const raw = new Map<string, unknown>();
  const seen = new Set<string>();
  const failed = new Set<string>();

  const assign = (spec: FlagSpec, value: unknown, shown: string) => {
    if (acceptsArray(spec.schema) && Array.isArray(value)) {
      const prev = raw.get(spec.name);
      raw.set(spec.name, Array.isArray(prev) ? [...prev, ...value] : value);
    } else if (seen.has(spec.name)) {
      errors.push(`${shown} was given more than once`);
      return;
    } else {
      raw.set(spec.name, value);
    }
    seen.add(spec.name);
  };

  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i]!;
    if (!tok.startsWith('--') || tok === '--') {
      errors.push(tok === '--' ? 'unexpected "--"' : `unexpected argument "${tok}" (values are passed as --key=value)`);
      continue;
    }
    const eq = tok.indexOf('=');
    const key = eq === -1 ? tok.slice(2) : tok.slice(2, eq);
    const inline = eq === -1 ? undefined : tok.slice(eq + 1);
    if (key.length === 0) {
      errors.push(`malformed flag "${tok}"`);
      continue;
    }

    let spec = byKey.get(normalizeKey(key));
    let negated = false;
    if (!spec && /^no[-_]?/i.test(key)) {
      const base = byKey.get(normalizeKey(key.replace(/^no[-_]?/i, '')));
      if (base) {
        if (!acceptsBoolean(base.schema)) {
          errors.push(`--${toKebab(key)}: ${base.flag} is not a boolean flag; it expects ${describeExpected(base.schema)}`);
          continue;
        }
        spec = base;
        negated = true;
      }
    }
    if (!spec) {
      // Assume `--unknown value`, so the value is not reported as a second error.
      if (inline === undefined && tokens[i + 1] !== undefined && !tokens[i + 1]!.startsWith('-')) i++;
      const names = specs.map((s) => s.flag.slice(2));
      const near = closestMatches(toKebab(key), names, 2);
      errors.push(`unknown flag --${toKebab(key)}${near.length > 0 ? ` (did you mean ${near.map((n) => `--${n}`).join(' or ')}?)` : ''}`);
      continue;
    }

    if (negated) {
      if (inline !== undefined) {
        errors.push(`--no-${spec.flag.slice(2)} takes no value`);
        continue;
      }
      assign(spec, false, spec.flag);
      continue;
    }

    let text = inline;
    if (text === undefined) {
      const next = tokens[i + 1];
      if (acceptsBoolean(spec.schema) && !canTakeValue(spec.schema)) {
        // A pure boolean: `--flag` alone is true; `--flag false` is also understood.
        if (next !== undefined && (TRUE.has(next.toLowerCase()) || FALSE.has(next.toLowerCase())) && !next.startsWith('--')) {
          text = next;
          i++;
        } else {
          assign(spec, true, spec.flag);
          continue;
        }
      } else if (next !== undefined && !next.startsWith('--')) {
        text = next;
        i++;
      } else if (acceptsBoolean(spec.schema)) {
        assign(spec, true, spec.flag);
        continue;
      } else {
        failed.add(spec.name);
        errors.push(`${spec.flag} needs a value: expected ${describeExpected(spec.schema)}`);
        continue;
      }
    }

    const coerced = coerceFlag(text, spec.schema);
    if (!coerced.ok) {
      failed.add(spec.name);
      errors.push(`${spec.flag}: expected ${describeExpected(spec.schema)}, got ${JSON.stringify(text)}`);
      continue;
    }
    assign(spec, coerced.value, spec.flag);
  }

  for (const s of specs) {
    if (s.required && !seen.has(s.name) && !failed.has(s.name)) {
      errors.push(`missing required flag ${s.flag} (${describeExpected(s.schema)})`);
    }
  }
  if (errors.length > 0) return { ok: false, errors };

  const input = Object.fromEntries(raw);
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    return { ok: false, errors: parsed.error.issues.map((issue) => issueText(issue, specs, input)) };
  }
  return { ok: true, value: parsed.data as Record<string, unknown>, provided: seen };
}

/** Like parseFlags, but throws a UsageError (CLI exit code 2) that points at the command's help. */
export function parseFlagsOrThrow(tokens: readonly string[], schema: z.ZodObject, command: string): { value: Record<string, unknown>; provided: Set<string> } {
  const r = parseFlags(tokens, schema);
  if (!r.ok) throw new UsageError(r.errors.join('\n'), `see skvm ${command} --help`);
  return r;
}

/** Whether a boolean-accepting schema also accepts other values (e.g. boolean | string). */
function canTakeValue(s: JsonSchema): boolean {
  for (const k of kindsOf(s)) if (k !== 'boolean' && k !== 'null' && !(k === 'enum' && enumValues(s).every((v) => typeof v === 'boolean'))) return true;
  return false;
}

function issueText(issue: z.core.$ZodIssue, specs: FlagSpec[], input: Record<string, unknown>): string {
  const [head, ...rest] = issue.path;
  if (head === undefined) return issue.message;
  const spec = specs.find((s) => s.name === head);
  const flag = spec?.flag ?? `--${toKebab(String(head))}`;
  if (rest.length > 0) {
    const at = rest.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
    return `${flag} (at ${at}): ${issue.message}`;
  }
  // Out-of-range numbers read better as the flag's expectation than as zod's wording.
  if (spec && (issue.code === 'too_big' || issue.code === 'too_small') && ['integer', 'number'].includes(kindOf(spec.schema))) {
    return `${flag}: expected ${describeExpected(spec.schema)}, got ${JSON.stringify(input[spec.name])}`;
  }
  return `${flag}: ${issue.message}`;
}

/** Turn one flag's text into a value of the schema's type (validation proper is zod's job). */
export function coerceFlag(text: string, s: JsonSchema): Coerced {
  const alts = alternatives(s);
  if (alts) {
    for (const alt of [...alts].sort((a, b) => priority(a) - priority(b))) {
      const r = coerceFlag(text, alt);
      if (r.ok) return r;
    }
    return { ok: false };
  }
  switch (kindOf(s)) {
    case 'enum': {
      for (const v of enumValues(s)) if (String(v) === text) return { ok: true, value: v };
      return { ok: false };
    }
    case 'boolean': {
      const t = text.toLowerCase();
      if (TRUE.has(t)) return { ok: true, value: true };
      if (FALSE.has(t)) return { ok: true, value: false };
      return { ok: false };
    }
    case 'integer': {
      const t = text.trim();
      if (!/^[+-]?\d+$/.test(t)) return { ok: false };
      return { ok: true, value: Number(t) };
    }
    case 'number': {
      const t = text.trim();
      if (t === '' || !/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return { ok: false };
      return { ok: true, value: Number(t) };
    }
    case 'null':
      return text === 'null' ? { ok: true, value: null } : { ok: false };
    case 'string':
      return { ok: true, value: text };
    case 'array':
      return coerceArray(text, s.items ?? {});
    case 'object': {
      const v = parseJson(text);
      return v.ok && v.value !== null && typeof v.value === 'object' && !Array.isArray(v.value) ? v : { ok: false };
    }
    default: {
      const v = parseJson(text);
      return v.ok ? v : { ok: true, value: text };
    }
  }
}

function coerceArray(text: string, items: JsonSchema): Coerced {
  const trimmed = text.trim();
  const ik = kindsOf(items);
  const structured = ik.has('object') || ik.has('array');
  if (trimmed.startsWith('[')) {
    const v = parseJson(trimmed);
    if (v.ok && Array.isArray(v.value)) return v;
    if (structured) return { ok: false };
  }
  if (structured) {
    // One object per flag: `--tasks='{"id":"a"}' --tasks='{"id":"b"}'`.
    const v = parseJson(trimmed);
    return v.ok && v.value !== null && typeof v.value === 'object' ? { ok: true, value: [v.value] } : { ok: false };
  }
  if (trimmed === '') return { ok: true, value: [] };
  const out: unknown[] = [];
  for (const part of text.split(',')) {
    const r = coerceFlag(part.trim(), items);
    if (!r.ok) return { ok: false };
    out.push(r.value);
  }
  return { ok: true, value: out };
}

/** Which union member to try first: literals, then booleans and numbers, strings, JSON last. */
function priority(s: JsonSchema): number {
  if (alternatives(s)) return 5;
  switch (kindOf(s)) {
    case 'enum':
      return 0;
    case 'boolean':
      return 1;
    case 'integer':
      return 2;
    case 'number':
      return 3;
    case 'null':
      return 4;
    case 'string':
      return 6;
    case 'array':
    case 'object':
      return 7;
    default:
      return 8;
  }
}

function parseJson(text: string): Coerced {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}
