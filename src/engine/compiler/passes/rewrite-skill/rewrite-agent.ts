import * as path from 'node:path';
import { runAgentLoop, type LoopStop } from '../../../agent/loop.js';
import { createToolExecutor, READ_FILE_TOOL, WRITE_FILE_TOOL, type ToolExecutor } from '../../../agent/tools.js';
import type { ChatProvider } from '../../../llm/types.js';
import { writeConfinedText } from '../../../sandbox/index.js';
import { SKILL_FILE } from '../../../skills/load.js';
import type { Logger } from '../../../util/log.js';
import { validateGuard, type GuardVerdict } from '../../guard.js';
import { repairMessage } from './rewrite-prompt.js';

/**
 * The bounded rewrite agent: the compiler model with read_file (anywhere in the staging copy)
 * and write_file (SKILL.md only), nothing else. When it finishes a turn after writing a SKILL.md
 * that fails the guard, it is told the violations and gets exactly one more turn to repair; the
 * guard is then applied once more to what is on disk. A rewrite that still fails is not used and
 * SKILL.md is put back as it was before the pass.
 */

export const REWRITE_MAX_ITERATIONS = 15;

export interface RewriteAgentRequest {
  llm: ChatProvider;
  compilerModel: string;
  system: string;
  prompt: string;
  workDir: string;
  /** SKILL.md before this pass (what is restored when the rewrite is not used). */
  currentSkill: string;
  /** SKILL.md as the user wrote it: the guard's reference. */
  originalSkill: string;
  timeoutMs: number;
  signal: AbortSignal;
  log: Logger;
}

export interface RewriteAgentResult {
  /** SKILL.md after the pass: the agent's last write (even one the guard rejects), else the current text. */
  content: string;
  /** The agent wrote a SKILL.md that differs from the current one. */
  changed: boolean;
  /** Guard verdict on the last SKILL.md written (absent when nothing changed). */
  guard?: GuardVerdict;
  /** Violations shown to the agent in its repair turn (absent when none was needed). */
  repairedFrom?: string[];
  iterations: number;
  stop: LoopStop;
  /** The agent's last reply: one line per edit, or why it changed nothing (the prompt asks for that). */
  reply: string;
  stopDetail?: string;
}

export async function runRewriteAgent(req: RewriteAgentRequest): Promise<RewriteAgentResult> {
  let written: string | undefined;
  let repairedFrom: string[] | undefined;

  const outcome = await runAgentLoop({
    provider: req.llm,
    model: req.compilerModel,
    system: req.system,
    prompt: req.prompt,
    tools: [READ_FILE_TOOL, WRITE_FILE_TOOL],
    executeTool: skillOnlyExecutor(req.workDir),
    workDir: req.workDir,
    maxIterations: REWRITE_MAX_ITERATIONS,
    timeoutMs: req.timeoutMs,
    temperature: 0,
    signal: req.signal,
    log: req.log,
    onToolResult: (record, isError) => {
      if (record.name === 'write_file' && !isError && typeof record.input.content === 'string') written = record.input.content;
    },
    onTextReply: () => {
      if (written === undefined || written === req.currentSkill || repairedFrom) return undefined;
      const verdict = validateGuard(req.originalSkill, written);
      if (verdict.passed) return undefined;
      repairedFrom = verdict.violations;
      return repairMessage(verdict.violations);
    },
  });
  // A failure of our own code (a tool executor bug) is not the model's doing: surface it.
  if (outcome.stop === 'error') throw outcome.error;

  const base = { iterations: outcome.iterations, stop: outcome.stop, reply: outcome.text, ...(outcome.stopDetail ? { stopDetail: outcome.stopDetail } : {}), ...(repairedFrom ? { repairedFrom } : {}) };
  if (written === undefined || written === req.currentSkill) {
    // A write cut off by the deadline may have left a partial file: put the current text back.
    await writeConfinedText(req.workDir, SKILL_FILE, req.currentSkill);
    return { ...base, content: req.currentSkill, changed: false };
  }
  // A rewrite that still fails the guard is returned as written: the compile's own guard then refuses to publish it.
  return { ...base, content: written, changed: true, guard: validateGuard(req.originalSkill, written) };
}

/** read_file anywhere in the staging copy; write_file for SKILL.md only; any other tool is unknown. */
function skillOnlyExecutor(workDir: string): ToolExecutor {
  const inner = createToolExecutor({ workDir, web: false, sandbox: { mode: 'none', network: false } });
  const skillPath = path.resolve(workDir, SKILL_FILE);
  return async (call, signal) => {
    if (call.name === READ_FILE_TOOL.name) return inner(call, signal);
    if (call.name === WRITE_FILE_TOOL.name) {
      const target = call.arguments?.path;
      if (typeof target !== 'string' || path.resolve(workDir, target) !== skillPath) {
        return { output: `Error: only ${SKILL_FILE} may be written in this task.`, isError: true };
      }
      return inner({ ...call, arguments: { ...call.arguments, path: SKILL_FILE } }, signal);
    }
    return { output: `Unknown tool: ${call.name}`, isError: true };
  };
}
