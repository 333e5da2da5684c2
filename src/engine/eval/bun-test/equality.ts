/**
 * Deep equality as Bun's (and Jest's) `toEqual` / `toStrictEqual` decide it, with asymmetric
 * matchers (`expect.any(Number)`…) allowed anywhere in the expected value. `toEqual` ignores
 * properties whose value is undefined and does not compare classes; `toStrictEqual` does both.
 */

export const ASYMMETRIC = Symbol.for('skvm.bun-test.asymmetric');

export interface AsymmetricMatcher {
  [ASYMMETRIC]: true;
  matches(received: unknown): boolean;
  describe(): string;
}

export function isAsymmetric(x: unknown): x is AsymmetricMatcher {
  return typeof x === 'object' && x !== null && (x as Partial<AsymmetricMatcher>)[ASYMMETRIC] === true;
}

export function equals(received: unknown, expected: unknown, strict = false, seen: Array<[unknown, unknown]> = []): boolean {
  if (isAsymmetric(expected)) return expected.matches(received);
  if (isAsymmetric(received)) return received.matches(expected);
  if (Object.is(received, expected)) return true;
  if (typeof received !== 'object' || typeof expected !== 'object' || received === null || expected === null) return false;
  if (seen.some(([a, b]) => a === received && b === expected)) return true;
  const pairs: Array<[unknown, unknown]> = [...seen, [received, expected]];

  if (strict && Object.getPrototypeOf(received) !== Object.getPrototypeOf(expected)) return false;
  if (Array.isArray(received) !== Array.isArray(expected)) return false;
  if (received instanceof Date || expected instanceof Date) {
    return received instanceof Date && expected instanceof Date && Object.is(received.getTime(), expected.getTime());
  }
  if (received instanceof RegExp || expected instanceof RegExp) return String(received) === String(expected);
  if (received instanceof Map || expected instanceof Map) {
    if (!(received instanceof Map && expected instanceof Map) || received.size !== expected.size) return false;
    for (const [k, v] of expected) if (!received.has(k) || !equals(received.get(k), v, strict, pairs)) return false;
    return true;
  }
  if (received instanceof Set || expected instanceof Set) {
    if (!(received instanceof Set && expected instanceof Set) || received.size !== expected.size) return false;
    for (const v of expected) if (!received.has(v) && ![...received].some((r) => equals(r, v, strict, pairs))) return false;
    return true;
  }
  if (received instanceof Error && expected instanceof Error && received.message !== expected.message) return false;

  const rec = received as Record<string, unknown>;
  const exp = expected as Record<string, unknown>;
  if (Array.isArray(received) && received.length !== (expected as unknown[]).length) return false;
  const keysOf = (o: Record<string, unknown>) => Object.keys(o).filter((k) => strict || o[k] !== undefined);
  const rk = keysOf(rec);
  const ek = keysOf(exp);
  if (rk.length !== ek.length) return false;
  for (const k of ek) {
    if (!Object.prototype.hasOwnProperty.call(rec, k) && !(k in rec)) return false;
    if (!equals(rec[k], exp[k], strict, pairs)) return false;
  }
  return true;
}

/** `toMatchObject`: every property of `expected` is in `received` (recursively); arrays match element-wise. */
export function matchesObject(received: unknown, expected: unknown): boolean {
  if (isAsymmetric(expected)) return expected.matches(received);
  if (typeof expected !== 'object' || expected === null || typeof received !== 'object' || received === null) return equals(received, expected);
  if (Array.isArray(expected)) {
    return Array.isArray(received) && received.length === expected.length && expected.every((e, i) => matchesObject(received[i], e));
  }
  if (expected instanceof Date || expected instanceof RegExp || expected instanceof Map || expected instanceof Set) return equals(received, expected);
  const rec = received as Record<string, unknown>;
  return Object.entries(expected).every(([k, v]) => k in rec && matchesObject(rec[k], v));
}
