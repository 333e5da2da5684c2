import { z } from 'zod';
import { ADAPTERS, RUNNABLE_ADAPTERS } from '../engine/agent/adapters/harnesses.js';

/**
 * The harness argument of every operation that runs an agent: only the harnesses this release
 * can run are offered (the list grows with the registry); a known harness that is not built
 * yet, or a typo, gets a message that says so and points at adapters_list.
 */
export function harnessSchema() {
  return z.enum(RUNNABLE_ADAPTERS, {
    error: (issue) => {
      const given = typeof issue.input === 'string' ? issue.input : JSON.stringify(issue.input);
      const known = (ADAPTERS as readonly string[]).includes(String(issue.input));
      return `${known ? `harness "${given}" is not available in this release` : `unknown harness "${given}"`}; runnable: ${RUNNABLE_ADAPTERS.join(', ')} (adapters_list shows every harness and what it needs)`;
    },
  });
}

/** managed or native configuration of a CLI harness (absent: config defaults.adapterConfigMode, else managed). */
export function adapterConfigArg() {
  return z
    .enum(['managed', 'native'])
    .optional()
    .describe(
      'CLI harnesses only: managed = configured from our route for the model (reproducible); native = the harness runs with your own config and login, copied into a private home (never changed). Default: config defaults.adapterConfigMode, else managed.',
    );
}

export const HARNESS_HELP = `Agent harness: ${RUNNABLE_ADAPTERS.join(', ')} (the ones this release can run; adapters_list shows all).`;
