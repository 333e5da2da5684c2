import { describe, expect, it } from 'vitest';
import { stdoutColor } from './io.js';

describe('stdoutColor', () => {
  it('colours a terminal unless NO_COLOR is set or TERM is dumb; never a pipe by itself', () => {
    expect(stdoutColor(true, {})).toBe(true);
    expect(stdoutColor(true, { NO_COLOR: '1' })).toBe(false);
    expect(stdoutColor(true, { NO_COLOR: '' })).toBe(true);
    expect(stdoutColor(true, { TERM: 'dumb' })).toBe(false);
    expect(stdoutColor(false, {})).toBe(false);
  });

  it('lets FORCE_COLOR decide when it is set, over NO_COLOR and a pipe', () => {
    for (const v of ['', '1', '2', '3', 'true']) expect(stdoutColor(false, { FORCE_COLOR: v, NO_COLOR: '1' }), v).toBe(true);
    for (const v of ['0', 'false', 'no']) expect(stdoutColor(true, { FORCE_COLOR: v }), v).toBe(false);
  });
});
