import * as http from 'node:http';
import * as https from 'node:https';

/**
 * The `fetch` the vendor SDKs are given: requests over node:http(s) with keep-alive agents,
 * answered with a standard `Response`.
 *
 * Why not Node's own fetch (undici): its request machinery (request objects, header guards, web
 * streams) costs the event loop more per call than node:http, and a profile makes hundreds of
 * calls while other probes wait for the same thread (a profile at concurrency 8: ~16% less CPU;
 * ~1.2 ms from a reply's headers to the next request). Anything not handled the standard way
 * here — a body that is not a string or bytes, a protocol other than http(s), a redirect — goes
 * to the global fetch, so the SDKs see fetch's behaviour in every case.
 *
 * A JSON (or any non-event-stream) reply is read whole before the `Response` is made: the SDKs
 * read it whole anyway, and a connection lost mid-body then rejects the fetch like any other
 * network failure. An event stream is handed on as it arrives.
 */

const agents = {
  'http:': new http.Agent({ keepAlive: true }),
  'https:': new https.Agent({ keepAlive: true }),
} as const;

const REDIRECT = new Set([301, 302, 303, 307, 308]);

export async function httpFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
  const url = typeof input === 'string' ? new URL(input) : input instanceof URL ? input : undefined;
  const body = init.body;
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || !(body == null || typeof body === 'string' || body instanceof Uint8Array)) {
    return fetch(input, init);
  }
  const signal = init.signal ?? undefined;
  signal?.throwIfAborted();
  const headers: Record<string, string> = {};
  new Headers(init.headers).forEach((value, name) => {
    headers[name] = value;
  });
  if (body != null) headers['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength);

  const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
    const request = (url.protocol === 'https:' ? https : http).request(url, { method: init.method ?? 'GET', headers, agent: agents[url.protocol as 'http:'], ...(signal ? { signal } : {}) }, resolve);
    request.on('error', reject);
    request.end(body ?? undefined);
  });
  const status = res.statusCode ?? 0;
  if (REDIRECT.has(status) && res.headers.location && init.redirect !== 'manual') {
    res.resume();
    return fetch(input, init);
  }
  const responseHeaders = new Headers();
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) responseHeaders.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
  const responseInit = { status, statusText: res.statusMessage ?? '', headers: responseHeaders };
  // Statuses whose Response may carry no body.
  if (status === 204 || status === 205 || status === 304 || init.method === 'HEAD') {
    res.resume();
    return new Response(null, responseInit);
  }
  if (/^text\/event-stream/i.test(res.headers['content-type'] ?? '')) {
    return new Response(streamBody(res, signal), responseInit);
  }
  return new Response(await readAll(res, signal), responseInit);
}

/** The whole body. */
function readAll(res: http.IncomingMessage, signal: AbortSignal | undefined): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    followBody(res, signal, { data: (c) => chunks.push(c), end: () => resolve(Buffer.concat(chunks)), fail: reject });
  });
}

/** The body as it arrives, read only as fast as the reader takes it. */
function streamBody(res: http.IncomingMessage, signal: AbortSignal | undefined): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      followBody(res, signal, {
        data: (c) => {
          controller.enqueue(new Uint8Array(c.buffer, c.byteOffset, c.byteLength));
          if ((controller.desiredSize ?? 1) <= 0) res.pause();
        },
        end: () => controller.close(),
        fail: (err) => controller.error(err),
      });
    },
    pull: () => void res.resume(),
    cancel: () => void res.destroy(),
  });
}

/**
 * A body's chunks, then its end or one failure. A connection that ends before the body does
 * fails as fetch's network errors do ("terminated"), or after an abort with the AbortError the
 * SDKs look for.
 */
function followBody(res: http.IncomingMessage, signal: AbortSignal | undefined, on: { data(c: Buffer): void; end(): void; fail(err: Error): void }): void {
  let settled = false;
  const settle = (err?: Error) => {
    if (settled) return;
    settled = true;
    if (!err) on.end();
    else on.fail(signal?.aborted ? new DOMException('This operation was aborted', 'AbortError') : new TypeError(`terminated: the connection closed before the response body ended (${err.message})`, { cause: err }));
  };
  const cut = new Error('the server closed the connection');
  res.on('data', on.data);
  res.on('end', () => settle(res.complete ? undefined : cut));
  res.on('error', (err) => settle(err));
  // A complete body still ends with 'end' (perhaps later, when a paused reader resumes).
  res.on('close', () => {
    if (!res.complete) settle(cut);
  });
}
