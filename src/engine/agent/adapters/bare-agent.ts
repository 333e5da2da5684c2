import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { ChatProvider, ToolSpec } from '../../llm/types.js';
import { resolveInWorkDir } from '../../sandbox/index.js';
import type { SandboxMode } from '../../sandbox/types.js';
import type { Skill, SkillBundle } from '../../skills/types.js';
import { CancelledError, errorMessage } from '../../util/errors.js';
import { silentLogger, type Logger } from '../../util/log.js';
import { redactValue } from '../../util/redact.js';
import { ConversationLog } from '../conv-log.js';
import { runAgentLoop, type LoopOutcome } from '../loop.js';
import { BARE_AGENT_TOOLS, createToolExecutor, LOAD_SKILL_TOOL, type ToolHandler } from '../tools.js';
import type { RunResult, RuntimeHooks } from '../types.js';
import type { AgentAdapter, RunScope } from './types.js';

/**
 * bare-agent (spec runtime §2.5): our own minimal harness — the generic loop, the five tools,
 * a one-paragraph system prompt — so a model can be profiled without any third-party CLI.
 *
 * Skills:
 * - inject: each skill's SKILL.md text is appended to the system prompt as
 *   `\n\n<skill>\n{content}\n</skill>`; `skillLoaded` is true.
 * - discover (fixes §10 item 1): the system prompt lists each skill (`- **name**: description`),
 *   the skill text is written to `<workDir>/skills/<name>/SKILL.md`, and one extra tool,
 *   `load_skill {name}`, returns it. The tool exists only in discover mode, so runs without
 *   skills or with injected skills see exactly the reference's five tools. `skillLoaded` turns
 *   true when the model calls load_skill, reads the SKILL.md with read_file, or answers with the
 *   reference's `<load-skill>NAME</load-skill>` — in which case the text is sent back as the
 *   next user message and the run continues instead of ending.
 *
 * Outcomes: a normal finish, maxSteps and loop detection are `ok` (with statusDetail for the
 * latter two); the wall-clock budget is `timeout`; any other failure inside the run is
 * `adapter-crashed` with `adapterError`. Provider errors (LlmError, ToolArgumentsParseError)
 * reject. Cancellation (opts.signal) rejects with util/errors `CancelledError` (code
 * 'cancelled') once the in-flight LLM call and commands are aborted; afterRun hooks do not run.
 * The conversation log, when asked for, is written in every one of these cases.
 */

export interface BareAgentOptions {
  /** Full model id `<provider>/<model-id>`. */
  model: string;
  llm: ChatProvider;
  prompt: string;
  workDir: string;
  skills?: SkillBundle;
  /** LLM turns at most (a normal finish when reached). */
  maxSteps: number;
  /** Wall-clock budget of the whole run. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Whether web_fetch may reach the network (public addresses). Default false. */
  web?: boolean;
  /** Local `host:port`s web_fetch may reach besides (a profiler probe's server). */
  allowLocalHosts?: readonly string[];
  sandbox: { mode: SandboxMode; network: boolean };
  /** Per-command limit for execute_command. Default 30000. */
  commandTimeoutMs?: number;
  /** Write the conversation log (JSONL) here; folders are created. */
  convLogPath?: string;
  /** The runtime's cleanup scope: the conversation log is then written as a cleanup, after the runtime has heard the agent is done. */
  scope?: RunScope;
  hooks?: RuntimeHooks;
  log?: Logger;
  /** Default 16384. */
  maxTokens?: number;
  temperature?: number;
}

/** Short on purpose: every request carries it, and users pay for each token. */
export const BARE_AGENT_SYSTEM_PROMPT =
  'Do the task by calling the tools. Your files are in the current directory; use relative paths. ' +
  'When done, reply with a short summary and no tool calls.';

/** How an injected skill is wrapped; the simulator's scripts detect exactly this, so keep it byte for byte. */
export function injectSkillText(content: string): string {
  return `\n\n<skill>\n${content}\n</skill>`;
}

/** Folder name for a skill under `<workDir>/skills/` (front-matter names are untrusted). */
export function skillDirName(name: string): string {
  const cleaned = name
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[.-]+/, '')
    .slice(0, 100);
  return cleaned === '' ? 'skill' : cleaned;
}

interface DiscoverEntry {
  skill: Skill;
  dir: string;
  /** Relative to the workDir, forward slashes. */
  relPath: string;
}

function discoverEntries(skills: readonly Skill[]): DiscoverEntry[] {
  const used = new Set<string>();
  return skills.map((skill) => {
    const base = skillDirName(skill.name);
    let dir = base;
    for (let n = 2; used.has(dir); n++) dir = `${base}-${n}`;
    used.add(dir);
    return { skill, dir, relPath: `skills/${dir}/SKILL.md` };
  });
}

function discoverSection(entries: readonly DiscoverEntry[]): string {
  const lines = entries.map((e) => `- **${e.skill.name}**: ${e.skill.description.replace(/\s+/g, ' ').trim()}`);
  const files = entries.map((e) => `${e.skill.name} → ${e.relPath}`).join('; ');
  return (
    '\n\n## Available Skills\n' +
    'Skills are written instructions for particular kinds of work. Before starting, check whether one of these fits your task; ' +
    'if it does, call the load_skill tool with its name to get its full instructions, then follow them.\n' +
    lines.join('\n') +
    `\nThe same texts are in the working directory: ${files}.`
  );
}

const LOAD_SKILL_TAG = /<?load-skill>\s*(.*?)\s*<\/load-skill>/;

/**
 * bare-agent behind the harness seam. It needs nothing installed and manages everything itself
 * (so one mode, `managed`); its commands are killed by its own abort handling, so nothing is
 * left for the runtime's cleanup scope.
 */
export const bareAgentAdapter: AgentAdapter = {
  name: 'bare-agent',
  modes: ['managed'],
  skillDelivery: ['inject', 'discover'],
  available: async () => ({ ok: true }),
  run: (opts, scope) =>
    runBareAgent({
      model: opts.model,
      llm: opts.llm,
      prompt: opts.prompt,
      workDir: opts.workDir,
      ...(opts.skills ? { skills: opts.skills } : {}),
      maxSteps: opts.maxSteps,
      timeoutMs: opts.timeoutMs,
      ...(opts.signal ? { signal: opts.signal } : {}),
      web: opts.web,
      ...(opts.allowLocalHosts ? { allowLocalHosts: opts.allowLocalHosts } : {}),
      sandbox: opts.sandbox,
      ...(opts.convLogPath ? { convLogPath: opts.convLogPath } : {}),
      ...(opts.hooks ? { hooks: opts.hooks } : {}),
      ...(opts.log ? { log: opts.log } : {}),
      scope,
    }),
};

export async function runBareAgent(opts: BareAgentOptions): Promise<RunResult> {
  const started = Date.now();
  const log = opts.log ?? silentLogger;
  const workDir = path.resolve(opts.workDir);
  if (opts.signal?.aborted) throw new CancelledError(opts.signal.reason);

  const bundle = opts.skills && opts.skills.skills.length > 0 ? opts.skills : undefined;
  const mode = bundle?.mode ?? 'inject';
  let system = BARE_AGENT_SYSTEM_PROMPT;
  const tools: ToolSpec[] = [...BARE_AGENT_TOOLS];
  const extra: Record<string, ToolHandler> = {};
  let skillLoaded: boolean | undefined;
  const entries = bundle && mode === 'discover' ? discoverEntries(bundle.skills) : [];
  const loadedViaTag = new Set<string>();
  const byName = new Map(entries.map((e) => [e.skill.name, e]));
  const skillFiles = new Map(entries.map((e) => [path.join(workDir, 'skills', e.dir, 'SKILL.md'), e]));

  if (bundle && mode === 'inject') {
    for (const s of bundle.skills) system += injectSkillText(s.content);
    skillLoaded = true;
  } else if (bundle) {
    skillLoaded = false;
    system += discoverSection(entries);
    tools.push(LOAD_SKILL_TOOL);
    extra.load_skill = async (args) => {
      const name = typeof args.name === 'string' ? args.name.trim() : '';
      const hit = byName.get(name) ?? entries.find((e) => e.skill.name.toLowerCase() === name.toLowerCase() || e.dir === name);
      if (!hit) {
        return { output: `Error: there is no skill named "${name}". Available: ${entries.map((e) => e.skill.name).join(', ')}`, isError: true };
      }
      skillLoaded = true;
      log.debug(`bare-agent: skill "${hit.skill.name}" loaded through load_skill`);
      return { output: hit.skill.content };
    };
  }

  const conv = opts.convLogPath ? new ConversationLog() : undefined;
  const provider = conv ? conv.wrap(opts.llm) : opts.llm;
  const loopDeadline = started + opts.timeoutMs;
  const executeTool = createToolExecutor(
    {
      workDir,
      web: opts.web === true,
      ...(opts.allowLocalHosts ? { allowLocalHosts: opts.allowLocalHosts } : {}),
      sandbox: opts.sandbox,
      ...(opts.commandTimeoutMs !== undefined ? { commandTimeoutMs: opts.commandTimeoutMs } : {}),
      remainingMs: () => loopDeadline - Date.now(),
    },
    extra,
  );

  let outcome: LoopOutcome | undefined;
  let setupError: unknown;
  try {
    try {
      for (const e of entries) {
        const file = await resolveInWorkDir(workDir, e.relPath, { forWrite: true });
        await fsp.mkdir(path.dirname(file), { recursive: true });
        await fsp.writeFile(file, e.skill.content);
      }
    } catch (err) {
      setupError = err;
    }
    if (setupError === undefined) {
      outcome = await runAgentLoop({
        provider,
        model: opts.model,
        system,
        prompt: opts.prompt,
        tools,
        executeTool,
        workDir,
        maxIterations: opts.maxSteps,
        timeoutMs: Math.max(0, loopDeadline - Date.now()),
        ...(opts.maxTokens !== undefined ? { maxTokens: opts.maxTokens } : {}),
        ...(opts.temperature !== undefined ? { temperature: opts.temperature } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
        ...(opts.hooks ? { hooks: opts.hooks } : {}),
        log,
        onToolResult: (rec, isError) => {
          if (isError || rec.name !== 'read_file' || typeof rec.input.path !== 'string') return;
          if (skillFiles.has(path.resolve(workDir, rec.input.path))) skillLoaded = true;
        },
        onTextReply: (text) => {
          if (entries.length === 0) return undefined;
          const m = LOAD_SKILL_TAG.exec(text);
          const hit = m ? byName.get(m[1]!) : undefined;
          if (!hit || loadedViaTag.has(hit.skill.name)) return undefined;
          loadedViaTag.add(hit.skill.name);
          skillLoaded = true;
          return `Skill "${hit.skill.name}":${injectSkillText(hit.skill.content)}\n\nNow continue with the task, following the skill.`;
        },
      });
    }
  } finally {
    if (conv && opts.convLogPath) {
      const file = opts.convLogPath;
      const write = async (): Promise<void> => {
        await conv.writeTo(file).catch((err) => log.warn(`bare-agent: could not write the conversation log ${file}: ${errorMessage(err)}`));
      };
      if (opts.scope) opts.scope.defer(write);
      else await write();
    }
  }

  const result = buildResult({ outcome, setupError, workDir, started, skillLoaded });
  const safe = redactValue(result);
  if (opts.hooks?.afterRun) {
    const skillId = bundle?.skills[0]?.name;
    for (const hook of opts.hooks.afterRun) {
      try {
        await hook({ result: safe, ...(skillId !== undefined ? { skillId } : {}), success: safe.text.length > 0 });
      } catch (err) {
        log.warn(`bare-agent: an afterRun hook failed: ${errorMessage(err)}`);
      }
    }
  }
  return safe;
}

function buildResult(a: { outcome: LoopOutcome | undefined; setupError: unknown; workDir: string; started: number; skillLoaded: boolean | undefined }): RunResult {
  const o = a.outcome;
  const result: RunResult = {
    text: o?.text ?? '',
    steps: o?.steps ?? [],
    tokens: o ? { ...o.tokens } : { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
    cost: o ? o.costUsd : 0,
    durationMs: Date.now() - a.started,
    llmDurationMs: o?.llmDurationMs ?? 0,
    workDir: a.workDir,
    runStatus: 'ok',
    usageAvailable: true,
  };
  if (a.skillLoaded !== undefined) result.skillLoaded = a.skillLoaded;
  const crash = a.setupError !== undefined ? a.setupError : o?.stop === 'error' ? o.error : undefined;
  if (crash !== undefined) {
    const message = errorMessage(crash);
    result.runStatus = 'adapter-crashed';
    result.statusDetail = a.setupError !== undefined ? `bare-agent could not stage the skill files: ${message}` : `bare-agent ${o?.stopDetail ?? message}`;
    result.adapterError = {
      exitCode: 1,
      stderr: message.slice(0, 2000),
      diagnosis: { summary: message.slice(0, 500), source: 'bare-agent:loop' },
    };
  } else if (o?.stop === 'timeout') {
    result.runStatus = 'timeout';
    result.statusDetail = `bare-agent ${o.stopDetail ?? 'timed out'}`;
  } else if (o && o.stop !== 'done' && o.stopDetail) {
    result.statusDetail = o.stopDetail;
  }
  return result;
}
