import { throwIfAborted } from '../../../util/abort.js';
import type { PassContext, PassOutput } from '../../types.js';
import { extractDependencies } from './extract.js';
import { installPolicy } from './install-policy.js';
import { detectPlatform } from './platform.js';
import type { Runner } from './run-script.js';
import { generateScript } from './script.js';
import { simulateAndRepair } from './simulate.js';

/**
 * Pass 2, bind-env: find what the skill needs installed, write an idempotent env-setup.sh for
 * this platform, and prove it runs — inside the sandbox, or on the host only when the user
 * passed allowHostInstall. A script that never succeeds is reported (warning + envSimulation),
 * not thrown: the other passes' work stays usable. Provider errors and cancellation propagate.
 */

const NO_SANDBOX_REASON =
  'Not simulated: no sandbox is available (sandbox mode "none"), and the script is run on the host only with allowHostInstall.';

function chooseRunner(ctx: PassContext): Runner | undefined {
  if (ctx.allowHostInstall) return { kind: 'host' };
  const mode = ctx.sandboxMode ?? 'auto';
  // Mode "none" runs commands unconfined: that is the host, which needs the explicit opt-in.
  return mode === 'none' ? undefined : { kind: 'sandbox', mode };
}

export async function run(ctx: PassContext): Promise<PassOutput> {
  const model = { llm: ctx.llm, model: ctx.compilerModel, signal: ctx.signal };
  const platform = detectPlatform();
  const policy = installPolicy(platform);

  ctx.progress('extracting dependencies');
  const extracted = await extractDependencies({ workDir: ctx.workDir, skillContent: ctx.skillContent, llm: ctx.llm, model: ctx.compilerModel, policy, signal: ctx.signal });
  const { deps } = extracted;
  throwIfAborted(ctx.signal);

  ctx.progress(deps.length ? `writing env-setup.sh for ${deps.length} dependencies` : 'no dependencies: fixed env-setup.sh');
  const script = await generateScript(model, deps, platform, policy);

  const runner = chooseRunner(ctx);
  if (runner?.kind === 'host') {
    ctx.log.warn(
      `bind-env: allowHostInstall is set — env-setup.sh for skill "${ctx.skillName}" runs ON THIS HOST, unsandboxed, as this user; it may install ${deps.length} package(s) system-wide.`,
    );
  }
  const outcome = await simulateAndRepair({
    script,
    deps,
    platform,
    policy,
    runner,
    noRunnerReason: NO_SANDBOX_REASON,
    bundleDir: ctx.workDir,
    tmpRoot: ctx.tmpRoot,
    timeoutMs: ctx.timeoutMs,
    model,
    progress: (m) => ctx.progress(m),
  });
  const sim = outcome.simulation;

  const where = runner?.kind === 'host' ? 'on the host' : 'in the sandbox';
  const verdict = sim.success
    ? `env script simulated ok ${where} in ${sim.attemptCount} attempt${sim.attemptCount === 1 ? '' : 's'}`
    : sim.attemptCount === 0
      ? 'env script not simulated (no sandbox)'
      : `env script failed simulation after ${sim.attemptCount} attempts`;
  const summary = `${deps.length === 1 ? '1 dependency' : `${deps.length} dependencies`}; ${verdict}`;
  return {
    artifacts: { deps, envScript: outcome.script, envSimulation: sim },
    report: {
      summary,
      facts: {
        dependencies: deps.map((d) => d.name),
        // The failure reason (up to a few KB of output) is in the warning and the artifact.
        simulation: { attemptCount: sim.attemptCount, success: sim.success, finalScriptValidated: sim.finalScriptValidated, ranOn: runner && sim.attemptCount > 0 ? runner.kind : 'nowhere' },
        syntaxValid: outcome.syntax.ok,
        ...(extracted.dropped.length ? { dropped: extracted.dropped } : {}),
        ...(extracted.notes.length ? { notes: extracted.notes } : {}),
      },
      ...(sim.success ? {} : { warning: `env-setup.sh is not validated: ${sim.failureReason ?? 'unknown reason'}` }),
    },
  };
}
