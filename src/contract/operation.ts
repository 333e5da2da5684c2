import type { z } from 'zod';
import type { Engine } from '../engine/engine.js';
import type { ChatProvider } from '../engine/llm/types.js';
import type { Logger } from '../engine/util/log.js';

/**
 * An operation is defined once (tools/<name>.ts) and served twice: as an MCP tool by
 * src/server and as a `skvm` command by src/cli. Nothing outside this contract differs
 * between the two front ends.
 */

/** What the operation does to the world; MCP annotations are derived from it. */
export type Effect = 'read' | 'write' | 'destructive';

export interface OpContext {
  /** Report progress; `total` may be unknown. Cheap to call often (writes are throttled). */
  progress(done: number, total?: number, message?: string): void;
  /** Aborted when the call (instant operation) or the run (run operation) is cancelled. */
  signal: AbortSignal;
  log: Logger;
  engine: Engine;
  /** LLM access whose token and cost usage is attributed to this call or run. */
  llm: ChatProvider;
  /** Run operations: the id of their run. */
  runId?: string;
}

/** How the text of a result may be styled: `color` when it goes to a terminal that shows colours. */
export interface TextStyle {
  color: boolean;
}

interface OperationBase<I extends z.ZodObject, O extends z.ZodObject> {
  /** snake_case tool name; the CLI command is the same words separated by spaces. */
  name: string;
  title: string;
  /** Written for a model: when to call it, what it returns. */
  description: string;
  input: I;
  output: O;
  effect: Effect;
  /** Calling twice with the same input leaves the same state. */
  idempotent: boolean;
  /** Talks to something outside this machine (LLM vendors, the web). */
  openWorld: boolean;
  handler(input: z.output<I>, ctx: OpContext): Promise<z.output<O>>;
  /** A short human-readable rendering of the result (MCP text block, CLI default output); `style` is the CLI's terminal. */
  summarize(output: z.output<O>, style?: TextStyle): string;
  /** CLI only: input values used when their flag is not given (e.g. the full result a terminal can show). */
  cliDefaults?: Partial<z.input<I>>;
  /** CLI only, for `--help`: command lines under "Examples" (a test runs each one) and what the exit codes mean for this command. */
  cliHelp?: { examples?: string[]; exitCodes?: string };
  /**
   * What a finished result means, when that is not always "ok": a failure (a broken task, a
   * harness crash) or a result that ran but did not pass (a task scored below a pass). Run
   * operations are judged by their run first (a failed run is a failure). `operation` finds
   * another operation by name (run_status judges the run's own result with it).
   */
  verdict?(output: z.output<O>, operation: (name: string) => AnyOperation | undefined): Verdict;
}

/**
 * How a front end reports a result: `failed` is an MCP `isError` result and CLI exit code 1;
 * `not-passed` is a normal MCP result and CLI exit code 3, so a script can tell a low score
 * from a broken run.
 */
export type Verdict = { kind: 'ok' } | { kind: 'failed'; message: string; hint?: string } | { kind: 'not-passed'; message: string };

export const OK: Verdict = { kind: 'ok' };

/** Finishes in well under a host's timeout; the result is returned directly. */
export interface InstantOperation<I extends z.ZodObject = z.ZodObject, O extends z.ZodObject = z.ZodObject>
  extends OperationBase<I, O> {
  mode: 'instant';
}

/** Long work: becomes a run (DESIGN.md "Long work = runs"). */
export interface RunOperation<I extends z.ZodObject = z.ZodObject, O extends z.ZodObject = z.ZodObject>
  extends OperationBase<I, O> {
  mode: 'run';
  /** One line naming this run in runs_list (e.g. "profile sim/x on bare-agent"). */
  label(input: z.output<I>): string;
}

export type Operation<I extends z.ZodObject = z.ZodObject, O extends z.ZodObject = z.ZodObject> =
  | InstantOperation<I, O>
  | RunOperation<I, O>;

// The registry holds operations of many shapes; handlers are only ever called with input
// that the operation's own schema produced, so the erased type is sound in practice.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyOperation = Operation<any, any>;

export function defineOperation<I extends z.ZodObject, O extends z.ZodObject>(op: InstantOperation<I, O>): InstantOperation<I, O>;
export function defineOperation<I extends z.ZodObject, O extends z.ZodObject>(op: RunOperation<I, O>): RunOperation<I, O>;
export function defineOperation(op: AnyOperation): AnyOperation {
  if (!/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/.test(op.name)) throw new Error(`operation name "${op.name}" must be snake_case`);
  return op;
}

export interface ToolAnnotations {
  title: string;
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

/** Derived, never hand-written, so an operation cannot claim to be read-only and destructive. */
export function annotationsFor(op: AnyOperation): ToolAnnotations {
  return {
    title: op.title,
    readOnlyHint: op.effect === 'read',
    destructiveHint: op.effect === 'destructive',
    idempotentHint: op.effect === 'read' ? true : op.idempotent,
    openWorldHint: op.openWorld,
  };
}
