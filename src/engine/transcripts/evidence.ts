import type { ConversationLogEntry, Evidence, RunMeta } from '../jit/types.js';
import { redactValue } from '../util/redact.js';
import type { ParsedTranscript } from './types.js';

/** What Evidence says when a transcript never shows the task (spec §5.6: stream outputs often do not). */
export const NO_TASK_PROMPT = '(task prompt not found in log)';

type ToolCallEntry = NonNullable<ConversationLogEntry['toolCalls']>[number];

/**
 * A parsed transcript as optimizer Evidence (spec §5.4): user turns become `request` entries, an
 * assistant turn and the tool calls it makes one `response` entry, each tool result a `tool`
 * entry that repeats the call's name and arguments beside its output, error flag and exit code.
 * `runMeta` is present only when the transcript reported usage, cost, an outcome or a skill load.
 */
export function transcriptToEvidence(t: ParsedTranscript, taskId: string): Evidence {
  const log: ConversationLogEntry[] = [];
  const calls = new Map<string, ToolCallEntry>();
  let lastTs = t.startedAt ?? '';
  for (const turn of t.turns) {
    const ts = turn.ts ?? lastTs;
    lastTs = ts;
    const side = turn.sidechain ? { sidechain: true } : {};
    const prev = log[log.length - 1];
    if (turn.kind === 'user') log.push({ type: 'request', ts, text: turn.text ?? '', ...side });
    else if (turn.kind === 'assistant') log.push({ type: 'response', ts, text: turn.text ?? '', toolCalls: [], ...side });
    else if (turn.kind === 'tool-call') {
      const call: ToolCallEntry = { ...(turn.toolCallId ? { id: turn.toolCallId } : {}), name: turn.toolName ?? 'unknown', arguments: turn.arguments ?? {} };
      if (turn.toolCallId) calls.set(turn.toolCallId, call);
      // Calls made right after (or alongside) an assistant message belong to that response.
      if (prev?.type === 'response' && !!prev.sidechain === !!turn.sidechain) prev.toolCalls!.push(call);
      else log.push({ type: 'response', ts, text: '', toolCalls: [call], ...side });
    } else {
      const made = turn.toolCallId ? calls.get(turn.toolCallId) : undefined;
      const result: ToolCallEntry = {
        ...(turn.toolCallId ? { id: turn.toolCallId } : {}),
        name: turn.toolName ?? made?.name ?? 'unknown',
        arguments: made?.arguments ?? {},
        output: turn.text ?? '',
        ...(turn.isError !== undefined ? { isError: turn.isError } : {}),
        ...(turn.exitCode !== undefined ? { exitCode: turn.exitCode } : {}),
      };
      log.push({ type: 'tool', ts, text: turn.text ?? '', toolCalls: [result], ...side });
    }
  }
  const evidence: Evidence = { taskId, taskPrompt: t.taskPrompt ?? NO_TASK_PROMPT, conversationLog: log };
  if (t.criteria?.length) evidence.criteria = t.criteria;
  const meta = runMetaOf(t);
  if (meta) evidence.runMeta = meta;
  return redactValue(evidence);
}

function runMetaOf(t: ParsedTranscript): RunMeta | undefined {
  const u = t.usage;
  const hasUsage = u.input + u.output + u.cacheRead + u.cacheWrite > 0;
  if (!hasUsage && t.costUsd === undefined && !t.outcome && t.skillsLoaded.length === 0) return undefined;
  const meta: RunMeta = { tokens: { ...u }, costUsd: t.costUsd ?? 0, durationMs: durationOf(t) };
  if (t.skillsLoaded.length > 0) meta.skillLoaded = true;
  if (t.outcome) {
    // The harness itself reported a failed run (Claude Code is_error, Codex turn.failed…).
    meta.runStatus = t.outcome.status === 'error' ? 'adapter-crashed' : 'ok';
    if (t.outcome.text && t.outcome.status === 'error') meta.statusDetail = t.outcome.text;
  }
  return meta;
}

/** First to last timestamp, when the transcript has parseable ones. */
function durationOf(t: ParsedTranscript): number {
  let min = Infinity;
  let max = -Infinity;
  for (const ts of [t.startedAt, ...t.turns.map((x) => x.ts)]) {
    const n = ts ? Date.parse(ts) : NaN;
    if (!Number.isFinite(n)) continue;
    min = Math.min(min, n);
    max = Math.max(max, n);
  }
  return max > min ? max - min : 0;
}
