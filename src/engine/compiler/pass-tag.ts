/**
 * Pass tags name a variant by its passes: [1,2,3] → "p1p2p3". The reference sorts numbers as
 * strings and reads single digits back, which corrupts numbers ≥ 10 (spec §9.3.8); we sort
 * numerically and read any digit count. For numbers below 10 the tags are identical.
 */
export function toPassTag(numbers: readonly number[]): string {
  const unique = [...new Set(numbers)].sort((a, b) => a - b);
  return unique.map((n) => `p${n}`).join('');
}

/** Pass numbers of a tag; a string that is not a tag gives the default [1, 2, 3] as the reference does. */
export function fromPassTag(tag: string): number[] {
  if (!PASS_TAG.test(tag)) return [1, 2, 3];
  return [...tag.matchAll(/p(\d+)/g)].map((m) => Number(m[1]));
}

export const PASS_TAG = /^(p[1-9]\d*)+$/;

export function isPassTag(tag: string): boolean {
  return PASS_TAG.test(tag);
}
