import { LlmError, ToolArgumentsParseError } from '../llm/errors.js';
import { SandboxUnavailableError } from '../sandbox/errors.js';
import { addUsage, emptyUsage, type ChatMessage, type ChatProvider, type ChatResponse, type ToolCall, type ToolSpec, type TokenUsage } from '../llm/types.js';
import { CancelledError, errorMessage, isAbortError } from '../util/errors.js';
import type { Logger } from '../util/log.js';
import type { ToolExecutor } from './tools.js';
import type { AgentStep, BeforeLlmDecision, RuntimeHooks, ToolCallRecord } from './types.js';

/**
 * The generic agent loop (spec runtime §2.4), with the reference's defects fixed (§10 item 2):
 *
 * - History is the real multi-turn conversation: every assistant turn with its tool calls, and
 *   every tool result as a `tool` message tied to its call id. Nothing is summarised or cut
 *   beyond the tools' own output caps.
 * - Tool calls are executed whenever a response carries them, whatever its stop reason.
 * - A turn's tool calls run in parallel; results (steps, messages, afterTool hooks) keep call order.
 *
 * Ways a loop ends (`LoopOutcome.stop`):
 * - `done`: a reply without tool calls;
 * - `max-steps`: `maxIterations` LLM calls made (a normal finish);
 * - `timeout`: the wall-clock budget ran out — the in-flight LLM call or command is aborted;
 * - `loop-detected`: three consecutive turns with the same tool calls (the third is not run);
 * - `hook-replaced`: a beforeLLM hook answered instead of the model;
 * - `error`: anything else went wrong (a hook threw, a bug) — `error` holds it.
 *
 * Thrown, never captured:
 * - `CancelledError` (util/errors) when `signal` aborts: the in-flight LLM call and running
 *   commands are aborted and the loop rejects promptly, whatever was running;
 * - provider failures (`LlmError` of any kind but `cancelled`, `ToolArgumentsParseError`):
 *   infrastructure problems, never part of a score.
 *
 * Iteration numbers given to hooks are 0-based: the index of the LLM call the hook belongs to.
 */

export interface AgentLoopConfig {
  provider: ChatProvider;
  model: string;
  system: string;
  /** The task, sent as the first user message. */
  prompt: string;
  tools: readonly ToolSpec[];
  executeTool: ToolExecutor;
  workDir: string;
  maxIterations: number;
  timeoutMs: number;
  /** Default 16384 (the reference's). */
  maxTokens?: number;
  temperature?: number;
  signal?: AbortSignal;
  hooks?: RuntimeHooks;
  /**
   * Called on a reply without tool calls. Returning text continues the conversation with it as
   * the next user message (bare-agent uses this for the reference's `<load-skill>` protocol);
   * returning undefined ends the run.
   */
  onTextReply?: (text: string) => string | undefined;
  /** Called after each tool call settles, in call order (bare-agent tracks skill loading here). */
  onToolResult?: (record: ToolCallRecord, isError: boolean) => void;
  log?: Logger;
}

export type LoopStop = 'done' | 'max-steps' | 'timeout' | 'loop-detected' | 'hook-replaced' | 'error';

export interface LoopOutcome {
  /** Final text: the last assistant turn with non-empty text ('' if none). */
  text: string;
  steps: AgentStep[];
  /** The conversation as last sent/received (first message is the prompt). */
  messages: ChatMessage[];
  tokens: TokenUsage;
  /** Summed USD; null when any call's cost was unknown. */
  costUsd: number | null;
  llmDurationMs: number;
  /** LLM calls made (hook-replaced calls not counted). */
  llmCalls: number;
  /** Iterations begun (LLM calls plus a hook replacement). */
  iterations: number;
  stop: LoopStop;
  /** Human explanation for any stop but `done`. */
  stopDetail?: string;
  error?: unknown;
  toolCalls: ToolCallRecord[];
  durationMs: number;
}

export const DEFAULT_MAX_TOKENS = 16_384;
/** Consecutive identical tool-call turns that count as a loop. */
export const LOOP_REPEAT_LIMIT = 3;

class DeadlineReached extends Error {
  constructor(ms: number) {
    super(`run timeout of ${ms} ms reached`);
    this.name = 'DeadlineReached';
  }
}

/** Provider failures, and a sandbox that cannot run, escape the loop: infrastructure, not the agent's doing. */
function isProviderError(err: unknown): boolean {
  return (err instanceof LlmError && err.kind !== 'cancelled') || err instanceof ToolArgumentsParseError || err instanceof SandboxUnavailableError;
}

export async function runAgentLoop(cfg: AgentLoopConfig): Promise<LoopOutcome> {
  const started = Date.now();
  const deadline = started + cfg.timeoutMs;
  const external = cfg.signal;
  if (external?.aborted) throw new CancelledError(external.reason);

  const deadlineCtl = new AbortController();
  const timer = setTimeout(() => deadlineCtl.abort(new DeadlineReached(cfg.timeoutMs)), Math.max(0, cfg.timeoutMs));
  const signal = external ? AbortSignal.any([external, deadlineCtl.signal]) : deadlineCtl.signal;
  const hooks = cfg.hooks ?? {};

  const messages: ChatMessage[] = [{ role: 'user', content: cfg.prompt }];
  const steps: AgentStep[] = [];
  const allCalls: ToolCallRecord[] = [];
  let tokens = emptyUsage();
  let cost: number | null = 0;
  let llmDurationMs = 0;
  let llmCalls = 0;
  let iteration = 0;
  let previousToolCalls: ToolCallRecord[] = [];
  const signatures: string[] = [];
  let stop: LoopStop = 'done';
  let stopDetail: string | undefined;
  let error: unknown;

  const timedOut = () => deadlineCtl.signal.aborted || Date.now() >= deadline;
  const timeoutDetail = () => `loop exceeded timeout ${cfg.timeoutMs}ms after ${iteration} iterations`;

  try {
    for (;;) {
      if (external?.aborted) throw new CancelledError(external.reason);
      if (timedOut()) {
        stop = 'timeout';
        stopDetail = timeoutDetail();
        break;
      }
      if (iteration >= cfg.maxIterations) {
        stop = 'max-steps';
        stopDetail = `stopped after maxSteps (${cfg.maxIterations} LLM turns) with the task possibly unfinished`;
        break;
      }
      const i = iteration;

      // beforeLLM: the first `replace` wins and ends the run without calling the model.
      let decision: BeforeLlmDecision = { action: 'passthrough' };
      for (const hook of hooks.beforeLLM ?? []) {
        const d = await hook({ prompt: cfg.prompt, workDir: cfg.workDir, iteration: i, previousToolCalls, signal });
        if (d.action === 'replace') {
          decision = d;
          break;
        }
      }
      if (decision.action === 'replace') {
        iteration++;
        const now = Date.now();
        if (decision.toolResults.length > 0) {
          steps.push({ role: 'tool', toolCalls: decision.toolResults.map((r) => ({ ...r })), timestamp: now });
          allCalls.push(...decision.toolResults);
        }
        const text = decision.text ?? '';
        const synthetic: ChatResponse = {
          text,
          toolCalls: [],
          stopReason: 'end_turn',
          usage: emptyUsage(),
          costUsd: 0,
          costSource: 'table',
          durationMs: 0,
          attempts: 0,
          model: cfg.model,
          route: 'hook:beforeLLM',
        };
        for (const hook of hooks.afterLLM ?? []) await hook({ response: synthetic, iteration: i, workDir: cfg.workDir });
        steps.push({ role: 'assistant', ...(text ? { text } : {}), toolCalls: [], timestamp: now });
        messages.push({ role: 'assistant', content: text });
        stop = 'hook-replaced';
        stopDetail = `a beforeLLM hook answered in place of the model at iteration ${i}`;
        break;
      }

      let res: ChatResponse;
      try {
        res = await cfg.provider.chat(
          {
            model: cfg.model,
            system: cfg.system,
            messages: [...messages],
            tools: [...cfg.tools],
            maxTokens: cfg.maxTokens ?? DEFAULT_MAX_TOKENS,
            ...(cfg.temperature !== undefined ? { temperature: cfg.temperature } : {}),
          },
          { signal },
        );
      } catch (err) {
        if (external?.aborted) throw new CancelledError(external.reason);
        if (deadlineCtl.signal.aborted && (isAbortError(err) || (err instanceof LlmError && err.kind === 'cancelled'))) {
          stop = 'timeout';
          stopDetail = `${timeoutDetail()} (the LLM call in flight was aborted)`;
          break;
        }
        throw err;
      }
      iteration++;
      llmCalls++;
      tokens = addUsage(tokens, res.usage);
      cost = cost === null || res.costUsd === null ? null : cost + res.costUsd;
      llmDurationMs += res.durationMs;
      for (const hook of hooks.afterLLM ?? []) await hook({ response: res, iteration: i, workDir: cfg.workDir });

      const calls = res.toolCalls;
      steps.push({
        role: 'assistant',
        ...(res.text ? { text: res.text } : {}),
        toolCalls: calls.map((c) => ({ id: c.id, name: c.name, input: c.arguments })),
        timestamp: Date.now(),
      });
      const assistant: ChatMessage = { role: 'assistant', content: res.text };
      if (calls.length > 0) assistant.toolCalls = calls.map((c) => ({ id: c.id, name: c.name, arguments: c.arguments }));
      if (res.reasoning !== undefined) assistant.reasoning = res.reasoning;
      messages.push(assistant);

      if (calls.length === 0) {
        const followUp = cfg.onTextReply?.(res.text);
        if (followUp !== undefined) {
          messages.push({ role: 'user', content: followUp });
          signatures.length = 0;
          continue;
        }
        stop = 'done';
        break;
      }

      signatures.push(callSignature(calls));
      const recent = signatures.slice(-LOOP_REPEAT_LIMIT);
      if (recent.length === LOOP_REPEAT_LIMIT && recent.every((s) => s === recent[0])) {
        stop = 'loop-detected';
        stopDetail = `stopped: the model made the same tool call(s) ${LOOP_REPEAT_LIMIT} turns in a row (${truncate(recent[0]!, 300)}); the last repetition was not run`;
        break;
      }

      const executed = await runToolCalls(cfg, calls, signal);
      if (external?.aborted) throw new CancelledError(external.reason);
      const records = executed.map(stripInternal);
      steps.push({ role: 'tool', toolCalls: records, timestamp: Date.now() });
      allCalls.push(...records);
      // Failures are already spelled out in the text ("Error: …", "Unknown tool: …"); the vendor
      // error flag is not set, so every route kind sees the very same tool result text (the
      // OpenAI mapping would otherwise prefix a second "Error: ").
      for (const r of executed) messages.push({ role: 'tool', toolCallId: r.id, toolName: r.name, content: r.output ?? '' });
      records.forEach((r, k) => cfg.onToolResult?.(r, executed[k]!.isError === true));
      for (const r of records) for (const hook of hooks.afterTool ?? []) await hook({ toolCall: r, workDir: cfg.workDir, iteration: i });
      previousToolCalls = records;

      if (executed.some((r) => r.interrupted)) {
        stop = 'timeout';
        stopDetail = `${timeoutDetail()} (a running tool call was stopped)`;
        break;
      }
    }
  } catch (err) {
    if (external?.aborted) throw err instanceof CancelledError ? err : new CancelledError(external.reason);
    if (isProviderError(err)) throw err;
    if (deadlineCtl.signal.aborted && isAbortError(err)) {
      stop = 'timeout';
      stopDetail = timeoutDetail();
    } else {
      stop = 'error';
      stopDetail = `the agent loop failed: ${errorMessage(err)}`;
      error = err;
      cfg.log?.warn(`agent loop failed at iteration ${iteration}: ${errorMessage(err)}`);
    }
  } finally {
    clearTimeout(timer);
  }

  return {
    text: finalText(steps),
    steps,
    messages,
    tokens,
    costUsd: cost,
    llmDurationMs,
    llmCalls,
    iterations: iteration,
    stop,
    ...(stopDetail !== undefined ? { stopDetail } : {}),
    ...(error !== undefined ? { error } : {}),
    toolCalls: allCalls,
    durationMs: Date.now() - started,
  };
}

interface ExecutedCall extends ToolCallRecord {
  isError?: boolean;
  /** The run's deadline stopped this call before it finished. */
  interrupted?: boolean;
}

function stripInternal(r: ExecutedCall): ToolCallRecord {
  const out: ToolCallRecord = { id: r.id, name: r.name, input: r.input };
  if (r.output !== undefined) out.output = r.output;
  if (r.durationMs !== undefined) out.durationMs = r.durationMs;
  if (r.exitCode !== undefined) out.exitCode = r.exitCode;
  return out;
}

/** All of a turn's calls at once; every call settles before this returns (no orphan commands). */
async function runToolCalls(cfg: AgentLoopConfig, calls: ToolCall[], signal: AbortSignal): Promise<ExecutedCall[]> {
  const settled = await Promise.allSettled(
    calls.map(async (call): Promise<ExecutedCall> => {
      const t0 = Date.now();
      const outcome = await cfg.executeTool(call, signal);
      const rec: ExecutedCall = { id: call.id, name: call.name, input: call.arguments, output: outcome.output, durationMs: Date.now() - t0 };
      if (outcome.exitCode !== undefined) rec.exitCode = outcome.exitCode;
      if (outcome.isError) rec.isError = true;
      return rec;
    }),
  );
  const firstFailure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (firstFailure && !signal.aborted) throw firstFailure.reason; // an executor bug, not a tool failure
  return settled.map((s, k) => {
    if (s.status === 'fulfilled') return s.value;
    const call = calls[k]!;
    return {
      id: call.id,
      name: call.name,
      input: call.arguments,
      output: 'Error: stopped before finishing because the run ran out of time',
      isError: true,
      interrupted: true,
    };
  });
}

/** Order-independent signature of a turn's calls: sorted `name(args)` with keys sorted. */
export function callSignature(calls: readonly ToolCall[]): string {
  return calls
    .map((c) => `${c.name}(${stableJson(c.arguments)})`)
    .sort()
    .join(' ');
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const rec = value as Record<string, unknown>;
    return `{${Object.keys(rec)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(rec[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function finalText(steps: readonly AgentStep[]): string {
  for (let k = steps.length - 1; k >= 0; k--) {
    const s = steps[k]!;
    if (s.role === 'assistant' && s.text) return s.text;
  }
  return '';
}

function truncate(s: string, n: number): string {
  return s.length > n ? s.slice(0, n) + '…' : s;
}
