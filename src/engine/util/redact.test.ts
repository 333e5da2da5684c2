import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { containsSecret, redact, redactValue, registerEnvSecrets, registerRouteSecrets, registerSecret } from './redact.js';

const key = (tag: string) => `sk-${tag}-${randomBytes(18).toString('base64url')}`;

describe('redact', () => {
  it('masks a registered key and leaves other text alone', () => {
    const k = key('plain');
    registerSecret(k);
    expect(redact(`Authorization: Bearer ${k}; x`)).toBe('Authorization: Bearer ***; x');
    expect(redact('nothing secret here')).toBe('nothing secret here');
  });

  it.each([0, 1, 2, 3, 4, 5])('masks base64 and base64url of a key at byte offset %i in longer data', (offset) => {
    const k = key('b64');
    registerSecret(k);
    const data = Buffer.concat([randomBytes(offset), Buffer.from(`:${k}\n`)]);
    for (const enc of [data.toString('base64'), data.toString('base64url')]) {
      const out = redact(`payload=${enc}`);
      expect(out).toContain('***');
      // What is left of the encoding cannot be decoded back to the key (or most of it).
      const rest = out.replace('payload=', '').split('***');
      for (const part of rest) expect(part.length).toBeLessThanOrEqual(8);
    }
  });

  it('masks hex (either case) and URL-encoding of a key', () => {
    const k = `${key('hex')}/+=&`;
    registerSecret(k);
    const hex = Buffer.from(k).toString('hex');
    expect(redact(`x ${hex} y`)).toBe('x *** y');
    expect(redact(`x ${hex.toUpperCase()} y`)).toBe('x *** y');
    expect(redact(`?k=${encodeURIComponent(k)}`)).toBe('?k=***');
  });

  it('registers credential-named environment variables, not others', () => {
    const k = key('env');
    const pathLike = `/opt/tools-${randomBytes(6).toString('hex')}/bin`;
    registerEnvSecrets({ ACME_API_KEY: k, PATH: pathLike, GITHUB_TOKEN: 'short' });
    expect(containsSecret(`x${k}x`)).toBe(true);
    expect(containsSecret(pathLike)).toBe(false);
    expect(redact('short')).toBe('short'); // too short to be a key: never masked
  });

  it('registers every route key, literal or from the environment', () => {
    const literal = key('lit');
    const fromEnv = key('route-env');
    registerRouteSecrets([{ apiKey: literal }, { apiKeyEnv: 'SOME_ROUTE_VAR' }, { apiKeyEnv: 'UNSET_VAR' }], { SOME_ROUTE_VAR: fromEnv });
    expect(redact(`${literal} ${fromEnv}`)).toBe('*** ***');
  });

  it('redactValue masks secret-named fields and registered values deep inside', () => {
    const k = key('deep');
    registerSecret(k);
    expect(redactValue({ a: [{ note: `key ${k}` }], apiKey: 'anything', apiKeyEnv: 'NAME' })).toEqual({ a: [{ note: 'key ***' }], apiKey: '***', apiKeyEnv: 'NAME' });
  });
});
