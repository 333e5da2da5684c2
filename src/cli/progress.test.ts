import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createProgress, formatBar, formatLine } from './progress.js';

function sink() {
  const chunks: string[] = [];
  return { chunks, out: { write: (t: string) => void chunks.push(t) }, text: () => chunks.join('') };
}

describe('formatting', () => {
  it('draws a bar with counts and message', () => {
    expect(formatBar({ done: 5, total: 10, message: 'half' }, 80)).toBe('[##########----------] 5/10 half');
    expect(formatBar({ done: 3 }, 80)).toBe('[--------------------] 3');
    expect(formatBar({ done: 1, total: 2, message: 'x'.repeat(200) }, 40)).toHaveLength(39);
  });
  it('formats piped lines', () => {
    expect(formatLine({ done: 12, total: 78, message: 'probe\nlevel' })).toBe('progress 12/78 probe level');
    expect(formatLine({ done: 2 })).toBe('progress 2');
  });
});

describe('piped progress', () => {
  let now = 0;
  beforeEach(() => {
    vi.useFakeTimers();
    now = 0;
  });
  afterEach(() => vi.useRealTimers());

  it('prints only changes, at most one line per 250 ms, and the latest state at the end of a window', () => {
    const s = sink();
    const p = createProgress({ out: s.out, isTTY: false, now: () => now });
    p.update(1, 10, 'a');
    p.update(1, 10, 'a'); // unchanged
    now = 100;
    p.update(2, 10, 'b'); // throttled
    p.update(3, 10, 'c'); // throttled, replaces b
    expect(s.chunks).toEqual(['progress 1/10 a\n']);
    now = 250;
    vi.advanceTimersByTime(150);
    expect(s.chunks).toEqual(['progress 1/10 a\n', 'progress 3/10 c\n']);
    now = 600;
    p.update(3, 10, 'c'); // unchanged: nothing
    p.update(4, undefined, undefined); // keeps total and message
    expect(s.chunks.at(-1)).toBe('progress 4/10 c\n');
    p.stop();
    p.update(5, 10, 'late');
    expect(s.chunks).toHaveLength(3);
  });

  it('flushes a pending change when stopped', () => {
    const s = sink();
    const p = createProgress({ out: s.out, isTTY: false, now: () => now });
    p.update(1, 2);
    now = 10;
    p.update(2, 2);
    p.stop();
    expect(s.chunks).toEqual(['progress 1/2\n', 'progress 2/2\n']);
  });

  it('prints nothing when quiet, but still passes log lines through', () => {
    const s = sink();
    const p = createProgress({ out: s.out, isTTY: false, quiet: true });
    p.update(1, 2, 'x');
    p.log('a log line');
    p.stop();
    expect(s.text()).toBe('a log line\n');
  });
});

describe('terminal progress', () => {
  let now = 0;
  beforeEach(() => {
    vi.useFakeTimers();
    now = 0;
  });
  afterEach(() => vi.useRealTimers());

  it('redraws one line in place, keeps log lines above it, and clears it at the end', () => {
    const s = sink();
    const p = createProgress({ out: s.out, isTTY: true, columns: 80, now: () => now });
    p.update(1, 4, 'one');
    expect(s.text()).toBe('\r\x1b[2K[#####---------------] 1/4 one');
    now = 10;
    p.update(2, 4, 'two'); // within the redraw interval: deferred
    expect(s.chunks).toHaveLength(1);
    now = 80;
    vi.advanceTimersByTime(80);
    expect(s.chunks.at(-1)).toBe('\r\x1b[2K[##########----------] 2/4 two');
    p.log('hello');
    expect(s.chunks.slice(-3)).toEqual(['\r\x1b[2K', 'hello\n', '[##########----------] 2/4 two']);
    p.stop();
    expect(s.chunks.at(-1)).toBe('\r\x1b[2K');
    // The bar is never terminated by a newline, so it never scrolls into the output.
    expect(s.text()).not.toMatch(/\] \d+\/\d+ \w+\n/);
  });
});
