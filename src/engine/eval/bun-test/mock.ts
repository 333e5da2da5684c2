/**
 * `mock(fn)` and `spyOn(object, method)` of bun:test: a function that records its calls and can
 * have its implementation or return value replaced; `toHaveBeenCalled*` read the record.
 */

const MOCK = Symbol.for('skvm.bun-test.mock');

type AnyFn = (...args: unknown[]) => unknown;

export interface MockState {
  calls: unknown[][];
  results: Array<{ type: 'return' | 'throw'; value: unknown }>;
}

export interface MockFn extends AnyFn {
  [MOCK]: true;
  mock: MockState;
  mockImplementation(fn: AnyFn): MockFn;
  mockImplementationOnce(fn: AnyFn): MockFn;
  mockReturnValue(v: unknown): MockFn;
  mockReturnValueOnce(v: unknown): MockFn;
  mockResolvedValue(v: unknown): MockFn;
  mockRejectedValue(v: unknown): MockFn;
  mockClear(): MockFn;
  mockReset(): MockFn;
  mockRestore(): void;
}

export function isMock(x: unknown): x is MockFn {
  return typeof x === 'function' && (x as Partial<MockFn>)[MOCK] === true;
}

export function mock(impl?: AnyFn, restore: () => void = () => undefined): MockFn {
  let current: AnyFn | undefined = impl;
  const once: AnyFn[] = [];
  const state: MockState = { calls: [], results: [] };
  const fn = function (this: unknown, ...args: unknown[]) {
    state.calls.push(args);
    const f = once.shift() ?? current;
    try {
      const value = f ? f.apply(this, args) : undefined;
      state.results.push({ type: 'return', value });
      return value;
    } catch (err) {
      state.results.push({ type: 'throw', value: err });
      throw err;
    }
  } as MockFn;
  const self = <A extends unknown[]>(f: (...a: A) => void) => (...a: A): MockFn => (f(...a), fn);
  Object.assign(fn, {
    [MOCK]: true,
    mock: state,
    mockImplementation: self((f: AnyFn) => void (current = f)),
    mockImplementationOnce: self((f: AnyFn) => void once.push(f)),
    mockReturnValue: self((v: unknown) => void (current = () => v)),
    mockReturnValueOnce: self((v: unknown) => void once.push(() => v)),
    mockResolvedValue: self((v: unknown) => void (current = () => Promise.resolve(v))),
    mockRejectedValue: self((v: unknown) => void (current = () => Promise.reject(v))),
    mockClear: self(() => {
      state.calls.length = 0;
      state.results.length = 0;
    }),
    mockReset: self(() => {
      state.calls.length = 0;
      state.results.length = 0;
      once.length = 0;
      current = undefined;
    }),
    mockRestore: restore,
  });
  return fn;
}

/** Replaces `object[method]` with a mock that calls through until told otherwise. */
export function spyOn(object: Record<string, unknown>, method: string): MockFn {
  const original = object[method];
  if (typeof original !== 'function') throw new TypeError(`spyOn: ${method} is not a function`);
  const spy = mock(original as AnyFn, () => {
    object[method] = original;
  });
  object[method] = spy;
  return spy;
}
