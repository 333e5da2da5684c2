import { describe, expect, it } from 'vitest';
import { formatPipRequirement, normalizePipName, parseNpmSpec, parsePipRequirement } from './requirement.js';

describe('pip requirements', () => {
  it.each([
    ['pandas', 'pandas'],
    ['pandas>=2', 'pandas>=2'],
    [' pandas >= 2 , <3 ', 'pandas>=2,<3'],
    ['requests[socks]==2.31.0', 'requests[socks]==2.31.0'],
    ['numpy~=1.26', 'numpy~=1.26'],
    ['ruamel.yaml', 'ruamel.yaml'],
    ['Django!=4.0.*', 'Django!=4.0.*'],
  ])('%s is kept as %s', (text, canonical) => {
    const r = parsePipRequirement(text);
    expect(r).toBeDefined();
    expect(formatPipRequirement(r!)).toBe(canonical);
  });

  it.each(['', 'pandas; rm -rf /', 'pkg @ https://evil.example/x.whl', 'pandas>=2; python_version<"3.9"', '-r requirements.txt', '../local', 'a b', 'pandas>>2', 'x[$(id)]'])(
    'refuses %j',
    (text) => {
      expect(parsePipRequirement(text)).toBeUndefined();
    },
  );

  it('normalises names as PEP 503 does', () => {
    expect(normalizePipName('PyYAML')).toBe('pyyaml');
    expect(normalizePipName('Foo__Bar.baz')).toBe('foo-bar-baz');
  });
});

describe('npm specs', () => {
  it('accepts names, scoped names and ranges; refuses the rest', () => {
    expect(parseNpmSpec('typescript')).toEqual({ name: 'typescript', range: '' });
    expect(parseNpmSpec('@mermaid-js/mermaid-cli@^10')).toEqual({ name: '@mermaid-js/mermaid-cli', range: '^10' });
    expect(parseNpmSpec('Bad Name')).toBeUndefined();
    expect(parseNpmSpec('x@$(id)')).toBeUndefined();
    expect(parseNpmSpec('git+https://x/y.git')).toBeUndefined();
  });
});
