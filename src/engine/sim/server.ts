import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { errorMessage } from '../util/errors.js';
import { silentLogger, type Logger } from '../util/log.js';
import { runExchange, sendWireError, type ExchangeEnv } from './exchange.js';
import { BodyTooLargeError, readBody, sendJson } from './http.js';
import type { SimPolicy } from './policy.js';
import { estimateInputTokens } from './reply.js';
import { StatsTracker, type SimStats } from './stats.js';
import { anthropicMessagesFrontEnd } from './wire/anthropic-messages/index.js';
import { parseAnthropicMessagesRequest } from './wire/anthropic-messages/parse.js';
import { openAiChatFrontEnd } from './wire/openai-chat/index.js';
import { openAiResponsesFrontEnd } from './wire/openai-responses/index.js';
import { WireRequestError, type WireFrontEnd } from './wire/types.js';

export type { SimStats } from './stats.js';

export interface SimServerOptions {
  policy: SimPolicy;
  /** Default 127.0.0.1: the simulator is a local test double, never a public endpoint. */
  host?: string;
  /** Default 0: an ephemeral port, so parallel tests never collide. */
  port?: number;
  log?: Logger;
}

export interface SimServer {
  /** http://127.0.0.1:<port> */
  url: string;
  port: number;
  /** url + '/v1', what the openai SDK takes as baseURL. */
  openaiBaseUrl: string;
  /** url; the anthropic SDK appends /v1/messages itself. */
  anthropicBaseUrl: string;
  stats(): SimStats;
  resetStats(): void;
  setPolicy(policy: SimPolicy): void;
  /** Ends hanging requests and destroys open sockets, so it never waits on a client. */
  close(): Promise<void>;
}

/** Every response says it came from the simulator, and under which policy. */
export const SIM_HEADER = 'x-skvm-simulator';

const CHAT_ROUTES: Record<string, WireFrontEnd> = {
  '/v1/chat/completions': openAiChatFrontEnd,
  '/v1/messages': anthropicMessagesFrontEnd,
  '/v1/responses': openAiResponsesFrontEnd,
};

/** 404s and body errors answer in the format the caller's SDK expects. */
function frontEndForPath(path: string): WireFrontEnd {
  return path.startsWith('/v1/messages') ? anthropicMessagesFrontEnd : openAiChatFrontEnd;
}

function headerSafe(value: string): string {
  return value.replace(/[^\x20-\x7e]/g, '?') || 'unnamed';
}

export async function startSimServer(opts: SimServerOptions): Promise<SimServer> {
  const log = opts.log ?? silentLogger;
  const stats = new StatsTracker();
  let policy = opts.policy;
  let seq = 0;
  const active = new Set<AbortController>();
  const sockets = new Set<Socket>();

  const env = (): ExchangeEnv => ({
    policy,
    stats,
    nextSeq: () => seq++,
    log,
    track(controller) {
      active.add(controller);
      return () => active.delete(controller);
    },
  });

  async function readJson(front: WireFrontEnd, req: IncomingMessage, res: ServerResponse): Promise<{ ok: true; body: unknown } | { ok: false }> {
    let text: string;
    try {
      text = await readBody(req);
    } catch (err) {
      if (err instanceof BodyTooLargeError) {
        sendWireError(front, res, 413, 'invalid_request', err.message);
        return { ok: false };
      }
      throw err;
    }
    try {
      return { ok: true, body: JSON.parse(text) as unknown };
    } catch {
      sendWireError(front, res, 400, 'invalid_request', 'The request body is not valid JSON.');
      return { ok: false };
    }
  }

  async function route(req: IncomingMessage, res: ServerResponse, receivedAt: number): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const method = req.method ?? 'GET';
    res.setHeader(SIM_HEADER, headerSafe(policy.name));

    const chat = CHAT_ROUTES[path];
    if (chat && method === 'POST') {
      const read = await readJson(chat, req, res);
      if (read.ok) await runExchange(chat, req, res, read.body, env(), receivedAt);
      return;
    }
    if (path === '/v1/messages/count_tokens' && method === 'POST') {
      const read = await readJson(anthropicMessagesFrontEnd, req, res);
      if (!read.ok) return;
      try {
        const { request } = parseAnthropicMessagesRequest(read.body, { requireMaxTokens: false });
        sendJson(res, 200, { input_tokens: estimateInputTokens(request) });
      } catch (err) {
        if (!(err instanceof WireRequestError)) throw err;
        sendWireError(anthropicMessagesFrontEnd, res, 400, 'invalid_request', err.message);
      }
      return;
    }
    if (path === '/v1/models' && method === 'GET') {
      // Both SDKs list models at the same path; the Anthropic one always sends anthropic-version.
      if (req.headers['anthropic-version'] !== undefined) {
        const model = { type: 'model', id: 'sim', display_name: 'skvm simulator', created_at: '1970-01-01T00:00:00Z' };
        sendJson(res, 200, { data: [model], has_more: false, first_id: 'sim', last_id: 'sim' });
      } else {
        sendJson(res, 200, { object: 'list', data: [{ id: 'sim', object: 'model', created: 0, owned_by: 'skvm-simulator' }] });
      }
      return;
    }
    if (path === '/_sim/stats' && method === 'GET') {
      sendJson(res, 200, stats.snapshot());
      return;
    }
    if (path === '/health' && method === 'GET') {
      sendJson(res, 200, { ok: true, simulator: true, policy: policy.name });
      return;
    }
    const front = frontEndForPath(path);
    sendWireError(front, res, 404, 'not_found', `Unknown route: ${method} ${path} (skvm simulator).`);
  }

  const server = createServer((req, res) => {
    const receivedAt = performance.now();
    res.on('error', () => {}); // writes racing a client disconnect are expected, not crashes
    // Path only: a query string could carry a key (some vendors accept ?key=).
    const path = (req.url ?? '/').split('?')[0];
    res.on('finish', () => log.debug(`${req.method} ${path} → ${res.statusCode} in ${Math.round(performance.now() - receivedAt)} ms`));
    route(req, res, receivedAt).catch((err: unknown) => {
      log.error(`simulator route failed: ${errorMessage(err)}`);
      if (res.headersSent) res.destroy();
      else sendWireError(frontEndForPath(req.url ?? ''), res, 500, 'api_error', `skvm simulator internal error: ${errorMessage(err)}`);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_err, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  log.info(`LLM simulator (policy "${policy.name}") listening on ${url}`);

  let closing: Promise<void> | undefined;
  return {
    url,
    port: address.port,
    openaiBaseUrl: `${url}/v1`,
    anthropicBaseUrl: url,
    stats: () => stats.snapshot(),
    resetStats: () => stats.reset(),
    setPolicy(next) {
      policy = next;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const controller of active) controller.abort(new Error('simulator closing'));
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}
