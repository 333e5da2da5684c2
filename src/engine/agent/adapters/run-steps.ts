import { emptyUsage, type TokenUsage } from '../../llm/types.js';
import type { AgentStep, RunResult, ToolCallRecord } from '../types.js';

/**
 * What a harness's output says about its run; the adapter adds duration and work dir, and the
 * process's own verdict (timeout, exit code) beats the output's.
 */
export type HarnessOutput = Pick<RunResult, 'text' | 'steps' | 'tokens' | 'cost' | 'skillLoaded' | 'statusDetail'> & {
  /** The output's own verdict (e.g. parse-failed); absent ⇒ ok unless the process says otherwise. */
  runStatus?: RunResult['runStatus'];
  usageAvailable: boolean;
  /** The harness's own error report, which failure diagnosis reads before stderr. */
  error?: { text: string; source: string };
};

/**
 * Collects a harness run's steps, usage and final text while an output parser reads its events
 * (spec runtime §2.2's record rules): assistant turns, tool calls paired with their results by
 * id, a step per tool result, usage summed per LLM call. The final text is the last non-empty
 * assistant text unless a parser names one.
 */
export class RunSteps {
  readonly steps: AgentStep[] = [];
  readonly tokens: TokenUsage = emptyUsage();
  cost = 0;
  /** Some event reported usage; false ⇒ the run's usage is "n/a", not zero. */
  usageSeen = false;
  private finalText?: string;
  private readonly calls = new Map<string, ToolCallRecord>();

  assistantText(text: string, timestamp: number): void {
    if (!text.trim()) return;
    this.steps.push({ role: 'assistant', text, toolCalls: [], timestamp });
  }

  /** An assistant turn that calls tools; results arrive later through `toolResult`. */
  assistantToolCalls(calls: ToolCallRecord[], timestamp: number, text?: string): void {
    for (const c of calls) this.calls.set(c.id, c);
    this.steps.push({ role: 'assistant', ...(text?.trim() ? { text } : {}), toolCalls: calls, timestamp });
  }

  /** A result for an earlier call (enriching it), or an unpaired one (its own record, name `unknown` if absent). */
  toolResult(id: string, result: { name?: string; output?: string; exitCode?: number }, timestamp: number): void {
    const call = this.calls.get(id) ?? { id, name: result.name ?? 'unknown', input: {} };
    if (result.output !== undefined) call.output = result.output;
    if (result.exitCode !== undefined) call.exitCode = result.exitCode;
    this.steps.push({ role: 'tool', toolCalls: [call], timestamp });
  }

  /** A call whose input and output are known together (opencode reports finished tool parts). */
  toolStep(call: ToolCallRecord, timestamp: number): void {
    this.calls.set(call.id, call);
    this.steps.push({ role: 'tool', toolCalls: [call], timestamp });
  }

  usage(u: Partial<TokenUsage>): void {
    this.usageSeen = true;
    this.tokens.input += u.input ?? 0;
    this.tokens.output += u.output ?? 0;
    this.tokens.cacheRead += u.cacheRead ?? 0;
    this.tokens.cacheWrite += u.cacheWrite ?? 0;
  }

  /** For outputs that report the whole run's totals: they replace what was summed. */
  usageTotals(u: TokenUsage): void {
    this.usageSeen = true;
    Object.assign(this.tokens, u);
  }

  addCost(usd: number | undefined): void {
    if (usd !== undefined && Number.isFinite(usd)) this.cost += usd;
  }

  setFinalText(text: string): void {
    if (text.trim()) this.finalText = text;
  }

  get toolCalls(): ToolCallRecord[] {
    return [...this.calls.values()];
  }

  /** Explicit final text, else the last assistant text, else `fallback`. */
  text(fallback = ''): string {
    if (this.finalText !== undefined) return this.finalText;
    for (let i = this.steps.length - 1; i >= 0; i--) {
      const t = this.steps[i]!.role === 'assistant' ? this.steps[i]!.text : undefined;
      if (t?.trim()) return t;
    }
    return fallback;
  }
}

/** A JSON object's field as a string / finite number / object, or undefined. */
export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
export function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}
export function obj(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** Tool-call arguments given as an object or as JSON text; text that is not an object is kept as `raw`. */
export function argumentsObject(v: unknown): Record<string, unknown> {
  if (typeof v !== 'string') return obj(v) ?? {};
  try {
    return obj(JSON.parse(v)) ?? { raw: v };
  } catch {
    return { raw: v };
  }
}

/**
 * The first `n` characters of a skill's body after its first `#` heading line, when long enough
 * to be a real signal (spec §2.7: > 20 characters) that the agent quoted the skill.
 */
export function skillSnippet(content: string, n: number): string | undefined {
  const body = content.replace(/^---\n[\s\S]*?\n---\n/, '').replace(/^\s*#[^\n]*\n/, '').trim();
  const snippet = body.slice(0, n);
  return snippet.length > 20 ? snippet : undefined;
}
