import { describe, expect, it } from 'vitest';
import { AimdWindow, ProbeScheduler } from './scheduler.js';

function win(max: number) {
  let clock = 0;
  const changes: Array<[string, number]> = [];
  const w = new AimdWindow('k', max, () => clock, (x, reason) => changes.push([reason, x.limit]));
  return { w, changes, tick: (ms = 1) => (clock += ms), now: () => clock };
}

describe('AIMD window', () => {
  it('shrinks by 1/8 per retry a pushed-back call needed (at most half), once per round trip', () => {
    const { w, changes, tick, now } = win(8);
    tick();
    const before = now();
    tick();
    w.congestion(before, 2); // one retry: 8 → 7
    w.congestion(before, 5); // sent before that decrease: ignored
    expect(w.limit).toBe(7);
    tick();
    w.congestion(now(), Infinity); // failed after its retries: 7 → 3.5
    expect(w.limit).toBe(3);
    tick();
    w.congestion(now(), 9); // many retries still at most halve: 3.5 → 1.75
    tick();
    w.congestion(now(), 3); // 1.75 → 1.3
    tick();
    w.congestion(now(), Infinity); // never below 1
    expect(w.limit).toBe(1);
    expect(changes).toEqual([
      ['decrease', 7],
      ['decrease', 3],
      ['decrease', 1],
    ]);
    expect(w.stats).toMatchObject({ initial: 8, min: 1, decreases: 3, congestedCalls: 6 });
  });

  it('grows steadily: each clean call adds 1/window, so a window of clean calls adds one, up to the maximum', () => {
    const { w, tick, now } = win(4);
    tick();
    w.congestion(now(), Infinity);
    tick();
    w.congestion(now(), Infinity);
    expect(w.limit).toBe(1);
    w.cleanCall(); // 1 → 2
    expect(w.limit).toBe(2);
    w.cleanCall();
    expect(w.limit).toBe(2); // 2.5
    w.cleanCall(); // 2.9
    w.cleanCall(); // 3.24
    expect(w.limit).toBe(3);
    for (let i = 0; i < 20; i++) w.cleanCall();
    expect(w.limit).toBe(4);
    expect(w.stats.increases).toBe(3);
    expect(w.stats.trace.map((t) => t.limit)).toEqual([2, 1, 2, 3, 4]);
  });

  it('random pushback on one call in five (retried once) keeps the window near its maximum', () => {
    const { w, tick, now } = win(8);
    let lowest = 8;
    let call = 0;
    // Round trips: a window's worth of calls start together and end together.
    for (let round = 0; round < 100; round++) {
      const startedAt = now();
      const n = w.limit;
      tick(10);
      for (let i = 0; i < n; i++) {
        if (call++ % 5 === 0) w.congestion(startedAt, 2);
        else w.cleanCall();
      }
      lowest = Math.min(lowest, w.limit);
    }
    expect(lowest).toBeGreaterThanOrEqual(6);
  });
});

const tick = () => new Promise((r) => setTimeout(r, 2));

describe('ProbeScheduler', () => {
  it('runs one queue FIFO within the concurrency limit, accepts runs added while running, and resolves when idle', async () => {
    const s = new ProbeScheduler({ concurrency: 3 });
    s.window('r', 8);
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
    s.window('slow').congestion(s.now(), Infinity);
    s.window('slow').congestion(s.now() + 1, Infinity);
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

  it('a run that releases its slot lets the next one start, and whenIdle still waits for it to end', async () => {
    const s = new ProbeScheduler();
    s.window('r', 1);
    const log: string[] = [];
    const job = (name: string) => async (release: () => void) => {
      log.push(`${name} agent`);
      await tick();
      release();
      release(); // idempotent
      log.push(`${name} grading`);
      await tick();
      await tick();
      log.push(`${name} end`);
    };
    s.submit('r', 'g', job('a'));
    s.submit('r', 'g', job('b'));
    await s.whenIdle();
    expect(log.indexOf('b agent')).toBeLessThan(log.indexOf('a end'));
    expect(log.at(-1)).toBe('b end');
    expect(s.pending).toBe(0);
  });

  it('a dispatched run gets through its microtasks (up to its LLM request) before the next runs are prepared', async () => {
    const s = new ProbeScheduler();
    s.window('r', 1);
    const log: string[] = [];
    const job = (name: string) => async (release: () => void) => {
      // Resolved promises only, like a prepared probe's way to its request.
      for (let i = 0; i < 20; i++) await Promise.resolve();
      log.push(`${name} request`);
      await tick();
      release();
    };
    for (const name of ['a', 'b', 'c']) s.submit('r', 'g', job(name), { prepare: () => void log.push(`${name} prepared`) });
    await s.whenIdle();
    expect(log.indexOf('a request')).toBeLessThan(log.indexOf('b prepared'));
    expect(log.indexOf('b request')).toBeLessThan(log.indexOf('c prepared'));
    expect(log).toContain('c request');
  });

  it('prepares one run per event-loop turn, so a reply arriving meanwhile waits for one preparation, not a window of them', async () => {
    const s = new ProbeScheduler();
    s.window('r', 3);
    const log: string[] = [];
    // Counts event-loop turns: an immediate set from an immediate runs in the next turn.
    let turns = 0;
    let counting = true;
    const count = () => {
      turns++;
      if (counting) setImmediate(count);
    };
    setImmediate(count);
    const job = async (release: () => void) => {
      await tick();
      release();
    };
    for (let i = 0; i < 9; i++) s.submit('r', 'g', job, { prepare: () => void log.push(`prepared at turn ${turns}`) });
    await s.whenIdle();
    counting = false;
    expect(log).toHaveLength(6); // the 3 dispatched at once never prepare; the other 6 do, a window ahead
    expect(new Set(log).size).toBe(log.length);
  });
});
