import { describe, expect, it } from 'vitest';
import { mean } from './mean.js';

describe('mean', () => {
  it('averages numbers', () => {
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    expect(mean([0.2])).toBe(0.2);
    expect(mean([-1, 1])).toBe(0);
  });

  it('is null for an empty list (unknown, not zero)', () => {
    expect(mean([])).toBeNull();
  });

  it('adds in order, as a left fold would', () => {
    const xs = [0.1, 0.2, 0.3];
    expect(mean(xs)).toBe(xs.reduce((a, b) => a + b, 0) / 3);
  });
});
