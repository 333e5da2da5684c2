import { describe, expect, it } from 'vitest';
import { parseStat, readProcTable } from './procs.js';

describe('parseStat', () => {
  it('reads pid, ppid, pgid, sid, start time and name, even with spaces and parens in the name', () => {
    const fields = ['S', '41', '42', '43', ...Array.from({ length: 15 }, (_, i) => String(i)), '987654', '0'];
    expect(parseStat(`123 (evil) name (x)) ${fields.join(' ')}`)).toEqual({ pid: 123, ppid: 41, pgid: 42, sid: 43, start: 987654, comm: 'evil) name (x)' });
  });

  it('skips zombies and malformed lines', () => {
    const fields = ['Z', '1', '1', '1', ...Array.from({ length: 15 }, () => '0'), '5'];
    expect(parseStat(`9 (z) ${fields.join(' ')}`)).toBeUndefined();
    expect(parseStat('garbage')).toBeUndefined();
  });

  it('sees this process with its parent', () => {
    expect(readProcTable().get(process.pid)).toMatchObject({ pid: process.pid, ppid: process.ppid });
  });
});
