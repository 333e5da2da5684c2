import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { addUsage, emptyUsage, type ChatProvider, type TokenUsage } from '../llm/types.js';
import { finalizeProposal, markProposalFailed, persistRound } from '../proposals/storage.js';
import { roundDirName } from '../proposals/paths.js';
import type { SandboxMode } from '../sandbox/types.js';
import { loadSkill } from '../skills/load.js';
import type { LoadedTask } from '../tasks/load.js';
import { errorMessage } from '../util/errors.js';
import type { Logger } from '../util/log.js';
import { isTainted, passTotals, safeTaskIds, scoreEvidences } from './evidence.js';
import { runOptimizer, type OptimizerResult } from './optimizer.js';
import type { GeneratedTasks } from './task-gen.js';
import { runTasksForRound, type RoundRunContext, type TargetConfig } from './run-tasks.js';
import { pickBestRound, selectionConfig, type SelectionOptions } from './select-best-round.js';
import type { Evidence, HistoryEntry, RoundResult, SpendSlice } from './types.js';

/**
 * The jit-optimize round loop (spec runtime §5.3) with the trust fixes of §10:
 * - a round that scores below the best so far is never the base of the next round: the next
 *   optimizer pass starts from the best round (recorded as `basedOnRound` in history);
 * - `baseline` really runs the no-skill condition beside the original and reports both;
 * - any thrown error marks the proposal `failed` (never a pending half-proposal);
 * - an `infraBlocked` submission of the log-only branch makes an infra-blocked proposal;
 * - nothing is applied to the skill: accepting a proposal is a separate, reviewed step.
 * The caller holds the per-skill lock and has created the proposal.
 */

export interface LoopOptions extends SelectionTuning {
  proposalDir: string;
  skillDir: string;
  source: LoopSource;
  target: TargetConfig;
  optimizerModel: string;
  judgeModel: string;
  llm: ChatProvider;
  rounds: number;
  runsPerTask: number;
  taskConcurrency: number;
  baseline: boolean;
  keepAllRounds: boolean;
  optimizerTimeoutMs: number;
  tmpRoot: string;
  sandbox: { mode: SandboxMode; network: boolean };
  signal?: AbortSignal;
  log?: Logger;
  onProgress?: (message: string) => void;
}

export type SelectionTuning = Omit<SelectionOptions, 'hasTest' | 'trainScoresComparable'>;

/** New training tasks for round `round`, unlike `priorPrompts`, numbered from `firstIndex` (synthetic source, §5.3 step 6c). */
export type Regenerate = (proposalDir: string, round: number, priorPrompts: string[], firstIndex: number) => Promise<GeneratedTasks>;

export type LoopSource =
  | { kind: 'tasks'; label: 'real' | 'synthetic'; train: LoadedTask[]; test: LoadedTask[]; regenerate?: Regenerate }
  | { kind: 'log'; evidences: Evidence[] }
  /** Tasks written by the task-generation agent once the proposal exists (they are kept in it). */
  | { kind: 'synthetic'; generate(proposalDir: string): Promise<GeneratedTasks>; regenerate?: Regenerate };

export interface ConditionScores {
  trainScore: number | null;
  testScore: number | null;
}

export interface LoopResult {
  bestRound: number;
  bestRoundReason: string;
  rounds: RoundResult[];
  history: HistoryEntry[];
  excludedRounds: Record<string, string>;
  infraBlocked?: { reason: string; evidenceIds: string[] };
  /** Rounds whose optimizer changed files (the filesystem's word, not the submission's). */
  editedRounds: number[];
  /** The synthetic training set was regenerated (train scores of different rounds are not comparable). */
  trainRegenerated?: boolean;
  /** baseline: true — the task set without any skill, and with the original skill. */
  baseline?: { noSkill: ConditionScores; original: ConditionScores };
  /** setup: generating synthetic tasks (the reference's setupCost). */
  spend: { target: SpendSlice; judge: SpendSlice; optimizer: SpendSlice; setup: SpendSlice };
  warnings: string[];
}

const zeroSpend = (): SpendSlice => ({ tokens: emptyUsage(), costUsd: 0 });
const add = (a: SpendSlice, tokens: TokenUsage, costUsd: number): SpendSlice => ({ tokens: addUsage(a.tokens, tokens), costUsd: a.costUsd + costUsd });

interface Evaluated {
  train: Evidence[];
  test: Evidence[];
  judge: { tokens: TokenUsage; costUsd: number; calls: number };
}

function historyFrom(round: number, sub: OptimizerResult['submission'], basedOnRound: number): HistoryEntry {
  return {
    timestamp: new Date().toISOString(),
    round,
    rootCause: sub.rootCause,
    reasoning: sub.reasoning,
    changes: sub.changes,
    changedFiles: sub.changedFiles,
    confidence: sub.confidence,
    trainScore: null,
    testScore: null,
    improved: null,
    basedOnRound,
    ...(sub.infraBlocked ? { infraBlocked: true, blockedEvidenceIds: sub.blockedEvidenceIds, blockedReason: sub.blockedReason } : {}),
  };
}

function unscoredRound(round: number, historyEntry: HistoryEntry | null, optimizer: SpendSlice | null, runs: Evidence[] = []): RoundResult {
  return {
    round,
    isBaseline: round === 0,
    trainScore: null,
    testScore: null,
    trainPassed: 0,
    trainTotal: 0,
    testPassed: 0,
    testTotal: 0,
    perTaskTrainScores: {},
    perTaskTestScores: {},
    targetAgent: targetSlice(runs),
    evalJudge: { tokens: emptyUsage(), costUsd: 0, calls: 0 },
    optimizer,
    historyEntry,
  };
}

function targetSlice(evidences: readonly Evidence[]): RoundResult['targetAgent'] {
  let tokens = emptyUsage();
  let costUsd = 0;
  let durationMs = 0;
  let runs = 0;
  for (const e of evidences) {
    if (!e.runMeta) continue;
    tokens = addUsage(tokens, e.runMeta.tokens);
    costUsd += e.runMeta.costUsd;
    durationMs += e.runMeta.durationMs;
    runs++;
  }
  return { tokens, costUsd, runs, durationMs };
}

function scoredRound(round: number, ev: Evaluated, testSeparate: boolean, optimizer: SpendSlice | null, historyEntry: HistoryEntry | null): RoundResult {
  const train = scoreEvidences(ev.train);
  const test = testSeparate ? scoreEvidences(ev.test) : train;
  const tp = passTotals(ev.train);
  const sp = testSeparate ? passTotals(ev.test) : tp;
  return {
    round,
    isBaseline: round === 0,
    trainScore: train.aggregate,
    testScore: testSeparate ? test.aggregate : null,
    trainPassed: tp.passed,
    trainTotal: tp.total,
    testPassed: sp.passed,
    testTotal: sp.total,
    perTaskTrainScores: train.perTask,
    perTaskTestScores: test.perTask,
    targetAgent: targetSlice(testSeparate ? [...ev.train, ...ev.test] : ev.train),
    evalJudge: ev.judge,
    optimizer,
    historyEntry,
  };
}

/** Every distinct evidence tainted ⇒ the first infraError and the flat indices. */
function allTainted(evidences: readonly Evidence[]): { reason: string; evidenceIds: string[] } | null {
  if (evidences.length === 0 || !evidences.every(isTainted)) return null;
  const reason = evidences.flatMap((e) => e.criteria ?? []).find((c) => c.infraError)?.infraError ?? 'infrastructure error';
  return { reason, evidenceIds: evidences.map((_, i) => String(i)) };
}

export async function runOptimizeLoop(o: LoopOptions): Promise<LoopResult> {
  try {
    let source = o.source;
    let setup = zeroSpend();
    const setupWarnings: string[] = [];
    if (source.kind === 'synthetic') {
      o.onProgress?.('generating tasks');
      const g = await source.generate(o.proposalDir);
      setup = g.spend;
      setupWarnings.push(...g.warnings);
      source = { kind: 'tasks', label: 'synthetic', train: g.train, test: g.test, ...(source.regenerate ? { regenerate: source.regenerate } : {}) };
    }
    const ran = source.kind === 'log' ? await runLogOnly(o, source.evidences) : await runRounds(o, source);
    const result: LoopResult = { ...ran, spend: { ...ran.spend, setup: add(ran.spend.setup, setup.tokens, setup.costUsd) }, warnings: [...setupWarnings, ...ran.warnings] };
    await finalizeProposal(o.proposalDir, {
      entries: result.history,
      rounds: result.rounds,
      bestRound: result.bestRound,
      bestRoundReason: result.bestRoundReason,
      ...(source.kind === 'tasks' && !result.infraBlocked ? { selectionConfig: selectionConfig({ ...o, hasTest: source.test.length > 0, trainScoresComparable: !result.trainRegenerated }), excludedRounds: result.excludedRounds } : {}),
      ...(result.infraBlocked ? { infraBlocked: result.infraBlocked } : {}),
    });
    if (!o.keepAllRounds && !result.infraBlocked) await pruneRounds(o.proposalDir, result.rounds.map((r) => r.round), result.bestRound);
    return result;
  } catch (err) {
    await markProposalFailed(o.proposalDir, errorMessage(err)).catch((e: unknown) => o.log?.warn(`could not mark the proposal failed: ${errorMessage(e)}`));
    throw err;
  }
}

async function pruneRounds(proposalDir: string, rounds: number[], keep: number): Promise<void> {
  for (const r of new Set(rounds)) if (r !== keep) await fsp.rm(path.join(proposalDir, roundDirName(r)), { recursive: true, force: true });
}

async function runLogOnly(o: LoopOptions, evidences: Evidence[]): Promise<LoopResult> {
  o.onProgress?.(`optimizing from ${evidences.length} transcript(s)`);
  const opt = await runOptimizer({ ...optimizerOptions(o, o.skillDir, evidences, []), recordDir: path.join(o.proposalDir, 'round-1-optimizer') });
  try {
    await persistRound(o.proposalDir, 0, o.skillDir);
    await persistRound(o.proposalDir, 1, opt.workspaceDir);
  } finally {
    await opt.discard();
  }
  const optimizer = { tokens: opt.tokens, costUsd: opt.costUsd };
  const entry = historyFrom(1, opt.submission, 0);
  const rounds = [unscoredRound(0, null, null), unscoredRound(1, entry, optimizer)];
  const spend = { target: zeroSpend(), judge: zeroSpend(), optimizer, setup: zeroSpend() };
  if (opt.submission.infraBlocked) {
    // Fix of §10 item 15: the reference ignored this for log sources.
    const reason = opt.submission.blockedReason || 'the optimizer reported an infrastructure problem';
    return { bestRound: 0, bestRoundReason: `infra-blocked at round-1: ${reason}`, rounds, history: [entry], excludedRounds: {}, editedRounds: opt.changed ? [1] : [], infraBlocked: { reason, evidenceIds: opt.submission.blockedEvidenceIds }, spend, warnings: opt.warnings };
  }
  const edited = opt.changed && !opt.submission.noChanges;
  return {
    bestRound: edited ? 1 : 0,
    bestRoundReason: edited ? 'optimized version (log-only source — no evaluation)' : 'no changes were made',
    rounds,
    history: [entry],
    excludedRounds: {},
    editedRounds: opt.changed ? [1] : [],
    spend,
    warnings: opt.warnings,
  };
}

function optimizerOptions(o: LoopOptions, skillDir: string, evidences: readonly Evidence[], history: readonly HistoryEntry[]) {
  return {
    skillDir,
    evidences,
    history,
    model: o.optimizerModel,
    llm: o.llm,
    tmpRoot: o.tmpRoot,
    timeoutMs: o.optimizerTimeoutMs,
    sandbox: o.sandbox,
    ...(o.signal ? { signal: o.signal } : {}),
    ...(o.log ? { log: o.log } : {}),
  };
}

async function runRounds(o: LoopOptions, src: Extract<LoopSource, { kind: 'tasks' }>): Promise<LoopResult> {
  const testSeparate = src.test.length > 0;
  const primaryOf = (r: RoundResult) => (testSeparate ? r.testScore : r.trainScore);
  const warnings: string[] = [];
  if (!testSeparate) warnings.push('no separate test tasks: the per-task regression check uses the training tasks');
  const ctx: RoundRunContext = {
    llm: o.llm,
    target: o.target,
    judge: { llm: o.llm, model: o.judgeModel },
    tmpRoot: o.tmpRoot,
    sandbox: o.sandbox,
    proposalDir: o.proposalDir,
    safeIds: safeTaskIds([...src.train, ...src.test].map((t) => t.id)),
    runsPerTask: o.runsPerTask,
    concurrency: o.taskConcurrency,
    ...(o.signal ? { signal: o.signal } : {}),
    ...(o.log ? { log: o.log } : {}),
    onRun: (i) => o.onProgress?.(`${i.roundLabel} ${i.split}: ${i.taskId} run ${i.runIdx} ${i.score === null ? 'not scored' : `scored ${i.score.toFixed(3)}`}`),
  };
  let spend = { target: zeroSpend(), judge: zeroSpend(), optimizer: zeroSpend(), setup: zeroSpend() };
  const count = (r: RoundResult) => {
    spend = { ...spend, target: add(spend.target, r.targetAgent.tokens, r.targetAgent.costUsd), judge: add(spend.judge, r.evalJudge.tokens, r.evalJudge.costUsd), optimizer: r.optimizer ? add(spend.optimizer, r.optimizer.tokens, r.optimizer.costUsd) : spend.optimizer };
  };

  let trainTasks = src.train;
  let trainRegenerated = false;
  let noEditCount = 0;
  const evaluate = async (label: string, skillDir: string | null, withTest = testSeparate): Promise<Evaluated> => {
    const skill = skillDir ? await loadSkill(skillDir) : null;
    o.onProgress?.(`${label}: running ${trainTasks.length + (withTest ? src.test.length : 0)} task(s) × ${o.runsPerTask}`);
    const train = await runTasksForRound(ctx, label, 'train', trainTasks, skill);
    const test = withTest ? await runTasksForRound(ctx, label, 'test', src.test, skill) : { evidences: [], judge: { tokens: emptyUsage(), costUsd: 0, calls: 0 } };
    return { train: train.evidences, test: test.evidences, judge: { tokens: addUsage(train.judge.tokens, test.judge.tokens), costUsd: train.judge.costUsd + test.judge.costUsd, calls: train.judge.calls + test.judge.calls } };
  };

  const rounds: RoundResult[] = [];
  const history: HistoryEntry[] = [];
  const editedRounds: number[] = [];
  const finishBlocked = (label: string, blocked: { reason: string; evidenceIds: string[] }): LoopResult => ({
    bestRound: 0,
    bestRoundReason: `infra-blocked at ${label}: ${blocked.reason}`,
    rounds,
    history,
    excludedRounds: {},
    editedRounds,
    infraBlocked: blocked,
    spend,
    warnings,
  });

  // Round 0: the original skill.
  await persistRound(o.proposalDir, 0, o.skillDir);
  const round0Dir = path.join(o.proposalDir, roundDirName(0));
  const ev0 = await evaluate('round-0', round0Dir);
  const blocked0 = allTainted([...ev0.train, ...ev0.test]);
  if (blocked0) {
    const entry: HistoryEntry = { timestamp: new Date().toISOString(), round: 0, rootCause: '', reasoning: `all-tainted: ${blocked0.reason}`, changes: [], changedFiles: [], confidence: 0, trainScore: null, testScore: null, improved: null, infraBlocked: true, blockedEvidenceIds: blocked0.evidenceIds, blockedReason: blocked0.reason };
    history.push(entry);
    const r0 = unscoredRound(0, entry, null, [...ev0.train, ...ev0.test]);
    rounds.push(r0);
    count(r0);
    return finishBlocked('round-0', blocked0);
  }
  const r0 = scoredRound(0, ev0, testSeparate, null, null);
  rounds.push(r0);
  count(r0);

  let baseline: LoopResult['baseline'];
  if (o.baseline) {
    const noSkill = await evaluate('baseline-noskill', null);
    const rn = scoredRound(-1, noSkill, testSeparate, null, null);
    spend = { ...spend, target: add(spend.target, rn.targetAgent.tokens, rn.targetAgent.costUsd), judge: add(spend.judge, rn.evalJudge.tokens, rn.evalJudge.costUsd) };
    baseline = { noSkill: { trainScore: rn.trainScore, testScore: rn.testScore }, original: { trainScore: r0.trainScore, testScore: r0.testScore } };
  }

  // The base of the next optimizer pass: the best round so far (never a worse one).
  let base = { round: 0, dir: round0Dir, train: ev0.train, primary: primaryOf(r0) };
  let lastScoredPrimary = primaryOf(r0);
  if (base.primary !== null && base.primary >= o.convergence) {
    o.onProgress?.(`round-0 already at the convergence threshold (${base.primary.toFixed(3)}): no optimization`);
  } else {
    for (let r = 1; r <= o.rounds; r++) {
      o.onProgress?.(`round ${r}: optimizer on round ${base.round}'s evidence`);
      const opt = await runOptimizer({ ...optimizerOptions(o, base.dir, base.train, history), recordDir: path.join(o.proposalDir, `round-${r}-optimizer`) });
      warnings.push(...opt.warnings.map((w) => `round ${r}: ${w}`));
      const optimizer = { tokens: opt.tokens, costUsd: opt.costUsd };
      const entry = historyFrom(r, opt.submission, base.round);
      history.push(entry);
      if (opt.submission.infraBlocked) {
        await opt.discard();
        const round = unscoredRound(r, entry, optimizer);
        rounds.push(round);
        count(round);
        return finishBlocked(`round-${r}`, { reason: opt.submission.blockedReason || 'the optimizer reported an infrastructure problem', evidenceIds: opt.submission.blockedEvidenceIds });
      }
      if (!opt.changed) {
        await opt.discard();
        await persistRound(o.proposalDir, r, base.dir);
        const round = unscoredRound(r, entry, optimizer);
        rounds.push(round);
        count(round);
        noEditCount++;
        // §5.3 step 6c: the training tasks taught the optimizer nothing — new ones, once more at most.
        if (src.regenerate && testSeparate && opt.submission.noChanges && noEditCount < 2 && r < o.rounds) {
          o.onProgress?.(`round ${r}: no edits; regenerating the training tasks`);
          const all = [...trainTasks, ...src.test];
          const g = await src.regenerate(o.proposalDir, r, all.map((t) => t.prompt), all.length);
          spend = { ...spend, setup: add(spend.setup, g.spend.tokens, g.spend.costUsd) };
          warnings.push(...g.warnings);
          trainTasks = g.train;
          for (const [id, safe] of safeTaskIds([...ctx.safeIds.keys(), ...trainTasks.map((t) => t.id)])) ctx.safeIds.set(id, safe);
          trainRegenerated = true;
          const ev = await evaluate(`round-${r}-regen`, base.dir, false);
          // Re-evaluating the base on the new tasks is setup, not a round's cost.
          const slice = targetSlice(ev.train);
          spend = { ...spend, setup: add(add(spend.setup, slice.tokens, slice.costUsd), ev.judge.tokens, ev.judge.costUsd) };
          const blocked = allTainted(ev.train);
          if (blocked) return { ...finishBlocked(`round-${r}-regen`, blocked), trainRegenerated };
          base = { ...base, train: ev.train };
          continue;
        }
        o.onProgress?.(`round ${r}: no edits (${opt.submission.noChanges ? 'the optimizer found nothing to change' : opt.submission.invalid ?? 'no files changed'}); stopping`);
        break;
      }
      try {
        await persistRound(o.proposalDir, r, opt.workspaceDir);
      } finally {
        await opt.discard();
      }
      editedRounds.push(r);
      const dir = path.join(o.proposalDir, roundDirName(r));
      const ev = await evaluate(`round-${r}`, dir);
      const blocked = allTainted([...ev.train, ...ev.test]);
      if (blocked) {
        Object.assign(entry, { infraBlocked: true, blockedEvidenceIds: blocked.evidenceIds, blockedReason: blocked.reason });
        const round = unscoredRound(r, entry, optimizer, [...ev.train, ...ev.test]);
        rounds.push(round);
        count(round);
        return finishBlocked(`round-${r}`, blocked);
      }
      const round = scoredRound(r, ev, testSeparate, optimizer, entry);
      const p = primaryOf(round);
      Object.assign(entry, { trainScore: round.trainScore, testScore: round.testScore, improved: p !== null && lastScoredPrimary !== null ? p >= lastScoredPrimary + o.minImprovement : p !== null });
      rounds.push(round);
      count(round);
      if (p !== null) lastScoredPrimary = p;
      if (p !== null && (base.primary === null || p >= base.primary)) base = { round: r, dir, train: ev.train, primary: p };
      else o.onProgress?.(`round ${r} scored ${p === null ? 'nothing' : p.toFixed(3)}, below round ${base.round} (${base.primary?.toFixed(3)}): the next round starts from round ${base.round}`);
      if (p !== null && p >= o.convergence) break;
    }
  }

  const pick = pickBestRound(rounds, { ...o, hasTest: testSeparate, trainScoresComparable: !trainRegenerated });
  return { bestRound: pick.bestRound, bestRoundReason: pick.reason, rounds, history, excludedRounds: pick.excludedRounds, editedRounds, ...(baseline ? { baseline } : {}), spend, warnings, ...(trainRegenerated ? { trainRegenerated } : {}) };
}
