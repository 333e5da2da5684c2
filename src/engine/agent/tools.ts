import type { ToolCall, ToolSpec } from '../llm/types.js';
import { EgressRefused, guardedRequest, listInWorkDir, openForRead, openForWrite, runCommand, SandboxUnavailableError } from '../sandbox/index.js';
import type { SandboxMode } from '../sandbox/types.js';
import { CancelledError, describeError, errorMessage } from '../util/errors.js';
import { redact } from '../util/redact.js';

/**
 * The bare-agent's tool set (spec runtime §2.5). Names and argument shapes are the reference's,
 * so conversation logs and profiles stay comparable; the executors are ours and confined:
 * every path goes through the sandbox's resolveInWorkDir, every command through runCommand
 * (own process group, scrubbed environment, time limit, output cap).
 *
 * Failures the model can act on come back as tool output starting with `Error:`; a
 * cancellation (the run's signal aborting) and a sandbox that cannot run here are thrown, so the
 * loop can end the run.
 */

export const DEFAULT_COMMAND_TIMEOUT_MS = 30_000;
export const WEB_FETCH_TIMEOUT_MS = 30_000;
/** read_file returns at most this many bytes of a file. */
export const READ_FILE_MAX_BYTES = 256 * 1024;
/** Bytes kept per stream of a command's output. */
export const COMMAND_OUTPUT_CAP_BYTES = 256 * 1024;
/** Bytes of a web_fetch response body returned to the model. */
export const WEB_FETCH_MAX_BYTES = 128 * 1024;

const obj = (properties: Record<string, unknown>, required: string[]): Record<string, unknown> => ({
  type: 'object',
  properties,
  required,
  additionalProperties: false,
});

export const READ_FILE_TOOL: ToolSpec = {
  name: 'read_file',
  description: 'Return the text of a file in the working directory. Give the path relative to the working directory.',
  inputSchema: obj({ path: { type: 'string', description: 'File path, relative to the working directory' } }, ['path']),
};

export const WRITE_FILE_TOOL: ToolSpec = {
  name: 'write_file',
  description:
    'Create or replace a file in the working directory with the given text. Missing parent folders are created. Read an existing file before changing it so no content is lost.',
  inputSchema: obj(
    {
      path: { type: 'string', description: 'File path, relative to the working directory' },
      content: { type: 'string', description: 'The complete new text of the file' },
    },
    ['path', 'content'],
  ),
};

export const LIST_DIRECTORY_TOOL: ToolSpec = {
  name: 'list_directory',
  description: 'Show the entries of a folder in the working directory, each marked [dir] or [file].',
  inputSchema: obj({ path: { type: 'string', description: 'Folder path, relative to the working directory', default: '.' } }, []),
};

export const EXECUTE_COMMAND_TOOL: ToolSpec = {
  name: 'execute_command',
  description:
    'Run a shell command (sh -c) with the working directory as its current directory. Returns what it printed on stdout and stderr and its exit code. Long-running commands are stopped after a time limit.',
  inputSchema: obj({ command: { type: 'string', description: 'The command line to run' } }, ['command']),
};

export const WEB_FETCH_TOOL: ToolSpec = {
  name: 'web_fetch',
  description: 'Make an HTTP(S) request and return the status and response body. Only works when the task allows web access.',
  inputSchema: obj(
    {
      url: { type: 'string', description: 'Absolute http:// or https:// URL' },
      method: { type: 'string', description: 'HTTP method', default: 'GET' },
      headers: { type: 'object', description: 'Request headers', additionalProperties: { type: 'string' } },
      body: { type: 'string', description: 'Request body' },
    },
    ['url'],
  ),
};

/** The five tools every bare-agent run offers, in the reference's order of importance. */
export const BARE_AGENT_TOOLS: readonly ToolSpec[] = [READ_FILE_TOOL, WRITE_FILE_TOOL, LIST_DIRECTORY_TOOL, EXECUTE_COMMAND_TOOL, WEB_FETCH_TOOL];

/** Offered only in skill discover mode (so inject/no-skill profiles see exactly the five tools). */
export const LOAD_SKILL_TOOL: ToolSpec = {
  name: 'load_skill',
  description: 'Load one of the skills listed in the system prompt and return its full instructions.',
  inputSchema: obj({ name: { type: 'string', description: 'The skill name, exactly as listed' } }, ['name']),
};

/** What one tool call produced. */
export interface ToolOutcome {
  output: string;
  exitCode?: number;
  /** The output reports a failure (sent to vendors that support it as an error result). */
  isError?: boolean;
}

export interface ToolContext {
  workDir: string;
  /** Whether web_fetch may go out to the network (public addresses only). */
  web: boolean;
  /**
   * Local servers web_fetch may reach although they are on loopback or a private network, as
   * `host:port` (URL.host), e.g. a profiler probe's own server. Nothing else local is reachable.
   */
  allowLocalHosts?: readonly string[];
  sandbox: { mode: SandboxMode; network: boolean };
  /** Default 30000. */
  commandTimeoutMs?: number;
  /** Milliseconds left in the run; a command never gets more than this. */
  remainingMs?: () => number;
}

export type ToolHandler = (args: Record<string, unknown>, signal: AbortSignal) => Promise<ToolOutcome>;

/** Runs one tool call. Throws only CancelledError (when `signal` aborted). */
export type ToolExecutor = (call: ToolCall, signal: AbortSignal) => Promise<ToolOutcome>;

const fail = (message: string): ToolOutcome => ({ output: `Error: ${message}`, isError: true });

/**
 * The executor for the five tools; `extra` adds more handlers by name (e.g. load_skill).
 * Outputs pass `redact`, so a registered API key never reaches the model or the logs.
 */
export function createToolExecutor(ctx: ToolContext, extra: Record<string, ToolHandler> = {}): ToolExecutor {
  const handlers: Record<string, ToolHandler> = {
    read_file: (a) => readFileTool(ctx, a),
    write_file: (a) => writeFileTool(ctx, a),
    list_directory: (a) => listDirectoryTool(ctx, a),
    execute_command: (a, s) => executeCommandTool(ctx, a, s),
    web_fetch: (a, s) => webFetchTool(ctx, a, s),
    ...extra,
  };
  return async (call, signal) => {
    if (signal.aborted) throw new CancelledError(signal.reason);
    const handler = Object.hasOwn(handlers, call.name) ? handlers[call.name] : undefined;
    if (!handler) return { output: `Unknown tool: ${call.name}`, isError: true };
    let outcome: ToolOutcome;
    try {
      outcome = await handler(call.arguments ?? {}, signal);
    } catch (err) {
      if (signal.aborted) throw err instanceof CancelledError ? err : new CancelledError(signal.reason);
      if (err instanceof SandboxUnavailableError) throw err; // no sandbox here: the run fails, the model is not told to retry
      outcome = fail(describeError(err));
    }
    if (signal.aborted) throw new CancelledError(signal.reason);
    return { ...outcome, output: redact(outcome.output) };
  };
}

// ---------------------------------------------------------------------------------------------

function stringArg(args: Record<string, unknown>, name: string, fallback?: string): string {
  const v = args[name];
  if (v === undefined || v === null) {
    if (fallback !== undefined) return fallback;
    throw new Error(`missing required argument "${name}"`);
  }
  if (typeof v !== 'string') throw new Error(`argument "${name}" must be a string`);
  return v;
}

async function readFileTool(ctx: ToolContext, args: Record<string, unknown>): Promise<ToolOutcome> {
  const rel = stringArg(args, 'path');
  let opened;
  try {
    opened = await openForRead(ctx.workDir, rel);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return fail(`File not found: ${rel}`);
    if (code === 'EISDIR') return fail(`${rel} is a directory; use list_directory to see its entries`);
    throw err;
  }
  const { handle, stat } = opened;
  try {
    const want = Math.min(stat.size, READ_FILE_MAX_BYTES);
    const buf = Buffer.alloc(want);
    let got = 0;
    while (got < want) {
      const { bytesRead } = await handle.read(buf, got, want - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    const text = buf.subarray(0, got).toString('utf8');
    if (stat.size <= READ_FILE_MAX_BYTES) return { output: text };
    return {
      output:
        text +
        `\n\n[read_file: output cut — this shows the first ${got} of ${stat.size} bytes; ` +
        `the remaining ${stat.size - got} bytes were left out. Use execute_command (e.g. sed -n, tail, grep) to read other parts.]`,
    };
  } finally {
    await handle.close();
  }
}

async function writeFileTool(ctx: ToolContext, args: Record<string, unknown>): Promise<ToolOutcome> {
  const rel = stringArg(args, 'path');
  const content = stringArg(args, 'content');
  let opened;
  try {
    opened = await openForWrite(ctx.workDir, rel);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EISDIR') return fail(`${rel} is a directory; name a file inside it`);
    throw err;
  }
  try {
    await opened.handle.truncate(0);
    await opened.handle.writeFile(content);
  } finally {
    await opened.handle.close();
  }
  return { output: `File written: ${rel}` };
}

async function listDirectoryTool(ctx: ToolContext, args: Record<string, unknown>): Promise<ToolOutcome> {
  const rel = stringArg(args, 'path', '.');
  let entries;
  try {
    entries = await listInWorkDir(ctx.workDir, rel);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return fail(`Directory not found: ${rel}`);
    if (code === 'ENOTDIR') return fail(`${rel} is a file, not a directory`);
    throw err;
  }
  if (entries.length === 0) return { output: '(empty directory)' };
  const lines = entries
    .map((e) => ({ name: e.name, dir: e.isDirectory() }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((e) => `${e.dir ? '[dir]' : '[file]'} ${e.name}`);
  return { output: lines.join('\n') };
}

const BROAD_KILL = /\b(pkill|killall)\b/;

async function executeCommandTool(ctx: ToolContext, args: Record<string, unknown>, signal: AbortSignal): Promise<ToolOutcome> {
  const command = stringArg(args, 'command');
  if (command.trim() === '') return fail('the command is empty');
  if (BROAD_KILL.test(command)) return fail('pkill and killall are not allowed here; stop a process you started with `kill <pid>`.');
  const configured = ctx.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  const remaining = ctx.remainingMs?.();
  const timeoutMs = Math.max(1, remaining !== undefined ? Math.min(configured, remaining) : configured);
  const res = await runCommand({
    command,
    cwd: ctx.workDir,
    workDir: ctx.workDir,
    timeoutMs,
    outputCapBytes: COMMAND_OUTPUT_CAP_BYTES,
    signal,
    network: ctx.sandbox.network,
    mode: ctx.sandbox.mode,
  });
  if (res.cancelled || signal.aborted) throw new CancelledError(signal.reason);
  const parts: string[] = [];
  if (res.timedOut) parts.push(`Error: command timed out after ${formatSeconds(timeoutMs)}`);
  if (res.stdout) parts.push(`stdout:\n${res.stdout}`);
  if (res.stderr) parts.push(`stderr:\n${res.stderr}`);
  if (res.truncated) parts.push(`(output cut: only the first ${COMMAND_OUTPUT_CAP_BYTES} bytes of each stream are kept)`);
  if (res.exitCode !== null) parts.push(`exit code: ${res.exitCode}`);
  else if (!res.timedOut) parts.push(`killed by signal ${res.signal ?? 'unknown'}`);
  const outcome: ToolOutcome = { output: parts.join('\n') };
  if (res.exitCode !== null) outcome.exitCode = res.exitCode;
  if (res.timedOut || res.exitCode === null) outcome.isError = true;
  return outcome;
}

function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return Number.isInteger(s) ? `${s}s` : `${s.toFixed(1)}s`;
}

async function webFetchTool(ctx: ToolContext, args: Record<string, unknown>, signal: AbortSignal): Promise<ToolOutcome> {
  if (!ctx.web) return fail('web access is turned off for this task, so web_fetch cannot make requests. Work with the files in the working directory.');
  const rawUrl = stringArg(args, 'url');
  const method = stringArg(args, 'method', 'GET').toUpperCase();
  if (!/^[A-Z]+$/.test(method)) return fail(`invalid HTTP method "${method}"`);
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return fail(`not an absolute URL: ${rawUrl}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return fail(`only http:// and https:// URLs can be fetched (got ${url.protocol})`);
  const headers: Record<string, string> = {};
  if (args.headers !== undefined && args.headers !== null) {
    if (typeof args.headers !== 'object' || Array.isArray(args.headers)) return fail('headers must be an object of header names to string values');
    for (const [k, v] of Object.entries(args.headers as Record<string, unknown>)) {
      if (typeof v !== 'string') return fail(`header "${k}" must have a string value`);
      headers[k] = v;
    }
  }
  const body = args.body === undefined || args.body === null ? undefined : stringArg(args, 'body');
  if (body !== undefined && (method === 'GET' || method === 'HEAD')) return fail(`a ${method} request cannot have a body`);
  const timeout = AbortSignal.timeout(WEB_FETCH_TIMEOUT_MS);
  let res;
  try {
    res = await guardedRequest({
      url: url.href,
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
      signal: AbortSignal.any([signal, timeout]),
      allowLocalHosts: ctx.allowLocalHosts ?? [],
      maxBytes: WEB_FETCH_MAX_BYTES,
    });
  } catch (err) {
    if (signal.aborted) throw new CancelledError(signal.reason);
    if (timeout.aborted) return fail(`request timed out after ${WEB_FETCH_TIMEOUT_MS / 1000}s`);
    if (err instanceof EgressRefused) return fail(err.message);
    return fail(`request failed: ${errorMessage(err)}`);
  }
  const note = res.cut ? `\n\n[web_fetch: body cut after the first ${WEB_FETCH_MAX_BYTES} bytes]` : '';
  return { output: `HTTP ${res.status}\n${res.text}${note}`, isError: res.status >= 400 ? true : undefined };
}
