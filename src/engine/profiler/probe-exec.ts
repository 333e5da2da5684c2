import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { createToolExecutor } from '../agent/tools.js';
import type { AgentStep, ToolCallRecord } from '../agent/types.js';
import { isInside, resolveInWorkDir, runCommand, SandboxViolation } from '../sandbox/index.js';
import type { SandboxMode } from '../sandbox/types.js';
import { describeError } from '../util/errors.js';
import { writeFileMakingDirs } from '../util/fs.js';
import { passes } from './toolkit.js';
import { BASE_URL_PLACEHOLDER, type ProbeCheckContext, type ProbeCheckpoint, type ProbeInstance, type ProbeSolution } from './types.js';

/**
 * Running the parts of a probe that are not the model: its local server, its setup files, its
 * check, and (for tests and the planted simulator) its scripted solutions through the real
 * bare-agent tools.
 */

export interface ProbeSandbox {
  mode: SandboxMode;
}

export const CHECK_COMMAND_TIMEOUT_MS = 30_000;

/** Replace `{{BASE_URL}}` everywhere it may appear (prompt, setup files, solutions). */
export function withBaseUrl(instance: ProbeInstance, baseUrl: string): ProbeInstance {
  const sub = (s: string) => s.split(BASE_URL_PLACEHOLDER).join(baseUrl);
  const subSolution = (sol: ProbeSolution): ProbeSolution => JSON.parse(sub(JSON.stringify(sol))) as ProbeSolution;
  return {
    ...instance,
    prompt: sub(instance.prompt),
    setupFiles: Object.fromEntries(Object.entries(instance.setupFiles).map(([k, v]) => [k, sub(v)])),
    reference: subSolution(instance.reference),
    nearMiss: subSolution(instance.nearMiss),
  };
}

/** Start the probe's API on 127.0.0.1 (port chosen by the OS); close() ends every connection. */
export async function startProbeServer(instance: ProbeInstance): Promise<{ baseUrl: string; close(): Promise<void> } | undefined> {
  const spec = instance.server;
  if (!spec) return undefined;
  const server = createServer((req, res) => {
    try {
      spec.handle(req, res);
    } catch (err) {
      res.statusCode = 500;
      res.end(describeError(err));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A probe's setup files, into the work dir just made for it: nothing has run there yet, so no
 * link can be in the way and a lexical check of each name is enough (no lstat walk per file).
 */
export async function writeSetupFiles(workDir: string, files: Record<string, string>): Promise<void> {
  const targets = Object.entries(files).map(([rel, content]) => {
    const abs = path.resolve(workDir, rel);
    if (rel.includes('\0') || abs === path.resolve(workDir) || !isInside(workDir, abs)) {
      throw new SandboxViolation(`Refused setup file ${JSON.stringify(rel)}: it is not a file inside the work directory.`);
    }
    return [abs, content] as const;
  });
  await Promise.all(targets.map(([abs, content]) => writeFileMakingDirs(abs, content)));
}

export function checkContext(workDir: string, finalText: string, steps: AgentStep[], sandbox: ProbeSandbox, network = false): ProbeCheckContext {
  return {
    workDir,
    finalText,
    steps,
    async readFile(rel) {
      try {
        return await fsp.readFile(await resolveInWorkDir(workDir, rel), 'utf8');
      } catch {
        return undefined;
      }
    },
    run: (command, opts = {}) =>
      runCommand({
        command,
        cwd: workDir,
        workDir,
        timeoutMs: opts.timeoutMs ?? CHECK_COMMAND_TIMEOUT_MS,
        mode: sandbox.mode,
        network,
        ...(opts.stdin !== undefined ? { stdin: opts.stdin } : {}),
      }),
  };
}

export interface CheckOutcome {
  passed: boolean;
  checkpoints: ProbeCheckpoint[];
  /** `name: 1.00; name: 0.00 (reason)` — the reference's details format. */
  details: string;
}

/** Run the probe's check; a check that throws is a failed checkpoint with the error, never a crash. */
export async function runProbeCheck(instance: ProbeInstance, ctx: ProbeCheckContext): Promise<CheckOutcome> {
  let checkpoints: ProbeCheckpoint[];
  try {
    checkpoints = await instance.check(ctx);
  } catch (err) {
    checkpoints = [{ name: 'check_error', score: 0, reason: describeError(err) }];
  }
  const details = checkpoints.map((c) => `${c.name}: ${c.score.toFixed(2)}${c.score < 1 && c.reason ? ` (${c.reason})` : ''}`).join('; ');
  return { passed: passes(checkpoints), checkpoints, details };
}

/**
 * Play a scripted solution in a work dir with the real bare-agent tools, the way the agent loop
 * would (a turn's calls in parallel, steps recorded), and return the final answer and steps.
 */
export async function playSolution(
  solution: ProbeSolution,
  opts: { workDir: string; sandbox: ProbeSandbox; web?: boolean; allowLocalHosts?: readonly string[]; signal?: AbortSignal },
): Promise<{ finalText: string; steps: AgentStep[] }> {
  const exec = createToolExecutor({
    workDir: opts.workDir,
    web: opts.web === true,
    ...(opts.allowLocalHosts ? { allowLocalHosts: opts.allowLocalHosts } : {}),
    sandbox: { mode: opts.sandbox.mode, network: opts.web === true },
  });
  const signal = opts.signal ?? new AbortController().signal;
  const steps: AgentStep[] = [];
  let finalText = '';
  let n = 0;
  for (const turn of solution.turns) {
    const calls = (turn.toolCalls ?? []).map((c) => ({ id: `sol_${n++}`, name: c.name, arguments: c.arguments }));
    const records: ToolCallRecord[] = await Promise.all(
      calls.map(async (c) => {
        const t0 = Date.now();
        const out = await exec(c, signal);
        return { id: c.id, name: c.name, input: c.arguments, output: out.output, durationMs: Date.now() - t0, ...(out.exitCode !== undefined ? { exitCode: out.exitCode } : {}) };
      }),
    );
    steps.push({ role: 'assistant', ...(turn.text ? { text: turn.text } : {}), toolCalls: records, timestamp: Date.now() });
    if (records.length) steps.push({ role: 'tool', toolCalls: records, timestamp: Date.now() });
    if (turn.text) finalText = turn.text;
  }
  return { finalText, steps };
}
