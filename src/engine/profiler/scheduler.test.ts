import { describe, expect, it } from 'vitest';
import { AimdWindow, ProbeScheduler } from './scheduler.js';

function win(max: number, growAfter: number) {
  let clock = 0;
  const changes: Array<[string, number]> = [];
  const w = new AimdWindow('k', max, growAfter, () => clock, (x, reason) => changes.push([reason, x.limit]));
  return { w, changes, tick: (ms = 1) => (clock += ms), now: () => clock };
}

describe('AIMD window', () => {
  it('halves on congestion (min 1), once per window: calls sent before a decrease cannot decrease again', () => {
    const { w, changes, tick, now } = win(8, 3);
    tick();
    const before = now();
    tick();
    w.congestion(before); // 8 → 4
    w.congestion(before); // sent under the old window: ignored
    expect(w.limit).toBe(4);
    tick();
    w.congestion(now()); // 4 → 2
    tick();
    w.congestion(now()); // 2 → 1
    tick();
    w.congestion(now()); // stays 1
    expect(w.limit).toBe(1);
    expect(changes).toEqual([
      ['decrease', 4],
      ['decrease', 2],
      ['decrease', 1],
    ]);
    expect(w.stats).toMatchObject({ initial: 8, min: 1, decreases: 3, congestedCalls: 5 });
  });

  it('grows by one after a run of clean calls, never above the maximum; a congested call resets the run', () => {
    const { w, tick, now } = win(3, 2);
    tick();
    w.congestion(now());
    expect(w.limit).toBe(1);
    w.cleanCall();
    tick();
    w.congestion(now()); // resets the clean run (limit stays 1)
    w.cleanCall();
    expect(w.limit).toBe(1);
    w.cleanCall();
    expect(w.limit).toBe(2);
    for (let i = 0; i < 10; i++) w.cleanCall();
    expect(w.limit).toBe(3);
    expect(w.stats.increases).toBe(2);
    expect(w.stats.trace.map((t) => t.limit)).toEqual([1, 2, 3]);
  });
});

const tick = () => new Promise((r) => setTimeout(r, 2));

describe('ProbeScheduler', () => {
  it('runs one queue FIFO within the concurrency limit, accepts runs added while running, and resolves when idle', async () => {
    const s = new ProbeScheduler({ concurrency: 3 });
    let running = 0;
    let max = 0;
    const order: number[] = [];
    const job = (i: number) => async () => {
      running++;
      max = Math.max(max, running);
      order.push(i);
      await tick();
      if (i === 0) s.submit('r', 'g', job(100)); // added while running
      running--;
    };
    for (let i = 0; i < 10; i++) s.submit('r', 'g', job(i));
    await s.whenIdle();
    expect(max).toBe(3);
    expect(order.slice(0, 3)).toEqual([0, 1, 2]);
    expect(order).toHaveLength(11);
    expect(order).toContain(100);
  });

  it('front puts a run ahead of everything queued', async () => {
    const s = new ProbeScheduler({ concurrency: 1 });
    const order: string[] = [];
    const job = (name: string) => async () => {
      order.push(name);
      await tick();
      if (name === 'a') {
        s.submit('r', 'g', job('rerun-2'), { front: true });
        s.submit('r', 'g', job('rerun-1'), { front: true });
      }
    };
    for (const n of ['a', 'b', 'c']) s.submit('r', 'g', job(n));
    await s.whenIdle();
    expect(order).toEqual(['a', 'rerun-1', 'rerun-2', 'b', 'c']);
  });

  it('a shrunken window bounds its route while other routes keep going', async () => {
    const s = new ProbeScheduler({ concurrency: 4 });
    s.window('slow').congestion(s.now());
    s.window('slow').congestion(s.now() + 1);
    expect(s.window('slow').limit).toBe(1);
    const live: Record<string, number> = { slow: 0, fast: 0 };
    const max: Record<string, number> = { slow: 0, fast: 0 };
    const job = (k: string) => async () => {
      live[k]!++;
      max[k] = Math.max(max[k]!, live[k]!);
      await tick();
      live[k]!--;
    };
    for (let i = 0; i < 6; i++) {
      s.submit('slow', 'a', job('slow'));
      s.submit('fast', 'b', job('fast'));
    }
    await s.whenIdle();
    expect(max.slow).toBe(1);
    expect(max.fast).toBe(3);
  });

  it('drop removes a group’s queued runs; a throwing run fails the whole queue once the running ones end', async () => {
    const s = new ProbeScheduler({ concurrency: 1 });
    const ran: string[] = [];
    s.submit('r', 'a', async () => {
      await tick();
      ran.push('a0');
    });
    s.submit('r', 'a', async () => void ran.push('a1'));
    s.submit('r', 'b', async () => void ran.push('b0'));
    expect(s.drop('a')).toBe(1);
    await s.whenIdle();
    expect(ran).toEqual(['a0', 'b0']);

    const t = new ProbeScheduler({ concurrency: 2 });
    t.submit('r', 'x', async () => {
      throw new Error('bad run');
    });
    t.submit('r', 'x', async () => {
      await tick();
      ran.push('slow');
    });
    t.submit('r', 'x', async () => void ran.push('never'));
    await expect(t.whenIdle()).rejects.toThrow('bad run');
    expect(ran).toContain('slow');
    expect(ran).not.toContain('never');
  });
});
