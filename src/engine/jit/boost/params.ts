import { shellQuote } from '../../util/shell.js';
import { extractRegex, paramType, type BoostCandidate } from './schema.js';

/**
 * Parameters of a promoted candidate: found in the task prompt by their extractPattern, then
 * written into the template. The prompt is untrusted, so a value never becomes code: in a shell
 * template it is one single-quoted shell word, in a Python script a JSON string literal, and a
 * number param must be a finite number.
 */

export type ParamValues = Record<string, string | number>;

/** Every param whose extractPattern finds it in the prompt (first capture, trimmed); others are left out. */
export function extractParamsByPattern(candidate: BoostCandidate, prompt: string): ParamValues {
  const out: ParamValues = {};
  for (const [name, param] of Object.entries(candidate.params)) {
    const re = extractRegex(param);
    const raw = re?.exec(prompt)?.[1]?.trim();
    if (raw === undefined || raw === '') continue;
    const value = coerce(paramType(param), raw);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** Names of the candidate's params missing from `values`. */
export function missingParams(candidate: BoostCandidate, values: ParamValues): string[] {
  return Object.keys(candidate.params).filter((n) => !Object.hasOwn(values, n));
}

export function coerce(type: 'string' | 'number', raw: string | number): string | number | undefined {
  if (type === 'string') return String(raw);
  const n = typeof raw === 'number' ? raw : Number(raw);
  return Number.isFinite(n) && String(raw).trim() !== '' ? n : undefined;
}

const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
const ANY_PLACEHOLDER = /\$\{[^}]*\}/;

/**
 * The template with every `${name}` of a known param replaced by its quoted value; undefined
 * when a placeholder is left that no param fills (the candidate is then not run).
 */
export function materialize(candidate: BoostCandidate, values: ParamValues): string | undefined {
  if (candidate.functionTemplate.trim() === '') return undefined;
  let unfilled = false;
  const code = candidate.functionTemplate.replace(PLACEHOLDER, (whole, name: string) => {
    if (!Object.hasOwn(values, name)) {
      unfilled = true;
      return whole;
    }
    return quoteFor(candidate.materializationType, values[name]!);
  });
  // Judged on the template, not the result: a value may itself contain "${" (it is quoted, so inert).
  if (unfilled || ANY_PLACEHOLDER.test(candidate.functionTemplate.replace(PLACEHOLDER, ''))) return undefined;
  return code;
}

function quoteFor(kind: BoostCandidate['materializationType'], value: string | number): string {
  if (typeof value === 'number') return String(value);
  return kind === 'python' ? JSON.stringify(value) : shellQuote(value);
}
