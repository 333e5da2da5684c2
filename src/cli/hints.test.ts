import { describe, expect, it } from 'vitest';
import { fakeOperations, widgetBuild } from '../../test/cli/helpers.js';
import { operations } from '../../tools/index.js';
import { cliText, vocabularyOf } from './hints.js';

const all = vocabularyOf(operations);

describe('cliText', () => {
  it('names commands for multi-word tool names and leaves one-word names as words', () => {
    expect(cliText('Call config_doctor first, then profiles_list; a profile is kept.', all)).toBe(
      'Call skvm config doctor first, then skvm profiles list; a profile is kept.',
    );
  });

  it('turns argument names into flags: camelCase anywhere, one-word ones only as settings of this command', () => {
    const t = 'Call run_status with runId "r-1" (waitSeconds at most 50); or pass judgeModel: x, overwrite: true.';
    expect(cliText(t, all)).toBe('Call skvm run status with --run-id "r-1" (--wait-seconds at most 50); or pass --judge-model=x, overwrite: true.');
    const init = operations.find((o) => o.name === 'config_init')!;
    expect(cliText('Use mode "merge", or overwrite: true to replace it (a backup is kept).', all, init)).toBe(
      'Use mode "merge", or --overwrite=true to replace it (a backup is kept).',
    );
  });

  it('does not touch words that only contain a name', () => {
    expect(cliText('steps=3 and stepsLeft; the id is an id', vocabularyOf(fakeOperations), widgetBuild)).toBe('--steps=3 and stepsLeft; the id is an id');
  });
});
