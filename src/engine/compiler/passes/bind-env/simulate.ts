import type { DependencyEntry, EnvSimulation } from '../../types.js';
import type { InstallPolicy } from './install-policy.js';
import type { Platform } from './platform.js';
import { runAttempt, type Runner } from './run-script.js';
import { repairScript, type ScriptModel } from './script.js';
import { staticProblems, type SyntaxResult } from './validate.js';

/**
 * Validate, run, repair (spec §4.8.5, bounded at MAX_ATTEMPTS in total). An attempt is one
 * version of the script: static problems (does not parse, refreshes repositories, misses a
 * dependency) fail it without running it; otherwise it runs (run-script.ts). A failed attempt
 * goes to the model for repair while attempts remain. A failure is a result, not an exception;
 * provider errors and cancellation propagate.
 */

export const MAX_ATTEMPTS = 3;

export interface SimulationInput {
  script: string;
  deps: readonly DependencyEntry[];
  platform: Platform;
  policy: InstallPolicy;
  /** Where attempts may run; undefined when nowhere (no sandbox, no host opt-in). */
  runner: Runner | undefined;
  /** Why there is no runner (the failure reason then). */
  noRunnerReason: string;
  bundleDir: string;
  tmpRoot: string;
  timeoutMs: number;
  model: ScriptModel;
  progress(message: string): void;
}

export interface SimulationOutcome {
  script: string;
  simulation: EnvSimulation;
  /** bash -n on the final script. */
  syntax: SyntaxResult;
}

export async function simulateAndRepair(input: SimulationInput): Promise<SimulationOutcome> {
  const { signal } = input.model;
  let script = input.script;
  let failure = '';
  let syntax: SyntaxResult = { ok: false };
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const checked = await staticProblems(script, input.deps, signal);
    syntax = checked.syntax;
    if (!input.runner) {
      // Nothing may run it: report the static verdict, repair nothing (no run to learn from).
      const reason = [input.noRunnerReason, ...checked.problems].join('\n');
      return { script, syntax, simulation: { attemptCount: 0, success: false, finalScriptValidated: false, failureReason: reason } };
    }
    if (checked.problems.length) {
      failure = checked.problems.join('\n');
    } else {
      input.progress(`running env-setup.sh (attempt ${attempt}/${MAX_ATTEMPTS}${input.runner.kind === 'host' ? ', ON THE HOST' : ', sandboxed'})`);
      const r = await runAttempt({ runner: input.runner, bundleDir: input.bundleDir, tmpRoot: input.tmpRoot, script, attempt, timeoutMs: input.timeoutMs, signal });
      if (r.kind === 'ok') return { script, syntax, simulation: { attemptCount: attempt, success: true, finalScriptValidated: true } };
      if (r.kind === 'no-sandbox') {
        const reason = [r.reason, ...checked.problems].join('\n');
        return { script, syntax, simulation: { attemptCount: attempt - 1, success: false, finalScriptValidated: false, failureReason: reason } };
      }
      failure = r.reason;
    }
    if (attempt < MAX_ATTEMPTS) {
      input.progress(`repairing env-setup.sh after attempt ${attempt}`);
      script = await repairScript(input.model, { attempt, maxAttempts: MAX_ATTEMPTS, failure, script, deps: input.deps, platform: input.platform, policy: input.policy });
    }
  }
  return { script, syntax, simulation: { attemptCount: MAX_ATTEMPTS, success: false, finalScriptValidated: false, failureReason: failure } };
}
