import { describe, expect, it } from 'vitest';
import { createEngine } from '../src/engine/engine.js';
import { NotFoundError } from '../src/engine/util/errors.js';
import { primitiveResource, primitivesCatalogResource } from './primitives.js';

const engine = createEngine({ flags: { cache: '/nonexistent-skvm-cache' }, env: {} });

describe('primitive resources', () => {
  it('serves the whole catalog at skvm://primitives', async () => {
    expect(primitivesCatalogResource.uri).toBe('skvm://primitives');
    const uri = new URL('skvm://primitives');
    const r = await primitivesCatalogResource.read(engine, uri, {});
    expect(r).toMatchObject({ uri: 'skvm://primitives', mimeType: 'application/json' });
    const body = JSON.parse(r.text) as { count: number; primitives: Array<{ id: string }>; categories: Record<string, string[]> };
    expect(body.count).toBe(26);
    expect(body.primitives).toHaveLength(26);
    expect(body.categories.tool_use).toHaveLength(7);
  });

  it('lists, completes and reads single primitives', async () => {
    expect(primitiveResource.uri).toBe('skvm://primitives/{id}');
    const list = await primitiveResource.list!(engine);
    expect(list).toHaveLength(26);
    expect(list[0]).toMatchObject({ uri: 'skvm://primitives/gen.code.python', name: 'gen.code.python', mimeType: 'application/json' });
    expect(await primitiveResource.complete!.id!(engine, 'tool.call', {})).toEqual(['tool.call.format', 'tool.call.batch']);
    expect(await primitiveResource.complete!.id!(engine, 'REASON.A', {})).toEqual(['reason.arithmetic', 'reason.analysis']);
    expect(await primitiveResource.complete!.id!(engine, '', {})).toHaveLength(26);
    const r = await primitiveResource.read(engine, new URL('skvm://primitives/tool.browser'), { id: 'tool.browser' });
    const p = JSON.parse(r.text) as { id: string; degradations: Record<string, string | null> };
    expect(p.id).toBe('tool.browser');
    expect(p.degradations['L2->L1']).toBeNull();
    const err = await primitiveResource.read(engine, new URL('skvm://primitives/tool.brwser'), { id: 'tool.brwser' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as NotFoundError).suggestions).toContain('tool.browser');
  });
});
