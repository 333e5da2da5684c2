import { z } from 'zod';
import { defineOperation, type AnyOperation } from '../../src/contract/operation.js';
import { CancelledError, SkvmError, UsageError } from '../../src/engine/util/errors.js';
import type { BaseIo, StopSignal } from '../../src/cli/io.js';

/** Small operations and a capturing io for the CLI's in-process tests. */

export const widgetShow = defineOperation({
  name: 'widget_show',
  title: 'Show a widget',
  description: 'Show one widget by id, with its parts.',
  input: z.strictObject({
    id: z.string().min(1).describe('The widget id'),
    detail: z.enum(['brief', 'full']).default('brief').describe('How much to show'),
    maxParts: z.number().int().min(1).max(100).default(10).describe('Most parts to list'),
    colors: z.array(z.string()).optional().describe('Only parts of these colors'),
    includeHidden: z.boolean().default(false).describe('Also list hidden parts'),
    filter: z.object({ minSize: z.number() }).optional().describe('Extra filter as JSON'),
  }),
  output: z.object({ id: z.string(), detail: z.string(), maxParts: z.number(), colors: z.array(z.string()), includeHidden: z.boolean() }),
  effect: 'read',
  idempotent: true,
  openWorld: false,
  mode: 'instant',
  async handler(input) {
    if (input.id === 'missing') throw new SkvmError('No widget "missing".', { hint: 'widgets_list shows the ids.', code: 'not_found' });
    if (input.id === 'malformed') throw new UsageError('The id "malformed" is malformed.', 'Ids are lower-case words.');
    return { id: input.id, detail: input.detail, maxParts: input.maxParts, colors: input.colors ?? [], includeHidden: input.includeHidden };
  },
  summarize: (o) => `widget ${o.id} (${o.detail}, ≤${o.maxParts} parts${o.colors.length ? `, colors ${o.colors.join('+')}` : ''})`,
});

export const widget = defineOperation({
  name: 'widget',
  title: 'Widget overview',
  description: 'Overview of all widgets.',
  input: z.strictObject({}),
  output: z.object({ count: z.number() }),
  effect: 'read',
  idempotent: true,
  openWorld: false,
  mode: 'instant',
  async handler() {
    return { count: 2 };
  },
  summarize: (o) => `${o.count} widgets`,
});

export const widgetsList = defineOperation({
  name: 'widgets_list',
  title: 'List widgets',
  description: 'List widgets.',
  input: z.strictObject({}),
  output: z.object({ ids: z.array(z.string()) }),
  effect: 'read',
  idempotent: true,
  openWorld: false,
  mode: 'instant',
  async handler() {
    return { ids: ['a', 'b'] };
  },
  summarize: (o) => o.ids.join('\n'),
});

export const widgetWait = defineOperation({
  name: 'widget_wait',
  title: 'Wait for a widget',
  description: 'Waits until cancelled (tests SIGINT on instant operations).',
  input: z.strictObject({}),
  output: z.object({}),
  effect: 'read',
  idempotent: true,
  openWorld: false,
  mode: 'instant',
  handler(_input, ctx) {
    return new Promise((_resolve, reject) => {
      ctx.signal.addEventListener('abort', () => reject(new CancelledError(ctx.signal.reason instanceof Error ? ctx.signal.reason.message : ctx.signal.reason)), {
        once: true,
      });
    });
  },
  summarize: () => 'done',
});

/** A run: counts to `steps`, reporting progress; `fail` makes it fail; `block` waits for cancel. */
export const widgetBuild = defineOperation({
  name: 'widget_build',
  title: 'Build a widget',
  description: 'Build a widget step by step (a long operation).',
  input: z.strictObject({
    steps: z.number().int().min(0).max(1000).default(5).describe('How many steps'),
    stepMs: z.number().int().min(0).default(0).describe('Delay per step'),
    fail: z.boolean().default(false).describe('Fail at the end'),
    block: z.boolean().default(false).describe('Wait until cancelled'),
  }),
  output: z.object({ built: z.number() }),
  effect: 'write',
  idempotent: false,
  openWorld: false,
  mode: 'run',
  label: (input) => `build ${input.steps} steps`,
  async handler(input, ctx) {
    for (let i = 1; i <= input.steps; i++) {
      if (input.stepMs > 0) await new Promise((r) => setTimeout(r, input.stepMs));
      ctx.progress(i, input.steps, `step ${i}`);
    }
    if (input.block) {
      await new Promise<void>((_resolve, reject) => {
        if (ctx.signal.aborted) reject(new CancelledError());
        ctx.signal.addEventListener('abort', () => reject(new CancelledError()), { once: true });
      });
    }
    if (input.fail) throw new SkvmError('The widget cracked.', { hint: 'Use fewer steps.' });
    return { built: input.steps };
  },
  summarize: (o) => `built ${o.built} steps`,
});

/** A check whose result can pass, fall short (CLI exit 3) or be a failure (exit 1). */
export const widgetCheck = defineOperation({
  name: 'widget_check',
  title: 'Check a widget',
  description: 'Scores a widget; below 0.5 does not pass, a negative score means the checker crashed.',
  input: z.strictObject({ score: z.number().describe('The score to report') }),
  output: z.object({ score: z.number() }),
  effect: 'read',
  idempotent: true,
  openWorld: false,
  mode: 'instant',
  async handler(input) {
    return { score: input.score };
  },
  verdict(o) {
    if (o.score < 0) return { kind: 'failed', message: 'The checker crashed.', hint: 'Run widgets_list, then retry with maxParts: 3 or score: 0.5.' };
    return o.score < 0.5 ? { kind: 'not-passed', message: `scored ${o.score}, below 0.5` } : { kind: 'ok' };
  },
  summarize: (o) => `score ${o.score}`,
});

export const fakeOperations: AnyOperation[] = [widgetShow, widget, widgetsList, widgetWait, widgetBuild, widgetCheck];

export interface CapturedIo extends BaseIo {
  out: string[];
  err: string[];
  stdoutText(): string;
  stderrText(): string;
  /** Deliver a signal to the current subscribers. */
  signal(sig: StopSignal): void;
  exits: number[];
}

export function captureIo(opts: { isTTY?: boolean; env?: NodeJS.ProcessEnv } = {}): CapturedIo {
  const out: string[] = [];
  const err: string[] = [];
  const handlers = new Set<(s: StopSignal) => void>();
  const exits: number[] = [];
  return {
    out,
    err,
    exits,
    stdout: { write: (t) => void out.push(t) },
    stderr: { write: (t) => void err.push(t) },
    isTTY: opts.isTTY ?? false,
    columns: 80,
    env: opts.env ?? {},
    onSignal(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    exitNow(code): never {
      exits.push(code);
      throw new Error(`exitNow(${code})`);
    },
    stdoutText: () => out.join(''),
    stderrText: () => err.join(''),
    signal(sig) {
      for (const h of [...handlers]) h(sig);
    },
  };
}
