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

  it('validates with zod and converts once per side', async () => {
    const s = sdkSchema(z.object({ a: z.number().default(1) }));
    expect(await s['~standard'].validate({})).toEqual({ value: { a: 1 } });
    const bad = await s['~standard'].validate({ a: 'x' });
    expect('issues' in bad && bad.issues?.[0]?.path).toEqual(['a']);
    const opts = { target: 'draft-2020-12' } as const;
    expect(s['~standard'].jsonSchema.input(opts)).toBe(s['~standard'].jsonSchema.input(opts));
    expect((s['~standard'].jsonSchema.input(opts) as { required?: string[] }).required).toBeUndefined();
    expect((s['~standard'].jsonSchema.output(opts) as { required?: string[] }).required).toEqual(['a']);
  });
});
