import Ajv2020Module from 'ajv/dist/2020.js';
import Ajv2019Module from 'ajv/dist/2019.js';
import AjvDraft07Module from 'ajv';
import type { ErrorObject, Options, ValidateFunction } from 'ajv';

/**
 * Full JSON Schema validation for file-check `json-schema` (the reference only checked the
 * top-level type and required keys). The dialect follows `$schema`: draft-07 / draft-06 /
 * draft-04 (validated with the draft-07 engine, close enough for the keywords tasks use),
 * 2019-09, and 2020-12 (also the default when `$schema` is absent).
 */

// ajv is CommonJS with `exports.default = Ajv`; `.default` is the class at run time and for tsc.
const Ajv2020 = Ajv2020Module.default;
const Ajv2019 = Ajv2019Module.default;
const AjvDraft07 = AjvDraft07Module.default;

type AnyAjv = InstanceType<typeof Ajv2020> | InstanceType<typeof Ajv2019> | InstanceType<typeof AjvDraft07>;

const OPTIONS: Options = { allErrors: true, strict: false, logger: false, validateFormats: true };

/** Formats worth checking in task outputs (ajv-formats is not a dependency); others are ignored. */
const FORMATS: Record<string, RegExp | ((s: string) => boolean)> = {
  date: /^\d{4}-\d{2}-\d{2}$/,
  time: /^\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[zZ]|[+-]\d{2}:\d{2})?$/,
  'date-time': /^\d{4}-\d{2}-\d{2}[tT ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[zZ]|[+-]\d{2}:\d{2})$/,
  email: /^[^\s@]+@[^\s@]+\.[^\s@]+$/,
  uri: (s) => {
    try {
      return /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(s) && !!new URL(s);
    } catch {
      return false;
    }
  },
  uuid: /^(?:urn:uuid:)?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/,
  ipv4: /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)$/,
  hostname: /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/,
};

const KNOWN_FORMATS_IGNORED = ['uri-reference', 'iri', 'iri-reference', 'idn-email', 'idn-hostname', 'ipv6', 'json-pointer', 'relative-json-pointer', 'regex', 'duration', 'uri-template'];

function makeAjv(dialect: 'draft-07' | '2019-09' | '2020-12'): AnyAjv {
  const ajv = dialect === 'draft-07' ? new AjvDraft07(OPTIONS) : dialect === '2019-09' ? new Ajv2019(OPTIONS) : new Ajv2020(OPTIONS);
  for (const [name, check] of Object.entries(FORMATS)) ajv.addFormat(name, check);
  for (const name of KNOWN_FORMATS_IGNORED) ajv.addFormat(name, true);
  return ajv;
}

export function schemaDialect(schema: unknown): 'draft-07' | '2019-09' | '2020-12' {
  const id = schema && typeof schema === 'object' ? (schema as { $schema?: unknown }).$schema : undefined;
  if (typeof id !== 'string') return '2020-12';
  if (/draft-0[4-7]/.test(id)) return 'draft-07';
  if (id.includes('2019-09')) return '2019-09';
  return '2020-12';
}

export type SchemaCheck = { ok: true } | { ok: false; errors: string[] };

export class SchemaCompileError extends Error {}

/** Compiles a schema (throws SchemaCompileError with ajv's message when the schema itself is invalid). */
export function compileSchema(schema: unknown): ValidateFunction {
  if (typeof schema !== 'boolean' && (schema === null || typeof schema !== 'object' || Array.isArray(schema))) {
    throw new SchemaCompileError('a JSON Schema must be an object or a boolean');
  }
  const dialect = schemaDialect(schema);
  let s = schema as Record<string, unknown> | boolean;
  // draft-04/06 meta-schemas are not bundled with ajv 8: validate with the draft-07 engine.
  if (typeof s === 'object' && typeof s.$schema === 'string' && /draft-0[456]/.test(s.$schema)) {
    const { $schema: _drop, ...rest } = s;
    s = rest;
  }
  // A bench grades the same schema once per cell; compiling (code generation) is the costly part.
  const key = `${dialect}\n${JSON.stringify(s)}`;
  const cached = compiled.get(key);
  if (cached) return cached;
  let validate: ValidateFunction;
  try {
    validate = makeAjv(dialect).compile(s);
  } catch (err) {
    throw new SchemaCompileError(err instanceof Error ? err.message : String(err));
  }
  if (compiled.size >= COMPILED_CACHE_SIZE) compiled.delete(compiled.keys().next().value!);
  compiled.set(key, validate);
  return validate;
}

const COMPILED_CACHE_SIZE = 64;
const compiled = new Map<string, ValidateFunction>();

export function validateJson(schema: unknown, data: unknown): SchemaCheck {
  const validate = compileSchema(schema);
  if (validate(data)) return { ok: true };
  return { ok: false, errors: formatAjvErrors(validate.errors ?? []) };
}

export function formatAjvErrors(errors: readonly ErrorObject[]): string[] {
  const out: string[] = [];
  for (const e of errors) {
    const where = e.instancePath || '(root)';
    let msg = e.message ?? e.keyword;
    if (e.keyword === 'additionalProperties' && typeof e.params.additionalProperty === 'string') msg += ` ("${e.params.additionalProperty}")`;
    if (e.keyword === 'enum' && Array.isArray(e.params.allowedValues)) msg += `: ${JSON.stringify(e.params.allowedValues)}`;
    const line = `${where}: ${msg}`;
    if (!out.includes(line)) out.push(line);
  }
  return out;
}
