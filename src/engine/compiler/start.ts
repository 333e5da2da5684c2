import { profileLogDir } from '../config/paths.js';
import { sandboxMode } from '../config/sandbox.js';
import type { Engine } from '../engine.js';
import type { ChatProvider } from '../llm/types.js';
import { newSessionId, shortModel } from '../logs/session-id.js';
import { indexLogDir, recordSession, type SessionStart } from '../logs/sessions-index.js';
import { startProfile } from '../profiler/start.js';
import { resolveSkill } from '../skills/load.js';
import type { Skill } from '../skills/types.js';
import { SkvmError } from '../util/errors.js';
import type { Logger } from '../util/log.js';
import { compileSkill, variantSkillName, type CompileOutcome, type CompileProgress } from './compile.js';
import { compileLogDir } from './paths.js';
import { cachedProfile, missingProfileError, profileFromFile, type ProfileSource, type ProfileTarget } from './profile-source.js';
import { ALL_PASSES, defaultPasses, resolvePassTokens, topoSort } from './registry.js';
import type { CompilerPass } from './types.js';

/**
 * A compile as the `compile` operation asks for it: the skill by name or path, the passes (all
 * of them by default), the profile (cached, a file, or profiled first when missing and needed),
 * roots and sandbox from the engine, and the session recorded in `<logs>/sessions.jsonl` (type
 * `aot-compile`; not for a dry run, which writes nothing under the logs root). Everything that
 * can be refused — unknown skill or pass, a compiler model without a route, a needed profile
 * that is missing — is refused before anything is written or profiled.
 */

/** Per-probe time limit when the compile profiles the target first (the profile operation's default). */
const PROFILE_PROBE_TIMEOUT_MS = 120_000;
const PROFILE_INSTANCES = 3;

export interface StartCompileOptions {
  skill: string;
  model: string;
  harness: string;
  /** Pass numbers or ids; default all. */
  passes?: string[];
  compilerModel: string;
  /** A profile file to use instead of the cache. */
  profileFile?: string;
  /** Use a profileFile of another model or harness. */
  allowProfileMismatch?: boolean;
  /** Profile the target first when a selected pass needs a profile and none is cached. */
  profileIfMissing?: boolean;
  dryRun?: boolean;
  timeoutMs?: number;
  allowHostInstall?: boolean;
  llm: ChatProvider;
  signal?: AbortSignal;
  runId?: string;
  onProgress?: (done: number, total: number | undefined, message: string) => void;
  log?: Logger;
}

export interface StartCompileResult extends CompileOutcome {
  /** The profile the passes were given, if any. */
  profile?: Omit<ProfileSource, 'tcp' | 'failureReports'> & { failureReports: boolean };
}

export async function startCompile(engine: Engine, opts: StartCompileOptions): Promise<StartCompileResult> {
  engine.llm.resolve(opts.compilerModel); // a missing route is reported before the skill is looked up
  return compileLoadedSkill(engine, await resolveSkill(opts.skill, engine.roots.data.value), opts);
}

/** startCompile for a skill already loaded (the bench's aot-compiled conditions compile the task's own skills). */
export async function compileLoadedSkill(engine: Engine, skill: Skill, opts: Omit<StartCompileOptions, 'skill'>): Promise<StartCompileResult> {
  engine.llm.resolve(opts.compilerModel);
  const skillName = variantSkillName(skill);
  const passes = topoSort(opts.passes && opts.passes.length > 0 ? resolvePassTokens(opts.passes, ALL_PASSES) : defaultPasses());
  const target: ProfileTarget = { profilesDir: engine.roots.profiles.value, model: opts.model, harness: opts.harness };
  const profile = await resolveProfile(engine, target, passes, opts);

  const run = () =>
    compileSkill({
      skill,
      model: opts.model,
      harness: opts.harness,
      passes,
      compilerModel: opts.compilerModel,
      llm: opts.llm,
      ...(profile ? { tcp: profile.tcp } : {}),
      ...(profile?.failureReports ? { failureReports: profile.failureReports } : {}),
      // Where this machine's profiler logged the probes (its failure artifacts); only for a profile of this target.
      ...(profile && profile.from !== 'file' ? { profileLogDir: profileLogDir(engine.roots.logs.value, opts.harness, opts.model) } : {}),
      proposalsRoot: engine.roots.proposals.value,
      logsRoot: engine.roots.logs.value,
      tmpRoot: engine.tmpDir().value,
      dryRun: opts.dryRun ?? false,
      ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      sandboxMode: sandboxMode(engine),
      allowHostInstall: opts.allowHostInstall ?? false,
      onProgress: (p: CompileProgress) => opts.onProgress?.(p.index, p.total, p.message),
      ...(opts.log ? { log: opts.log } : {}),
    });
  const outcome = opts.dryRun ? await run() : await recordSession(engine.roots.sessionsIndex, sessionStart(engine, skillName, opts), run, sessionOutcome);
  if (!profile) return outcome;
  const { tcp: _tcp, failureReports, ...about } = profile;
  return { ...outcome, profile: { ...about, failureReports: failureReports !== undefined } };
}

async function resolveProfile(engine: Engine, target: ProfileTarget, passes: CompilerPass[], opts: Omit<StartCompileOptions, 'skill'>): Promise<ProfileSource | undefined> {
  if (opts.profileFile) return profileFromFile(opts.profileFile, target, opts.allowProfileMismatch ?? false);
  const cached = await cachedProfile(target, opts.log);
  const needing = passes.filter((p) => p.requiresTcp);
  if (cached || needing.length === 0) return cached;
  if (!opts.profileIfMissing) throw await missingProfileError(target, needing);

  // Profiling is the compile's first step only when a selected pass needs it (the reference's pipeline always profiles).
  engine.llm.resolve(opts.model);
  opts.onProgress?.(0, undefined, `profiling ${opts.model} on ${opts.harness} first (${needing.map((p) => p.id).join(', ')} needs a profile)`);
  const profiled = await startProfile(engine, {
    models: [opts.model],
    harnesses: [opts.harness],
    instances: PROFILE_INSTANCES,
    force: false,
    timeoutMs: PROFILE_PROBE_TIMEOUT_MS,
    llm: opts.llm,
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.runId ? { runId: opts.runId } : {}),
    ...(opts.onProgress ? { onProgress: (d: number, t: number | undefined, m: string) => opts.onProgress!(d, t, `profiling: ${m}`) } : {}),
    ...(opts.log ? { log: opts.log } : {}),
  });
  const job = profiled.jobs[0];
  if (!job?.ok) {
    throw new SkvmError(`Profiling ${opts.model} on ${opts.harness} before compiling failed: ${job && !job.ok ? job.message : 'no result'}`, {
      code: 'profile_failed',
      hint: 'Nothing was compiled. A rerun resumes the profile where it stopped; config_doctor tests the routes.',
    });
  }
  const loaded = await cachedProfile(target, opts.log);
  if (!loaded) throw await missingProfileError(target, needing);
  return { ...loaded, from: 'profiled' };
}

function sessionStart(engine: Engine, skillName: string, opts: Omit<StartCompileOptions, 'skill'>, now = new Date()): SessionStart {
  return {
    id: newSessionId('aot-compile', `${skillName}-${opts.harness}-${shortModel(opts.model)}`, now),
    type: 'aot-compile',
    startedAt: now.toISOString(),
    logDir: indexLogDir(compileLogDir(engine.roots.logs.value, { harness: opts.harness, model: opts.model, skillName }), engine.roots.cache.value),
    models: [opts.model],
    harness: opts.harness,
    skill: skillName,
  };
}

/** A compile whose guard rejected the result published nothing: the session failed. */
export function sessionOutcome(o: CompileOutcome): { summary: string } | { error: string } {
  if (!o.published) return { error: `guard rejected the compiled SKILL.md: ${o.guard.violations.join('; ')}` };
  return { summary: `${o.passTag} published: ${o.gaps.length} gap(s), +${o.diffStats.added}/-${o.diffStats.removed} lines, $${o.costUsd.toFixed(4)}${o.costIncomplete ? '+' : ''}` };
}
