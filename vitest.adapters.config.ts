import { defineConfig } from 'vitest/config';

// npm run test:adapters: the harness adapters against their real CLIs (installed into a cache
// outside the repo, see scripts/harness-cli/install.ts). Not part of npm test.
export default defineConfig({
  test: {
    include: ['test/adapters/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 600_000,
    pool: 'forks',
    // One CLI at a time: each starts a heavy process and the machines have two cores.
    maxWorkers: 1,
  },
});
