import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { splitArgv } from './argv.js';
import { coerceFlag, parseFlags, parseFlagsOrThrow } from './flags.js';
import { toKebab } from './schema.js';
import { UsageError } from '../engine/util/errors.js';

const schema = z.strictObject({
  name: z.string().min(1).describe('Who'),
  count: z.number().int().min(1).max(10).default(3),
  ratio: z.number().optional(),
  verbose: z.boolean().default(false),
  dryRun: z.boolean().optional(),
  mode: z.enum(['fast', 'slow']).default('fast'),
  tags: z.array(z.string()).optional(),
  levels: z.array(z.number().int()).optional(),
  options: z.object({ depth: z.number(), label: z.string().optional() }).optional(),
  tasks: z.array(z.object({ id: z.string() })).optional(),
  maxTokens: z.number().int().optional(),
  note: z.string().nullable().optional(),
  level: z.union([z.literal('auto'), z.number().int()]).optional(),
});

function ok(tokens: string[]) {
  const r = parseFlags(tokens, schema);
  if (!r.ok) throw new Error(`expected success, got: ${r.errors.join(' | ')}`);
  return r;
}

function fail(tokens: string[]): string[] {
  const r = parseFlags(tokens, schema);
  if (r.ok) throw new Error(`expected failure, got ${JSON.stringify(r.value)}`);
  return r.errors;
}

describe('parseFlags', () => {
  it('applies defaults and coerces the basic types', () => {
    const r = ok(['--name=ada', '--count=7', '--ratio=0.25']);
    expect(r.value).toEqual({ name: 'ada', count: 7, ratio: 0.25, verbose: false, mode: 'fast' });
    expect([...r.provided].sort()).toEqual(['count', 'name', 'ratio']);
  });

  it('accepts --key value when the next token does not start with --', () => {
    expect(ok(['--name', 'ada', '--count', '4', '--ratio', '-1.5']).value).toMatchObject({ name: 'ada', count: 4, ratio: -1.5 });
  });

  it('maps kebab-case, camelCase and snake_case keys to the schema field', () => {
    expect(ok(['--name=a', '--max-tokens=5']).value.maxTokens).toBe(5);
    expect(ok(['--name=a', '--maxTokens=6']).value.maxTokens).toBe(6);
    expect(ok(['--name=a', '--max_tokens=7']).value.maxTokens).toBe(7);
    expect(ok(['--name=a', '--dry-run']).value.dryRun).toBe(true);
  });

  it('treats --flag as true, --no-flag as false, and accepts explicit booleans', () => {
    expect(ok(['--name=a', '--verbose']).value.verbose).toBe(true);
    expect(ok(['--name=a', '--no-verbose']).value.verbose).toBe(false);
    expect(ok(['--name=a', '--verbose=false']).value.verbose).toBe(false);
    expect(ok(['--name=a', '--verbose', 'false']).value.verbose).toBe(false);
    expect(ok(['--name=a', '--no-dry-run']).value.dryRun).toBe(false);
    // A bare boolean does not swallow the next flag.
    expect(ok(['--verbose', '--name=a']).value).toMatchObject({ verbose: true, name: 'a' });
  });

  it('rejects --no- on a non-boolean flag, naming it', () => {
    expect(fail(['--name=a', '--no-count']).join('\n')).toMatch(/--count is not a boolean flag/);
  });

  it('validates enums and lists the allowed values', () => {
    expect(ok(['--name=a', '--mode=slow']).value.mode).toBe('slow');
    const errs = fail(['--name=a', '--mode=medium']);
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatch(/^--mode: expected one of fast, slow, got "medium"/);
  });

  it('builds arrays from comma-separated values and repeated flags', () => {
    expect(ok(['--name=a', '--tags=x,y', '--tags', 'z']).value.tags).toEqual(['x', 'y', 'z']);
    expect(ok(['--name=a', '--levels=1,2', '--levels=3']).value.levels).toEqual([1, 2, 3]);
    expect(ok(['--name=a', '--tags=["a,b","c"]']).value.tags).toEqual(['a,b', 'c']);
    expect(fail(['--name=a', '--levels=1,two'])[0]).toMatch(/^--levels: expected a comma-separated list of integers/);
  });

  it('parses objects and arrays of objects as JSON', () => {
    expect(ok(['--name=a', '--options={"depth":2}']).value.options).toEqual({ depth: 2 });
    expect(ok(['--name=a', '--tasks=[{"id":"t1"},{"id":"t2"}]']).value.tasks).toEqual([{ id: 't1' }, { id: 't2' }]);
    expect(ok(['--name=a', '--tasks={"id":"t1"}', '--tasks={"id":"t2"}']).value.tasks).toEqual([{ id: 't1' }, { id: 't2' }]);
    expect(fail(['--name=a', '--options=depth:2'])[0]).toMatch(/^--options: expected a JSON object/);
    // Well-formed JSON of the wrong shape is reported by zod, still naming the flag and path.
    expect(fail(['--name=a', '--options={"depth":"deep"}'])[0]).toMatch(/^--options \(at \.depth\): .*expected number/);
  });

  it('reports an unknown flag by its kebab name with a suggestion', () => {
    const errs = fail(['--name=a', '--verbsoe']);
    expect(errs).toEqual(['unknown flag --verbsoe (did you mean --verbose?)']);
    expect(fail(['--name=a', '--totallyUnrelated=1'])).toEqual(['unknown flag --totally-unrelated']);
    // `--unknown value`: the value is not reported a second time.
    expect(fail(['--name=a', '--colour', 'red'])).toEqual(['unknown flag --colour']);
  });

  it('reports a bad number with the flag and what was expected', () => {
    expect(fail(['--name=a', '--count=three'])).toEqual(['--count: expected an integer from 1 to 10, got "three"']);
    expect(fail(['--name=a', '--count=2.5'])[0]).toMatch(/^--count: expected an integer/);
    expect(fail(['--name=a', '--ratio=abc'])[0]).toMatch(/^--ratio: expected a number, got "abc"/);
    expect(fail(['--name=a', '--count=11'])).toEqual(['--count: expected an integer from 1 to 10, got 11']);
  });

  it('reports missing required flags and missing values', () => {
    expect(fail([])).toEqual(['missing required flag --name (a string)']);
    expect(fail(['--name'])[0]).toMatch(/^--name needs a value/);
    expect(fail(['--name', '--verbose'])[0]).toMatch(/^--name needs a value/);
  });

  it('reports zod refinements with the flag name', () => {
    expect(fail(['--name='])[0]).toMatch(/^--name: Too small/);
  });

  it('rejects a scalar flag given twice and stray positional arguments', () => {
    expect(fail(['--name=a', '--name=b'])).toEqual(['--name was given more than once']);
    expect(fail(['--name=a', 'extra'])[0]).toMatch(/unexpected argument "extra"/);
  });

  it('handles unions: nullable strings and literal-or-integer', () => {
    expect(ok(['--name=a', '--note=hi']).value.note).toBe('hi');
    expect(ok(['--name=a', '--note=null']).value.note).toBeNull();
    expect(ok(['--name=a', '--level=auto']).value.level).toBe('auto');
    expect(ok(['--name=a', '--level=2']).value.level).toBe(2);
    expect(fail(['--name=a', '--level=high'])[0]).toMatch(/^--level: expected exactly auto or an integer/);
  });

  it('throws a UsageError that points at the command help', () => {
    try {
      parseFlagsOrThrow(['--count=x'], schema, 'demo thing');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(UsageError);
      expect((err as UsageError).message).toMatch(/--count: expected an integer/);
      expect((err as UsageError).message).toMatch(/missing required flag --name/);
      expect((err as UsageError).hint).toBe('see skvm demo thing --help');
    }
  });
});

describe('coerceFlag', () => {
  it('keeps enum literal types', () => {
    expect(coerceFlag('2', { enum: [1, 2, 3] })).toEqual({ ok: true, value: 2 });
    expect(coerceFlag('4', { enum: [1, 2, 3] })).toEqual({ ok: false });
  });
  it('parses untyped values as JSON when possible, else as text', () => {
    expect(coerceFlag('{"a":1}', {})).toEqual({ ok: true, value: { a: 1 } });
    expect(coerceFlag('plain', {})).toEqual({ ok: true, value: 'plain' });
  });
});

describe('toKebab', () => {
  it('converts camel and snake names', () => {
    expect(toKebab('maxTokens')).toBe('max-tokens');
    expect(toKebab('run_id')).toBe('run-id');
    expect(toKebab('skillURL')).toBe('skill-url');
    expect(toKebab('waitSeconds')).toBe('wait-seconds');
  });
});

describe('splitArgv', () => {
  it('pulls global flags from anywhere and keeps command words and op flags apart', () => {
    const s = splitArgv(['--json', 'runs', 'list', '--limit', '5', '--quiet', '--skvm-cache=/c', '--tmp-dir', '/t', '--skvm-data-dir=/d']);
    expect(s.globals).toEqual({ json: true, quiet: true, help: false, version: false });
    expect(s.words).toEqual(['runs', 'list']);
    expect(s.rest).toEqual(['--limit', '5']);
    expect(s.rootFlags).toEqual({ cache: '/c', tmpDir: '/t', dataDir: '/d' });
    expect(s.errors).toEqual([]);
  });

  it('recognizes -h, --help and --version', () => {
    expect(splitArgv(['config', 'show', '-h']).globals.help).toBe(true);
    expect(splitArgv(['--help']).globals.help).toBe(true);
    expect(splitArgv(['--version']).globals.version).toBe(true);
  });

  it('stops collecting command words at the first command flag', () => {
    const s = splitArgv(['profile', '--model', 'sim/x', 'show']);
    expect(s.words).toEqual(['profile']);
    expect(s.rest).toEqual(['--model', 'sim/x', 'show']);
  });

  it('reports an engine flag without a value', () => {
    expect(splitArgv(['config', 'show', '--skvm-cache']).errors[0]).toMatch(/--skvm-cache needs a value/);
    expect(splitArgv(['--skvm-cache=']).errors[0]).toMatch(/--skvm-cache needs a value/);
  });
});

describe('--version after a command word', () => {
  it('belongs to the command, so operations may take a version flag', () => {
    expect(splitArgv(['--version']).globals.version).toBe(true);
    const s = splitArgv(['profile', 'show', '--model=x', '--version=20260403T113957Z']);
    expect(s.globals.version).toBe(false);
    expect(s.rest).toContain('--version=20260403T113957Z');
    const bare = splitArgv(['profile', 'show', '--version', '20260403T113957Z']);
    expect(bare.globals.version).toBe(false);
    expect(bare.rest).toEqual(['--version', '20260403T113957Z']);
  });
});
