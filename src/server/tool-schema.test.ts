import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { portableJsonSchema, sdkSchema, toolJsonSchema } from './tool-schema.js';

describe('portable tool schemas', () => {
  it('spells nullable fields as anyOf branches, never as a type array', () => {
    const json = toolJsonSchema(z.object({ n: z.number().nullable().describe('a count'), s: z.string().max(3).nullable() }), 'output');
    const props = json.properties as Record<string, Record<string, unknown>>;
    expect(props.n).toEqual({ anyOf: [{ type: 'number' }, { type: 'null' }], description: 'a count' });
    expect(props.s).toEqual({ anyOf: [{ type: 'string', maxLength: 3 }, { type: 'null' }] });
    expect(JSON.stringify(json)).not.toMatch(/"type":\[/);
  });

  it('turns a free-form record value into `true` and leaves data keywords alone', () => {
    const json = toolJsonSchema(z.object({ r: z.record(z.string(), z.unknown()), e: z.enum(['a', 'b']).default('a') }), 'input');
    const props = json.properties as Record<string, Record<string, unknown>>;
    expect(props.r!.additionalProperties).toBe(true);
    expect(props.e).toMatchObject({ enum: ['a', 'b'], default: 'a' });
    const data = portableJsonSchema({ type: 'object', default: { type: ['x', 'y'] } });
    expect(data.default).toEqual({ type: ['x', 'y'] });
  });

  it('lists the given JSON Schema and validates with the zod schema, loaded on first use', async () => {
    let loads = 0;
    const zod = z.object({ a: z.number().default(1) });
    const json = toolJsonSchema(zod, 'input');
    const s = sdkSchema(json, async () => (loads++, zod));
    expect(s['~standard'].jsonSchema.input({ target: 'draft-2020-12' })).toBe(json);
    expect(loads).toBe(0);
    expect(await s['~standard'].validate({})).toEqual({ value: { a: 1 } });
    const bad = await s['~standard'].validate({ a: 'x' });
    expect('issues' in bad && bad.issues?.[0]?.path).toEqual(['a']);
    const long = await sdkSchema(json, () => z.strictObject({}))['~standard'].validate({ ['k'.repeat(5000)]: 1 });
    expect('issues' in long && long.issues![0]!.message.length).toBeLessThan(400);
  });
});
