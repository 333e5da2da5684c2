import { completable, McpServer, ResourceNotFoundError, ResourceTemplate, type StandardSchemaV1 } from '@modelcontextprotocol/server';
import { exposedInput, exposedOutput, invoke, summarizeEnvelope, verdictOf, type RunEnvelope } from '../contract/invoke.js';
import type { ResourceFamily } from '../contract/resource.js';
import { packageVersion } from '../engine/config/paths.js';
import type { Engine } from '../engine/engine.js';
import { onProposalChange } from '../engine/proposals/events.js';
import { describeError, NotFoundError } from '../engine/util/errors.js';
import { redact } from '../engine/util/redact.js';
import type { Catalog, FamilyListing, PromptListing, ToolListing } from './catalog.js';
import { SERVER_INSTRUCTIONS } from './instructions.js';
import { sdkSchema } from './tool-schema.js';

export interface ServerOptions {
  /** The engine, created on first use (a call, a resource read). */
  engine: () => Promise<Engine>;
  catalog: Catalog;
}

type ServerContext = Parameters<Parameters<McpServer['registerTool']>[2]>[1];

/**
 * Builds one McpServer per connection from a catalog. Nothing is registered by hand: every tool
 * is an operation definition, every resource a family, every prompt a prompt definition. Listing needs only the catalog's data;
 * the operation, its zod schemas and the engine are loaded when a call first needs them.
 */
export function createServer(opts: ServerOptions): McpServer {
  const server = new McpServer({ name: 'skvm-mcp', title: 'SkVM', version: packageVersion() }, { instructions: SERVER_INSTRUCTIONS });
  for (const tool of opts.catalog.listing.tools) registerTool(server, opts, tool);
  for (const family of opts.catalog.listing.resources) registerFamily(server, opts, family);
  for (const prompt of opts.catalog.listing.prompts) registerPrompt(server, opts, prompt);
  forwardProposalChanges(server);
  return server;
}

/**
 * Proposals appear and change while a run works (jit_optimize), not only when a tool returns:
 * the store's change events become `notifications/resources/list_changed`, coalesced so a burst
 * of writes sends one.
 */
function forwardProposalChanges(server: McpServer): void {
  let pending = false;
  const stop = onProposalChange(() => {
    if (pending) return;
    pending = true;
    setTimeout(() => {
      pending = false;
      if (server.isConnected()) server.sendResourceListChanged();
    }, 50).unref();
  });
  const previous = server.server.onclose;
  server.server.onclose = () => {
    stop();
    previous?.();
  };
}

function registerTool(server: McpServer, { engine, catalog }: ServerOptions, tool: ToolListing): void {
  const operation = async () => {
    const { operations } = await catalog.load();
    const op = operations.find((o) => o.name === tool.name);
    if (!op) throw new Error(`tool ${tool.name} is listed but not registered; rebuild (npm run build)`);
    return { op, operations };
  };
  server.registerTool(
    tool.name,
    {
      title: tool.title,
      description: tool.description,
      inputSchema: sdkSchema(tool.inputSchema, async () => exposedInput((await operation()).op)),
      outputSchema: sdkSchema(tool.outputSchema, async () => exposedOutput((await operation()).op)),
      annotations: tool.annotations,
    },
    async (args: Record<string, unknown>, ctx: ServerContext) => {
      try {
        const [{ op, operations }, eng] = await Promise.all([operation(), engine()]);
        const output = await invoke(op, eng, args, { signal: ctx.mcpReq.signal, onProgress: progressSender(ctx) });
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
        void engine().then((e) => e.log.debug(`${tool.name} failed: ${describeError(err)}`), () => {});
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

function registerFamily(server: McpServer, { engine, catalog }: ServerOptions, listing: FamilyListing): void {
  const family = async (): Promise<ResourceFamily> => {
    const found = (await catalog.load()).resources.find((f) => f.name === listing.name);
    if (!found) throw new Error(`resource family ${listing.name} is listed but not registered; rebuild (npm run build)`);
    return found;
  };
  const meta = { title: listing.title, description: listing.description, mimeType: listing.mimeType };
  const read = async (uri: URL, vars: Record<string, string>) => {
    try {
      const [f, eng] = await Promise.all([family(), engine()]);
      return { contents: [await f.read(eng, uri, vars)] };
    } catch (err) {
      if (err instanceof NotFoundError) throw new ResourceNotFoundError(uri.href, describeError(err));
      throw err;
    }
  };
  if (!listing.uri.includes('{')) {
    server.registerResource(listing.name, listing.uri, meta, (uri) => read(uri, {}));
    return;
  }
  const complete: Record<string, (value: string, context?: { arguments?: Record<string, string> }) => Promise<string[]>> = {};
  for (const name of listing.completes) {
    complete[name] = async (value, context) => {
      const [f, eng] = await Promise.all([family(), engine()]);
      return f.complete![name]!(eng, value, context?.arguments ?? {});
    };
  }
  const template = new ResourceTemplate(listing.uri, {
    list: listing.listable
      ? async () => {
          const [f, eng] = await Promise.all([family(), engine()]);
          return { resources: await f.list!(eng) };
        }
      : undefined,
    complete,
  });
  server.registerResource(listing.name, template, meta, (uri, variables) => read(uri, decodeVariables(variables)));
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

/** Carries an argument's completer: the SDK finds completers on `argsSchema.shape`; validation is the whole schema's. */
const COMPLETION_CARRIER: StandardSchemaV1 = { '~standard': { version: 1, vendor: 'skvm', validate: (value) => ({ value }) } };

/**
 * A prompt lists from the catalog; its definition loads on first get or completion. Bad
 * arguments are refused by the SDK (InvalidParams, naming the prompt and the argument).
 */
function registerPrompt(server: McpServer, { engine, catalog }: ServerOptions, listing: PromptListing): void {
  const definition = async () => {
    const found = (await catalog.load()).prompts.find((p) => p.name === listing.name);
    if (!found) throw new Error(`prompt ${listing.name} is listed but not registered; rebuild (npm run build)`);
    return found;
  };
  const shape: Record<string, StandardSchemaV1> = {};
  for (const name of listing.completes) {
    shape[name] = completable({ ...COMPLETION_CARRIER }, async (value: unknown, context?: { arguments?: Record<string, string> }) => {
      const [p, eng] = await Promise.all([definition(), engine()]);
      return p.complete![name]!(eng, String(value ?? ''), context?.arguments ?? {});
    });
  }
  const argsSchema = Object.assign(
    sdkSchema(listing.argsSchema, async () => (await definition()).args),
    { shape },
  );
  server.registerPrompt(listing.name, { title: listing.title, description: listing.description, argsSchema }, async (args: Record<string, unknown>) => {
    const text = (await definition()).render(args);
    return { messages: [{ role: 'user' as const, content: { type: 'text' as const, text } }] };
  });
}
