import { UsageError } from '../../engine/util/errors.js';
import type { CliIo } from '../io.js';
import type { CliCommand } from './command.js';

/**
 * `skvm sim serve`: the LLM vendor simulator as a standalone server, so a person (or another
 * tool) can point a route at it. It is a test double and says so wherever it is shown.
 */

export const SIM_BANNER = 'SkVM simulator — not a real model';

const HELP = `skvm sim serve — Serve the LLM simulator (${SIM_BANNER})

Starts an HTTP server that speaks the OpenAI chat-completions and Responses APIs and the
Anthropic messages API, and answers from a policy instead of a model, so routes, the agent loop and the profiler
can be exercised without a real LLM. Prints the URLs and a providers.routes snippet for
skvm.config.json on stdout, then serves until Ctrl-C (SIGINT) or SIGTERM.

Usage: skvm sim serve [--port=N] [--host=127.0.0.1] [--policy=FILE]

Flags:
  --port=<integer>    Port to listen on, 0–65535. Default: 0 (any free port).
  --host=<string>     Interface to bind. Default: 127.0.0.1 (local only).
  --policy=<file>     JSON policy file (below). Default: echo.

Policies — a file is {"policy": "<type>", …the type's fields…, "latency"?: …, "faults"?: …}:
  echo          Replies "sim: <last user message>" ("ok" when max_tokens ≤ 4).
  scripted      {"replies": [reply, …], "whenExhausted"?: "error" | "repeat-last" | reply}:
                each request gets the next reply.
  conversation  {"scripts": [{"name", "match": {"prompt"?, "system"?}, "steps": [reply, …]}],
                "fallback"?: reply}: the first script whose regexes match the first user message
                and the system prompt answers step k to a request holding k assistant messages
                (stateless, so concurrent agents each follow their own script).
                skvm-data/sim/tasks.json plays an agent through the bundled tasks;
                compiler.json and planted-target.json play the compiler model and
                the planted target in \`skvm demo\`.
  planted       {"levels": {"<primitive>": "L0".."L3"}, "registryDir": DIR}: a model of known
                ability for the profiler — each registered probe gets its reference solution
                when the probe's level is within the planted level, else a near miss;
                through a CLI harness (Claude Code, Codex, pi, opencode) the solution's
                calls go through the tools the harness offers.
  harness-task  {"skill"?, "projectDir"?, "file"?: {"path", "content"}, "failingCommand"?,
                "succeedingCommand"?, "answer"?}: drives a real harness CLI (Claude Code,
                Codex, pi…) with the tools it offers: load the skill, write the file, run a
                failing then a succeeding command, answer (test/fixtures/transcripts/).
  jit-boost     {"phase1Candidates"?: false}: a word-count target that repeats \`wc -w\` commands,
                and the jit-boost candidate generation calls and agents (false sends generation
                to the doc-based fallback).
  jit-optimize  {"optimizerModel", "edits": [{"find", "replace", "rootCause"}], "marker",
                "output": {"path", "pass", "fail"}, "generatedTasks"?: [task.json, …]}: the
                optimizer model reads .optimize/PER_TASK_SUMMARY.md and SKILL.md and applies the
                first edit whose text it finds while a task is weak (writes tasks when asked
                for ./tasks-out/); any other model is a target that writes "pass" into
                output.path when its skill text holds the marker, else "fail".
A reply is {"text"?, "toolCalls"?: [{"name", "arguments"}], "stopReason"?, "usage"?, "costUsd"?} or
{"fault": {"type": "rate_limit" | "server_error" | "auth" | "bad_request" | "malformed" |
"hang" | "disconnect", …}}. "latency" is {"fixedMs"}, {"minMs", "maxMs"} or
{"meanMs", "jitterMs"}; "faults" injects errors at random: {"rateLimit", "serverError",
"malformed", "hang", "disconnect"} probabilities (summing to at most 1), "retryAfterSeconds",
"maxConsecutive", "seed".

With --json, stdout is one JSON object: url, openaiBaseUrl, anthropicBaseUrl, policy, routes.

Endpoints: POST /v1/chat/completions, POST /v1/messages, GET /v1/models, GET /health,
GET /_sim/stats.

Examples:
  skvm sim serve
  skvm sim serve --policy=skvm-data/sim/tasks.json`;

export interface SimRoutes {
  providers: { routes: Array<{ match: string; kind: 'openai-compatible' | 'anthropic'; baseUrl: string; apiKey: string }> };
}

/** The config snippet that points `sim/*` (OpenAI wire) and `sim-anthropic/*` (Anthropic wire) at the simulator. */
export function simRoutes(openaiBaseUrl: string, anthropicBaseUrl: string): SimRoutes {
  return {
    providers: {
      routes: [
        { match: 'sim/*', kind: 'openai-compatible', baseUrl: openaiBaseUrl, apiKey: '' },
        { match: 'sim-anthropic/*', kind: 'anthropic', baseUrl: anthropicBaseUrl, apiKey: '' },
      ],
    },
  };
}

async function run(args: readonly string[], io: CliIo): Promise<number> {
  const [{ z }, { parseFlagsOrThrow }, sim] = await Promise.all([import('zod'), import('../flags.js'), import('../../engine/sim/index.js')]);
  const schema = z.object({
    port: z.number().int().min(0).max(65535).optional().describe('Port to listen on; 0 = any free port.'),
    host: z.string().min(1).default('127.0.0.1').describe('Interface to bind.'),
    policy: z.string().min(1).optional().describe('JSON policy file.'),
  });
  const { value } = parseFlagsOrThrow(args, schema, 'sim serve');
  const flags = schema.parse(value);

  let policy;
  if (flags.policy) {
    try {
      policy = await sim.loadPolicyFile(flags.policy);
    } catch (err) {
      if (err instanceof UsageError) throw err;
      throw new UsageError(err instanceof Error ? err.message : String(err));
    }
  } else {
    policy = sim.echoPolicy();
  }

  let server: Awaited<ReturnType<typeof sim.startSimServer>>;
  try {
    server = await sim.startSimServer({ policy, host: flags.host, ...(flags.port !== undefined ? { port: flags.port } : {}) });
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'EADDRINUSE') throw new UsageError(`Port ${flags.port} is already in use.`, 'Pass another --port, or --port=0 for any free port.');
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new UsageError(`Cannot bind to host ${flags.host}.`, 'Use --host=127.0.0.1.');
    throw err;
  }

  const routes = simRoutes(server.openaiBaseUrl, server.anthropicBaseUrl);
  io.stderr.write(`=== ${SIM_BANNER} ===\nPolicy "${policy.name}". Replies are scripted by the policy; no model is called.\n`);
  if (io.json) {
    io.stdout.write(
      `${JSON.stringify({ simulator: true, url: server.url, openaiBaseUrl: server.openaiBaseUrl, anthropicBaseUrl: server.anthropicBaseUrl, policy: policy.name, routes: routes.providers.routes })}\n`,
    );
  } else {
    io.stdout.write(
      [
        `SkVM simulator (not a real model), policy "${policy.name}"`,
        `URL:                ${server.url}`,
        `OpenAI base URL:    ${server.openaiBaseUrl}`,
        `Anthropic base URL: ${server.anthropicBaseUrl}`,
        '',
        'providers.routes for skvm.config.json (models sim/<any> and sim-anthropic/<any>):',
        JSON.stringify(routes, null, 2),
        '',
      ].join('\n'),
    );
  }
  // Listen before saying so: a signal sent on reading "Serving" must find the handler in place.
  const stopped = io.untilSignal();
  io.stderr.write('Serving; press Ctrl-C to stop.\n');

  const signal = await stopped;
  await server.close();
  const s = server.stats();
  io.stderr.write(`Simulator stopped (${signal}) after ${s.requests} request${s.requests === 1 ? '' : 's'}.\n`);
  return 0;
}

export const simServeCommand: CliCommand = {
  words: ['sim', 'serve'],
  summary: 'Serve the LLM simulator (not a real model) for routes to point at',
  help: HELP,
  run,
};
