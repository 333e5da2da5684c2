import { describe, expect, it } from 'vitest';
import { createRng } from '../../util/rng.js';
import { secondsIsoFormatter } from './timestamps.js';

describe('secondsIsoFormatter', () => {
  it('writes exactly what toISOString does (without .000) across days, months, years and leap days', () => {
    const iso = secondsIsoFormatter();
    const rng = createRng('timestamps');
    const starts = [Date.UTC(2023, 11, 31, 23, 59, 0), Date.UTC(2024, 1, 28, 23, 58, 0), Date.UTC(2024, 5, 30, 23, 59, 50), 0];
    for (const start of starts) {
      let t = start;
      for (let i = 0; i < 5000; i++) {
        t += rng.int(0, 9) * 1000;
        expect(iso(t)).toBe(new Date(t).toISOString().replace('.000Z', 'Z'));
      }
    }
    // Going back in time (another log) re-derives the date.
    expect(iso(Date.UTC(2020, 0, 1, 0, 0, 1))).toBe('2020-01-01T00:00:01Z');
  });
});
