import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import * as http from 'node:http';
import * as https from 'node:https';
import { isIP } from 'node:net';
import type { Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import { SkvmError } from '../util/errors.js';
import { containsSecret } from '../util/redact.js';
import { refusedAddress } from './egress.js';

/**
 * The HTTP client behind the agent's web_fetch: requests leave only for public addresses.
 *
 * - The host is resolved once, inside the connection's own lookup, and every address is checked
 *   (egress.ts); the socket connects to exactly the addresses checked, so a DNS answer that
 *   changes between a check and the connect (rebinding) cannot slip through. IP literals —
 *   including decimal, hex and IPv4-mapped forms, which the URL parser normalises — are
 *   checked before anything is sent.
 * - Redirects are followed by hand (at most 5), each hop checked again; credentials and cookies
 *   are dropped when the origin changes.
 * - `allowLocalHosts` (`host:port`, as URL.host spells it) names local servers a caller runs on
 *   purpose (the profiler's probe servers); only those exact host and port pairs pass.
 * - A configured key (util/redact) in the URL, a header or the body refuses the request.
 */

export interface WebRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
  allowLocalHosts?: readonly string[];
  /** Bytes of the (decoded) body kept; the rest is dropped. */
  maxBytes: number;
}

export interface WebResponse {
  status: number;
  text: string;
  cut: boolean;
  /** The URL the final response came from (after redirects). */
  url: string;
}

/** The request was refused before or while connecting; nothing was sent to the refused host. */
export class EgressRefused extends SkvmError {
  constructor(message: string) {
    super(message, { code: 'egress_refused', hint: 'web_fetch reaches public hosts only; local, private and cloud-metadata addresses are refused.' });
  }
}

const MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const ORIGIN_BOUND_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization']);

/** `host:port` with the scheme's default port filled in, lower-cased: how allowLocalHosts entries compare. */
export function hostAndPort(url: URL): string {
  return `${url.hostname}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`.toLowerCase();
}

export async function guardedRequest(req: WebRequest): Promise<WebResponse> {
  if ([req.url, req.body ?? '', ...Object.keys(req.headers), ...Object.values(req.headers)].some(containsSecret) || containsSecret(safeDecode(req.url))) {
    throw new EgressRefused('the request contains a credential of this server; it was not sent.');
  }
  const allowed = new Set((req.allowLocalHosts ?? []).map((h) => hostAndPort(new URL(`http://${h}`))));
  let url = new URL(req.url);
  let method = req.method;
  let body = req.body;
  let headers = { ...req.headers };
  for (let hop = 0; ; hop++) {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new EgressRefused(`only http:// and https:// URLs can be fetched (got ${url.protocol}).`);
    const local = allowed.has(hostAndPort(url));
    const literal = url.hostname.replace(/^\[|\]$/g, '');
    if (!local && isIP(literal)) {
      const why = refusedAddress(literal);
      if (why) throw new EgressRefused(`refused to fetch ${url.origin}: ${literal} is ${why}.`);
    }
    const res = await send(url, method, headers, body, local, req.signal);
    const location = res.headers.location;
    if (!REDIRECTS.has(res.statusCode ?? 0) || !location) return { ...(await readBody(res, req.maxBytes)), status: res.statusCode ?? 0, url: url.href };
    res.resume();
    if (hop >= MAX_REDIRECTS) throw new EgressRefused(`stopped after ${MAX_REDIRECTS} redirects (last: ${url.href}).`);
    const next = new URL(location, url);
    if (next.origin !== url.origin) headers = Object.fromEntries(Object.entries(headers).filter(([k]) => !ORIGIN_BOUND_HEADERS.has(k.toLowerCase())));
    if (res.statusCode === 303 || ((res.statusCode === 301 || res.statusCode === 302) && method === 'POST')) {
      method = 'GET';
      body = undefined;
    }
    url = next;
  }
}

function send(url: URL, method: string, headers: Record<string, string>, body: string | undefined, local: boolean, signal: AbortSignal): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const mod = url.protocol === 'https:' ? https : http;
    const req = mod.request(url, { method, headers, signal, agent: false, lookup: checkedLookup(local) }, resolve);
    req.on('error', (err: NodeJS.ErrnoException) => reject(err.code === 'EGRESS_REFUSED' ? new EgressRefused(err.message) : err));
    req.end(body);
  });
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** dns.lookup for the socket itself: every answer is checked, and the socket uses exactly those. */
function checkedLookup(local: boolean) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      if (!local) {
        for (const a of addresses) {
          const why = refusedAddress(a.address);
          if (why) return callback(Object.assign(new Error(`refused to fetch ${hostname}: it resolves to ${a.address}, ${why}.`), { code: 'EGRESS_REFUSED' }), []);
        }
      }
      if (options.all) return callback(null, addresses);
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), []);
      callback(null, first.address, first.family);
    });
  };
}

async function readBody(res: http.IncomingMessage, cap: number): Promise<{ text: string; cut: boolean }> {
  const stream = decoded(res);
  const chunks: Buffer[] = [];
  let size = 0;
  let cut = false;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    if (size + chunk.length > cap) {
      chunks.push(chunk.subarray(0, cap - size));
      size = cap;
      cut = true;
      res.destroy();
      break;
    }
    chunks.push(chunk);
    size += chunk.length;
  }
  return { text: Buffer.concat(chunks).toString('utf8'), cut };
}

function decoded(res: http.IncomingMessage): Readable {
  const enc = String(res.headers['content-encoding'] ?? '').trim().toLowerCase();
  const z = enc === 'gzip' || enc === 'x-gzip' ? zlib.createGunzip() : enc === 'deflate' ? zlib.createInflate() : enc === 'br' ? zlib.createBrotliDecompress() : undefined;
  if (!z) return res;
  res.on('error', (e) => z.destroy(e));
  return res.pipe(z);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
