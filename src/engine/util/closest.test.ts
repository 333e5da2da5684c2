import { describe, expect, it } from 'vitest';
import { closestMatches, editDistance } from './closest.js';

describe('closestMatches', () => {
  const names = ['slugify', 'sales-summary', 'log-triage'];

  it('offers substring matches first, then near spellings', () => {
    expect(closestMatches('slug', names)).toEqual(['slugify']);
    expect(closestMatches('log-triag', names)).toEqual(['log-triage']);
    expect(closestMatches('sales-sumary', names)).toEqual(['sales-summary']);
  });

  it('offers nothing for a name whose length alone rules every candidate out', () => {
    expect(closestMatches('q'.repeat(5_000_000), names)).toEqual([]);
    expect(editDistance('abc', 'abcdefgh')).toBe(5);
  });
});
