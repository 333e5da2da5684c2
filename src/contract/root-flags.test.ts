import { describe, expect, it } from 'vitest';
import { rootFlagsFromArgv } from './root-flags.js';

describe('rootFlagsFromArgv', () => {
  it('takes --name=value anywhere in argv and leaves the rest alone', () => {
    expect(rootFlagsFromArgv(['--x', '--skvm-cache=/c', 'y', '--tmp-dir=/t', '--skvm-data-dir=~/d'])).toEqual({ cache: '/c', tmpDir: '/t', dataDir: '~/d' });
  });

  it('ignores empty values and other spellings', () => {
    expect(rootFlagsFromArgv(['--skvm-cache=', '--skvm-cache', '/c', '--tmp-dirx=/t'])).toEqual({});
  });
});
