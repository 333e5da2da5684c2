import { promises as fsp } from 'node:fs';
import { resolveInWorkDir } from '../sandbox/index.js';
import type { FileCheckCriterion } from '../tasks/criteria.js';
import { errorMessage } from '../util/errors.js';
import { firstChars } from './exec.js';
import { firstGlobMatch, GlobPatternError } from './glob.js';
import { SchemaCompileError, compileSchema, formatAjvErrors } from './json-schema.js';
import type { EvalContext } from './types.js';
import type { EvaluatorOutcome } from './script.js';

/**
 * `file-check` criteria (spec runtime §3.3): one file of the work dir (by `glob`, first match, or
 * by `path`), confined to the work dir, checked by exact / contains / regex / json-schema.
 * Read-only, so it reads the agent's work dir directly.
 */

/** Files larger than this are not read (a check on a huge artefact fails with a reason). */
export const FILE_CHECK_MAX_BYTES = 16 * 1024 * 1024;

export async function evaluateFileCheck(criterion: FileCheckCriterion, ctx: EvalContext): Promise<EvaluatorOutcome> {
  const fail = (details: string, extra: Partial<EvaluatorOutcome> = {}): EvaluatorOutcome => ({ pass: false, score: 0, details, ...extra });

  let rel = criterion.path;
  if (criterion.glob) {
    let hit: string | undefined;
    try {
      hit = await firstGlobMatch(ctx.workDir, criterion.glob);
    } catch (err) {
      if (err instanceof GlobPatternError) return fail(`Invalid glob: ${err.message}`);
      throw err;
    }
    if (hit === undefined) return fail(`No files matched glob "${criterion.glob}"`);
    rel = hit;
  }

  let abs: string;
  try {
    abs = await resolveInWorkDir(ctx.workDir, rel);
  } catch (err) {
    return fail(`Refused path "${rel}": ${errorMessage(err)}`);
  }
  const st = await fsp.stat(abs).catch(() => undefined);
  if (!st) return fail(`File not found: ${rel}`);
  if (!st.isFile()) return fail(`Not a regular file: ${rel}`);
  if (st.size > FILE_CHECK_MAX_BYTES) return fail(`File too large to check: ${rel} (${st.size} bytes, limit ${FILE_CHECK_MAX_BYTES})`);
  const content = await fsp.readFile(abs, 'utf8');
  const expected = criterion.expected;

  switch (criterion.mode) {
    case 'exact': {
      if (content.trim() === expected.trim()) return { pass: true, score: 1, details: `${rel}: content matches exactly` };
      return fail(`${rel}: content differs from the expected text (expected ${JSON.stringify(firstChars(expected, 120))}, got ${JSON.stringify(firstChars(content, 120))})`);
    }
    case 'contains': {
      if (content.includes(expected)) return { pass: true, score: 1, details: `${rel}: contains ${JSON.stringify(firstChars(expected, 120))}` };
      return fail(`${rel}: does not contain ${JSON.stringify(firstChars(expected, 120))}`);
    }
    case 'regex': {
      let re: RegExp;
      try {
        re = new RegExp(expected);
      } catch (err) {
        return fail(`Invalid regular expression ${JSON.stringify(expected)} in the task: ${errorMessage(err)}`);
      }
      if (re.test(content)) return { pass: true, score: 1, details: `${rel}: matches /${expected}/` };
      return fail(`${rel}: does not match /${expected}/`);
    }
    case 'json-schema':
      return checkJsonSchema(rel, content, expected);
    default: {
      const mode: never = criterion.mode;
      return fail(`Unknown file-check mode "${String(mode)}"`);
    }
  }
}

function checkJsonSchema(rel: string, content: string, schemaText: string): EvaluatorOutcome {
  let schema: unknown;
  try {
    schema = JSON.parse(schemaText);
  } catch (err) {
    const msg = `The task's JSON Schema is not valid JSON: ${errorMessage(err)}`;
    return { pass: false, score: 0, details: msg, infraError: msg };
  }
  let validate;
  try {
    validate = compileSchema(schema);
  } catch (err) {
    if (!(err instanceof SchemaCompileError)) throw err;
    const msg = `The task's JSON Schema is invalid: ${err.message}`;
    return { pass: false, score: 0, details: msg, infraError: msg };
  }
  let data: unknown;
  try {
    data = JSON.parse(content);
  } catch (err) {
    return { pass: false, score: 0, details: `${rel} is not valid JSON: ${errorMessage(err)}` };
  }
  if (validate(data)) return { pass: true, score: 1, details: `${rel} is valid against the schema` };
  const errors = formatAjvErrors(validate.errors ?? []);
  const shown = errors.slice(0, 20);
  const more = errors.length > shown.length ? `\n- … and ${errors.length - shown.length} more` : '';
  return { pass: false, score: 0, details: `${rel} does not match the schema (${errors.length} error${errors.length === 1 ? '' : 's'}):\n${shown.map((e) => `- ${e}`).join('\n')}${more}` };
}
