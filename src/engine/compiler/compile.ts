import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { ChatProvider, TokenUsage } from '../llm/types.js';
import { addUsage, emptyUsage } from '../llm/types.js';
import type { FailureReportsFile, TCP } from '../profiles/schema.js';
import { createWorkDir, removeWorkDir } from '../sandbox/workdir.js';
import type { SandboxMode } from '../sandbox/types.js';
import { SKILL_FILE } from '../skills/load.js';
import type { Skill } from '../skills/types.js';
import { isInside, walkContained } from '../skills/walk.js';
import { throwIfAborted } from '../util/abort.js';
import { SkvmError, UsageError, errorMessage, isAbortError } from '../util/errors.js';
import { silentLogger, type Logger } from '../util/log.js';
import { ArtifactStore } from './artifacts.js';
import { copySkillBundle } from './bundle-copy.js';
import { skillDiff } from './diff.js';
import { validateGuard, type GuardVerdict } from './guard.js';
import { MeteredProvider } from './meter.js';
import { toPassTag } from './pass-tag.js';
import { checkSkillName, compileLogDir, variantDir, variantFileUri, variantUri } from './paths.js';
import { createStaging, publishStaging, sweepStaging } from './publish.js';
import { dependencyProblems } from './registry.js';
import type { CapabilityGap, CompilerPass, ParallelismAnnotation, PassContext, PassOutput, PassRunMeta, SkillPatch } from './types.js';
import { DIFF_FILE, PLAN_FILE, writeVariant } from './write-variant.js';

/**
 * The compile orchestrator (spec §4.4, with §9.3.1 fixed): every pass works on a staging copy of
 * the skill bundle, never on the user's skill or the published variant; the result is checked
 * by the guard and published by one rename, so a failed, cancelled or guard-rejected compile
 * leaves the previous variant exactly as it was. `dryRun` stages in the temp root and writes
 * nothing under the proposals or logs roots.
 */

/** Deadline of a pass's agent loop or command when the caller gives none (the reference's). */
export const DEFAULT_PASS_TIMEOUT_MS = 300_000;

export interface CompileProgress {
  pass: string;
  /** 0-based position of the pass in the run order. */
  index: number;
  total: number;
  message: string;
}

export interface CompileOptions {
  skill: Skill;
  model: string;
  harness: string;
  /** Already resolved and topologically sorted (start.ts). */
  passes: CompilerPass[];
  compilerModel: string;
  llm: ChatProvider;
  tcp?: TCP;
  failureReports?: FailureReportsFile;
  /** The target's profile log folder, where the profile's failure artifacts may be read (PassContext.profileLogDir). */
  profileLogDir?: string;
  proposalsRoot: string;
  logsRoot: string;
  tmpRoot: string;
  dryRun?: boolean;
  /** Per pass: the deadline of its agent loop or command. Default 300 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
  sandboxMode?: SandboxMode;
  allowHostInstall?: boolean;
  onProgress?: (p: CompileProgress) => void;
  log?: Logger;
}

export interface PassRunSummary {
  id: string;
  number: number;
  status: 'ok';
  summary: string;
  warning?: string;
  /** The pass's own account of what it changed and why (PassReport.explanation). */
  explanation?: string[];
  facts?: Record<string, unknown>;
  tokens: TokenUsage;
  costUsd: number;
  costIncomplete?: boolean;
  durationMs: number;
  iterations?: number;
}

export interface CompileOutcome {
  skillName: string;
  model: string;
  harness: string;
  compilerModel: string;
  /** Pass numbers in run order. */
  passes: number[];
  passTag: string;
  /** Where the variant is (or, when not published, would be). */
  variantDir: string;
  uri: string;
  published: boolean;
  dryRun: boolean;
  compiledAt: string;
  gaps: CapabilityGap[];
  guard: GuardVerdict;
  /** Unified diff of SKILL.md, original → compiled ('' when unchanged). */
  diff: string;
  diffStats: { added: number; removed: number };
  /** Published variants only: resource URIs of compilation-plan.json and of the SKILL.md diff (when SKILL.md changed). */
  fileUris?: { plan: string; diff?: string };
  env?: { success: boolean; attempts: number; failureReason?: string };
  parallelGroups: Array<Pick<ParallelismAnnotation, 'type' | 'steps'>>;
  passRuns: PassRunSummary[];
  tokens: TokenUsage;
  costUsd: number;
  /** Some call's price was unknown: costUsd is a lower bound. */
  costIncomplete: boolean;
  durationMs: number;
  /** Files of the variant, relative to it (written, or that would have been). */
  files: string[];
  /** What copying the bundle skipped (a symlink leading outside the skill, …). */
  notes: string[];
}

/**
 * The name a skill's variants are filed under: its folder's name, or for a single-file skill
 * the file name without `.md` (the reference's rule). Throws UsageError when it cannot name a directory.
 */
export function variantSkillName(skill: Skill): string {
  const file = path.basename(skill.skillMdPath);
  return checkSkillName(file === SKILL_FILE ? path.basename(skill.dir) : file.replace(/\.md$/i, ''));
}

export async function compileSkill(opts: CompileOptions): Promise<CompileOutcome> {
  const started = Date.now();
  const { skill, model, harness, passes } = opts;
  const dryRun = opts.dryRun ?? false;
  const signal = opts.signal ?? new AbortController().signal;

  // Everything that can be refused is refused before the first file is touched.
  if (passes.length === 0) throw new UsageError('No compiler pass selected.', 'compile_passes lists the passes.');
  const needProfile = passes.filter((p) => p.requiresTcp);
  if (needProfile.length > 0 && !opts.tcp) {
    throw new UsageError(
      `Pass${needProfile.length > 1 ? 'es' : ''} ${needProfile.map((p) => `${p.number} (${p.id})`).join(', ')} need${needProfile.length > 1 ? '' : 's'} a capability profile of ${model} on ${harness}, and none was given.`,
      'Profile the model first (profile), import profiles (profiles_import), or leave those passes out.',
    );
  }
  const problems = dependencyProblems(passes, new Set());
  if (problems.length > 0) throw new UsageError(`Pass dependency check failed: ${problems.join('; ')}.`, 'Select the passes that produce those artifacts too.');
  const skillName = variantSkillName(skill);
  const key = { harness, model, skillName };
  const numbers = passes.map((p) => p.number);
  const passTag = toPassTag(numbers);
  const target = variantDir(opts.proposalsRoot, { ...key, passTag });
  const logDir = compileLogDir(opts.logsRoot, key);
  await refuseNestedVariants(skill, target);
  throwIfAborted(signal);

  let staging: string;
  if (dryRun) {
    staging = await createWorkDir({ tmpRoot: opts.tmpRoot, prefix: 'skvm-compile-' });
  } else {
    await sweepStaging(path.dirname(target));
    staging = await createStaging(path.dirname(target));
  }
  let published = false;
  try {
    const copy = await copySkillBundle(skill, staging);
    const store = new ArtifactStore(staging);
    let current = skill.content;
    const runs: PassRunSummary[] = [];

    for (const [index, pass] of passes.entries()) {
      throwIfAborted(signal);
      const progress = (message: string) => opts.onProgress?.({ pass: pass.id, index, total: passes.length, message });
      progress(`pass ${pass.number} ${pass.id}: started`);
      const llm = new MeteredProvider(opts.llm);
      const ctx: PassContext = {
        skillName,
        workDir: staging,
        skillContent: current,
        originalSkill: skill.content,
        ...(opts.tcp ? { tcp: opts.tcp } : {}),
        ...(opts.failureReports ? { failureReports: opts.failureReports } : {}),
        ...(opts.profileLogDir ? { profileLogDir: opts.profileLogDir } : {}),
        model,
        harness,
        compilerModel: opts.compilerModel,
        llm,
        artifacts: store.snapshot(),
        timeoutMs: opts.timeoutMs ?? DEFAULT_PASS_TIMEOUT_MS,
        signal,
        progress: (m) => progress(`pass ${pass.number} ${pass.id}: ${m}`),
        log: (opts.log ?? silentLogger).child(pass.id),
        tmpRoot: opts.tmpRoot,
        ...(opts.sandboxMode ? { sandboxMode: opts.sandboxMode } : {}),
        allowHostInstall: opts.allowHostInstall ?? false,
      };
      const t0 = Date.now();
      let output: PassOutput | undefined;
      let failure: unknown;
      try {
        output = await pass.run(ctx);
        await store.merge(output.artifacts);
        current = await applyPatch(pass, staging, current, output.skillPatch);
      } catch (err) {
        failure = err;
      }
      const durationMs = Date.now() - t0;
      const logFile = path.join(logDir, `${pass.id}.jsonl`);
      const logged = dryRun ? false : await llm.log.writeTo(logFile).catch((err) => {
        opts.log?.warn(`could not write ${logFile}: ${errorMessage(err)}`);
        return false;
      });
      if (failure !== undefined || !output) throw passFailure(pass, failure, signal, logged ? logFile : undefined);

      const totals = llm.totals();
      const meta: PassRunMeta = {
        passId: pass.id,
        status: 'ok',
        tokens: totals.tokens,
        costUsd: totals.costUsd,
        ...(totals.costIncomplete ? { costIncomplete: true } : {}),
        durationMs,
        ...(output.iterations !== undefined ? { iterations: output.iterations } : {}),
      };
      await store.writeMeta(meta);
      const { report } = output;
      runs.push({
        id: pass.id,
        number: pass.number,
        status: 'ok',
        summary: report.summary,
        ...(report.warning ? { warning: report.warning } : {}),
        ...(report.explanation?.length ? { explanation: report.explanation } : {}),
        ...(report.facts ? { facts: report.facts } : {}),
        tokens: meta.tokens,
        costUsd: meta.costUsd,
        ...(meta.costIncomplete ? { costIncomplete: true } : {}),
        durationMs,
        ...(meta.iterations !== undefined ? { iterations: meta.iterations } : {}),
      });
      progress(`pass ${pass.number} ${pass.id}: ${report.summary}`);
    }

    throwIfAborted(signal);
    const guard = validateGuard(skill.content, current);
    const artifacts = store.snapshot();
    const tokens = runs.reduce((t, r) => addUsage(t, r.tokens), emptyUsage());
    const costUsd = runs.reduce((c, r) => c + r.costUsd, 0);
    const costIncomplete = runs.some((r) => r.costIncomplete);
    const compiledAt = new Date().toISOString();
    const diff = skillDiff(skill.content, current);
    await writeVariant(staging, {
      skillName,
      model,
      harness,
      compilerModel: opts.compilerModel,
      compiledAt,
      passes: numbers,
      passTag,
      compiledSkill: current,
      skillDiff: diff.patch,
      artifacts,
      passRuns: store.passRuns(),
      guard,
      tokens,
      costUsd,
      costIncomplete,
      durationMs: Date.now() - started,
    });
    const files = (await walkContained(staging)).files.map((f) => f.rel);

    if (!dryRun && guard.passed) {
      throwIfAborted(signal);
      opts.onProgress?.({ pass: 'publish', index: passes.length, total: passes.length, message: 'publishing the variant' });
      await publishStaging(staging, target, { signal });
      published = true;
    }

    const sim = artifacts.envSimulation;
    const uri = variantUri({ ...key, passTag });
    return {
      skillName,
      model,
      harness,
      compilerModel: opts.compilerModel,
      passes: numbers,
      passTag,
      variantDir: target,
      uri,
      published,
      dryRun,
      compiledAt,
      gaps: artifacts.gaps ?? [],
      guard,
      diff: diff.patch,
      diffStats: { added: diff.added, removed: diff.removed },
      ...(published ? { fileUris: { plan: variantFileUri(uri, PLAN_FILE), ...(diff.patch ? { diff: variantFileUri(uri, DIFF_FILE) } : {}) } } : {}),
      ...(sim ? { env: { success: sim.success, attempts: sim.attemptCount, ...(sim.failureReason ? { failureReason: sim.failureReason } : {}) } } : {}),
      parallelGroups: (artifacts.dag?.parallelism ?? []).map((g) => ({ type: g.type, steps: g.steps })),
      passRuns: runs,
      tokens,
      costUsd,
      costIncomplete,
      durationMs: Date.now() - started,
      files,
      notes: copy.notes,
    };
  } finally {
    if (!published) {
      await (dryRun ? removeWorkDir(staging, { tmpRoot: opts.tmpRoot }) : fsp.rm(staging, { recursive: true, force: true })).catch((err) =>
        opts.log?.warn(`could not remove the staging directory ${staging}: ${errorMessage(err)}`),
      );
    }
  }
}

/**
 * The only sanctioned SKILL.md mutation, applied to the staging copy and the in-memory text.
 * The in-memory text is what the variant gets: a pass that edits SKILL.md on disk without a
 * patch changes nothing. A patch of a kind the pass did not declare is a bug in the pass.
 */
async function applyPatch(pass: CompilerPass, dir: string, current: string, patch: SkillPatch | undefined): Promise<string> {
  if (!patch) return current;
  if (patch.kind !== pass.patch) throw new Error(`returned a "${patch.kind}" patch of SKILL.md, but the pass declares "${pass.patch}"`);
  const next = patch.kind === 'rewrite' ? patch.content : current + patch.content;
  await fsp.writeFile(path.join(dir, SKILL_FILE), next);
  return next;
}

/** A pass's error, naming the pass; cancellation stays cancellation. */
function passFailure(pass: CompilerPass, err: unknown, signal: AbortSignal, logFile: string | undefined): unknown {
  if (isAbortError(err) || signal.aborted) return err;
  const hints = [
    err instanceof SkvmError ? err.hint : undefined,
    logFile ? `The pass's conversation with the compiler model is in ${logFile}.` : undefined,
    'Nothing was published; an earlier variant, if any, is unchanged.',
  ].filter((h): h is string => !!h);
  return new SkvmError(`Compiler pass ${pass.number} (${pass.id}) failed: ${errorMessage(err ?? 'no output')}`, {
    hint: hints.join(' '),
    code: err instanceof SkvmError && err.code !== 'usage' ? err.code : 'compile_failed',
    cause: err,
  });
}

/** A skill folder holding the variants tree would copy its own staging directory into itself. */
async function refuseNestedVariants(skill: Skill, target: string): Promise<void> {
  if (path.basename(skill.skillMdPath) !== SKILL_FILE) return;
  const dir = await fsp.realpath(skill.dir).catch(() => path.resolve(skill.dir));
  if (isInside(dir, path.resolve(target)) || isInside(path.resolve(skill.dir), path.resolve(target))) {
    throw new UsageError(`The skill folder ${skill.dir} contains the variant's output folder ${target}.`, 'Move the skill out of the SkVM cache, or point SKVM_PROPOSALS_DIR elsewhere.');
  }
}
