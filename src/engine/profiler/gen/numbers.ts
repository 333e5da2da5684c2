/** Rounding and writing numbers the way the prompts and expected answers show them. */

/** x rounded half away from zero to `digits` decimals (nudged by an epsilon, so 1.005 gives 1.01). */
export function roundTo(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round((x + Number.EPSILON * Math.sign(x)) * f) / f;
}

/** x with exactly two decimals, rounded as roundTo does. */
export function fixed2(x: number): string {
  return roundTo(x, 2).toFixed(2);
}
