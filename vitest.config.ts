import { defineConfig } from 'vitest/config';

// `vitest run --mode full` (npm run test:full) runs every seed and planted map: test/strength.ts.
export default defineConfig(({ mode }) => ({
  test: {
    env: mode === 'full' ? { SKVM_TEST_FULL: '1' } : {},
    include: ['src/**/*.test.ts', 'tools/**/*.test.ts', 'resources/**/*.test.ts', 'prompts/**/*.test.ts', 'test/**/*.test.ts'],
    // The real-CLI adapter tests run in npm run test:adapters (vitest.adapters.config.ts).
    exclude: ['**/node_modules/**', 'test/adapters/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // CI machines have two cores; more workers only add contention for the e2e spawns.
    maxWorkers: 2,
  },
}));
