import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { tempDirs } from '../../../test/tmp.js';
import { RunStore } from './store.js';

const tmp = tempDirs('skvm-run-store-');

describe('RunStore.appendEvent', () => {
  it('keeps events in call order and joins a burst into few appends', async () => {
    const store = new RunStore(tmp());
    await store.init();
    const id = RunStore.newId();
    const append = vi.spyOn(fsp, 'appendFile');
    await Promise.all(Array.from({ length: 200 }, (_, i) => store.appendEvent(id, { type: 'log', level: 'debug', message: `line ${i}` })));
    const calls = append.mock.calls.length;
    append.mockRestore();
    const events = await store.readEvents(id);
    expect(events.map((e) => e.message)).toEqual(Array.from({ length: 200 }, (_, i) => `line ${i}`));
    expect(calls).toBeLessThanOrEqual(2);
    // Later events still land after the burst, and a lone one is written on its own.
    await store.appendEvent(id, { type: 'status', status: 'succeeded' });
    expect((await store.readEvents(id)).at(-1)).toMatchObject({ type: 'status', status: 'succeeded' });
  });

  it('a failed append rejects its callers and the next event is still written', async () => {
    const store = new RunStore(path.join(tmp(), 'runs'));
    const id = RunStore.newId();
    // The directory does not exist yet: the append fails.
    await expect(store.appendEvent(id, { type: 'log', level: 'info', message: 'lost' })).rejects.toThrow();
    await store.init();
    await store.appendEvent(id, { type: 'log', level: 'info', message: 'kept' });
    expect((await store.readEvents(id)).map((e) => e.message)).toEqual(['kept']);
  });
});
