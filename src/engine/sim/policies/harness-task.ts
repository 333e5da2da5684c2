import { posix } from 'node:path';
import { escapeRegExp } from '../../profiler/gen/text.js';
import { shellQuote } from '../../util/shell.js';
import type { SimPolicy, SimRequest } from '../policy.js';
import { findTool, propName, requestText, shellCall, type Call } from './offered-tools.js';

/**
 * Drives a real agent harness (Claude Code, Codex, opencode…) through one small task, using
 * whichever tools the harness offered in the request: load a skill, write a file, run a
 * command that fails, run one that succeeds, then answer. Stateless like the conversation
 * policy: the number of assistant tool turns already in the request is the step, so a retried
 * request gets the same answer. Requests without tools (titles, summaries) get a short text.
 */

export interface HarnessTaskOptions {
  name?: string;
  /** Absolute project directory; write tools that demand absolute paths (Claude Code's Write) get one. */
  projectDir?: string;
  /** Skill to load: through a skill tool when offered, else by reading the SKILL.md path the harness listed. */
  skill?: string;
  file?: { path: string; content: string };
  /** Must exit non-zero, so the transcript holds an error tool result. */
  failingCommand?: string;
  succeedingCommand?: string;
  answer?: string;
}

export const HARNESS_TASK_DEFAULTS = {
  file: { path: 'notes.txt', content: 'skvm fixture: written by the simulated model\n' },
  failingCommand: 'cat missing-input.txt',
  succeedingCommand: 'cat notes.txt',
  answer: 'Done: the file is written and reads back correctly; the missing input file could not be read, as expected.',
  sideReply: 'Simulated harness task',
} as const;

const SKILL_TOOLS = ['skill'];

/**
 * Where the harness said the skill lives. Codex 0.169 lists short paths (`r1/<name>/SKILL.md`)
 * with a table of roots (`- \`r1\` = \`/abs/dir\``); those are expanded.
 */
function listedSkillPath(req: SimRequest, skill: string): string | undefined {
  const text = requestText(req);
  // Paths end at quotes, brackets and tags (pi lists `<location>/abs/…/SKILL.md</location>`).
  const found = new RegExp(`([^\\s"'\`()<>]*)/${escapeRegExp(skill)}/SKILL\\.md`).exec(text);
  if (!found) return undefined;
  const root = new RegExp(`\`${escapeRegExp(found[1]!)}\` = \`([^\`]+)\``).exec(text)?.[1];
  return root ? `${root}/${skill}/SKILL.md` : found[0];
}

/** The tool calls for this request's tools, in order; the final answer follows them. */
export function planHarnessTask(req: SimRequest, opts: HarnessTaskOptions = {}): Call[] {
  const file = opts.file ?? HARNESS_TASK_DEFAULTS.file;
  const shell = findTool(req.tools, 'shell');
  const write = findTool(req.tools, 'write');
  const skillTool = findTool(req.tools, SKILL_TOOLS);
  const plan: Call[] = [];
  if (opts.skill !== undefined) {
    const listed = listedSkillPath(req, opts.skill);
    if (skillTool) plan.push({ name: skillTool.name, arguments: { [propName(skillTool, ['skill', 'name'])]: opts.skill } });
    else if (shell && listed) plan.push(shellCall(shell, `cat ${shellQuote(listed)}`));
  }
  const filePath = opts.projectDir ? posix.join(opts.projectDir, file.path) : file.path;
  if (write) {
    plan.push({
      name: write.name,
      arguments: { [propName(write, ['file_path', 'filePath', 'path'])]: filePath, [propName(write, ['content', 'text'])]: file.content },
    });
  } else if (shell) {
    plan.push(shellCall(shell, `printf '%s' ${shellQuote(file.content)} > ${shellQuote(filePath)}`));
  }
  if (shell) {
    plan.push(shellCall(shell, opts.failingCommand ?? HARNESS_TASK_DEFAULTS.failingCommand));
    plan.push(shellCall(shell, opts.succeedingCommand ?? HARNESS_TASK_DEFAULTS.succeedingCommand));
  }
  return plan;
}

export function harnessTaskPolicy(opts: HarnessTaskOptions = {}): SimPolicy {
  return {
    name: opts.name ?? 'harness-task',
    respond(req) {
      if (req.tools.length === 0) return { kind: 'message', text: HARNESS_TASK_DEFAULTS.sideReply };
      const done = req.messages.filter((m) => m.role === 'assistant' && (m.toolCalls?.length ?? 0) > 0).length;
      const next = planHarnessTask(req, opts)[done];
      if (next) return { kind: 'message', toolCalls: [next] };
      return { kind: 'message', text: opts.answer ?? HARNESS_TASK_DEFAULTS.answer };
    },
  };
}
