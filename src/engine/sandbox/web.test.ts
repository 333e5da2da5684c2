import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerSecret } from '../util/redact.js';
import { refusedAddress } from './egress.js';
import { EgressRefused, guardedRequest, hostAndPort } from './web.js';

describe('refusedAddress', () => {
  it.each([
    ['127.0.0.1', /loopback/],
    ['127.255.1.2', /loopback/],
    ['10.1.2.3', /private/],
    ['172.20.0.1', /private/],
    ['192.168.1.1', /private/],
    ['169.254.169.254', /link-local.*metadata/],
    ['100.64.0.1', /CGNAT/],
    ['100.100.100.200', /metadata/],
    ['0.0.0.0', /this network/],
    ['224.0.0.1', /multicast/],
    ['255.255.255.255', /broadcast/],
    ['::1', /loopback/],
    ['::', /unspecified/],
    ['[::1]', /loopback/],
    ['::ffff:127.0.0.1', /loopback/],
    ['::ffff:7f00:1', /loopback/],
    ['::ffff:a9fe:a9fe', /link-local/],
    ['::127.0.0.1', /loopback/],
    ['64:ff9b::a9fe:a9fe', /link-local/],
    ['2002:7f00:1::', /loopback/],
    ['2002:c0a8:101::1', /private/],
    ['fc00::1', /unique-local/],
    ['fd00:ec2::254', /unique-local/],
    ['fe80::1%eth0', /link-local/],
    ['ff02::1', /multicast/],
    ['2001::1', /Teredo/],
    ['2001:db8::1', /documentation/],
    ['localhost', /not an IP/],
  ])('%s is refused', (ip, why) => {
    expect(refusedAddress(ip)).toMatch(why);
  });

  it.each(['1.1.1.1', '8.8.8.8', '93.184.216.34', '2606:4700:4700::1111', '2a00:1450:4001:81b::200e', '::ffff:1.1.1.1', '2002:0101:0101::1'])('%s is allowed', (ip) => {
    expect(refusedAddress(ip)).toBeUndefined();
  });
});

describe('guardedRequest', () => {
  let target: Server;
  let redirector: Server;
  let hits: string[];
  let targetHost: string;
  let redirectHost: string;
  const KEY = `sk-web-${randomBytes(16).toString('hex')}`;

  beforeAll(async () => {
    registerSecret(KEY);
    hits = [];
    target = createServer((req, res) => {
      hits.push(`${req.method} ${req.url} auth=${req.headers.authorization ?? ''}`);
      res.end('target reached');
    });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    targetHost = `127.0.0.1:${(target.address() as AddressInfo).port}`;
    redirector = createServer((req, res) => {
      const to = req.url === '/meta' ? 'http://169.254.169.254/latest/meta-data/' : req.url === '/hex' ? `http://0x7f.1:${targetHost.split(':')[1]}/` : `http://${targetHost}/secret`;
      res.writeHead(302, { location: to });
      res.end();
    });
    await new Promise<void>((r) => redirector.listen(0, '127.0.0.1', r));
    redirectHost = `127.0.0.1:${(redirector.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((r) => target.close(() => r()));
    await new Promise<void>((r) => redirector.close(() => r()));
  });

  const get = (url: string, extra: { allow?: string[]; headers?: Record<string, string>; body?: string; method?: string } = {}) =>
    guardedRequest({
      url,
      method: extra.method ?? 'GET',
      headers: extra.headers ?? {},
      ...(extra.body ? { body: extra.body } : {}),
      signal: AbortSignal.timeout(5000),
      allowLocalHosts: extra.allow ?? [],
      maxBytes: 1000,
    });

  it.each([
    () => `http://${targetHost}/`,
    () => `http://localhost:${targetHost.split(':')[1]}/`,
    () => `http://2130706433:${targetHost.split(':')[1]}/`,
    () => `http://0x7f000001:${targetHost.split(':')[1]}/`,
    () => `http://0177.0.0.1:${targetHost.split(':')[1]}/`,
    () => `http://[::ffff:127.0.0.1]:${targetHost.split(':')[1]}/`,
    () => `http://[::1]:${targetHost.split(':')[1]}/`,
    () => 'http://169.254.169.254/latest/meta-data/',
    () => 'http://10.0.0.1/',
  ])('refuses a local or private target before sending anything (%#)', async (url) => {
    hits = [];
    await expect(get(url())).rejects.toBeInstanceOf(EgressRefused);
    expect(hits).toEqual([]);
  });

  it('reaches exactly the local host:port it is allowed', async () => {
    hits = [];
    const r = await get(`http://${targetHost}/ok`, { allow: [targetHost] });
    expect(r).toMatchObject({ status: 200, text: 'target reached' });
    await expect(get(`http://localhost:${targetHost.split(':')[1]}/`, { allow: [targetHost] })).rejects.toBeInstanceOf(EgressRefused);
    expect(hostAndPort(new URL('https://Example.com/x'))).toBe('example.com:443');
  });

  it('re-checks every redirect: an allowed host cannot bounce the request to another local one', async () => {
    hits = [];
    for (const p of ['/', '/meta', '/hex']) await expect(get(`http://${redirectHost}${p}`, { allow: [redirectHost] })).rejects.toThrow(/refused to fetch/);
    expect(hits).toEqual([]);
    // Allowed at both ends, the redirect is followed; the credential header does not cross origins.
    const r = await get(`http://${redirectHost}/`, { allow: [redirectHost, targetHost], headers: { authorization: 'Bearer their-own-token' } });
    expect(r.text).toBe('target reached');
    expect(hits).toEqual(['GET /secret auth=']);
  });

  it('never sends a configured key, in the URL (also encoded), a header or the body', async () => {
    hits = [];
    const b64 = Buffer.from(`user:${KEY}`).toString('base64');
    await expect(get(`http://${targetHost}/?k=${KEY}`, { allow: [targetHost] })).rejects.toThrow(/credential/);
    await expect(get(`http://${targetHost}/?k=${encodeURIComponent(b64)}`, { allow: [targetHost] })).rejects.toThrow(/credential/);
    await expect(get(`http://${targetHost}/`, { allow: [targetHost], headers: { authorization: `Basic ${b64}` } })).rejects.toThrow(/credential/);
    await expect(get(`http://${targetHost}/`, { allow: [targetHost], method: 'POST', body: Buffer.from(KEY).toString('hex') })).rejects.toThrow(/credential/);
    expect(hits).toEqual([]);
  });
});
