import { costFor } from '../../../llm/pricing.js';
import { parseTranscriptFile, type ParsedTranscript } from '../../../transcripts/index.js';
import { errorMessage } from '../../../util/errors.js';
import type { AgentStep, ToolCallRecord } from '../../types.js';
import type { ParsedCliRun } from './cli-adapter.js';

/**
 * A harness's output file → the run it describes, through the transcript parsers (one parser
 * per format, shared with transcripts_list and the JIT's evidence). Turns become steps the way
 * bare-agent records them: an assistant step with its tool calls, then a tool step with their
 * outputs and exit codes. Sub-agent turns are left out. The parsers cap each tool output at
 * their per-turn limit (transcripts/builder.ts CAPS).
 */

export interface TranscriptRun extends ParsedCliRun {
  /** Skills the transcript shows being loaded (a skill tool, or a read of its SKILL.md). */
  skillsLoaded: string[];
  /** Whether the harness produced any assistant output at all. */
  anyOutput: boolean;
}

export interface TranscriptRunOptions {
  harness: string;
  /** Full model id, for the price table when the harness reports no cost. */
  model: string;
  /** What a run whose output holds no events is: pi's always says something, so silence is `parse-failed` there. */
  silentRun: 'ok' | 'parse-failed';
}

export async function runFromTranscript(outputPath: string, o: TranscriptRunOptions): Promise<TranscriptRun> {
  let t: ParsedTranscript;
  try {
    t = await parseTranscriptFile(outputPath);
  } catch (err) {
    const detail = `${o.harness} printed no events we could read (${errorMessage(err).split('\n')[0]})`;
    return {
      text: '',
      steps: [],
      tokens: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
      cost: null,
      usageAvailable: false,
      skillsLoaded: [],
      anyOutput: false,
      ...(o.silentRun === 'parse-failed' ? { runStatus: 'parse-failed' as const, statusDetail: detail } : { statusDetail: `${detail}; telemetry only, the work directory is scored as it is` }),
    };
  }
  const steps = stepsOf(t);
  const lastText = [...steps].reverse().find((s) => s.role === 'assistant' && s.text)?.text;
  const usageAvailable = t.usage.input + t.usage.output + t.usage.cacheRead + t.usage.cacheWrite > 0;
  const failed = t.outcome?.status === 'error';
  return {
    text: (!failed && t.outcome?.text) || lastText || '',
    steps,
    tokens: { ...t.usage },
    // A harness prices a custom provider's model at 0 when it has no price for it: that is "unknown", not free.
    cost: usageAvailable ? costFor(o.model, t.usage, t.costUsd ? t.costUsd : undefined).costUsd : null,
    usageAvailable,
    skillsLoaded: t.skillsLoaded,
    anyOutput: steps.some((s) => s.role === 'assistant'),
    ...(failed ? { runStatus: 'adapter-crashed' as const, statusDetail: `${o.harness} reported an error: ${t.outcome?.text ?? 'no message'}`, error: { text: t.outcome?.text ?? '', source: `${o.harness}:${t.format}` } } : {}),
  };
}

function stepsOf(t: ParsedTranscript): AgentStep[] {
  const steps: AgentStep[] = [];
  const calls = new Map<string, ToolCallRecord>();
  let open: AgentStep | undefined; // the assistant step new tool calls join
  let results: AgentStep | undefined; // the tool step results are gathering in
  let n = 0;
  for (const turn of t.turns) {
    if (turn.sidechain || turn.kind === 'user') continue;
    const timestamp = turn.ts ? Date.parse(turn.ts) || Date.now() : Date.now();
    if (turn.kind === 'assistant') {
      open = { role: 'assistant', text: turn.text ?? '', toolCalls: [], timestamp };
      results = undefined;
      steps.push(open);
    } else if (turn.kind === 'tool-call') {
      if (!open || results) {
        open = { role: 'assistant', toolCalls: [], timestamp };
        results = undefined;
        steps.push(open);
      }
      const rec: ToolCallRecord = { id: turn.toolCallId ?? `call_${++n}`, name: turn.toolName ?? 'unknown', input: isRecord(turn.arguments) ? turn.arguments : { value: turn.arguments } };
      calls.set(rec.id, rec);
      open.toolCalls.push(rec);
    } else {
      const paired = turn.toolCallId !== undefined ? calls.get(turn.toolCallId) : undefined;
      const rec: ToolCallRecord = paired ?? { id: turn.toolCallId ?? `result_${++n}`, name: turn.toolName ?? 'unknown', input: {} };
      rec.output = turn.text ?? '';
      rec.exitCode = turn.exitCode ?? (turn.isError ? 1 : 0);
      if (!results) {
        results = { role: 'tool', toolCalls: [], timestamp };
        steps.push(results);
      }
      results.toolCalls.push(rec);
    }
  }
  return steps;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
