/**
 * The arithmetic mean; `null` for an empty list, because an average of nothing is unknown, not
 * zero. Callers that want a number there say which (`mean(xs) ?? 0`).
 */
export function mean(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  let sum = 0;
  for (const x of xs) sum += x;
  return sum / xs.length;
}
