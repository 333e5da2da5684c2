import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { McpServer, ResourceNotFoundError, ResourceTemplate } from '@modelcontextprotocol/server';
import { annotationsFor, type AnyOperation } from '../contract/operation.js';
import { exposedInput, exposedOutput, invoke, summarizeEnvelope, verdictOf, type RunEnvelope } from '../contract/invoke.js';
import type { ResourceFamily } from '../contract/resource.js';
import type { Engine } from '../engine/engine.js';
import { describeError, NotFoundError } from '../engine/util/errors.js';
import { redact } from '../engine/util/redact.js';
import { SERVER_INSTRUCTIONS } from './instructions.js';
import { sdkSchema } from './tool-schema.js';

export interface ServerOptions {
  engine: Engine;
  operations: readonly AnyOperation[];
  resources: readonly ResourceFamily[];
}

type ServerContext = Parameters<Parameters<McpServer['registerTool']>[2]>[1];

/**
 * Builds one McpServer per connection from the operation and resource registries. Nothing is
 * registered by hand: every tool is an operation definition, every resource a family.
 */
export function createServer(opts: ServerOptions): McpServer {
  const server = new McpServer(
    { name: 'skvm-mcp', title: 'SkVM', version: packageVersion(opts.engine.roots.installRoot.value) },
    { instructions: SERVER_INSTRUCTIONS },
  );
  for (const op of opts.operations) registerOperation(server, opts.engine, op, opts.operations);
  for (const family of opts.resources) registerFamily(server, opts.engine, family);
  return server;
}

function registerOperation(server: McpServer, engine: Engine, op: AnyOperation, operations: readonly AnyOperation[]): void {
  server.registerTool(
    op.name,
    {
      title: op.title,
      description: op.description,
      inputSchema: sdkSchema(exposedInput(op)),
      outputSchema: sdkSchema(exposedOutput(op)),
      annotations: annotationsFor(op),
    },
    async (args: Record<string, unknown>, ctx: ServerContext) => {
      try {
        const output = await invoke(op, engine, args, { signal: ctx.mcpReq.signal, onProgress: progressSender(ctx) });
        // Writes (imports, new runs, config) may add resources; tell hosts that cache the list.
        if (op.effect !== 'read' && server.isConnected()) server.sendResourceListChanged();
        const structuredContent = output as Record<string, unknown>;
        const verdict = verdictOf(op, output, operations);
        if (verdict.kind === 'failed') {
          // Still with its structured content, so a host can read the run id and the details.
          const text = verdict.hint ? `${verdict.message}\nHint: ${verdict.hint}` : verdict.message;
          return { isError: true, content: [{ type: 'text' as const, text: redact(text) }], structuredContent };
        }
        const text = op.mode === 'run' ? summarizeEnvelope(op, output as RunEnvelope) : op.summarize(output);
        return { content: [{ type: 'text' as const, text: redact(text) }], structuredContent };
      } catch (err) {
        engine.log.debug(`${op.name} failed: ${describeError(err)}`);
        return { isError: true, content: [{ type: 'text' as const, text: redact(describeError(err)) }] };
      }
    },
  );
}

/**
 * Forwards progress to the client when the request carried a progress token. MCP requires
 * each notification's progress to increase, so a message-only change nudges it by a hair.
 */
export function progressSender(ctx: ServerContext) {
  const token = ctx.mcpReq._meta?.progressToken;
  if (token === undefined) return undefined;
  let last = -1;
  let lastMessage: string | undefined;
  return (done: number, total: number | undefined, message: string | undefined) => {
    let progress = done;
    if (progress <= last) {
      if (message === undefined || message === lastMessage) return;
      progress = Math.round((last + 0.001) * 1000) / 1000;
    }
    last = progress;
    lastMessage = message;
    void ctx.mcpReq
      .notify({
        method: 'notifications/progress',
        params: { progressToken: token, progress, ...(total !== undefined ? { total } : {}), ...(message ? { message: redact(message) } : {}) },
      })
      .catch(() => {});
  };
}

function registerFamily(server: McpServer, engine: Engine, family: ResourceFamily): void {
  const meta = { title: family.title, description: family.description, mimeType: family.mimeType };
  const read = async (uri: URL, vars: Record<string, string>) => {
    try {
      return { contents: [await family.read(engine, uri, vars)] };
    } catch (err) {
      if (err instanceof NotFoundError) throw new ResourceNotFoundError(uri.href, describeError(err));
      throw err;
    }
  };
  if (!family.uri.includes('{')) {
    server.registerResource(family.name, family.uri, meta, (uri) => read(uri, {}));
    return;
  }
  const complete: Record<string, (value: string, context?: { arguments?: Record<string, string> }) => Promise<string[]>> = {};
  for (const [name, fn] of Object.entries(family.complete ?? {})) {
    complete[name] = (value, context) => fn(engine, value, context?.arguments ?? {});
  }
  const list = family.list;
  const template = new ResourceTemplate(family.uri, {
    list: list ? async () => ({ resources: await list(engine) }) : undefined,
    complete,
  });
  server.registerResource(family.name, template, meta, (uri, variables) => read(uri, decodeVariables(variables)));
}

/** Template variables arrive percent-encoded (`openrouter%2Fqwen`); families get plain strings. */
function decodeVariables(vars: Record<string, string | string[]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(vars)) {
    const s = Array.isArray(v) ? v.join(',') : v;
    try {
      out[k] = decodeURIComponent(s);
    } catch {
      out[k] = s;
    }
  }
  return out;
}

let cachedVersion: string | undefined;
function packageVersion(installRoot: string): string {
  if (cachedVersion) return cachedVersion;
  try {
    cachedVersion = (JSON.parse(readFileSync(path.join(installRoot, 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    cachedVersion = '0.0.0';
  }
  return cachedVersion;
}
