import { format } from 'node:util';
import * as nodeTest from 'node:test';
import { UNSUPPORTED_MARK } from './expect.js';

/**
 * What `import … from "bun:test"` gets when a grader runs a Bun-style test file under
 * `node --test` (Bun not installed): Bun's test API on node:test. The loader in this folder
 * maps the specifier here. Bun's signatures are translated — `test(name, fn, timeout)`,
 * a `done` callback as the only parameter, `test.each(table)(name, fn)` with printf-style
 * names, `test.if` / `skipIf` / `todoIf`, `beforeAll` / `afterAll` — so node's JUnit report names
 * the same `describe > test` paths Bun's does. This folder imports nothing from the rest of the
 * engine: the grader's sandbox shows it and the TypeScript stripper, nothing else.
 */

export { expect } from './expect.js';
export { mock, spyOn } from './mock.js';

type Fn = (...args: any[]) => unknown;
type Options = { timeout?: number; skip?: boolean; todo?: boolean; only?: boolean };

let defaultTimeout: number | undefined;

/** Bun's default per-test timeout (node has none unless given). */
export function setDefaultTimeout(ms: number): void {
  defaultTimeout = ms;
}

/** A test whose only parameter is Bun's `done` callback runs until done is called. */
function adapt(fn: Fn | undefined): Fn | undefined {
  if (!fn || fn.length === 0) return fn;
  return () =>
    new Promise<void>((resolve, reject) => {
      const done = (err?: unknown) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve());
      try {
        const r = fn(done);
        if (r && typeof (r as Promise<unknown>).then === 'function') (r as Promise<unknown>).then(() => undefined, reject);
      } catch (err) {
        reject(err);
      }
    });
}

function options(third: unknown, extra: Options): Options {
  const timeout = typeof third === 'number' ? third : typeof third === 'object' && third !== null ? (third as Options).timeout : undefined;
  const t = timeout ?? defaultTimeout;
  return { ...(t !== undefined ? { timeout: t } : {}), ...extra };
}

/** `%s %d %i %f %j %o %O %p %#`, then `$key` for object rows, as Bun names each.row. */
function eachName(name: string, row: unknown, index: number): string {
  const args = Array.isArray(row) ? row : [row];
  let used = 0;
  let out = name.replace(/%[sdifjoOp#%]/g, (m) => {
    if (m === '%%') return '%';
    if (m === '%#') return String(index);
    const v = args[used++];
    return m === '%p' ? format('%o', v) : format(m, v);
  });
  if (row !== null && typeof row === 'object' && !Array.isArray(row)) {
    out = out.replace(/\$([A-Za-z_][\w.]*)/g, (all, key: string) => {
      const v = key.split('.').reduce<unknown>((o, k) => (o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), row);
      return v === undefined ? all : typeof v === 'string' ? v : format('%o', v);
    });
  }
  return out;
}

function make(kind: 'test' | 'describe') {
  const base = (extra: Options) => (name: string, fn?: Fn, third?: unknown) => {
    const opts = options(third, extra);
    return kind === 'test' ? nodeTest.test(name, opts, adapt(fn) as nodeTest.TestFn | undefined) : nodeTest.describe(name, opts, fn as nodeTest.SuiteFn | undefined);
  };
  const run = base({});
  const skip = base({ skip: true });
  const todo = base({ todo: true });
  const only = base({ only: true });
  const each =
    (variant: ReturnType<typeof base>) =>
    (table: unknown[]) =>
    (name: string, fn: Fn, third?: unknown) =>
      table.forEach((row, i) => variant(eachName(name, row, i), (...a: unknown[]) => (Array.isArray(row) ? fn(...row, ...a) : fn(row, ...a)), third));
  return Object.assign(run, {
    skip,
    todo,
    only,
    each: each(run),
    if: (cond: unknown) => (cond ? run : skip),
    skipIf: (cond: unknown) => (cond ? skip : run),
    todoIf: (cond: unknown) => (cond ? todo : run),
  });
}

export const test = make('test');
export const it = test;
export const describe = make('describe');

const hook = (h: typeof nodeTest.before) => (fn: Fn, timeout?: number) => h(adapt(fn) as nodeTest.HookFn, timeout !== undefined ? { timeout } : {});
export const beforeAll = hook(nodeTest.before);
export const afterAll = hook(nodeTest.after);
export const beforeEach = hook(nodeTest.beforeEach);
export const afterEach = hook(nodeTest.afterEach);

/** Bun's fake clock has no node:test equivalent here; a test using it is an infrastructure gap, not a failure of the agent. */
export function setSystemTime(): never {
  throw new Error(`setSystemTime ${UNSUPPORTED_MARK} (grading without Bun)`);
}
