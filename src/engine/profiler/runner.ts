import type { HarnessHost } from '../runtime/host.js';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { AdapterUnavailableError } from '../agent/adapters/registry.js';
import type { RunResult, RunStatus } from '../agent/types.js';
import { LlmError, ToolArgumentsParseError } from '../llm/errors.js';
import { addUsage, emptyUsage, withChat, type CallOptions, type ChatProvider, type ChatRequest, type ChatResponse, type TokenUsage, type UsageRecord } from '../llm/types.js';
import type { FailureReport } from '../profiles/schema.js';
import { runAgent, stageWorkDir, type StagedWorkDir } from '../runtime/run-agent.js';
import { resolveInWorkDir, SandboxUnavailableError } from '../sandbox/index.js';
import type { SandboxMode } from '../sandbox/types.js';
import { sleep } from '../util/abort.js';
import { writeFileMakingDirs } from '../util/fs.js';
import { CancelledError, errorMessage, isAbortError } from '../util/errors.js';
import { silentLogger, type Logger } from '../util/log.js';
import { buildFailureReport, computeFileChanges, consoleHint, enrichedDetails, failureLogBlock } from './diagnostics.js';
import { checkContext, runProbeCheck, startProbeServer, withBaseUrl, writeSetupFiles, type CheckOutcome } from './probe-exec.js';
import type { ProbeObserver } from './probe-hooks.js';
import { missingRequirement } from './requirements.js';
import type { ProbeCheckpoint, ProbeInstance } from './types.js';

/**
 * The runner (spec §2.6, with §9.2's weaknesses fixed): one probe instance through bare-agent,
 * graded by the probe's check.
 *
 * Outcomes of one attempt (`runProbe`):
 * - `skip`  a requirement of the probe is missing on this machine (never a failure);
 * - `pass` / `fail`  the agent ran (runStatus ok) and the check decided; or the agent did not
 *   finish cleanly for a reason of its own (see below) — a failed instance, the check is not run
 *   (the runStatus gate: a killed run's leftovers must never pass);
 * - `infra` the machine or the vendor failed, not the model: a provider error that survived the
 *   client's retries (rate_limit, transient, timeout), a harness crash, the probe's server or
 *   work directory failing, a malformed tool-call payload from the gateway, or an infrastructure
 *   timeout (below). `runInstance` retries those and records a persistent one as an infra skip.
 * Thrown: CancelledError (the signal aborted) and the errors retrying cannot fix — LlmError
 * auth / no_route / bad_request and an unavailable sandbox — which abort the profile.
 *
 * Timeouts (runStatus `timeout`) are told apart by what the model calls did during the run:
 * it is an **infrastructure** timeout when
 *   1. no LLM call completed at all within the budget (the vendor never answered), or
 *   2. the call cut off by the deadline had already been retried, or had been waiting for at
 *      least half the probe's budget (a stalled vendor, not a slow agent), or
 *   3. calls that needed retries or failed took at least a quarter of the run's time;
 * otherwise the model was answering promptly and used the time up itself (looping, too many
 * turns, slow commands): a **capability** timeout, a failed instance.
 */

export const DEFAULT_MAX_STEPS = 25;
export const DEFAULT_PROBE_TIMEOUT_MS = 120_000;
export const DEFAULT_INFRA_RETRIES = 2;
export const DEFAULT_INFRA_BACKOFF_MS = 2_000;

/** One LLM call as the runner saw it (per probe run). */
export interface CallRecord {
  /** Date.now() when the call was made. */
  startedAt: number;
  durationMs: number;
  /** Attempts the client made, including the last one (1 when unknown). */
  attempts: number;
  ok: boolean;
  usage: TokenUsage;
  costUsd: number | null;
  /** LlmError kind (or the error name) of a failed call. */
  errorKind?: string;
}

const RETRYABLE = new Set(['rate_limit', 'transient', 'timeout']);

/** Whether a call shows the vendor pushing back (for the adaptive window). */
export function isCongested(rec: CallRecord): boolean {
  return rec.attempts > 1 || (!rec.ok && rec.errorKind !== undefined && RETRYABLE.has(rec.errorKind));
}

/**
 * The provider a probe run talks through: every call is reported to `onCall` with its attempts
 * (from the LlmClient's usage record when available — that includes the attempts of a call cut
 * off by the deadline — else from the response or the error).
 */
export function observeProvider(llm: ChatProvider, onCall: (rec: CallRecord) => void, onStart?: () => void): ChatProvider {
  return withChat(llm, async (req: ChatRequest, opts?: CallOptions): Promise<ChatResponse> => {
    const startedAt = Date.now();
    onStart?.();
    let usageRec: UsageRecord | undefined;
    const p = llm.withUsage ? llm.withUsage((r) => (usageRec = r)) : llm;
    try {
      const res = await p.chat(req, opts);
      onCall({
        startedAt,
        durationMs: usageRec?.durationMs ?? res.durationMs,
        attempts: usageRec?.attempts ?? res.attempts ?? 1,
        ok: true,
        usage: usageRec?.usage ?? res.usage,
        costUsd: usageRec ? usageRec.costUsd : res.costUsd,
      });
      return res;
    } catch (err) {
      const kind = err instanceof LlmError ? err.kind : err instanceof Error ? err.name : 'error';
      const attempts = usageRec?.attempts ?? (err instanceof LlmError ? (err.attempts ?? 1) : 1);
      // A failed call reports no tokens; vendors do not bill it, so it costs 0 (not "unknown").
      onCall({ startedAt, durationMs: Date.now() - startedAt, attempts: Math.max(1, attempts), ok: false, usage: usageRec?.usage ?? emptyUsage(), costUsd: 0, errorKind: kind });
      throw err;
    }
  });
}

/** Infra or capability, for a run that ended with runStatus `timeout` (see the module comment). */
export function classifyTimeout(calls: readonly CallRecord[], runDurationMs: number, timeoutMs: number): { infra: boolean; reason: string } {
  const completed = calls.filter((c) => c.ok).length;
  if (completed === 0) {
    return { infra: true, reason: `no LLM call completed within the probe's ${timeoutMs} ms (${calls.length} call(s) failed or were cut off)` };
  }
  const cut = [...calls].reverse().find((c) => !c.ok && (c.errorKind === 'cancelled' || c.errorKind === 'AbortError'));
  if (cut && (cut.attempts > 1 || cut.durationMs >= timeoutMs / 2)) {
    return { infra: true, reason: `the LLM call cut off by the time limit had been waiting ${cut.durationMs} ms over ${cut.attempts} attempt(s)` };
  }
  const degraded = calls.filter((c) => c !== cut && (c.attempts > 1 || !c.ok)).reduce((n, c) => n + c.durationMs, 0);
  if (degraded >= Math.max(1, runDurationMs) / 4) {
    return { infra: true, reason: `${degraded} ms of the run's ${runDurationMs} ms went to LLM calls that were retried or failed` };
  }
  return { infra: false, reason: `the agent ran out of time after ${completed} model turn(s) that answered promptly` };
}

export type ErrorClass = 'cancelled' | 'fatal' | 'infra';

/** What a thrown error means for the profile. */
export function classifyError(err: unknown, signal?: AbortSignal): ErrorClass {
  if (signal?.aborted) return 'cancelled';
  if (err instanceof CancelledError) return 'cancelled';
  if (err instanceof LlmError) {
    if (err.kind === 'auth' || err.kind === 'no_route' || err.kind === 'bad_request') return 'fatal';
    return 'infra'; // rate_limit, transient, timeout (after the client's retries); a stray 'cancelled'
  }
  if (err instanceof SandboxUnavailableError || err instanceof AdapterUnavailableError) return 'fatal';
  if (err instanceof ToolArgumentsParseError) return 'infra';
  if (isAbortError(err)) return 'infra';
  return 'infra';
}

export type ProbeStatus = 'pass' | 'fail' | 'skip' | 'infra';

/** Where one instance's log files go (`<logs>/profile/<harness>/<safeModel>/<prim>/<level>/`). */
export interface InstanceLogPaths {
  convLog: string;
  evalScript: string;
  failureJson: string;
}

export function instanceLogPaths(levelLogDir: string, index: number): InstanceLogPaths {
  return {
    convLog: path.join(levelLogDir, `instance-${index}.jsonl`),
    evalScript: path.join(levelLogDir, `instance-${index}-eval.sh`),
    failureJson: path.join(levelLogDir, `instance-${index}-failure.json`),
  };
}

export interface RunProbeOptions {
  model: string;
  llm: ChatProvider;
  tmpRoot: string;
  sandbox: { mode: SandboxMode };
  /** Per-probe wall-clock budget of the agent. Default 120000. */
  timeoutMs?: number;
  /** Default 25. */
  maxSteps?: number;
  /** 0-based instance index within its level (for names and reports). */
  index: number;
  /** Log files of this instance; none written when absent. */
  logs?: InstanceLogPaths;
  /** Harness that runs the probe (default bare-agent). */
  adapter?: string;
  /** A CLI harness's mode, binary lookup and native config. */
  harness?: HarnessHost;
  /** Sees each probe instance just before the agent does (see probe-hooks.ts). */
  onProbe?: ProbeObserver;
  signal?: AbortSignal;
  log?: Logger;
  /** Every LLM call of the run (the scheduler's congestion feedback). */
  onCall?: (rec: CallRecord) => void;
  /** Called as each LLM call starts. */
  onCallStart?: () => void;
  /**
   * Awaited once the agent has finished and the attempt is to be graded (not after a skip or an
   * infrastructure failure): no LLM call follows, so the session frees the probe's slot here and
   * the check runs while the next probe talks to the model.
   */
  onAgentDone?: () => Promise<void>;
  /** The probe prepared ahead (prepareProbe), e.g. while an earlier probe waited for the model; used by the first attempt only. */
  prepared?: Promise<Preparation>;
}

export interface ProbeAttempt {
  status: ProbeStatus;
  details: string;
  checkpoints?: ProbeCheckpoint[];
  failureReport?: FailureReport;
  durationMs: number;
  tokens: TokenUsage;
  /** Sum of the known call costs. */
  costUsd: number;
  /** Some call's price was unknown: costUsd is a lower bound. */
  costIncomplete: boolean;
  llmCalls: number;
  /** Calls that needed more than one attempt. */
  retriedCalls: number;
  runStatus?: RunStatus;
}

/** One attempt at one probe instance (see the module comment for the outcomes). */
export async function runProbe(instance: ProbeInstance, opts: RunProbeOptions): Promise<ProbeAttempt> {
  const started = Date.now();
  const log = opts.log ?? silentLogger;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  const label = `${instance.primitiveId} ${instance.level} #${opts.index}`;
  const calls: CallRecord[] = [];
  let harnessRun: RunResult | undefined;
  const tally = () => {
    // A CLI harness calls the model itself, past the observer: its run's own usage is what there is.
    if (calls.length === 0 && harnessRun?.usageAvailable) {
      const turns = harnessRun.steps.filter((s) => s.role === 'assistant').length;
      return { tokens: harnessRun.tokens, costUsd: harnessRun.cost ?? 0, costIncomplete: harnessRun.cost === null, llmCalls: turns, retriedCalls: 0 };
    }
    let tokens = emptyUsage();
    let costUsd = 0;
    let costIncomplete = false;
    for (const c of calls) {
      tokens = addUsage(tokens, c.usage);
      if (c.costUsd === null) costIncomplete = true;
      else costUsd += c.costUsd;
    }
    return { tokens, costUsd, costIncomplete, llmCalls: calls.length, retriedCalls: calls.filter((c) => c.attempts > 1).length };
  };
  const done = (status: ProbeStatus, details: string, extra: Partial<ProbeAttempt> = {}): ProbeAttempt => ({
    status,
    details,
    durationMs: Date.now() - started,
    ...tally(),
    ...extra,
  });

  const prep = await (opts.prepared ?? prepareProbe(instance, opts));
  if ('skip' in prep) return done('skip', prep.skip);
  if ('infra' in prep) return done('infra', prep.infra);
  const { inst, staged, server } = prep.ready;
  const web = inst.web === true;
  try {
    const provider = observeProvider(
      opts.llm,
      (rec) => {
        calls.push(rec);
        opts.onCall?.(rec);
      },
      opts.onCallStart,
    );
    let verdict: ProbeVerdict | undefined;
    try {
      await runAgent<CheckOutcome>(
        {
          adapter: opts.adapter ?? 'bare-agent',
          model: opts.model,
          llm: provider,
          prompt: inst.prompt,
          maxSteps: opts.maxSteps ?? DEFAULT_MAX_STEPS,
          timeoutMs,
          web,
          ...(server ? { allowLocalHosts: [new URL(server.baseUrl).host] } : {}),
          sandbox: { mode: opts.sandbox.mode, network: web },
          tmpRoot: opts.tmpRoot,
          workDirPrefix: probeWorkDirPrefix(inst),
          staged,
          ...(opts.logs ? { convLogPath: opts.logs.convLog } : {}),
          ...(opts.signal ? { signal: opts.signal } : {}),
          log,
          ...opts.harness,
        },
        {
          // An infrastructure outcome is not graded (runInstance retries it); any other frees the model slot now.
          agentDone: async (run) => {
            harnessRun = run;
            if (!isInfraOutcome(run, calls, timeoutMs)) await opts.onAgentDone?.();
          },
          evaluate: async ({ run, workDir }) => {
            await fsp.writeFile(await resolveInWorkDir(workDir, 'response.txt', { forWrite: true }), run.text).catch((err: unknown) => {
              log.warn(`${label}: could not write response.txt: ${errorMessage(err)}`);
            });
            return runProbeCheck(inst, checkContext(workDir, run.text, run.steps, opts.sandbox, web));
          },
          inspect: async ({ run, evaluation, workDir }) => {
            verdict = await judgeProbeRun(inst, run, evaluation, { calls, timeoutMs, workDir, index: opts.index, label, log, adapter: opts.adapter ?? 'bare-agent', ...(opts.logs ? { logs: opts.logs } : {}) });
          },
        },
      );
    } catch (err) {
      const cls = classifyError(err, opts.signal);
      if (cls === 'cancelled') throw err instanceof CancelledError ? err : new CancelledError(opts.signal?.reason);
      if (cls === 'fatal') throw err;
      return done('infra', `${err instanceof LlmError ? `LLM ${err.kind}` : 'agent error'}: ${errorMessage(err)}`);
    }
    const v = verdict!;
    return done(v.status, v.details, v.extra);
  } finally {
    await server?.close().catch(() => undefined);
  }
}

function probeWorkDirPrefix(inst: ProbeInstance): string {
  return `skvm-profile-${inst.primitiveId}-${inst.level}-`;
}

/** A harness crash, or a timeout the vendor caused (classifyTimeout): not the model's doing. */
function isInfraOutcome(run: RunResult, calls: readonly CallRecord[], timeoutMs: number): boolean {
  if (run.runStatus === 'adapter-crashed') return true;
  return run.runStatus === 'timeout' && classifyRunTimeout(run, calls, timeoutMs).infra;
}

/** classifyTimeout for a run. A CLI harness's own calls are not observed: a model that answered at all was reachable. */
function classifyRunTimeout(run: RunResult, calls: readonly CallRecord[], timeoutMs: number): { infra: boolean; reason: string } {
  if (calls.length === 0 && run.steps.some((s) => s.role === 'assistant')) return { infra: false, reason: 'the harness reached the model itself and got answers before the time limit' };
  return classifyTimeout(calls, run.durationMs, timeoutMs);
}

interface ProbeVerdict {
  status: ProbeStatus;
  details: string;
  extra: Partial<ProbeAttempt>;
}

/**
 * What a finished agent run means for the probe: the check's verdict for an `ok` run; for a
 * timeout, infrastructure or capability (classifyTimeout); for a crash, infrastructure. A failed
 * instance gets its failure report (written beside the conversation log) while its work
 * directory still exists; the directory itself is removed like every other one.
 */
async function judgeProbeRun(
  inst: ProbeInstance,
  run: RunResult,
  check: CheckOutcome | undefined,
  ctx: { calls: readonly CallRecord[]; timeoutMs: number; workDir: string; index: number; label: string; log: Logger; adapter: string; logs?: InstanceLogPaths },
): Promise<ProbeVerdict> {
  let evalDetails: string;
  if (check) {
    if (check.passed) return { status: 'pass', details: check.details, extra: { checkpoints: check.checkpoints, runStatus: run.runStatus } };
    evalDetails = check.details;
  } else if (run.runStatus === 'adapter-crashed') {
    return { status: 'infra', details: `the harness crashed: ${run.statusDetail ?? 'adapter-crashed'}`, extra: { runStatus: run.runStatus } };
  } else if (run.runStatus === 'timeout') {
    const t = classifyRunTimeout(run, ctx.calls, ctx.timeoutMs);
    if (t.infra) return { status: 'infra', details: `infrastructure timeout: ${t.reason}`, extra: { runStatus: run.runStatus } };
    evalDetails = `tainted: ${run.statusDetail ?? 'adapter runStatus=timeout'} (${t.reason})`;
  } else {
    evalDetails = `tainted: ${run.statusDetail ?? `adapter runStatus=${run.runStatus}`}`;
  }

  const checkpoints = check?.checkpoints;
  const report = buildFailureReport({
    primitiveId: inst.primitiveId,
    level: inst.level,
    instance: ctx.index,
    evalDetails,
    agentText: run.text,
    steps: run.steps,
    ...(run.adapterError ? { adapterError: run.adapterError } : {}),
    fileChanges: changedNothing(ctx.adapter, run) ? { created: [], modified: [], deleted: [] } : await computeFileChanges(ctx.workDir, inst.setupFiles),
    durationMs: run.durationMs,
    extra: { seed: inst.seed, runStatus: run.runStatus },
  });
  ctx.log.info(`FAIL ${ctx.label}: ${evalDetails.slice(0, 120)} ${consoleHint(report)}`);
  ctx.log.debug(failureLogBlock(report));
  if (ctx.logs) {
    const logs = ctx.logs;
    const write = (file: string, text: string) =>
      writeFileMakingDirs(file, text).catch((err: unknown) => ctx.log.warn(`${ctx.label}: could not write ${path.basename(file)}: ${errorMessage(err)}`));
    await Promise.all([write(logs.failureJson, JSON.stringify(report, null, 2)), write(logs.evalScript, evalScriptText(inst, evalDetails, checkpoints))]);
  }
  return { status: 'fail', details: enrichedDetails(report), extra: { ...(checkpoints ? { checkpoints } : {}), failureReport: report, runStatus: run.runStatus } };
}

/**
 * bare-agent changes files only through its tool calls: a run that made none changed nothing,
 * and comparing the work dir with the setup files (a log of 300 KB for some probes) is skipped.
 */
function changedNothing(adapter: string, run: RunResult): boolean {
  return adapter === 'bare-agent' && run.steps.every((s) => s.toolCalls.length === 0);
}

/** A probe ready for its agent: the machine has what it needs, its server runs, its work dir is set up. */
export interface PreparedProbe {
  /** The instance with `{{BASE_URL}}` filled in. */
  inst: ProbeInstance;
  staged: StagedWorkDir;
  server?: { baseUrl: string; close(): Promise<void> };
}

/** Preparing a probe gives a probe ready to run, or already the attempt's outcome: a skip, or an infrastructure failure. */
export type Preparation = { ready: PreparedProbe } | { skip: string } | { infra: string };

/**
 * Everything a probe needs before its agent starts. Never rejects: a missing requirement is a
 * skip and a failure to set up is infra (nothing is left behind then).
 */
export async function prepareProbe(instance: ProbeInstance, opts: Pick<RunProbeOptions, 'tmpRoot' | 'onProbe'>): Promise<Preparation> {
  const missing = await missingRequirement(instance.requires);
  if (missing) return { skip: `skipped (environment): ${missing}` };
  let server: Awaited<ReturnType<typeof startProbeServer>>;
  try {
    server = await startProbeServer(instance);
  } catch (err) {
    return { infra: `the probe's local server could not start: ${errorMessage(err)}` };
  }
  const inst = server ? withBaseUrl(instance, server.baseUrl) : instance;
  try {
    await opts.onProbe?.(inst);
    const staged = await stageWorkDir({ tmpRoot: opts.tmpRoot, workDirPrefix: probeWorkDirPrefix(inst) }, (workDir) => writeSetupFiles(workDir, inst.setupFiles));
    return { ready: { inst, staged, ...(server ? { server } : {}) } };
  } catch (err) {
    await server?.close().catch(() => undefined);
    return { infra: `preparing the probe failed: ${errorMessage(err)}` };
  }
}

/** Releases what a preparation holds, for a probe that will not run after all. */
export async function discardPreparation(preparation: Promise<Preparation>): Promise<void> {
  const prep = await preparation;
  if (!('ready' in prep)) return;
  await prep.ready.server?.close().catch(() => undefined);
  await prep.ready.staged.discard().catch(() => undefined);
}

/**
 * The reference keeps each probe's eval script beside the conversation log for the compiler to
 * study. Our checks are TypeScript, so this file is a shell comment block saying what the check
 * looked at and what it found (a no-op if run).
 */
function evalScriptText(inst: ProbeInstance, details: string, checkpoints: ProbeCheckpoint[] | undefined): string {
  const lines = [
    '#!/bin/sh',
    `# skvm-mcp probe ${inst.primitiveId} ${inst.level} (seed ${inst.seed}): checked in TypeScript by the probe generator, not by this script.`,
    '# Checkpoints (an instance passes when every score is >= 0.5):',
    ...(checkpoints ?? []).map((c) => `#   ${c.name}: ${c.score.toFixed(2)}${c.reason ? ` (${c.reason.replace(/\n/g, ' ')})` : ''}`),
    `# Result: ${details.replace(/\n/g, ' ')}`,
    '',
  ];
  return lines.join('\n');
}

export interface InstanceResult {
  /** 0-based index within the level (re-runs continue the numbering). */
  instance: number;
  seed: number;
  passed: boolean;
  details: string;
  durationMs: number;
  skipped?: boolean;
  /** The skip is an infrastructure failure that persisted through the retries. */
  infra?: boolean;
  failureReport?: FailureReport;
  checkpoints?: ProbeCheckpoint[];
  tokens: TokenUsage;
  costUsd: number;
  costIncomplete: boolean;
  /** Attempts made (infra retries + 1). */
  attempts: number;
  llmCalls: number;
  retriedCalls: number;
  runStatus?: RunStatus;
}

export interface RunInstanceOptions extends RunProbeOptions {
  /** Extra attempts after an infrastructure failure. Default 2. */
  infraRetries?: number;
  /** Backoff before the first retry, doubled each time. Default 2000 ms. */
  infraBackoffMs?: number;
}

/** `runProbe` with infrastructure failures retried, and recorded as an infra skip when they persist. */
export async function runInstance(instance: ProbeInstance, opts: RunInstanceOptions): Promise<InstanceResult> {
  const retries = Math.max(0, opts.infraRetries ?? DEFAULT_INFRA_RETRIES);
  const backoff = Math.max(0, opts.infraBackoffMs ?? DEFAULT_INFRA_BACKOFF_MS);
  const log = opts.log ?? silentLogger;
  let tokens = emptyUsage();
  let costUsd = 0;
  let costIncomplete = false;
  let llmCalls = 0;
  let retriedCalls = 0;
  let durationMs = 0;
  const reasons: string[] = [];
  for (let attempt = 1; ; attempt++) {
    const a = await runProbe(instance, attempt === 1 ? opts : { ...opts, prepared: undefined });
    tokens = addUsage(tokens, a.tokens);
    costUsd += a.costUsd;
    costIncomplete ||= a.costIncomplete;
    llmCalls += a.llmCalls;
    retriedCalls += a.retriedCalls;
    durationMs += a.durationMs;
    const base = { instance: opts.index, seed: instance.seed, durationMs, tokens, costUsd, costIncomplete, attempts: attempt, llmCalls, retriedCalls, ...(a.runStatus ? { runStatus: a.runStatus } : {}) };
    if (a.status !== 'infra') {
      return {
        ...base,
        passed: a.status === 'pass',
        details: a.details,
        ...(a.status === 'skip' ? { skipped: true } : {}),
        ...(a.checkpoints ? { checkpoints: a.checkpoints } : {}),
        ...(a.failureReport ? { failureReport: a.failureReport } : {}),
      };
    }
    reasons.push(a.details);
    if (attempt > retries) {
      log.warn(`${instance.primitiveId} ${instance.level} #${opts.index}: infrastructure failure persisted over ${attempt} attempt(s), recorded as a skip: ${a.details}`);
      return { ...base, passed: false, skipped: true, infra: true, details: `skipped (infrastructure): ${a.details} (after ${attempt} attempt(s))` };
    }
    const wait = backoff * 2 ** (attempt - 1);
    log.info(`${instance.primitiveId} ${instance.level} #${opts.index}: infrastructure failure (${a.details}); retrying in ${wait} ms`);
    await sleep(wait, opts.signal);
  }
}
