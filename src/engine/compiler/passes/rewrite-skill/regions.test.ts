import { describe, expect, it } from 'vitest';
import { editedRegions } from './regions.js';

const doc = (lines: string[]) => lines.join('\n');
const base = ['# T', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];

describe('editedRegions', () => {
  it('counts nothing for identical text', () => {
    expect(editedRegions(doc(base), doc(base))).toBe(0);
  });

  it('a change, an insertion and a deletion in three places are three regions', () => {
    const after = ['# T', 'a', 'B!', 'c', 'd', 'new line', 'e', 'f', 'h'];
    expect(editedRegions(doc(base), doc(after))).toBe(3);
  });

  it('adjacent changed lines, a replacement by more lines, are one region', () => {
    const after = ['# T', 'a', 'X', 'Y', 'Z', 'W', 'e', 'f', 'g', 'h'];
    expect(editedRegions(doc(base), doc(after))).toBe(1);
  });

  it('an edit at the start and one at the end are two regions', () => {
    expect(editedRegions(doc(base), doc(['# Title', ...base.slice(1, -1), 'H']))).toBe(2);
  });

  it('appending or emptying counts one region', () => {
    expect(editedRegions(doc(base), doc([...base, 'more', 'lines']))).toBe(1);
    expect(editedRegions(doc(base), '')).toBe(1);
  });
});
