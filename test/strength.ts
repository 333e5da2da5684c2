/**
 * How hard the slow sweeps test. `npm test` (the developer loop) runs a sample — a few seeds
 * per generator level, two planted maps end to end; `npm run test:full` (SKVM_TEST_FULL=1,
 * what CI runs) runs every seed and every map.
 */
export const FULL_TESTS = process.env.SKVM_TEST_FULL === '1';

/** `quick` in the developer loop, `full` under SKVM_TEST_FULL=1. */
export function byStrength<T>(quick: T, full: T): T {
  return FULL_TESTS ? full : quick;
}
