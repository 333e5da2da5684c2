import { promises as fsp, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import * as path from 'node:path';
import { expect } from 'vitest';
import { ensureHarnessCli, type HarnessCliPackage, type InstalledHarnessCli } from '../../scripts/harness-cli/install.js';
import { FIXTURE_SKILL } from '../../scripts/transcript-fixtures/produce.js';
import { INJECTED_SENTINEL } from '../../src/engine/agent/adapters/cli/skills.js';
import type { RunResult, ToolCallRecord } from '../../src/engine/agent/types.js';
import type { Route } from '../../src/engine/config/schema.js';
import { LlmClient } from '../../src/engine/llm/client.js';
import { runAgent, stageWorkDir } from '../../src/engine/runtime/run-agent.js';
import { harnessTaskPolicy, HARNESS_TASK_DEFAULTS, type HarnessTaskOptions } from '../../src/engine/sim/policies/harness-task.js';
import type { SimRequest } from '../../src/engine/sim/policy.js';
import { startSimServer, type SimServer } from '../../src/engine/sim/server.js';
import { loadSkill } from '../../src/engine/skills/load.js';
import type { SkillMode } from '../../src/engine/skills/types.js';
import { errorMessage } from '../../src/engine/util/errors.js';
import { silentLogger } from '../../src/engine/util/log.js';

/**
 * One real harness CLI, installed into the cache outside the repo, driven through runAgent in
 * managed mode against the simulator (policy harness-task): the adapter writes the harness's
 * config from a route pointing at the simulator, and the simulated model loads the skill (in
 * discover mode), writes notes.txt, runs a failing and a succeeding command, and answers.
 */

const SIM_KEY = 'sk-skvm-adapter-test-route-key-0123456789';
const KEY_VAR = 'SKVM_ADAPTER_TEST_SIM_KEY';

export const TASK_PROMPT = `Use the ${FIXTURE_SKILL.name} skill if it helps: write a short note to notes.txt, try to read missing-input.txt, then read notes.txt back and report.`;

/** The CLI's path, or why it cannot be installed here (the test then reports "skipped: <reason>"). */
export async function installOrReason(cli: HarnessCliPackage): Promise<{ cli?: InstalledHarnessCli; reason?: string }> {
  try {
    return { cli: await ensureHarnessCli(cli) };
  } catch (err) {
    return { reason: `${cli.pkg}@${cli.version} cannot be installed here: ${errorMessage(err).split('\n')[0]}` };
  }
}

/** An LlmClient whose one route sends the model to the simulator, with the key in a variable. */
export function simClient(sim: SimServer, kind: Route['kind'], model: string): LlmClient {
  const route: Route = { match: `${model.split('/')[0]}/*`, kind, baseUrl: kind === 'anthropic' ? sim.anthropicBaseUrl : sim.openaiBaseUrl, apiKeyEnv: KEY_VAR };
  return new LlmClient({ config: () => ({ providers: { routes: [route] } }), configFile: '/nonexistent/skvm.config.json', env: { [KEY_VAR]: SIM_KEY }, log: silentLogger });
}

/** Pids whose current directory is inside `root` (the harness runs in its work dir). */
function processesUnder(root: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readlinkSync(`/proc/${name}/cwd`).startsWith(`${root}/`) && !/^Z/.test(readFileSync(`/proc/${name}/stat`, 'latin1').split(') ')[1] ?? '')) pids.push(Number(name));
    } catch {
      // gone, or not ours to inspect
    }
  }
  return pids;
}

/** Starts a run whose model never answers, cancels it once the harness has asked, and reports what is left. */
export async function cancelRealHarness(o: { adapter: string; bin: string; kind: Route['kind']; model: string; tmpRoot: string }) {
  const requests: SimRequest[] = [];
  const sim = await startSimServer({ policy: { name: 'hang', respond: (req) => (requests.push(req), { kind: 'fault', fault: { type: 'hang' } }) } });
  const ctl = new AbortController();
  try {
    const llm = simClient(sim, o.kind, o.model);
    const watch = setInterval(() => {
      if (requests.some((r) => r.tools.length > 0)) ctl.abort('test cancels the run');
    }, 100);
    let cancelledAt = 0;
    ctl.signal.addEventListener('abort', () => (cancelledAt = Date.now()));
    const error = await runAgent(
      { adapter: o.adapter, mode: 'managed', model: o.model, llm, prompt: TASK_PROMPT, maxSteps: 5, timeoutMs: 120_000, web: false, sandbox: { mode: 'auto', network: false }, tmpRoot: o.tmpRoot, workDirPrefix: `skvm-${o.adapter}-`, signal: ctl.signal, adapters: { [o.adapter]: o.bin } },
      {},
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    clearInterval(watch);
    const elapsedMs = Date.now() - cancelledAt;
    await new Promise((r) => setTimeout(r, 300)); // let the kernel finish reaping the group
    return { error, elapsedMs, requestsBeforeCancel: requests.length, survivors: processesUnder(o.tmpRoot), leftInTmpRoot: await fsp.readdir(o.tmpRoot) };
  } finally {
    ctl.abort();
    await sim.close();
  }
}

export interface RealRun {
  run: RunResult;
  workDir: string;
  requests: SimRequest[];
  convLog: string;
  tmpRoot: string;
}

/** `task` changes what the simulated model does (other commands); `adapterConfig` is added to config `adapters.<name>`. */
export async function runRealHarness(o: {
  adapter: string;
  bin: string;
  kind: Route['kind'];
  model: string;
  skillMode: SkillMode;
  tmpRoot: string;
  maxSteps?: number;
  task?: Pick<HarnessTaskOptions, 'failingCommand' | 'succeedingCommand'>;
  adapterConfig?: Record<string, unknown>;
  /** Puts files into the work dir before the run (as the engine, root under CI). */
  fill?: (workDir: string) => Promise<void>;
  signal?: AbortSignal;
}): Promise<RealRun> {
  const skillDir = path.join(o.tmpRoot, 'skill-src', FIXTURE_SKILL.name);
  await fsp.mkdir(skillDir, { recursive: true });
  await fsp.writeFile(path.join(skillDir, 'SKILL.md'), FIXTURE_SKILL.body);
  const skill = await loadSkill(skillDir);

  const staged = await stageWorkDir({ tmpRoot: o.tmpRoot, workDirPrefix: `skvm-${o.adapter}-` }, o.fill ?? (async () => undefined));
  const requests: SimRequest[] = [];
  const policy = harnessTaskPolicy({ projectDir: staged.workDir, ...(o.skillMode === 'discover' ? { skill: skill.name } : {}), ...o.task });
  const sim = await startSimServer({ policy: { name: policy.name, respond: (req, ctx) => (requests.push(req), policy.respond(req, ctx)) } });
  try {
    const llm = simClient(sim, o.kind, o.model);
    const convLogPath = path.join(o.tmpRoot, 'logs', `${o.adapter}-${o.skillMode}.jsonl`);
    const outcome = await runAgent(
      {
        adapter: o.adapter,
        mode: 'managed',
        model: o.model,
        llm,
        prompt: TASK_PROMPT,
        skills: { mode: o.skillMode, skills: [skill] },
        maxSteps: o.maxSteps ?? 20,
        timeoutMs: 240_000,
        web: false,
        sandbox: { mode: 'auto', network: false },
        tmpRoot: o.tmpRoot,
        workDirPrefix: `skvm-${o.adapter}-`,
        staged,
        keepWorkDir: true,
        convLogPath,
        ...(o.signal ? { signal: o.signal } : {}),
        adapters: { [o.adapter]: o.adapterConfig ? { repoPath: o.bin, ...o.adapterConfig } : o.bin },
      },
      {},
    );
    return { run: outcome.run, workDir: outcome.workDir!, requests, convLog: await fsp.readFile(convLogPath, 'utf8'), tmpRoot: o.tmpRoot };
  } finally {
    await sim.close();
  }
}

export function toolRecords(run: RunResult): ToolCallRecord[] {
  return run.steps.filter((s) => s.role === 'tool').flatMap((s) => s.toolCalls);
}

/** What every harness must show for the task: files, steps with exit codes, tokens, skill, log, cleanup. */
export async function expectTaskDone(r: RealRun, skillMode: SkillMode): Promise<void> {
  const { run } = r;
  expect(run.runStatus, `${run.statusDetail ?? ''} ${JSON.stringify(run.adapterError ?? {})}`).toBe('ok');
  expect(await fsp.readFile(path.join(r.workDir, HARNESS_TASK_DEFAULTS.file.path), 'utf8')).toBe(HARNESS_TASK_DEFAULTS.file.content);
  expect(run.text).toContain(HARNESS_TASK_DEFAULTS.answer);

  const tools = toolRecords(run);
  const failing = tools.find((t) => JSON.stringify(t.input).includes('missing-input.txt'));
  expect(failing, JSON.stringify(tools)).toBeDefined();
  expect(failing!.exitCode).not.toBe(0);
  const readBack = tools.find((t) => JSON.stringify(t.input).includes(HARNESS_TASK_DEFAULTS.succeedingCommand));
  expect(readBack?.exitCode).toBe(0);
  expect(readBack?.output).toContain(HARNESS_TASK_DEFAULTS.file.content.trim());
  // Every call the assistant made got its result.
  const called = run.steps.filter((s) => s.role === 'assistant').flatMap((s) => s.toolCalls);
  expect(called.length).toBeGreaterThanOrEqual(3);
  for (const c of called) expect(c.output, c.name).toBeDefined();

  expect(run.usageAvailable).toBe(true);
  expect(run.tokens.input).toBeGreaterThan(0);
  expect(run.tokens.output).toBeGreaterThan(0);
  expect(run.skillLoaded).toBe(true);

  const asked = r.requests.filter((q) => q.tools.length > 0).map((q) => [q.system ?? '', ...q.messages.map((m) => m.content)].join('\n'));
  expect(asked.length).toBeGreaterThan(0);
  if (skillMode === 'inject') expect(asked[0]).toContain(INJECTED_SENTINEL);
  else expect(asked[0]).not.toContain(INJECTED_SENTINEL);
  expect(asked[0]).toContain(skillMode === 'inject' ? 'Write notes to `notes.txt`' : FIXTURE_SKILL.name);

  expect(r.convLog.length).toBeGreaterThan(0);
  expect(r.convLog).not.toContain(SIM_KEY);
  expect((await fsp.readdir(r.tmpRoot)).filter((n) => n.startsWith('skvm-home-'))).toEqual([]);
}
