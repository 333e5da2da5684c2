import type { SkillBundle } from '../../skills/types.js';
import { RunSteps, argumentsObject, num, obj, skillSnippet, str, type HarnessOutput } from './run-steps.js';

/**
 * Hermes Agent (spec runtime §2.9). `hermes chat -Q -q …` prints the answer and ends with a
 * trailer line `session_id: <id>`; `hermes sessions export - --session-id <id>` then prints the
 * session as JSON `{id, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens,
 * reasoning_tokens, estimated_cost_usd, actual_cost_usd, messages: [{role, content,
 * tool_call_id, tool_calls: [{id, function: {name, arguments (JSON text)}}], tool_name,
 * timestamp (s)}]}`.
 */

const TRAILER = /^session_id:\s*(\S+)\s*$/m;

/** The session id of the trailer, and stdout without it. */
export function hermesTrailer(stdout: string): { sessionId?: string; answer: string } {
  const lines = stdout.replace(/\s+$/, '').split('\n');
  const last = lines.at(-1) ?? '';
  const m = TRAILER.exec(last);
  if (!m) return { answer: stdout.trim() };
  return { sessionId: m[1]!, answer: lines.slice(0, -1).join('\n').trim() };
}

/** The run from the session export; without one (no trailer, export failed) a minimal record from stdout. */
export function parseHermesSession(exported: unknown, stdout: string, skills: SkillBundle | undefined): HarnessOutput {
  const { answer } = hermesTrailer(stdout);
  const session = obj(exported);
  const run = new RunSteps();
  if (!session) {
    run.assistantText(answer, Date.now());
    return {
      text: answer,
      steps: run.steps,
      tokens: run.tokens,
      cost: null,
      usageAvailable: false,
      ...(skills ? { skillLoaded: hermesSkillLoaded(skills, run) } : {}),
      statusDetail: 'no Hermes session export (no session_id trailer, or the export failed): steps and usage unknown, workDir scored as-is',
    };
  }
  for (const m of Array.isArray(session.messages) ? session.messages.map(obj) : []) {
    if (!m) continue;
    const ts = (num(m.timestamp) ?? Date.now() / 1000) * 1000;
    const content = str(m.content) ?? '';
    if (m.role === 'assistant') {
      const calls = (Array.isArray(m.tool_calls) ? m.tool_calls.map(obj) : []).filter((c) => c !== undefined).map((c, n) => {
        const fn = obj(c.function) ?? {};
        return { id: str(c.id) ?? `hermes-${ts}-${n}`, name: str(fn.name) ?? 'unknown', input: argumentsObject(fn.arguments) };
      });
      if (calls.length > 0) run.assistantToolCalls(calls, ts, content);
      else run.assistantText(content, ts);
    } else if (m.role === 'tool') {
      const { output, exitCode } = toolContent(content);
      run.toolResult(str(m.tool_call_id) ?? `hermes-result-${ts}`, { ...(str(m.tool_name) ? { name: str(m.tool_name)! } : {}), output, ...(exitCode !== undefined ? { exitCode } : {}) }, ts);
    }
  }
  run.usageTotals({
    input: num(session.input_tokens) ?? 0,
    // Reasoning tokens are billed as output.
    output: (num(session.output_tokens) ?? 0) + (num(session.reasoning_tokens) ?? 0),
    cacheRead: num(session.cache_read_tokens) ?? 0,
    cacheWrite: num(session.cache_write_tokens) ?? 0,
  });
  // What was billed beats an estimate (the reference preferred the estimate: spec §10 item 28).
  const cost = num(session.actual_cost_usd) ?? num(session.estimated_cost_usd);
  return {
    text: run.text(answer),
    steps: run.steps,
    tokens: run.tokens,
    cost: cost ?? null,
    usageAvailable: true,
    ...(skills ? { skillLoaded: hermesSkillLoaded(skills, run) } : {}),
  };
}

/** Tool message content may be JSON `{output | result, exit_code}`. */
function toolContent(content: string): { output: string; exitCode?: number } {
  try {
    const v = obj(JSON.parse(content));
    if (v && ('output' in v || 'result' in v)) {
      const out = v.output ?? v.result;
      const exitCode = num(v.exit_code);
      return { output: typeof out === 'string' ? out : JSON.stringify(out), ...(exitCode !== undefined ? { exitCode } : {}) };
    }
  } catch {
    // plain text
  }
  return { output: content };
}

/** Inject: any step (the skill came with the prompt). Discover: the answer quotes the skill. */
function hermesSkillLoaded(skills: SkillBundle, run: RunSteps): boolean {
  if (skills.mode === 'inject') return run.steps.length > 0;
  const snippets = skills.skills.map((s) => skillSnippet(s.content, 60)).filter((s) => s !== undefined);
  return run.steps.some((s) => s.role === 'assistant' && snippets.some((sn) => s.text?.includes(sn)));
}
