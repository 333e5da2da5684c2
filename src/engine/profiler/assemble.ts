import * as path from 'node:path';
import { addUsage, emptyUsage, type TokenUsage } from '../llm/types.js';
import { PROBE_LEVELS, type Level, type ProbeLevel } from '../primitives/catalog.js';
import { listVersionNames, sanitizeTimestamp } from '../profiles/store.js';
import { TCP_VERSION, type PrimitiveProfileDetail, type TcpInput } from '../profiles/schema.js';
import { detectInversions, effectiveCount, highestPassingLevel, levelPasses, resolveInversion } from './calibrate.js';
import type { JobState, PrimState } from './job.js';
import { instanceLogPaths, type InstanceResult } from './runner.js';

/**
 * A job's results as the TCP records them: one detail per finished primitive (level results
 * with calibration, costs, seeds and failure artifacts), and the TCP of the job so far.
 */

interface LevelResultOut {
  level: ProbeLevel;
  passed: boolean;
  passCount: number;
  totalCount: number;
  skipCount: number;
  durationMs: number;
  costUsd: number;
  testDescription: string;
  failureDetails: string[];
  failureArtifacts: Array<{ convLog: string; evalScript: string }>;
  [loose: string]: unknown;
}

export function tallyOf(list: readonly InstanceResult[]) {
  const skipCount = list.filter((r) => r.skipped).length;
  return { passCount: list.filter((r) => !r.skipped && r.passed).length, totalCount: list.length, skipCount };
}

function sumCost(list: readonly InstanceResult[]) {
  let tokens = emptyUsage();
  let costUsd = 0;
  let incomplete = false;
  for (const r of list) {
    tokens = addUsage(tokens, r.tokens);
    costUsd += r.costUsd;
    incomplete ||= r.costIncomplete;
  }
  return { tokens, costUsd, incomplete };
}

function detailCost(d: PrimitiveProfileDetail): { usd: number; tokens: TokenUsage; incomplete: boolean } {
  const loose = d as PrimitiveProfileDetail & { costUsd?: unknown; tokens?: unknown; costIncomplete?: unknown };
  const usd = typeof loose.costUsd === 'number' ? loose.costUsd : d.levelResults.reduce((n, l) => n + (l.costUsd ?? 0), 0);
  const t = loose.tokens as Partial<TokenUsage> | undefined;
  const tokens = t && typeof t === 'object' ? { input: t.input ?? 0, output: t.output ?? 0, cacheRead: t.cacheRead ?? 0, cacheWrite: t.cacheWrite ?? 0 } : emptyUsage();
  return { usd, tokens, incomplete: loose.costIncomplete === true };
}

export function buildDetail(p: PrimState, instances: number, s: JobState): PrimitiveProfileDetail {
  const primLogDir = path.join(s.logDir, p.id);
  const levelResults: LevelResultOut[] = [];
  const noteParts: string[] = [];
  const resolvedOutcomes: Array<{ level: ProbeLevel; passed: boolean; effective: number }> = [];
  let tokens = emptyUsage();
  let costUsd = 0;
  let costIncomplete = false;
  let durationMs = 0;

  for (const level of PROBE_LEVELS) {
    const lv = p.levels[level];
    const all = [...lv.original, ...lv.rerun].sort((a, b) => a.instance - b.instance);
    const orig = tallyOf(lv.original);
    const rer = tallyOf(lv.rerun);
    const wasRerun = p.rerunLevels.includes(level);
    const passed = wasRerun ? resolveInversion(orig, rer) : levelPasses(orig);
    const combined = tallyOf(all);
    const cost = sumCost(all);
    tokens = addUsage(tokens, cost.tokens);
    costUsd += cost.costUsd;
    costIncomplete ||= cost.incomplete;
    const levelDuration = all.reduce((n, r) => n + r.durationMs, 0);
    durationMs += levelDuration;
    const failed = all.filter((r) => !r.skipped && !r.passed);
    const skips = all.filter((r) => r.skipped);
    const infraSkips = skips.filter((r) => r.infra);
    const result: LevelResultOut = {
      level,
      passed,
      passCount: combined.passCount,
      totalCount: combined.totalCount,
      skipCount: combined.skipCount,
      durationMs: levelDuration,
      costUsd: cost.costUsd,
      testDescription: p.gen.descriptions[level] ?? '',
      failureDetails: failed.map((r) => r.details),
      failureArtifacts: failed.map((r) => {
        const paths = instanceLogPaths(path.join(primLogDir, level), r.instance);
        return { convLog: paths.convLog, evalScript: paths.evalScript };
      }),
      // Loose fields (the TCP schema keeps unknown keys):
      seed: s.profileSeed,
      instanceSeeds: all.map((r) => r.seed),
      tokens: cost.tokens,
    };
    if (cost.incomplete) result.costIncomplete = true;
    if (skips.length > 0) result.skipDetails = skips.map((r) => r.details);
    if (infraSkips.length > 0) result.infraSkipCount = infraSkips.length;
    if (wasRerun) {
      result.decidedBy = 'majority';
      result.rerun = { ...rer, seeds: lv.rerun.map((r) => r.seed) };
      noteParts.push(`${level} ${orig.passCount}/${effectiveCount(orig)} + re-run ${rer.passCount}/${effectiveCount(rer)} → ${passed ? 'passed' : 'failed'}`);
    }
    if (combined.totalCount > 0 && combined.totalCount === combined.skipCount && infraSkips.length > 0) {
      result.inconclusive = true;
    }
    levelResults.push(result);
    resolvedOutcomes.push({ level, passed, effective: effectiveCount(combined) });
  }

  const highestLevel = highestPassingLevel(levelResults);
  const notes: string[] = [];
  if (p.rerunLevels.length > 0) {
    let note =
      `Inversion (${p.inversions.map((i) => i.description).join('; ')}): re-ran ${p.rerunLevels.join(', ')} with ${instances} fresh instance(s) each ` +
      `(instances ${instances}–${2 * instances - 1}) and decided each by majority of original + re-run: ${noteParts.join('; ')}. Recorded ${highestLevel}.`;
    const still = detectInversions(p.id, resolvedOutcomes);
    if (still.length > 0) note += ` The inversion persists after the re-run (${still.map((i) => i.description).join('; ')}); the highest passing level is recorded (reference rule).`;
    notes.push(note);
  }
  const inconclusive = levelResults.filter((l) => l.inconclusive === true).map((l) => l.level);
  if (inconclusive.length > 0) {
    notes.push(`${inconclusive.join(', ')}: every instance was skipped because of infrastructure failures, so the level could not be measured; profile again (force + primitives) to measure it.`);
  }

  const detail: PrimitiveProfileDetail & Record<string, unknown> = {
    primitiveId: p.id,
    highestLevel,
    levelResults: levelResults as PrimitiveProfileDetail['levelResults'],
    ...(notes.length > 0 ? { calibrationNote: notes.join(' ') } : {}),
    convLogDir: primLogDir,
    costUsd,
    tokens,
    durationMs,
  };
  if (costIncomplete) detail.costIncomplete = true;
  return detail;
}

export function buildTcp(s: JobState, isPartial: boolean): TcpInput {
  const newIds = new Set(s.finished.map((d) => d.primitiveId));
  const kept = s.kept.filter((d) => !newIds.has(d.primitiveId));
  const details = [...kept, ...s.finished];
  const capabilities: Record<string, Level> = {};
  for (const d of kept) capabilities[d.primitiveId] = s.keptCaps[d.primitiveId] ?? d.highestLevel;
  for (const d of s.finished) capabilities[d.primitiveId] = d.highestLevel;
  let totalUsd = 0;
  let totalTokens = emptyUsage();
  let incomplete = false;
  for (const d of details) {
    const c = detailCost(d);
    totalUsd += c.usd;
    totalTokens = addUsage(totalTokens, c.tokens);
    incomplete ||= c.incomplete;
  }
  const cost: Record<string, unknown> = { totalUsd, totalTokens, durationMs: s.priorDurationMs + (Date.now() - s.startedAt) };
  if (incomplete) cost.incomplete = true;
  return {
    version: TCP_VERSION,
    model: s.model,
    harness: s.harness,
    profiledAt: s.profiledAt,
    capabilities,
    details,
    cost: cost as TcpInput['cost'],
    isPartial,
    profileSeed: s.profileSeed,
  } as TcpInput;
}

/** profiledAt whose archive stamp is not taken yet (stamps have one-second resolution). */
export async function freeProfiledAt(profilesDir: string, s: JobState): Promise<string> {
  const taken = new Set(await listVersionNames(profilesDir, s.harness, s.model).catch(() => [] as string[]));
  let t = Date.parse(s.profiledAt);
  let at = s.profiledAt;
  while (taken.has(sanitizeTimestamp(at))) {
    t += 1000;
    at = new Date(t).toISOString();
  }
  return at;
}
