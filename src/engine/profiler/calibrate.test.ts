import { describe, expect, it } from 'vitest';
import { detectInversions, highestPassingLevel, levelPasses, levelsToRerun, resolveInversion, type LevelOutcome } from './calibrate.js';

const t = (passCount: number, totalCount: number, skipCount = 0) => ({ passCount, totalCount, skipCount });
const o = (level: 'L1' | 'L2' | 'L3', passed: boolean, effective = 3): LevelOutcome => ({ level, passed, effective });

describe('level rule', () => {
  it('passes iff every non-skipped instance passed and at least one ran', () => {
    expect(levelPasses(t(3, 3))).toBe(true);
    expect(levelPasses(t(2, 3))).toBe(false);
    expect(levelPasses(t(0, 3))).toBe(false);
    expect(levelPasses(t(2, 3, 1))).toBe(true); // one skipped, the two that ran passed
    expect(levelPasses(t(0, 3, 3))).toBe(false); // nothing ran: not passed
    expect(levelPasses(t(0, 0))).toBe(false);
  });

  it('records the highest passing level (reference rule: L1+L3 pass, L2 fail ⇒ L3)', () => {
    expect(highestPassingLevel([o('L1', true), o('L2', true), o('L3', true)])).toBe('L3');
    expect(highestPassingLevel([o('L1', true), o('L2', true), o('L3', false)])).toBe('L2');
    expect(highestPassingLevel([o('L1', false), o('L2', false), o('L3', false)])).toBe('L0');
    expect(highestPassingLevel([o('L1', true), o('L2', false), o('L3', true)])).toBe('L3');
    expect(highestPassingLevel([o('L1', true)])).toBe('L1');
    expect(highestPassingLevel([])).toBe('L0');
  });
});

describe('calibrator', () => {
  it('detects inversions: none, L3 over L2, several, and ignores levels where nothing ran', () => {
    expect(detectInversions('p', [o('L1', true), o('L2', true), o('L3', false)])).toEqual([]);
    expect(detectInversions('p', [o('L1', true), o('L2', false), o('L3', true)])).toEqual([
      { primitiveId: 'p', higherLevel: 'L3', lowerLevel: 'L2', description: 'L3 passed but L2 failed' },
    ]);
    const multi = detectInversions('p', [o('L1', false), o('L2', true), o('L3', true)]);
    expect(multi.map((i) => i.description)).toEqual(['L2 passed but L1 failed', 'L3 passed but L1 failed']);
    // L2 all skipped (unknown, not failed): no inversion.
    expect(detectInversions('p', [o('L1', true), o('L2', false, 0), o('L3', true)])).toEqual([]);
    expect(detectInversions('p', [o('L3', true)])).toEqual([]);
  });

  it('re-runs both ends of every inversion, in level order', () => {
    expect(levelsToRerun(detectInversions('p', [o('L1', false), o('L2', true), o('L3', true)]))).toEqual(['L1', 'L2', 'L3']);
    expect(levelsToRerun(detectInversions('p', [o('L1', true), o('L2', false), o('L3', true)]))).toEqual(['L2', 'L3']);
  });

  it('resolves by majority of original + re-run (skips excluded; a tie fails)', () => {
    expect(resolveInversion(t(2, 3), t(3, 3))).toBe(true); // 5/6
    expect(resolveInversion(t(2, 3), t(1, 3))).toBe(false); // 3/6 tie
    expect(resolveInversion(t(3, 3), t(0, 3))).toBe(false);
    expect(resolveInversion(t(1, 3, 2), t(1, 3, 1))).toBe(true); // 2 of 3 that ran
    expect(resolveInversion(t(0, 3, 3), t(0, 3, 3))).toBe(false); // nothing ran
  });
});
