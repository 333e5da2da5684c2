import { inspect } from 'node:util';
import { ASYMMETRIC, equals, matchesObject, type AsymmetricMatcher } from './equality.js';
import { isMock, type MockFn } from './mock.js';

/**
 * bun:test's `expect` for graders running without Bun: the Jest-compatible matchers plus the
 * Bun extras (toBeTrue, toStartWith, toContainKey…), `.not`, `.resolves` / `.rejects` and the
 * asymmetric matchers. A failed expectation throws an Error whose message says what was
 * expected and received — node:test reports it as the testcase's failure. A matcher this shim
 * does not have fails with UNSUPPORTED_MARK in its message, which the grader reports as an
 * infrastructure problem rather than the agent's fault.
 */

export const UNSUPPORTED_MARK = 'is not supported by the bun:test shim';

const show = (v: unknown) => inspect(v, { depth: 6, breakLength: Infinity, maxArrayLength: 50, maxStringLength: 500 });

export class ExpectationError extends Error {
  override name = 'ExpectationError';
}

type Check = { pass: boolean; message: (not: boolean) => string };
type Matcher = (received: unknown, ...args: any[]) => Check;

function simple(name: string, pass: boolean, expected: unknown, received: unknown, hasExpected = true): Check {
  return {
    pass,
    // One line: JUnit reports carry the message in an attribute, where line breaks are lost.
    message: (not) => `expect(received).${not ? 'not.' : ''}${name}(${hasExpected ? 'expected' : ''}) failed: ${hasExpected ? `expected ${not ? 'not ' : ''}${show(expected)}, ` : ''}received ${show(received)}`,
  };
}

const typed = (name: string, test: (v: unknown) => boolean): Matcher => (r) => simple(name, test(r), undefined, r, false);

function lengthOf(v: unknown): number | undefined {
  if (typeof v === 'string' || Array.isArray(v)) return v.length;
  if (v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as { length?: unknown }).length === 'number') return (v as { length: number }).length;
  return undefined;
}

/** `a.b[0].c`, `['a', 'b']` → the value at that path, and whether it exists. */
function atPath(obj: unknown, p: string | Array<string | number>): { found: boolean; value: unknown } {
  const parts = Array.isArray(p) ? p.map(String) : p.replace(/\[(\w+)\]/g, '.$1').split('.').filter((s) => s !== '');
  let cur: unknown = obj;
  for (const k of parts) {
    if (cur === null || cur === undefined || !(typeof cur === 'object' || typeof cur === 'function' || typeof cur === 'string') || !(k in Object(cur))) return { found: false, value: undefined };
    cur = (cur as Record<string, unknown>)[k];
  }
  return { found: true, value: cur };
}

function contains(container: unknown, item: unknown, deep: boolean): boolean {
  if (typeof container === 'string') return typeof item === 'string' && container.includes(item);
  if (container !== null && typeof container === 'object' && Symbol.iterator in container) {
    for (const x of container as Iterable<unknown>) if (deep ? equals(x, item) : x === item || (Number.isNaN(x) && Number.isNaN(item))) return true;
  }
  return false;
}

function thrownBy(received: unknown): { threw: boolean; error?: unknown } {
  if (typeof received !== 'function') throw new ExpectationError(`expect(received).toThrow(): received must be a function, got ${show(received)}`);
  try {
    (received as () => unknown)();
    return { threw: false };
  } catch (error) {
    return { threw: true, error };
  }
}

function throwMatches(error: unknown, expected: unknown): boolean {
  if (expected === undefined) return true;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof expected === 'string') return message.includes(expected);
  if (expected instanceof RegExp) return expected.test(message);
  if (typeof expected === 'function') return error instanceof (expected as new () => unknown);
  if (expected instanceof Error) return message === expected.message;
  return equals(error, expected);
}

function calls(received: unknown, name: string): unknown[][] {
  if (!isMock(received)) throw new ExpectationError(`expect(received).${name}(): received must be a mock or spy, got ${show(received)}`);
  return (received as MockFn).mock.calls;
}

const MATCHERS: Record<string, Matcher> = {
  toBe: (r, e) => simple('toBe', Object.is(r, e), e, r),
  toEqual: (r, e) => simple('toEqual', equals(r, e), e, r),
  toStrictEqual: (r, e) => simple('toStrictEqual', equals(r, e, true), e, r),
  toMatchObject: (r, e) => simple('toMatchObject', matchesObject(r, e), e, r),
  toBeTruthy: typed('toBeTruthy', (v) => !!v),
  toBeFalsy: typed('toBeFalsy', (v) => !v),
  toBeNull: typed('toBeNull', (v) => v === null),
  toBeUndefined: typed('toBeUndefined', (v) => v === undefined),
  toBeDefined: typed('toBeDefined', (v) => v !== undefined),
  toBeNil: typed('toBeNil', (v) => v === null || v === undefined),
  toBeNaN: typed('toBeNaN', (v) => Number.isNaN(v)),
  toBeTrue: typed('toBeTrue', (v) => v === true),
  toBeFalse: typed('toBeFalse', (v) => v === false),
  toBeBoolean: typed('toBeBoolean', (v) => typeof v === 'boolean'),
  toBeNumber: typed('toBeNumber', (v) => typeof v === 'number'),
  toBeInteger: typed('toBeInteger', (v) => Number.isInteger(v)),
  toBeFinite: typed('toBeFinite', (v) => typeof v === 'number' && Number.isFinite(v)),
  toBePositive: typed('toBePositive', (v) => typeof v === 'number' && v > 0),
  toBeNegative: typed('toBeNegative', (v) => typeof v === 'number' && v < 0),
  toBeString: typed('toBeString', (v) => typeof v === 'string'),
  toBeArray: typed('toBeArray', (v) => Array.isArray(v)),
  toBeObject: typed('toBeObject', (v) => typeof v === 'object' && v !== null),
  toBeFunction: typed('toBeFunction', (v) => typeof v === 'function'),
  toBeDate: typed('toBeDate', (v) => v instanceof Date),
  toBeValidDate: typed('toBeValidDate', (v) => v instanceof Date && !Number.isNaN(v.getTime())),
  toBeEmpty: typed('toBeEmpty', (v) => (lengthOf(v) ?? (v instanceof Map || v instanceof Set ? v.size : v !== null && typeof v === 'object' ? Object.keys(v).length : 1)) === 0),
  toBeTypeOf: (r, t: string) => simple('toBeTypeOf', (t === 'array' ? Array.isArray(r) : typeof r === t), t, typeof r),
  toBeInstanceOf: (r, c: new () => unknown) => simple('toBeInstanceOf', r instanceof c, c?.name, r),
  toBeGreaterThan: (r, n) => simple('toBeGreaterThan', (r as number) > n, n, r),
  toBeGreaterThanOrEqual: (r, n) => simple('toBeGreaterThanOrEqual', (r as number) >= n, n, r),
  toBeLessThan: (r, n) => simple('toBeLessThan', (r as number) < n, n, r),
  toBeLessThanOrEqual: (r, n) => simple('toBeLessThanOrEqual', (r as number) <= n, n, r),
  toBeWithin: (r, lo: number, hi: number) => simple('toBeWithin', typeof r === 'number' && r >= lo && r < hi, `[${lo}, ${hi})`, r),
  toBeCloseTo: (r, n: number, digits = 2) => simple('toBeCloseTo', typeof r === 'number' && Math.abs(r - n) < 10 ** -digits / 2, n, r),
  toBeOneOf: (r, list: unknown[]) => simple('toBeOneOf', Array.isArray(list) && list.some((x) => equals(r, x)), list, r),
  toContain: (r, e) => simple('toContain', contains(r, e, false), e, r),
  toContainEqual: (r, e) => simple('toContainEqual', contains(r, e, true), e, r),
  toInclude: (r, e: string) => simple('toInclude', typeof r === 'string' && r.includes(e), e, r),
  toStartWith: (r, e: string) => simple('toStartWith', typeof r === 'string' && r.startsWith(e), e, r),
  toEndWith: (r, e: string) => simple('toEndWith', typeof r === 'string' && r.endsWith(e), e, r),
  toMatch: (r, e: string | RegExp) => simple('toMatch', typeof r === 'string' && (typeof e === 'string' ? r.includes(e) : new RegExp(e.source, e.flags.replace('g', '')).test(r)), e, r),
  toHaveLength: (r, n: number) => simple('toHaveLength', lengthOf(r) === n, n, lengthOf(r) ?? r),
  toBeArrayOfSize: (r, n: number) => simple('toBeArrayOfSize', Array.isArray(r) && r.length === n, n, r),
  toHaveProperty: (r, p: string | string[], ...value: unknown[]) => {
    const at = atPath(r, p);
    const pass = at.found && (value.length === 0 || equals(at.value, value[0]));
    return simple('toHaveProperty', pass, value.length === 0 ? p : { [String(p)]: value[0] }, at.found ? at.value : r);
  },
  toContainKey: (r, k: string) => simple('toContainKey', r !== null && typeof r === 'object' && Object.prototype.hasOwnProperty.call(r, k), k, r),
  toContainKeys: (r, ks: string[]) => simple('toContainKeys', r !== null && typeof r === 'object' && ks.every((k) => Object.prototype.hasOwnProperty.call(r, k)), ks, r),
  toSatisfy: (r, f: (v: unknown) => boolean) => simple('toSatisfy', f(r) === true, f.name || 'predicate', r),
  toThrow: (r, e?: unknown) => {
    const t = thrownBy(r);
    return simple('toThrow', t.threw && throwMatches(t.error, e), e ?? 'a thrown error', t.threw ? t.error : 'no error thrown');
  },
  toHaveBeenCalled: (r) => simple('toHaveBeenCalled', calls(r, 'toHaveBeenCalled').length > 0, undefined, `${calls(r, 'toHaveBeenCalled').length} calls`, false),
  toHaveBeenCalledTimes: (r, n: number) => simple('toHaveBeenCalledTimes', calls(r, 'toHaveBeenCalledTimes').length === n, n, calls(r, 'toHaveBeenCalledTimes').length),
  toHaveBeenCalledWith: (r, ...args: unknown[]) => simple('toHaveBeenCalledWith', calls(r, 'toHaveBeenCalledWith').some((c) => equals(c, args)), args, calls(r, 'toHaveBeenCalledWith')),
  toHaveBeenLastCalledWith: (r, ...args: unknown[]) => simple('toHaveBeenLastCalledWith', equals(calls(r, 'toHaveBeenLastCalledWith').at(-1), args), args, calls(r, 'toHaveBeenLastCalledWith').at(-1)),
};
MATCHERS.toThrowError = MATCHERS.toThrow!;
MATCHERS.toBeCalled = MATCHERS.toHaveBeenCalled!;
MATCHERS.toBeCalledTimes = MATCHERS.toHaveBeenCalledTimes!;
MATCHERS.toBeCalledWith = MATCHERS.toHaveBeenCalledWith!;

type Mode = 'sync' | 'resolves' | 'rejects';

function matchers(received: unknown, not: boolean, mode: Mode): Record<string, unknown> {
  const target: Record<string, unknown> = {};
  return new Proxy(target, {
    get(_t, prop) {
      if (prop === 'not') return matchers(received, !not, mode);
      if (prop === 'resolves' || prop === 'rejects') return matchers(received, not, prop);
      if (typeof prop !== 'string') return undefined;
      if (prop === 'then') return undefined; // not a thenable
      const m = MATCHERS[prop];
      if (!m) {
        return () => {
          throw new ExpectationError(`expect(…).${prop}() ${UNSUPPORTED_MARK} (grading without Bun)`);
        };
      }
      const run = (value: unknown, args: unknown[]) => {
        const check = m(value, ...args);
        if (check.pass === not) throw new ExpectationError(check.message(not));
      };
      if (mode === 'sync') return (...args: unknown[]) => run(received, args);
      return async (...args: unknown[]) => {
        let settled: { ok: boolean; value: unknown };
        try {
          settled = { ok: true, value: await received };
        } catch (err) {
          settled = { ok: false, value: err };
        }
        if (settled.ok !== (mode === 'resolves')) throw new ExpectationError(`expect(received).${mode}.${prop}(): the promise ${settled.ok ? 'resolved' : 'rejected'} with ${show(settled.value)}`);
        // `.rejects.toThrow(…)` checks the rejection reason as if it had been thrown.
        const thrower = () => {
          throw settled.value;
        };
        run(mode === 'rejects' && (prop === 'toThrow' || prop === 'toThrowError') ? thrower : settled.value, args);
      };
    },
  });
}

function asymmetric(describe: string, matches: (r: unknown) => boolean): AsymmetricMatcher {
  return { [ASYMMETRIC]: true, matches, describe: () => describe, [inspect.custom]: () => describe } as AsymmetricMatcher;
}

function typeMatches(r: unknown, ctor: unknown): boolean {
  if (ctor === Number) return typeof r === 'number' || r instanceof Number;
  if (ctor === String) return typeof r === 'string' || r instanceof String;
  if (ctor === Boolean) return typeof r === 'boolean' || r instanceof Boolean;
  if (ctor === Function) return typeof r === 'function';
  if (ctor === Object) return typeof r === 'object' && r !== null;
  return typeof ctor === 'function' && r instanceof (ctor as new () => unknown);
}

export interface Expect {
  (received: unknown): Record<string, any>;
  anything(): AsymmetricMatcher;
  any(ctor: unknown): AsymmetricMatcher;
  stringContaining(s: string): AsymmetricMatcher;
  stringMatching(re: string | RegExp): AsymmetricMatcher;
  objectContaining(o: Record<string, unknown>): AsymmetricMatcher;
  arrayContaining(a: unknown[]): AsymmetricMatcher;
  closeTo(n: number, digits?: number): AsymmetricMatcher;
}

export const expect: Expect = Object.assign((received: unknown) => matchers(received, false, 'sync'), {
  anything: () => asymmetric('Anything', (r) => r !== null && r !== undefined),
  any: (ctor: unknown) => asymmetric(`Any<${(ctor as { name?: string })?.name ?? String(ctor)}>`, (r) => typeMatches(r, ctor)),
  stringContaining: (s: string) => asymmetric(`StringContaining ${show(s)}`, (r) => typeof r === 'string' && r.includes(s)),
  stringMatching: (re: string | RegExp) => asymmetric(`StringMatching ${String(re)}`, (r) => typeof r === 'string' && new RegExp(re).test(r)),
  objectContaining: (o: Record<string, unknown>) => asymmetric(`ObjectContaining ${show(o)}`, (r) => matchesObject(r, o) && r !== null && typeof r === 'object'),
  arrayContaining: (a: unknown[]) => asymmetric(`ArrayContaining ${show(a)}`, (r) => Array.isArray(r) && a.every((x) => r.some((y) => equals(y, x)))),
  closeTo: (n: number, digits = 2) => asymmetric(`CloseTo ${n}`, (r) => typeof r === 'number' && Math.abs(r - n) < 10 ** -digits / 2),
});
