import type { TokenUsage } from '../llm/types.js';
import { redact, redactValue } from '../util/redact.js';
import { skillsNamedByToolCall } from './skills.js';
import type { OutcomeStatus, ParsedTranscript, TranscriptFormat, TranscriptTurn } from './types.js';

/**
 * Collects one transcript's turns while a format parser reads it, keeping memory bounded: a
 * 200 MB session is mostly tool output, so every retained string is capped (with a marker saying
 * how much was cut) and, once the whole transcript has retained TOTAL_BUDGET characters, later
 * turns keep only a short head. Secrets are redacted on the way in.
 */
export const CAPS = {
  /** User and assistant text per turn. */
  text: 8_000,
  /** One tool result. */
  toolOutput: 4_000,
  /** One string inside tool-call arguments (a Write's file body, a long command). */
  argString: 2_000,
  /** Per string once the budget is spent. */
  overBudget: 200,
  /** The final outcome's text. */
  outcome: 2_000,
  /** Characters retained by the whole transcript before the over-budget cap applies. */
  totalBudget: 24_000_000,
} as const;

export function emptyUsage(): TokenUsage {
  return { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
}

export class TranscriptBuilder {
  readonly turns: TranscriptTurn[] = [];
  readonly usage: TokenUsage = emptyUsage();
  readonly warnings: string[] = [];
  skippedLines = 0;
  sessionId?: string;
  cwd?: string;
  model?: string;
  startedAt?: string;
  taskPrompt?: string;
  costUsd?: number;
  outcome?: ParsedTranscript['outcome'];
  criteria?: ParsedTranscript['criteria'];
  private readonly skills = new Set<string>();
  private retained = 0;
  private overBudgetWarned = false;

  constructor(readonly format: TranscriptFormat) {}

  /** Caps and redacts one string; `max` is the per-turn cap for its kind. */
  private cap(text: string, max: number): string {
    const limit = this.retained >= CAPS.totalBudget ? Math.min(max, CAPS.overBudget) : max;
    if (limit < max && !this.overBudgetWarned) {
      this.overBudgetWarned = true;
      this.warn(`transcript retained ${CAPS.totalBudget} characters; later turns are cut to ${CAPS.overBudget} characters each`);
    }
    // A slice keeps its whole parent string alive in V8; copying the kept head frees the rest.
    const kept = text.length > limit ? `${Buffer.from(text.slice(0, limit)).toString()}\n…[truncated ${text.length - limit} of ${text.length} chars]` : text;
    this.retained += kept.length;
    return redact(kept);
  }

  user(text: string, extra: Pick<TranscriptTurn, 'ts' | 'sidechain'> = {}): void {
    if (!text.trim()) return;
    const turn: TranscriptTurn = { kind: 'user', ...defined(extra), text: this.cap(text, CAPS.text) };
    this.turns.push(turn);
    if (this.taskPrompt === undefined && !extra.sidechain) this.taskPrompt = turn.text;
  }

  assistant(text: string, extra: Pick<TranscriptTurn, 'ts' | 'sidechain'> = {}): void {
    if (!text.trim()) return;
    this.turns.push({ kind: 'assistant', ...defined(extra), text: this.cap(text, CAPS.text) });
  }

  toolCall(name: string, args: unknown, extra: Pick<TranscriptTurn, 'ts' | 'sidechain' | 'toolCallId'> = {}): void {
    for (const s of skillsNamedByToolCall(name, args)) this.skill(s);
    this.turns.push({ kind: 'tool-call', ...defined(extra), toolName: name, arguments: this.capValue(args) });
  }

  toolResult(
    output: string,
    extra: Pick<TranscriptTurn, 'ts' | 'sidechain' | 'toolCallId' | 'toolName' | 'isError' | 'exitCode'> = {},
  ): void {
    this.turns.push({ kind: 'tool-result', ...defined(extra), text: this.cap(output, CAPS.toolOutput) });
  }

  setOutcome(status: OutcomeStatus, text?: string): void {
    this.outcome = text ? { status, text: this.cap(text, CAPS.outcome) } : { status };
  }

  skill(name: string): void {
    const n = name.trim();
    if (n) this.skills.add(n);
  }

  hasSkill(name: string): boolean {
    return this.skills.has(name);
  }

  addUsage(u: Partial<TokenUsage>): void {
    this.usage.input += u.input ?? 0;
    this.usage.output += u.output ?? 0;
    this.usage.cacheRead += u.cacheRead ?? 0;
    this.usage.cacheWrite += u.cacheWrite ?? 0;
  }

  /** For formats that report running totals: the last report replaces what came before. */
  setUsage(u: Partial<TokenUsage>): void {
    Object.assign(this.usage, emptyUsage(), defined(u));
  }

  addCost(usd: number): void {
    if (Number.isFinite(usd)) this.costUsd = (this.costUsd ?? 0) + usd;
  }

  warn(message: string): void {
    // A pathological file could warn on every line; the first few say enough.
    if (this.warnings.length < 20) this.warnings.push(redact(message));
  }

  build(path: string): ParsedTranscript {
    const out: ParsedTranscript = {
      format: this.format,
      path,
      turns: this.turns,
      skillsLoaded: [...this.skills],
      usage: this.usage,
      skippedLines: this.skippedLines,
      warnings: this.warnings,
    };
    for (const k of ['sessionId', 'cwd', 'model', 'startedAt', 'taskPrompt', 'costUsd', 'outcome', 'criteria'] as const) {
      if (this[k] !== undefined) (out as unknown as Record<string, unknown>)[k] = this[k];
    }
    if (this.skippedLines > 0) out.warnings = [...this.warnings, `${this.skippedLines} malformed line(s) skipped`];
    return out;
  }

  private capValue(value: unknown): unknown {
    const walk = (v: unknown): unknown => {
      if (typeof v === 'string') return this.cap(v, CAPS.argString);
      if (Array.isArray(v)) return v.map(walk);
      if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
      return v;
    };
    return redactValue(walk(value));
  }
}

/** Drops undefined fields so turns stay small and compare cleanly. */
function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
