import { z } from 'zod';

/**
 * Hosts such as Claude Code hand a tool's structured content to the model, so a result holds by
 * default only what the model needs to decide its next step (a few KB); the rest is behind
 * `detail: "full"` or the resource the result names. A test keeps default results under budget.
 */
export const RESULT_BUDGET_CHARS = 4096;

export const DETAILS = ['summary', 'full'] as const;

/** The `detail` argument; `full` names what it adds. */
export function detailArg(full: string) {
  return z.enum(DETAILS).default('summary').describe(`summary (default) keeps the result small; full adds ${full}.`);
}
