import { describe, expect, it } from 'vitest';
import type { OpContext } from '../src/contract/operation.js';
import { createEngine } from '../src/engine/engine.js';
import { NotFoundError } from '../src/engine/util/errors.js';
import { primitivesListTool } from './primitives_list.js';

const engine = createEngine({ flags: { cache: '/nonexistent-skvm-cache' }, env: {} });
const ctx = { progress() {}, signal: new AbortController().signal, log: engine.log, engine, llm: undefined } as unknown as OpContext;
const call = (input: Record<string, unknown>) => primitivesListTool.handler(primitivesListTool.input.parse(input), ctx);

describe('primitives_list', () => {
  it('is a read-only instant operation with described fields', () => {
    expect(primitivesListTool).toMatchObject({ name: 'primitives_list', effect: 'read', idempotent: true, openWorld: false, mode: 'instant' });
    for (const [k, s] of Object.entries(primitivesListTool.input.shape)) expect(s.description, k).toBeTruthy();
    expect(() => primitivesListTool.input.parse({ bogus: 1 })).toThrow();
  });

  it('returns the whole catalog, with levels and degradations on detail "full"', async () => {
    const brief = await call({});
    expect(brief.count).toBe(26);
    expect(brief.primitives[0]).toEqual({ id: expect.any(String), category: expect.any(String), description: expect.any(String) });
    const out = await call({ detail: 'full' });
    expect(primitivesListTool.output.parse(out)).toEqual(out);
    const browser = out.primitives.find((p) => p.id === 'tool.browser')!;
    expect(browser.degradations!['L2->L1']).toBeNull();
    expect(browser.levels!.L3.length).toBeGreaterThan(5);
    const text = primitivesListTool.summarize(out);
    expect(text.split('\n')).toHaveLength(27);
  });

  it('filters by category and ids, and rejects unknown ids with suggestions', async () => {
    expect((await call({ category: 'reasoning' })).count).toBe(5);
    const some = await call({ ids: ['tool.exec', 'gen.code.python'], detail: 'full' });
    expect(some.primitives.map((p) => p.id)).toEqual(['gen.code.python', 'tool.exec']);
    expect(primitivesListTool.summarize(some)).toContain('degrade L3->L2');
    expect((await call({ ids: ['tool.exec'], category: 'generation' })).count).toBe(0);
    const err = await call({ ids: ['gen.code.pyhton'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as NotFoundError).suggestions).toContain('gen.code.python');
  });
});
