import { describe, expect, it } from 'vitest';
import { chooseJudge } from './start.js';

describe('judge choice (fix of §10 item 20)', () => {
  it('takes judgeModel as given', () => {
    expect(chooseJudge('a/judge', 'a/target', 'a/opt')).toEqual({ model: 'a/judge', note: 'judgeModel as given' });
  });
  it('defaults to the target when it is not the optimizer', () => {
    expect(chooseJudge(undefined, 'a/target', 'a/opt')).toMatchObject({ model: 'a/target' });
    expect(chooseJudge(undefined, 'a/target', 'a/opt').warning).toBeUndefined();
  });
  it('falls back to the optimizer with a warning when it is also the target', () => {
    expect(chooseJudge(undefined, 'a/same', 'a/same')).toMatchObject({ model: 'a/same', warning: expect.stringContaining('judges its own work') });
  });
});
