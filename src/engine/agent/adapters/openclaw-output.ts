import { parseJsonLines } from '../../util/jsonl.js';
import type { SkillBundle } from '../../skills/types.js';
import type { ToolCallRecord } from '../types.js';
import { RunSteps, num, obj, str, type HarnessOutput } from './run-steps.js';

/**
 * An OpenClaw agent session transcript (spec runtime §2.8): JSONL under the agent's
 * `sessions/`, a `{type: "session"}` header then `{type: "message", timestamp, message: {role,
 * content, toolCallId?, toolName?, isError?, usage?}}` entries. Assistant content items are
 * `text` and `toolCall | tool_use` (`id, name, arguments | params | input`); tool results come
 * as role `toolResult | tool` messages (text in `content` items or a string) or as
 * `toolResult | tool_result` items. Usage per assistant message: `{input, output, cacheRead,
 * cacheWrite, totalTokens, cost: {total}}`.
 */
export function parseOpenclawTranscript(text: string | undefined, skills: SkillBundle | undefined): HarnessOutput {
  const entries = text ? parseJsonLines(text).map(obj).filter((e) => e !== undefined) : [];
  const run = new RunSteps();
  let assistantMessages = 0;
  let error: string | undefined;
  for (const e of entries) {
    const m = obj(e.message);
    if (e.type !== 'message' || !m) continue;
    const ts = timestampMs(e.timestamp ?? m.timestamp);
    const role = str(m.role);
    if (role === 'assistant') {
      assistantMessages++;
      const items = contentItems(m.content);
      const text = items.filter((i) => i.type === 'text').map((i) => str(i.text) ?? '').join('');
      const calls: ToolCallRecord[] = items
        .filter((i) => i.type === 'toolCall' || i.type === 'tool_use')
        .map((i, n) => ({ id: str(i.id) ?? `openclaw-${ts}-${n}`, name: str(i.name) ?? 'unknown', input: obj(i.arguments) ?? obj(i.params) ?? obj(i.input) ?? {} }));
      if (calls.length > 0) {
        run.assistantToolCalls(calls, ts, text);
        // OpenClaw's text beside tool calls is its answer so far (spec §2.2 dialect toolCallTextIsFinal).
        run.setFinalText(text);
      } else {
        run.assistantText(text, ts);
        if (text.trim()) run.setFinalText(text);
      }
      const u = obj(m.usage);
      if (u) {
        run.usage({ input: num(u.input), output: num(u.output), cacheRead: num(u.cacheRead), cacheWrite: num(u.cacheWrite) });
        run.addCost(num(obj(u.cost)?.total));
      }
      if (m.stopReason === 'error') error = str(m.errorMessage) ?? 'the model call failed';
    } else if (role === 'toolResult' || role === 'tool') {
      const id = str(m.toolCallId) ?? `openclaw-result-${ts}`;
      run.toolResult(id, { ...optional('name', str(m.toolName)), output: itemsText(m.content), ...(m.isError === true ? { exitCode: 1 } : {}) }, ts);
    } else {
      // Some versions carry results as items of a user message.
      for (const i of contentItems(m.content).filter((x) => x.type === 'toolResult' || x.type === 'tool_result')) {
        run.toolResult(str(i.toolCallId) ?? str(i.tool_use_id) ?? `openclaw-result-${ts}`, { output: str(i.text) ?? str(i.output) ?? itemsText(i.content) }, ts);
      }
    }
  }
  return {
    text: run.text(),
    steps: run.steps,
    tokens: run.tokens,
    cost: run.usageSeen ? run.cost : null,
    usageAvailable: run.usageSeen,
    ...(skills ? { skillLoaded: openclawSkillLoaded(skills, run, assistantMessages) } : {}),
    ...(error ? { error: { text: error, source: 'openclaw:transcript' } } : {}),
    ...(entries.length === 0 ? { statusDetail: 'OpenClaw left no session transcript: telemetry only, workDir scored as-is' } : {}),
  };
}

/**
 * Inject: the agent answered at all (the skill is in its BOOTSTRAP.md). Discover: a skill
 * tool, a mention of the skill's SKILL.md path, or a long tool result holding the file.
 */
function openclawSkillLoaded(skills: SkillBundle, run: RunSteps, assistantMessages: number): boolean {
  if (skills.mode === 'inject') return assistantMessages > 0;
  const calls = run.toolCalls;
  if (calls.some((c) => c.name === 'skill' || c.name === 'load_skill')) return true;
  const paths = skills.skills.map((s) => `skills/${s.name}/SKILL.md`);
  const mentions = (t: string) => paths.some((p) => t.includes(p));
  if (run.steps.some((s) => mentions(s.text ?? '')) || calls.some((c) => mentions(JSON.stringify(c.input)))) return true;
  // A read of SKILL.md returns the file as it is: its first 50 characters identify it.
  const heads = skills.skills.map((s) => s.content.trim().slice(0, 50)).filter((h) => h.length > 0);
  return calls.some((c) => c.output !== undefined && c.output.length > 100 && heads.some((h) => c.output!.includes(h)));
}

function contentItems(content: unknown): Record<string, unknown>[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return Array.isArray(content) ? content.map(obj).filter((i) => i !== undefined) : [];
}

function itemsText(content: unknown): string {
  return contentItems(content)
    .map((i) => str(i.text) ?? str(i.output) ?? '')
    .join('');
}

/** ISO string or epoch milliseconds → epoch milliseconds (now when absent). */
function timestampMs(v: unknown): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  const parsed = typeof v === 'string' ? Date.parse(v) : NaN;
  return Number.isFinite(parsed) ? parsed : Date.now();
}

function optional<K extends string, V>(key: K, value: V | undefined): { [k in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [k in K]?: V };
}
