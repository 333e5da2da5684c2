import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { httpFetch } from './http-fetch.js';

/** A self-signed certificate for 127.0.0.1 (test only; valid for 100 years). */
const TEST_CERT = `-----BEGIN CERTIFICATE-----
MIIBnDCCAUGgAwIBAgIUJlZivegmnLAiIpK31FigoWb/4YswCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTIwNjIzMTU0M1oYDzIxMjYxMTEy
MjMxNTQzWjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAARnHoAcuIuLMpQWfjCz1t2fhDm0vAaRKzjvl35FFOqztQGsfaIEZc/8
222mzcFRiA/dsQwS1lRwcWF1umq5ionMo28wbTAdBgNVHQ4EFgQUhwJGjgdlHs7P
TDYgTbxcYe1OLp8wHwYDVR0jBBgwFoAUhwJGjgdlHs7PTDYgTbxcYe1OLp8wDwYD
VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARhwR/AAABgglsb2NhbGhvc3QwCgYIKoZI
zj0EAwIDSQAwRgIhANm2VvSDlX/zC34ry/ELoRwdxbGVYEJWQYnV7XqK1Dv2AiEA
y+lpPrJUVB9vnb72x+suey3eDPzEsK8/uZQOgSaKzNI=
-----END CERTIFICATE-----`;
const TEST_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgv9TPKetiN4CAilRp
Ik9dfgmlg7vs6aRV6PqQVx4ikjehRANCAARnHoAcuIuLMpQWfjCz1t2fhDm0vAaR
Kzjvl35FFOqztQGsfaIEZc/8222mzcFRiA/dsQwS1lRwcWF1umq5ionM
-----END PRIVATE KEY-----`;
/** The built module: a child process with the certificate trusted (NODE_EXTRA_CA_CERTS is read at start-up) fetches through it. */
const BUILT = pathToFileURL(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../dist/src/engine/llm/http-fetch.js')).href;

const servers: Array<Server | ReturnType<typeof createHttpsServer>> = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function serve(handle: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<string> {
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => handle(req, res, body));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('httpFetch', () => {
  it('sends method, headers and body (with its length) and answers with a standard Response', async () => {
    let seen: { method?: string; headers?: IncomingMessage['headers']; body?: string } = {};
    const base = await serve((req, res, body) => {
      seen = { method: req.method!, headers: req.headers, body };
      res.writeHead(201, { 'content-type': 'application/json', 'x-request-id': 'r1' });
      res.end(JSON.stringify({ ok: true, echo: body.length }));
    });
    const body = JSON.stringify({ text: 'héllo' });
    const res = await httpFetch(`${base}/v1/chat`, { method: 'POST', headers: new Headers({ authorization: 'Bearer k', 'content-type': 'application/json' }), body });
    expect(res).toBeInstanceOf(Response);
    expect(res.status).toBe(201);
    expect(res.ok).toBe(true);
    expect(res.headers.get('x-request-id')).toBe('r1');
    expect(await res.json()).toEqual({ ok: true, echo: body.length });
    expect(seen.method).toBe('POST');
    expect(seen.body).toBe(body);
    expect(seen.headers?.authorization).toBe('Bearer k');
    expect(seen.headers?.['content-length']).toBe(String(Buffer.byteLength(body)));
  });

  it('reuses the connection for the next call', async () => {
    const ports = new Set<number>();
    const base = await serve((req, res) => {
      ports.add(req.socket.remotePort!);
      res.end('{}');
    });
    for (let i = 0; i < 3; i++) await (await httpFetch(`${base}/x`, { method: 'POST', body: '{}' })).text();
    expect(ports.size).toBe(1);
  });

  it('hands an event stream on as it arrives', async () => {
    let finish!: () => void;
    const base = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: one\n\n');
      finish = () => res.end('data: two\n\n');
    });
    const res = await httpFetch(`${base}/s`, { method: 'POST', body: '{}' });
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe('data: one\n\n');
    finish();
    let rest = '';
    for (let r = await reader.read(); !r.done; r = await reader.read()) rest += new TextDecoder().decode(r.value);
    expect(rest).toBe('data: two\n\n');
  });

  it('rejects like a network failure when the server cuts the body short', async () => {
    const base = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"partial":');
      setTimeout(() => res.socket?.destroy(), 10);
    });
    await expect(httpFetch(`${base}/x`, { method: 'POST', body: '{}' })).rejects.toThrow(/terminated/);
  });

  it('errors an event stream cut short the same way', async () => {
    const base = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: one\n\n');
      setTimeout(() => res.socket?.destroy(), 10);
    });
    const res = await httpFetch(`${base}/s`, { method: 'POST', body: '{}' });
    await expect(res.text()).rejects.toThrow(/terminated/);
  });

  it('rejects with an AbortError when the signal aborts, before or during the call', async () => {
    const base = await serve(() => undefined); // never answers
    await expect(httpFetch(`${base}/x`, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
    const ctl = new AbortController();
    const p = httpFetch(`${base}/x`, { method: 'POST', body: '{}', signal: ctl.signal });
    setTimeout(() => ctl.abort(), 20);
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('follows a redirect as fetch does (through fetch)', async () => {
    const base = await serve((req, res, body) => {
      if (req.url === '/old') {
        res.writeHead(307, { location: '/new' });
        res.end();
      } else res.end(JSON.stringify({ at: req.url, body }));
    });
    const res = await httpFetch(`${base}/old`, { method: 'POST', body: 'kept' });
    expect(await res.json()).toEqual({ at: '/new', body: 'kept' });
  });

  it('gives a connection failure as fetch does: a rejected promise', async () => {
    const base = await serve(() => undefined);
    servers[0]!.close();
    await new Promise((r) => setTimeout(r, 10));
    await expect(httpFetch(`${base}/x`)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('speaks https, trusting what Node trusts', async () => {
    const server = createHttpsServer({ cert: TEST_CERT, key: TEST_KEY }, (req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ secure: true, method: req.method }));
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
    const dir = mkdtempSync(path.join(tmpdir(), 'skvm-tls-'));
    try {
      writeFileSync(path.join(dir, 'ca.pem'), TEST_CERT);
      const script = `import { httpFetch } from ${JSON.stringify(BUILT)};
        try { const r = await httpFetch(${JSON.stringify(url)}, { method: 'POST', body: '{}' }); console.log(JSON.stringify({ status: r.status, body: await r.json() })); }
        catch (e) { console.log(JSON.stringify({ error: String(e?.code ?? e?.message) })); }`;
      const run = (env: NodeJS.ProcessEnv) =>
        new Promise<unknown>((resolve, reject) =>
          execFile(process.execPath, ['--input-type=module', '-e', script], { env, timeout: 20_000 }, (err, out) => (err ? reject(err) : resolve(JSON.parse(out)))),
        );
      expect(await run({ PATH: process.env.PATH, NODE_EXTRA_CA_CERTS: path.join(dir, 'ca.pem') })).toEqual({ status: 200, body: { secure: true, method: 'POST' } });
      // An untrusted certificate fails the call, as fetch would.
      expect(await run({ PATH: process.env.PATH })).toEqual({ error: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
