import { z } from 'zod';
import type { BeforeLlmContext, BeforeLlmDecision, RuntimeHooks, ToolCallRecord } from '../../agent/types.js';
import { LlmError } from '../../llm/errors.js';
import { extractStructured } from '../../llm/structured.js';
import type { ChatProvider, ChatResponse } from '../../llm/types.js';
import { SandboxUnavailableError } from '../../sandbox/errors.js';
import type { SandboxMode } from '../../sandbox/types.js';
import { CancelledError, errorMessage, isAbortError } from '../../util/errors.js';
import { silentLogger, type Logger } from '../../util/log.js';
import { executeMaterialized } from './execute.js';
import { coerce, extractParamsByPattern, materialize, missingParams, type ParamValues } from './params.js';
import { freshMonitorState, paramType, signatureRegex, type BoostCandidate, type BoostStats, type MonitorState, type SolidificationState } from './schema.js';
import { loadCandidates, loadSolidificationState, saveSolidificationState } from './storage.js';

/**
 * The jit-boost solidifier (spec runtime §6.3): watches the code an agent writes, and once the
 * same kind of code has come back often enough, runs it directly instead of asking the model.
 *
 * - Monitor (afterLLM): per tool call of a response, the monitored content (`command` of
 *   execute_command, `content` of write_file, the arguments' JSON otherwise) is tested against
 *   every not-yet-promoted candidate watching that tool: a match counts a hit and a consecutive
 *   match, `promotionThreshold` consecutive matches promote; a miss resets the consecutive count.
 * - Execute (beforeLLM, before every LLM call): a promoted candidate whose keyword is in the task
 *   prompt gets its params (extractPattern, else one structured LLM call), its template filled
 *   with quoted values, and its code run in the sandbox. Exit 0 answers in place of the model
 *   (the run ends with the output); anything else is a fallback, and `demotionThreshold`
 *   fallbacks demote. fallbackCount is never reset, so a re-promoted candidate is demoted by its
 *   next failure (as the reference).
 *
 * Fixes of the reference (§10 item 12): the LLM param schema is string|number|null for real, and
 * hooks get the real iteration.
 */

export const DEFAULT_PROMOTION_THRESHOLD = 3;
export const DEFAULT_DEMOTION_THRESHOLD = 3;
export const DEFAULT_MONITORED_TOOLS: readonly string[] = ['execute_command', 'write_file', 'web_fetch'];

export interface SolidifierEntry {
  candidate: BoostCandidate;
  state: MonitorState;
  promotedAt?: string;
}

export interface SolidifierOptions {
  skillId: string;
  promotionThreshold?: number;
  demotionThreshold?: number;
  /** How materialized code runs: the run's own sandbox settings. */
  sandbox: { mode: SandboxMode; network: boolean };
  /** Per-execution limit (default: execute_command's). */
  commandTimeoutMs?: number;
  /** Model for params no extractPattern finds; without it such candidates are skipped. */
  extract?: { llm: ChatProvider; model: string };
  log?: Logger;
}

let paramExtractionFailureCount = 0;

/** Param extractions whose LLM call failed, in this process (they degrade to passthrough). */
export function paramExtractionFailures(): number {
  return paramExtractionFailureCount;
}

const EXTRACT_PARAMS_SCHEMA_NAME = 'extract_params';

export class Solidifier {
  readonly skillId: string;
  private readonly entries: SolidifierEntry[];
  private readonly promotionThreshold: number;
  private readonly demotionThreshold: number;
  private readonly log: Logger;

  constructor(
    entries: SolidifierEntry[],
    private readonly opts: SolidifierOptions,
  ) {
    this.skillId = opts.skillId;
    this.entries = entries.map((e) => ({ candidate: e.candidate, state: { ...e.state }, ...(e.promotedAt ? { promotedAt: e.promotedAt } : {}) }));
    this.promotionThreshold = opts.promotionThreshold ?? DEFAULT_PROMOTION_THRESHOLD;
    this.demotionThreshold = opts.demotionThreshold ?? DEFAULT_DEMOTION_THRESHOLD;
    this.log = opts.log ?? silentLogger;
  }

  static fromCandidates(candidates: readonly BoostCandidate[], opts: SolidifierOptions): Solidifier {
    return new Solidifier(
      candidates.map((c) => ({ candidate: c, state: freshMonitorState(c.purposeId) })),
      opts,
    );
  }

  /** afterLLM: count matches of the response's tool calls, promote on enough in a row. */
  monitor(response: Pick<ChatResponse, 'toolCalls'>): void {
    for (const call of response.toolCalls) {
      const content = monitoredContent(call.name, call.arguments);
      for (const e of this.entries) {
        if (e.state.promoted) continue;
        if (!(e.candidate.monitoredTools ?? DEFAULT_MONITORED_TOOLS).includes(call.name)) continue;
        const re = signatureRegex(e.candidate);
        if (!re) continue;
        if (re.test(content)) {
          e.state.hitCount++;
          e.state.consecutiveMatches++;
          if (e.state.consecutiveMatches >= this.promotionThreshold) {
            e.state.promoted = true;
            e.promotedAt = new Date().toISOString();
            this.log.info(`jit-boost: ${e.candidate.purposeId} promoted after ${e.state.consecutiveMatches} matches in a row`);
          }
        } else e.state.consecutiveMatches = 0;
      }
    }
  }

  /** beforeLLM: run the first promoted candidate that applies and succeeds; otherwise passthrough. */
  async execute(ctx: BeforeLlmContext): Promise<BeforeLlmDecision> {
    const prompt = ctx.prompt.toLowerCase();
    for (const e of this.entries) {
      if (!e.state.promoted) continue;
      if (!e.candidate.keywords.some((k) => prompt.includes(k.toLowerCase()))) continue;
      try {
        const values = await this.params(e.candidate, ctx);
        if (!values) continue;
        const code = materialize(e.candidate, values);
        if (code === undefined) continue;
        const run = await executeMaterialized(e.candidate.materializationType, code, {
          workDir: ctx.workDir,
          sandbox: this.opts.sandbox,
          ...(this.opts.commandTimeoutMs ? { timeoutMs: this.opts.commandTimeoutMs } : {}),
          ...(ctx.signal ? { signal: ctx.signal } : {}),
        });
        if (run.exitCode === 0) {
          const text = run.stdout + (run.stderr ? `\nstderr: ${run.stderr}` : '');
          const record: ToolCallRecord = {
            id: `boost-${e.candidate.purposeId}-${Date.now()}`,
            name: 'execute_command',
            input: { command: run.command },
            output: text,
            durationMs: run.durationMs,
            exitCode: 0,
          };
          this.log.info(`jit-boost: ${e.candidate.purposeId} answered in place of the model at iteration ${ctx.iteration}`);
          return { action: 'replace', toolResults: [record], text };
        }
        this.fallback(e, `exit ${run.exitCode ?? (run.timedOut ? 'timeout' : 'signal')}`);
      } catch (err) {
        if (err instanceof CancelledError || isAbortError(err) || err instanceof SandboxUnavailableError || ctx.signal?.aborted) throw err;
        // As the reference: a crash counts as a fallback but does not demote by itself.
        e.state.fallbackCount++;
        this.log.warn(`jit-boost: ${e.candidate.purposeId} failed to run: ${errorMessage(err)}`);
      }
    }
    return { action: 'passthrough' };
  }

  private fallback(e: SolidifierEntry, why: string): void {
    e.state.fallbackCount++;
    this.log.info(`jit-boost: ${e.candidate.purposeId} fell back to the model (${why}); fallbacks ${e.state.fallbackCount}`);
    if (e.state.fallbackCount >= this.demotionThreshold) {
      e.state.promoted = false;
      e.state.consecutiveMatches = 0;
      this.log.info(`jit-boost: ${e.candidate.purposeId} demoted after ${e.state.fallbackCount} fallbacks`);
    }
  }

  /** All params, or undefined when some cannot be found (the candidate is then skipped). */
  private async params(candidate: BoostCandidate, ctx: BeforeLlmContext): Promise<ParamValues | undefined> {
    const values = extractParamsByPattern(candidate, ctx.prompt);
    if (missingParams(candidate, values).length === 0) return values;
    if (!this.opts.extract) return undefined;
    const fromLlm = await this.extractWithLlm(candidate, ctx);
    if (!fromLlm) return undefined;
    const merged = { ...fromLlm, ...values };
    return missingParams(candidate, merged).length === 0 ? merged : undefined;
  }

  private async extractWithLlm(candidate: BoostCandidate, ctx: BeforeLlmContext): Promise<ParamValues | undefined> {
    const { llm, model } = this.opts.extract!;
    const names = Object.keys(candidate.params);
    const schema = z.object(Object.fromEntries(names.map((n) => [n, z.union([z.string(), z.number()]).nullable()])));
    const described = Object.entries(candidate.params).map(([n, p]) => `- ${n} (${paramType(p)})${typeof p === 'string' ? '' : `: ${p.description}`}`);
    let raw: Record<string, string | number | null>;
    try {
      ({ value: raw } = await extractStructured(
        llm,
        {
          model,
          schema,
          name: EXTRACT_PARAMS_SCHEMA_NAME,
          description: `The values of the parameters of "${candidate.purposeId}" stated in the task.`,
          prompt: ['Find these values in the task below. Use null for a value the task does not state.', ...described, '', 'Task:', ctx.prompt].join('\n'),
          maxTokens: 256,
        },
        ctx.signal ? { signal: ctx.signal } : {},
      ));
    } catch (err) {
      if (ctx.signal?.aborted || isAbortError(err) || (err instanceof LlmError && err.kind === 'cancelled')) throw err;
      paramExtractionFailureCount++;
      this.log.warn(`jit-boost: parameter extraction for ${candidate.purposeId} failed: ${errorMessage(err)}`);
      return undefined;
    }
    const out: ParamValues = {};
    for (const n of names) {
      const v = raw[n];
      if (v === null || v === undefined) return undefined;
      const typed = coerce(paramType(candidate.params[n]!), v);
      if (typed === undefined) return undefined;
      out[n] = typed;
    }
    return out;
  }

  stats(): BoostStats {
    return {
      totalCandidates: this.entries.length,
      promotedCount: this.entries.filter((e) => e.state.promoted).length,
      totalHits: this.entries.reduce((n, e) => n + e.state.hitCount, 0),
      totalFallbacks: this.entries.reduce((n, e) => n + e.state.fallbackCount, 0),
      candidates: this.entries.map((e) => ({
        purposeId: e.candidate.purposeId,
        promoted: e.state.promoted,
        hitCount: e.state.hitCount,
        consecutiveMatches: e.state.consecutiveMatches,
        fallbackCount: e.state.fallbackCount,
      })),
    };
  }

  exportState(): SolidificationState {
    return {
      skillId: this.skillId,
      entries: this.entries.map((e) => ({ candidate: e.candidate, state: { ...e.state }, ...(e.promotedAt ? { promotedAt: e.promotedAt } : {}) })),
      updatedAt: new Date().toISOString(),
    };
  }

  hooks(): RuntimeHooks {
    return {
      afterLLM: [({ response }) => this.monitor(response)],
      beforeLLM: [(ctx) => this.execute(ctx)],
    };
  }
}

function monitoredContent(tool: string, args: Record<string, unknown>): string {
  if (tool === 'execute_command' && typeof args.command === 'string') return args.command;
  if (tool === 'write_file' && typeof args.content === 'string') return args.content;
  return JSON.stringify(args);
}

export interface BoostHooksOptions extends Omit<SolidifierOptions, 'extract'> {
  proposalsDir: string;
  /** Model for LLM param extraction (the bench passes the target model), with the provider to call it. */
  extractModel?: string;
  llm?: ChatProvider;
}

export interface BoostHooks {
  hooks: RuntimeHooks;
  /** Absent when there were neither candidates nor saved state (the hooks do nothing). */
  solidifier?: Solidifier;
  /** Writes the solidifier's state (no-op without one). */
  persist(): Promise<void>;
}

/**
 * The solidifier for a skill as runtime hooks. Saved state, when present, replaces the candidate
 * list entirely (spec §6.3); with neither, the hooks are empty.
 */
export async function createBoostHooks(opts: BoostHooksOptions): Promise<BoostHooks> {
  const { proposalsDir, extractModel, llm, ...rest } = opts;
  const sopts: SolidifierOptions = { ...rest, ...(extractModel && llm ? { extract: { llm, model: extractModel } } : {}) };
  const saved = await loadSolidificationState(proposalsDir, opts.skillId);
  let solidifier: Solidifier | undefined;
  if (saved) solidifier = new Solidifier(saved.entries, sopts);
  else {
    const candidates = await loadCandidates(proposalsDir, opts.skillId);
    if (candidates && candidates.length > 0) solidifier = Solidifier.fromCandidates(candidates, sopts);
  }
  if (!solidifier) return { hooks: {}, persist: async () => undefined };
  const s = solidifier;
  return { hooks: s.hooks(), solidifier: s, persist: async () => void (await saveSolidificationState(proposalsDir, s.exportState())) };
}
