import { readJsonLines } from '../../util/jsonl.js';
import type { SkillBundle } from '../../skills/types.js';
import { RunSteps, num, obj, skillSnippet, str, type HarnessOutput } from './run-steps.js';

/**
 * `opencode run --format json` output (spec runtime §2.7; checked against opencode 1.18.33):
 * NDJSON events `{type, timestamp, sessionID, part}` — `text` (part.text), `tool_use` (a
 * finished tool part: tool, callID, state {status, input, output | error, metadata.exit,
 * time {start, end}}), `step_finish` (part.tokens {input, output, reasoning, cache {read,
 * write}}, part.cost) and `error` (error.data.message | error.message | part.message).
 */
export async function parseOpencodeOutput(file: string, skills: SkillBundle | undefined): Promise<HarnessOutput> {
  const events = (await readJsonLines(file)).map(obj).filter((e) => e !== undefined);
  const run = new RunSteps();
  let stepFinished = false;
  let skillToolUsed = false;
  let error: string | undefined;
  for (const e of events) {
    const ts = num(e.timestamp) ?? Date.now();
    const part = obj(e.part) ?? {};
    switch (e.type) {
      case 'text':
        run.assistantText(str(part.text) ?? '', ts);
        break;
      case 'tool_use': {
        const state = obj(part.state) ?? {};
        const name = str(part.tool) ?? str(part.name) ?? 'unknown';
        const time = obj(state.time);
        const start = num(time?.start);
        const end = num(time?.end);
        const exit = num(obj(state.metadata)?.exit);
        const failed = state.status === 'error';
        const output = failed ? str(state.error) : str(state.output);
        run.toolStep(
          {
            id: str(part.callID) ?? str(part.id) ?? `opencode-${run.steps.length}`,
            name,
            input: obj(state.input) ?? {},
            ...(output !== undefined ? { output } : {}),
            ...(start !== undefined && end !== undefined ? { durationMs: end - start } : {}),
            // A failed tool without an exit status (a refused skill, a bad path) still failed.
            ...(exit !== undefined ? { exitCode: exit } : failed ? { exitCode: 1 } : {}),
          },
          ts,
        );
        if (name === 'skill' && !failed && namesSkill(state.input, skills)) skillToolUsed = true;
        break;
      }
      case 'step_finish': {
        stepFinished = true;
        const t = obj(part.tokens) ?? {};
        const cache = obj(t.cache) ?? {};
        // Reasoning tokens are billed as output.
        run.usage({ input: num(t.input), output: (num(t.output) ?? 0) + (num(t.reasoning) ?? 0), cacheRead: num(cache.read), cacheWrite: num(cache.write) });
        run.addCost(num(part.cost));
        break;
      }
      case 'error': {
        const err = obj(e.error) ?? obj(part.error);
        error = str(obj(err?.data)?.message) ?? str(err?.message) ?? str(part.message) ?? str(err?.name) ?? 'error';
        break;
      }
    }
  }
  const text = run.text();
  return {
    text,
    steps: run.steps,
    tokens: run.tokens,
    cost: run.usageSeen ? run.cost : null,
    usageAvailable: run.usageSeen,
    ...(skills ? { skillLoaded: opencodeSkillLoaded(skills, { stepFinished, skillToolUsed, texts: run.steps.map((s) => s.text ?? '') }) } : {}),
    ...(error !== undefined ? { error: { text: error, source: 'opencode:error-event' } } : {}),
    ...(events.length === 0 ? { statusDetail: 'opencode printed no events: telemetry only, workDir scored as-is' } : {}),
  };
}

/** The skill tool was called for one of ours (by `name`; older versions had no argument). */
function namesSkill(input: unknown, skills: SkillBundle | undefined): boolean {
  const name = str(obj(input)?.name);
  return name === undefined || (skills?.skills.some((s) => s.name === name) ?? false);
}

/**
 * Discover: the `skill` tool loaded one of ours. Inject: the model was called at all (the skill
 * travels with every request). Either: an answer quoting the skill body.
 */
function opencodeSkillLoaded(skills: SkillBundle, seen: { stepFinished: boolean; skillToolUsed: boolean; texts: string[] }): boolean {
  if (skills.mode === 'discover' ? seen.skillToolUsed : seen.stepFinished) return true;
  const snippets = skills.skills.map((s) => skillSnippet(s.content, 60)).filter((s) => s !== undefined);
  return seen.texts.some((t) => snippets.some((s) => t.includes(s)));
}
