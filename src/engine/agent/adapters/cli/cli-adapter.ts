import * as os from 'node:os';
import * as path from 'node:path';
import type { ModelEndpoint } from '../../../llm/types.js';
import { UsageError } from '../../../util/errors.js';
import { silentLogger, type Logger } from '../../../util/log.js';
import { containsSecret, isSecretFieldName } from '../../../util/redact.js';
import type { AgentStep, RunResult, RunStatus } from '../../types.js';
import type { TokenUsage } from '../../../llm/types.js';
import { harnessEntry } from '../harnesses.js';
import { AdapterUnavailableError } from '../unavailable.js';
import type { AdapterRunOptions, AgentAdapter, RunScope } from '../types.js';
import { binaryAvailability, resolveHarnessBinary } from './binary.js';
import { harnessEnv, harnessPath } from './child-env.js';
import { diagnoseFailure } from './diagnose.js';
import { managedEndpoint } from './endpoint.js';
import { harnessUser, type HarnessUser } from './harness-user.js';
import { openEngineDir, openPrivateHome } from './private-home.js';
import { runHarnessProcess, type HarnessProcessResult } from './spawn.js';

/**
 * The run of every CLI harness, so an adapter module only says how to configure its harness and
 * how to read what it printed: binary → (managed) route → private home → the adapter's command
 * line and variables → the process (stdout kept as the conversation log) → the adapter's parse
 * → the verdict of the process (timeout, crash with diagnosis) over the parse's.
 */

/** Put before the task: a headless harness must not stop to ask what it could decide itself. */
export const HEADLESS_DIRECTIVE =
  'You are running unattended: nobody will answer questions. Do not ask for clarification or confirmation; make reasonable choices and carry the task out now, in the current directory.';

export interface CliRunContext {
  opts: AdapterRunOptions;
  binary: string;
  /** This run's private HOME (removed after the run). */
  home: string;
  /** The user's real home: native mode copies the harness's config from there (read only). */
  userHome: string;
  /** Managed mode: the model's route (base URL, key, vendor id). */
  endpoint?: ModelEndpoint;
  /** The prompt to give the harness (directive + task unless the spec opts out). */
  prompt: string;
  log: Logger;
  /** The run's cleanup scope, for what an adapter starts beside the harness (a sidecar server). */
  scope: RunScope;
  /** Who harness processes run as: what an adapter spawns itself takes `user.spawnIds`, after `user.handOver()`. */
  user: HarnessUser;
}

/** How to start the harness. `env` holds only the variables the harness reads (its key among them). */
export interface CliInvocation {
  args: string[];
  env: Record<string, string>;
}

/** What the harness's output says about the run. */
export interface ParsedCliRun {
  text: string;
  steps: AgentStep[];
  tokens: TokenUsage;
  cost: number | null;
  usageAvailable: boolean;
  llmDurationMs?: number;
  skillLoaded?: boolean;
  /** The output's own verdict (e.g. parse-failed); the process's verdict wins over it. */
  runStatus?: RunStatus;
  statusDetail?: string;
  /** The harness's own error report, which the diagnosis reads before stderr. */
  error?: { text: string; source: string };
  /** The harness stopped at the turn limit we gave it: a normal finish (as bare-agent's maxSteps), whatever its exit code. */
  turnLimitReached?: boolean;
}

export interface CliHarnessSpec {
  /** The harness name as harnesses.ts spells it (modes and skill delivery come from there). */
  name: string;
  /** Route kinds the harness can be pointed at in managed mode. */
  managedKinds: readonly ModelEndpoint['kind'][];
  /** The harness refuses to start without a key: on an auth-free route it gets a placeholder (endpoint.ts). */
  needsKey?: boolean;
  /** Default true: put HEADLESS_DIRECTIVE before the task prompt. */
  prefixPrompt?: boolean;
  /** Writes the harness's config into `ctx.home` (and skills where it discovers them); returns the command. */
  prepare(ctx: CliRunContext): Promise<CliInvocation>;
  /** Reads the run from its output file (stdout, byte for byte) and whatever else it left in the home. */
  parse(ctx: CliRunContext & { outputPath: string; process: HarnessProcessResult }): Promise<ParsedCliRun>;
}

export function defineCliAdapter(spec: CliHarnessSpec): AgentAdapter {
  const entry = harnessEntry(spec.name);
  if (!entry?.cli) throw new Error(`defineCliAdapter: "${spec.name}" is not a CLI harness in harnesses.ts`);
  return {
    name: spec.name,
    modes: entry.modes,
    skillDelivery: entry.skillDelivery,
    available: async (env, adapters) => binaryAvailability(spec.name, env, adapters),
    run: (opts, scope) => runCliHarness(spec, opts, scope),
  };
}

async function runCliHarness(spec: CliHarnessSpec, opts: AdapterRunOptions, scope: RunScope): Promise<RunResult> {
  const started = Date.now();
  const env = opts.env ?? process.env;
  const log = opts.log ?? silentLogger;
  const bin = resolveHarnessBinary(spec.name, env, opts.adapters);
  if (!bin.ok) throw new AdapterUnavailableError(spec.name, bin.reason, bin.installHint);
  const endpoint = opts.mode === 'managed' ? managedEndpoint(opts.llm, opts.model, spec.name, spec.managedKinds, spec.needsKey) : undefined;
  const extra = extraCliArgs(spec.name, opts.adapters?.[spec.name], endpoint?.apiKey);
  const home = await openPrivateHome(opts.workDir, spec.name, scope);
  const user = await harnessUser({ harness: spec.name, binary: bin.path, pathVar: harnessPath(bin.path), workDir: opts.workDir, home, sandboxMode: opts.sandbox.mode, log, scope });
  const ctx: CliRunContext = {
    opts,
    binary: bin.path,
    home,
    userHome: env.HOME || os.homedir(),
    ...(endpoint ? { endpoint } : {}),
    prompt: spec.prefixPrompt === false ? opts.prompt : `${HEADLESS_DIRECTIVE}\n\n${opts.prompt}`,
    log,
    scope,
    user,
  };
  const inv = await spec.prepare(ctx);
  const args = [...inv.args, ...extra];
  const outputPath = opts.convLogPath ?? path.join(user.identity ? await openEngineDir(opts.workDir, spec.name, scope) : home, 'output.jsonl');
  log.debug(`${spec.name}: ${bin.path} ${inv.args[0] ?? ''}… (home ${home}, mode ${opts.mode}, uid ${user.identity?.uid ?? (user.root ? 0 : process.getuid?.())})`);
  await user.handOver();
  const proc = await runHarnessProcess(
    { binary: bin.path, args, cwd: opts.workDir, env: harnessEnv(home, bin.path, inv.env), ids: user.spawnIds, timeoutMs: opts.timeoutMs, ...(opts.signal ? { signal: opts.signal } : {}), stdoutPath: outputPath },
    scope,
  );
  const parsed = await spec.parse({ ...ctx, outputPath, process: proc });
  return {
    text: parsed.text,
    steps: parsed.steps,
    tokens: parsed.tokens,
    cost: parsed.cost,
    durationMs: Date.now() - started,
    llmDurationMs: parsed.llmDurationMs ?? 0,
    workDir: opts.workDir,
    ...(parsed.skillLoaded !== undefined ? { skillLoaded: parsed.skillLoaded } : {}),
    usageAvailable: parsed.usageAvailable,
    ...processVerdict(spec.name, opts.timeoutMs, proc, parsed),
  };
}

/** The process's verdict beats the output's: a timeout or a failed exit is never `ok`. */
export function processVerdict(harness: string, timeoutMs: number, proc: HarnessProcessResult, parsed: Pick<ParsedCliRun, 'runStatus' | 'statusDetail' | 'error' | 'turnLimitReached'>): Pick<RunResult, 'runStatus' | 'statusDetail' | 'adapterError'> {
  if (proc.timedOut) return { runStatus: 'timeout', statusDetail: `${harness} was stopped after ${timeoutMs} ms (the run's time limit)` };
  if (parsed.turnLimitReached) return { runStatus: 'ok', statusDetail: `${harness} stopped at the turn limit (maxSteps)` };
  const exitCode = proc.exitCode ?? 128 + signalNumber(proc.signal);
  if (exitCode !== 0) {
    const adapterError = diagnoseFailure(harness, exitCode, proc.stderrTail, parsed.error);
    const why = adapterError.diagnosis ? `: ${adapterError.diagnosis.summary}` : '';
    return { runStatus: 'adapter-crashed', statusDetail: `${harness} exited with ${proc.exitCode === null ? `signal ${proc.signal}` : `code ${exitCode}`}${why}`, adapterError };
  }
  const runStatus = parsed.runStatus ?? 'ok';
  if (runStatus === 'ok') return { runStatus, ...(parsed.statusDetail ? { statusDetail: parsed.statusDetail } : {}) };
  return {
    runStatus,
    ...(parsed.statusDetail ? { statusDetail: parsed.statusDetail } : {}),
    ...(parsed.error ? { adapterError: diagnoseFailure(harness, 0, proc.stderrTail, parsed.error) } : {}),
  };
}

/**
 * Config `adapters.<name>.extraCliArgs`: appended to the harness's command line. A command line
 * is readable by every user of the machine (ps, /proc/<pid>/cmdline), so an argument holding a
 * key — the run's route key, any key the engine knows (redact.ts), or the value of a key-named
 * flag (`--api-key …`, `--token=…`) — is refused before anything starts.
 */
/** Flag names that carry a credential besides the secret field names (`--key`, `--token`, `--auth-token`). */
const KEY_FLAG = /(^|-)(key|token)$/i;

function extraCliArgs(harness: string, entry: unknown, routeKey: string | undefined): string[] {
  const extra = typeof entry === 'object' && entry !== null ? (entry as { extraCliArgs?: unknown }).extraCliArgs : undefined;
  const args = Array.isArray(extra) ? extra.filter((a): a is string => typeof a === 'string') : [];
  args.forEach((arg, i) => {
    const flag = /^--?([A-Za-z][\w-]*)(=|$)/.exec(arg);
    const keyFlag = flag !== null && (isSecretFieldName(flag[1]!) || KEY_FLAG.test(flag[1]!));
    if ((routeKey && arg.includes(routeKey)) || containsSecret(arg) || keyFlag) {
      throw new UsageError(
        `Config adapters.${harness}.extraCliArgs[${i}] ${keyFlag ? `passes a key flag (${flag[0].replace(/=$/, '')})` : 'holds an API key'}: a command line is visible to every user of the machine, so keys never go on one.`,
        'Remove it: in managed mode the harness gets the key of the model\'s route through a variable; in native mode it uses its own login.',
      );
    }
  });
  return args;
}

function signalNumber(sig: NodeJS.Signals | null): number {
  return (sig && os.constants.signals[sig]) || 0;
}
