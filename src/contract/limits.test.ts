import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { operations } from '../../tools/index.js';
import { toolJsonSchema, type JsonSchema } from '../server/tool-schema.js';
import { exposedInput } from './invoke.js';
import { idArg, LIMITS, listArg, urlArg } from './limits.js';

/** Every place in a JSON Schema where a value of unbounded size could be accepted. */
function unbounded(node: JsonSchema, at: string, out: string[]): string[] {
  const types = node.anyOf ? [] : [node.type].flat();
  if (types.includes('string') && node.enum === undefined && node.const === undefined && typeof node.maxLength !== 'number') out.push(`${at}: string without maxLength`);
  if (types.includes('array') && typeof node.maxItems !== 'number') out.push(`${at}: array without maxItems`);
  const extra = node.additionalProperties;
  if (types.includes('object') && extra !== undefined && extra !== false) {
    const keys = node.propertyNames as JsonSchema | undefined;
    if (!keys || (keys.enum === undefined && typeof keys.maxLength !== 'number')) out.push(`${at}: record without bounded keys`);
    if (typeof extra === 'object') unbounded(extra as JsonSchema, `${at}{}`, out);
  }
  for (const [k, v] of Object.entries((node.properties ?? {}) as Record<string, JsonSchema>)) unbounded(v, `${at}.${k}`, out);
  if (node.items && typeof node.items === 'object') unbounded(node.items as JsonSchema, `${at}[]`, out);
  for (const alt of (node.anyOf ?? node.oneOf ?? []) as JsonSchema[]) unbounded(alt, at, out);
  for (const [k, v] of Object.entries((node.$defs ?? {}) as Record<string, JsonSchema>)) unbounded(v, `$defs.${k}`, out);
  return out;
}

describe('argument size limits', () => {
  it('bound every string, list and record key of every tool input', () => {
    const problems = operations.flatMap((op) => unbounded(toolJsonSchema(exposedInput(op), 'input'), op.name, []));
    expect(problems).toEqual([]);
  });

  it('the walker notices an unbounded field', () => {
    const loose = z.object({ a: z.string(), b: z.array(idArg()), c: z.record(z.string(), z.number()) });
    expect(unbounded(toolJsonSchema(loose, 'input'), 'x', [])).toEqual(['x.a: string without maxLength', 'x.b: array without maxItems', 'x.c: record without bounded keys']);
  });

  it('refuses an over-long value by its length alone, naming the limit', () => {
    const r = urlArg().safeParse('h'.repeat(LIMITS.url + 1));
    expect(r.success).toBe(false);
    expect(r.error!.issues).toHaveLength(1);
    expect(r.error!.issues[0]!.message).toMatch(new RegExp(`<=${LIMITS.url} characters`));
    expect(listArg(idArg(), 2).safeParse(['a', 'b', 'c']).error!.issues[0]!.message).toMatch(/<=2 items/);
  });
});
