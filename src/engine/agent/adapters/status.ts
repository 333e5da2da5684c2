import type { SandboxMode } from '../../sandbox/types.js';
import type { SkillMode } from '../../skills/types.js';
import { mapLimit } from '../../util/async.js';
import { harnessUserProblem } from './cli/harness-user.js';
import { cliVersion, locateHarnessCli } from './locate.js';
import { HARNESSES } from './harnesses.js';
import { loadAdapter } from './registry.js';
import type { AdapterMode } from './types.js';

/** One harness as adapters_list reports it. */
export interface AdapterStatus {
  name: string;
  title: string;
  /** This release has an adapter for it. */
  built: boolean;
  /** It can run on this machine now (built, and whatever it needs is installed). */
  runnable: boolean;
  /** Why not, when it cannot run. */
  reason?: string;
  installHint?: string;
  /** The installed CLI's path and `--version`, when there is one. */
  cli?: { path: string; version?: string };
  modes: readonly AdapterMode[];
  skillDelivery: readonly SkillMode[];
}

/**
 * Every registered harness, in registry order, with what it needs and whether it has it here.
 * A CLI a root engine's unprivileged harness user cannot start is not runnable (`sandboxMode`
 * "none" runs it as root instead).
 */
export async function adapterStatuses(env: NodeJS.ProcessEnv, adaptersConfig: Record<string, unknown> = {}, sandboxMode: SandboxMode = 'auto'): Promise<AdapterStatus[]> {
  return mapLimit(HARNESSES, 4, async (h): Promise<AdapterStatus> => {
    const where = locateHarnessCli(h.name, env, adaptersConfig);
    const version = where?.path ? await cliVersion(where.path, env) : undefined;
    const base = {
      name: h.name,
      title: h.title,
      modes: h.modes,
      skillDelivery: h.skillDelivery,
      ...(where?.path ? { cli: { path: where.path, ...(version ? { version } : {}) } } : {}),
    };
    if (!('built' in h)) return { ...base, built: false, runnable: false, reason: 'not available in this release' };
    const available = await (await loadAdapter(h.name)).available(env, adaptersConfig);
    const blocked = available.ok && 'cli' in h && where?.path ? await harnessUserProblem(h.name, where.path, sandboxMode) : undefined;
    const availability = blocked ? { ok: false, reason: blocked.reason, installHint: blocked.hint } : available;
    return {
      ...base,
      built: true,
      runnable: availability.ok,
      ...(availability.reason ? { reason: availability.reason } : {}),
      ...(availability.installHint ? { installHint: availability.installHint } : {}),
    };
  });
}
