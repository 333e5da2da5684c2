import { shellCommandOf, toolKind } from '../../agent/harness-tools.js';
import type { AgentStep } from '../../agent/types.js';
import { call, cp, solution } from '../toolkit.js';
import { escapeRegExp } from './text.js';
import type { ProbeCheckContext, ProbeCheckpoint, ProbeInstance } from '../types.js';

/**
 * Checking a program the agent wrote and ran: its own run must have left the right output,
 * then the program is run again on fresh input of the same shape (so a program that recites a
 * hard-coded answer fails); and which commands the agent ran successfully.
 */

/** How long one run of the agent's program (or a helper command around it) may take. */
export const PROGRAM_TIMEOUT_MS = 20_000;

export interface ProgramTask {
  /** The program file the agent was asked to write. */
  script: string;
  /** How the program is run. */
  command: string;
  /** Output paths removed before the re-run. */
  outputs: string[];
  /** Remove output directories too (rm -rf instead of rm -f). */
  outputDirs?: boolean;
  /** Run before the fresh inputs are written (e.g. clear a directory). */
  freshPrep?: string;
  /** Input files of the fresh data set (written by the check before the re-run). */
  freshInputs: Record<string, string>;
  /** Judge the outputs: undefined when right, else why not. */
  judge(read: (rel: string) => Promise<string | undefined>, fresh: boolean): Promise<string | undefined>;
  /** Extra checkpoints on the program text. */
  scriptChecks?(script: string): ProbeCheckpoint[];
}

/** script_created, [script checks], output_written, execution_success (the re-run), value_correct (its output). */
export async function checkProgram(ctx: ProbeCheckContext, task: ProgramTask): Promise<ProbeCheckpoint[]> {
  const script = await ctx.readFile(task.script);
  if (script === undefined || script.trim() === '') return [cp('script_created', false, `${task.script} was not written`)];
  const out: ProbeCheckpoint[] = [cp('script_created', true), ...(task.scriptChecks?.(script) ?? [])];
  const read = (rel: string) => ctx.readFile(rel);

  // The agent was asked to run the program: its own run must have left the right output.
  const own = await task.judge(read, false);
  out.push(cp('output_written', own === undefined, own && `after the agent's run: ${own}`));

  // Re-run on fresh input of the same shape: the program must compute, not recite, the answer.
  if (task.freshPrep) await ctx.run(task.freshPrep, { timeoutMs: PROGRAM_TIMEOUT_MS });
  for (const [rel, content] of Object.entries(task.freshInputs)) {
    await ctx.run(`cat > '${rel}'`, { stdin: content, timeoutMs: PROGRAM_TIMEOUT_MS });
  }
  const rerun = await ctx.run(`${task.outputDirs ? 'rm -rf' : 'rm -f'} ${task.outputs.join(' ')}; ${task.command}`, { timeoutMs: PROGRAM_TIMEOUT_MS });
  const ran = rerun.exitCode === 0 && !rerun.timedOut;
  out.push(cp('execution_success', ran, ran ? undefined : `\`${task.command}\` exit ${rerun.exitCode ?? rerun.signal}: ${rerun.stderr.slice(0, 200)}`));
  if (!ran) return out;
  const fresh = await task.judge(read, true);
  out.push(cp('value_correct', fresh === undefined, fresh && `re-run on fresh input: ${fresh}`));
  return out;
}

/** Write the program, run it and show its output (`show`, e.g. `cat result.json`), then say what was done. */
export function programSolution(script: string, source: string, command: string, show: string, summary: string): ProbeInstance['reference'] {
  return solution({ toolCalls: [call.write(script, source)] }, { toolCalls: [call.exec(`${command} && ${show}`)] }, { text: summary });
}

/**
 * The commands of shell tool calls (the bare agent's execute_command, or a CLI harness's Bash,
 * exec_command…) that finished with exit code 0 (optionally only those that match).
 */
export function successfulCommands(steps: readonly AgentStep[], match?: (command: string) => boolean): string[] {
  const out: string[] = [];
  for (const s of steps) {
    for (const c of s.toolCalls) {
      if (toolKind(c.name) !== 'shell' || c.exitCode !== 0) continue;
      const command = shellCommandOf(c.input) ?? '';
      if (!match || match(command)) out.push(command);
    }
  }
  return out;
}

/**
 * Whether a shell call ran `python3 <script>` (or ./<script>) and exited 0. Naming the script is
 * not enough: through a harness whose only tool is its shell (Codex), writing the script is a
 * command that names it too.
 */
export function scriptRan(steps: readonly AgentStep[], script: string): boolean {
  const re = new RegExp(`(?:\\bpython3?(?:\\s+-[A-Za-z]+)*\\s+(?:\\./)?|(?:^|[\\s;&|(])\\./)${escapeRegExp(script)}(?![\\w.])`);
  return successfulCommands(steps, (command) => re.test(command)).length > 0;
}
