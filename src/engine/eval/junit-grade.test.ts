import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirs } from '../../../test/tmp.js';
import type { RunResult } from '../agent/types.js';
import type { CustomCriterion } from '../tasks/criteria.js';
import { junitGradeEvaluator, needsBunTestHooks, parseJunitPayload, planRunner, scoreCriteria, scoreJunitRun, splitAlternatives, type JunitCriterion } from './junit-grade.js';
import { parseJunitXml } from './junit-xml.js';
import type { EvalContext } from './types.js';

const tmp = tempDirs('skvm-eval-junit-test-');

function ctx(workDir: string, extra: Partial<EvalContext> = {}): EvalContext {
  const runResult: RunResult = { text: '', steps: [], tokens: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 }, cost: 0, durationMs: 0, llmDurationMs: 0, workDir, runStatus: 'ok' };
  return { runResult, workDir, sandbox: { mode: 'auto', network: false, timeoutMs: 20_000 }, tmpRoot: tmp('skvm-eval-roots-'), ...extra };
}

function dir(files: Record<string, string>): string {
  const d = tmp();
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(d, rel)), { recursive: true });
    writeFileSync(path.join(d, rel), content);
  }
  return d;
}

const crit = (payload: unknown): CustomCriterion => ({ method: 'custom', evaluatorId: 'junit-grade', payload });

/** A node:test file checking the agent's out.json (read relative to the cwd, as task tests do). */
const TEST_MJS = `import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
describe('output file', () => {
  test('file exists', () => { assert.ok(existsSync('out.json')); });
  test('valid JSON', () => { JSON.parse(readFileSync('out.json', 'utf8')); });
  test('has total 42', () => { assert.equal(JSON.parse(readFileSync('out.json', 'utf8')).total, 42); });
});
test('pipe | literal name', () => {});
`;

/** An upstream-style grader (describe/test/expect from "bun:test", TypeScript), with tests that fail. */
const BUN_STYLE_TS = `import { describe, test, expect, beforeAll } from "bun:test"
import { existsSync, readFileSync } from "fs"

let data: any
beforeAll(() => { data = JSON.parse(readFileSync("weather_report.json", "utf-8")) })

describe("weather_report.json", () => {
  test("file exists", () => { expect(existsSync("weather_report.json")).toBe(true) })
  test("has required fields", () => {
    for (const k of ["city", "country", "temperature_c"]) expect(data).toHaveProperty(k)
  })
  test("types are right", () => { expect(typeof data.city).toBe("string"); expect(data.fetched_at).toEqual(expect.any(String)) })
  test("city is tokyo", () => { expect(data.city.toLowerCase()).toContain("tokyo") })
  test("temperature is plausible", () => { expect(data.temperature_c).toBeGreaterThanOrEqual(-50); expect(data.temperature_c).toBeLessThanOrEqual(60) })
  test("humidity is plausible", () => { expect(data.humidity_pct).toBeWithin(0, 101) })
  describe("extras", () => {
    test("has a wind speed", () => { expect(data.wind_kph).toBeDefined(); expect(data).toMatchObject({ country: "Japan" }) })
    test.each([[0]])("tags (each) %d is a number", (i: any) => { expect(data.tags[i]).toBeNumber() })
  })
  test("fetched_at is recent", () => {
    const t = new Date(data.fetched_at).getTime()
    expect(Number.isNaN(t)).toBeFalse()
    expect(Date.now() - t).toBeLessThan(24 * 3600 * 1000)
    expect(() => JSON.parse("{")).toThrow()
    expect(String(data.fetched_at)).toMatch(/^\\d{4}-/)
  })
})
`;

const BUN_CRITERIA: JunitCriterion[] = [
  { id: 'exists', weight: 0.2, description: 'file exists', testPattern: 'file exists' },
  { id: 'fields', weight: 0.3, description: 'fields', testPattern: 'required fields|types are right|city is tokyo' },
  { id: 'ranges', weight: 0.3, description: 'ranges', testPattern: 'temperature is plausible|humidity is plausible' },
  { id: 'extras', weight: 0.2, description: 'extras', testPattern: 'extras >' },
];

const CRITERIA: JunitCriterion[] = [
  { id: 'exists', weight: 0.3, description: 'out.json exists', testPattern: 'file exists' },
  { id: 'content', weight: 0.3, description: 'valid JSON with the total', testPattern: 'valid json|TOTAL 42' },
  { id: 'pipe', weight: 0.2, description: 'literal pipe in a test name', testPattern: 'pipe \\| literal' },
  { id: 'ghost', weight: 0.2, description: 'matches nothing', testPattern: 'no such test|neither' },
];

describe('junit-grade payload', () => {
  const ok = { testFile: 'checks.test.mjs', criteria: [{ id: 'a', weight: 1, description: 'd', testPattern: 'x' }] };

  it('applies defaults', () => {
    expect(parseJunitPayload(ok)).toEqual({ ...ok, runner: 'bun', timeoutMs: 120_000 });
  });

  it.each([
    [{ ...ok, testFile: '' }, /testFile must be a non-empty string/],
    [{ ...ok, testFile: '../escape.test.mjs' }, /must not contain "\.\."/],
    [{ ...ok, testFile: '/abs/x.test.mjs' }, /must be a relative path/],
    [{ ...ok, runner: 'jest' }, /runner must be one of bun, node, vitest/],
    [{ ...ok, timeoutMs: 0 }, /timeoutMs must be a positive number/],
    [{ ...ok, criteria: [] }, /criteria must be a non-empty array/],
    [{ ...ok, criteria: [{ id: 'a', weight: 0.5, description: 'd', testPattern: 'x' }, { id: 'a', weight: 0.5, description: 'd', testPattern: 'y' }] }, /duplicate criterion id "a"/],
    [{ ...ok, criteria: [{ id: 'a', weight: -1, description: 'd', testPattern: 'x' }] }, /weight must be a number >= 0/],
    [{ ...ok, criteria: [{ id: 'a', weight: 1, description: ' ', testPattern: 'x' }] }, /description must be a non-empty string/],
    [{ ...ok, criteria: [{ id: 'a', weight: 1, description: 'd', testPattern: '' }] }, /testPattern must be a non-empty string/],
    [{ ...ok, criteria: [{ id: 'a', weight: 1, description: 'd', testPattern: 'ok|(unclosed' }] }, /alternative "\(unclosed" is not a valid regular expression/],
    [{ ...ok, criteria: [{ id: 'a', weight: 0.6, description: 'd', testPattern: 'x' }, { id: 'b', weight: 0.3, description: 'd', testPattern: 'y' }] }, /weights must sum to 1 \(got 0\.9\)/],
    ['not an object', /needs an object payload/],
  ])('rejects %j', (payload, message) => {
    expect(() => parseJunitPayload(payload)).toThrow(message);
    expect(() => junitGradeEvaluator.validatePayload!(payload)).toThrow(message);
  });

  it('accepts weights within 1e-3 of 1', () => {
    expect(() => parseJunitPayload({ ...ok, criteria: [{ id: 'a', weight: 0.5, description: 'd', testPattern: 'x' }, { id: 'b', weight: 0.4995, description: 'd', testPattern: 'y' }] })).not.toThrow();
  });

  it('splits alternatives on unescaped pipes only', () => {
    expect(splitAlternatives('a|b')).toEqual(['a', 'b']);
    expect(splitAlternatives('a\\|b')).toEqual(['a\\|b']);
    expect(splitAlternatives(' player_id.*592450 | | 592450 ')).toEqual(['player_id.*592450', '592450']);
    expect(splitAlternatives('x\\|y|z')).toEqual(['x\\|y', 'z']);
  });
});

describe('junit XML and scoring', () => {
  it('parses bun-style nesting, self-closing cases, failures, errors and entities', () => {
    const xml = `<?xml version="1.0"?>
<testsuites>
  <testsuite name="checks.test.ts" tests="3">
    <testsuite name="Output &amp; files">
      <testcase name="file exists" classname="Output &amp; files" time="0.1" />
      <testcase name="value &lt; 10 &quot;ok&quot; &#65;&#x42;" classname="Output &amp; files"><failure message="expected 1 > 2" /></testcase>
    </testsuite>
    <testcase name="top" classname=""><error message="boom">trace</error></testcase>
    <!-- <testcase name="commented out" /> -->
  </testsuite>
</testsuites>`;
    expect(parseJunitXml(xml)).toEqual([
      { classname: 'Output & files', name: 'file exists', fullName: 'Output & files > file exists', failed: false },
      { classname: 'Output & files', name: 'value < 10 "ok" AB', fullName: 'Output & files > value < 10 "ok" AB', failed: true },
      { classname: '', name: 'top', fullName: 'top', failed: true },
    ]);
  });

  it('uses node --test suites in place of its placeholder classname', () => {
    const xml = `<testsuites><testsuite name="output file"><testcase name="a" classname="test"/></testsuite><testcase name="b" classname="test"/></testsuites>`;
    expect(parseJunitXml(xml).map((c) => c.fullName)).toEqual(['output file > a', 'test > b']);
  });

  it('scores criteria by the share of matching tests that passed', () => {
    const cases = [
      { classname: 'S', name: 'file exists', fullName: 'S > file exists', failed: false },
      { classname: 'S', name: 'valid JSON', fullName: 'S > valid JSON', failed: true },
      { classname: 'S', name: 'has total 42', fullName: 'S > has total 42', failed: false },
    ];
    const scores = scoreCriteria(
      [
        { id: 'one', weight: 0.5, description: 'd', testPattern: 'EXISTS' },
        { id: 'two', weight: 0.25, description: 'd', testPattern: 'valid json|total 42' },
        { id: 'none', weight: 0.25, description: 'd', testPattern: 'nothing' },
      ],
      cases,
    );
    expect(scores.map((s) => [s.id, s.score, s.reason])).toEqual([
      ['one', 1, undefined],
      ['two', 0.5, '1/2 failed: S > valid JSON'],
      ['none', 0, 'no tests matched pattern "nothing"'],
    ]);
  });

  it('lists at most three failed names', () => {
    const cases = [1, 2, 3, 4].map((i) => ({ classname: '', name: `t${i}`, fullName: `t${i}`, failed: true }));
    const [s] = scoreCriteria([{ id: 'a', weight: 1, description: 'd', testPattern: 't' }], cases);
    expect(s!.reason).toBe('4/4 failed: t1; t2; t3; …');
  });

  it('without a report (or without testcases) every criterion gets 1 on exit 0, else 0', () => {
    const crits: JunitCriterion[] = [
      { id: 'a', weight: 0.7, description: 'd', testPattern: 'x' },
      { id: 'b', weight: 0.3, description: 'd', testPattern: 'y' },
    ];
    const ok = scoreJunitRun(crits, undefined, { runner: 'bun', exitCode: 0, exit: 'exit code 0' });
    expect(ok).toMatchObject({ pass: true, score: 1 });
    expect(ok.details).toBe('a: 1.00, b: 1.00 (total=1.00) [no JUnit report; bun exit code 0]');
    const empty = scoreJunitRun(crits, '<testsuites></testsuites>', { runner: 'bun', exitCode: 1, exit: 'exit code 1' });
    expect(empty).toMatchObject({ pass: false, score: 0 });
    expect(empty.details).toContain('[no testcases in the JUnit report; bun exit code 1]');
    expect(empty.checkpoints![0]!.reason).toBe('test run failed (exit code 1) and reported no test results');
  });
});

describe('junit-grade runs (real node --test)', () => {
  it('maps passing and failing tests to weighted criteria', async () => {
    const taskDir = dir({ 'fixtures/checks.test.mjs': TEST_MJS });
    const wd = dir({ 'out.json': '{"total": 41}', 'checks.test.mjs': TEST_MJS });
    const r = await junitGradeEvaluator.run(crit({ testFile: 'checks.test.mjs', runner: 'node', criteria: CRITERIA }), ctx(wd, { taskDir }));
    // exists 1 × 0.3 + content ½ × 0.3 + pipe 1 × 0.2 + ghost 0 × 0.2
    expect(r.score).toBeCloseTo(0.65, 10);
    expect(r.pass).toBe(true);
    expect(r.details).toBe('exists: 1.00, content: 0.50, pipe: 1.00, ghost: 0.00 (total=0.65)');
    expect(r.checkpoints).toEqual([
      { name: 'exists', score: 1, weight: 0.3, description: 'out.json exists' },
      { name: 'content', score: 0.5, weight: 0.3, description: 'valid JSON with the total', reason: '1/2 failed: output file > has total 42' },
      { name: 'pipe', score: 1, weight: 0.2, description: 'literal pipe in a test name' },
      { name: 'ghost', score: 0, weight: 0.2, description: 'matches nothing', reason: 'no tests matched pattern "no such test|neither"' },
    ]);
    expect(r.infraError).toBeUndefined();
    // Nothing was written into the agent's work dir (no XML, no config).
    expect(readdirSync(wd).sort()).toEqual(['checks.test.mjs', 'out.json']);
  });

  it('the default runner "bun" falls back to node for a .mjs file when bun is absent; the test file may live only in fixtures/', async () => {
    const taskDir = dir({ 'fixtures/tests/checks.test.mjs': TEST_MJS });
    const wd = dir({ 'out.json': '{"total": 42}' });
    const r = await junitGradeEvaluator.run(crit({ testFile: 'tests/checks.test.mjs', criteria: CRITERIA.map((c) => (c.id === 'ghost' ? { ...c, testPattern: 'pipe' } : c)) }), ctx(wd, { taskDir }));
    // The test reads out.json from the cwd: the root of the private workspace copy.
    expect(r.score).toBeCloseTo(1, 10);
    expect(readdirSync(wd)).toEqual(['out.json']);
  });

  it('prefers the pristine fixture over a test file the agent edited', async () => {
    const taskDir = dir({ 'fixtures/checks.test.mjs': TEST_MJS });
    const tampered = `import { test } from 'node:test';\ntest('file exists', () => {});\ntest('valid JSON', () => {});\ntest('has total 42', () => {});\n`;
    const wd = dir({ 'checks.test.mjs': tampered });
    const r = await junitGradeEvaluator.run(crit({ testFile: 'checks.test.mjs', runner: 'node', criteria: CRITERIA }), ctx(wd, { taskDir }));
    expect(r.checkpoints!.find((c) => c.name === 'exists')!.score).toBe(0);
    expect(r.score).toBeCloseTo(0.2, 10);
  });

  it('uses the work dir copy when the task has no fixture', async () => {
    const wd = dir({ 'out.json': '{"total": 42}', 'checks.test.mjs': TEST_MJS });
    const r = await junitGradeEvaluator.run(crit({ testFile: 'checks.test.mjs', runner: 'node', criteria: CRITERIA }), ctx(wd));
    expect(r.score).toBeCloseTo(0.8, 10);
  });

  it('a missing test file is an infraError', async () => {
    const r = await junitGradeEvaluator.run(crit({ testFile: 'nope.test.mjs', runner: 'node', criteria: CRITERIA }), ctx(dir({}), { taskDir: dir({}) }));
    expect(r).toMatchObject({ pass: false, score: 0 });
    expect(r.infraError).toMatch(/test file "nope\.test\.mjs" not found/);
  });

  it('an invalid payload at run time is an infraError', async () => {
    const r = await junitGradeEvaluator.run(crit({ testFile: '../x.mjs', criteria: CRITERIA }), ctx(dir({})));
    expect(r.infraError).toMatch(/junit-grade payload is invalid: testFile must not contain "\.\."/);
  });

  it('a runner that dies without writing the report scores 0 (non-zero exit)', async () => {
    const killer = `import { test } from 'node:test';\ntest('file exists', () => { process.kill(process.ppid, 'SIGKILL'); });\n`;
    const wd = dir({ 'k.test.mjs': killer });
    const r = await junitGradeEvaluator.run(crit({ testFile: 'k.test.mjs', runner: 'node', criteria: CRITERIA }), ctx(wd));
    expect(r).toMatchObject({ pass: false, score: 0 });
    expect(r.details).toMatch(/\[no (JUnit report|testcases in the JUnit report); node /);
  });

  it('a test run that never ends is killed: every criterion 0 with "timed out"', async () => {
    const hang = `import { test } from 'node:test';\ntest('file exists', async () => { await new Promise((r) => setTimeout(r, 60_000)); });\n`;
    const wd = dir({ 'h.test.mjs': hang });
    const started = Date.now();
    const r = await junitGradeEvaluator.run(crit({ testFile: 'h.test.mjs', runner: 'node', timeoutMs: 1500, criteria: CRITERIA }), ctx(wd));
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(r).toMatchObject({ pass: false, score: 0, details: 'node test timed out after 1500 ms' });
    expect(r.checkpoints!.map((c) => [c.score, c.reason])).toEqual(CRITERIA.map(() => [0, 'node test timed out after 1500 ms']));
  });

  it('a bun-flavoured TypeScript test runs under vitest (bun:test aliased) when asked for', async () => {
    const ts = `import { test, expect, describe } from "bun:test";
import { readFileSync } from "node:fs";
describe("output", () => {
  test("total is 42", () => {
    const d: { total: number } = JSON.parse(readFileSync("out.json", "utf8"));
    expect(d.total).toBe(42);
  });
  test("name is set", () => { expect(JSON.parse(readFileSync("out.json", "utf8")).name).toBeTruthy(); });
});
`;
    const wd = dir({ 'out.json': '{"total": 42}' });
    const taskDir = dir({ 'fixtures/checks.test.ts': ts });
    const payload = {
      testFile: 'checks.test.ts',
      runner: 'vitest',
      timeoutMs: 60_000,
      criteria: [
        { id: 'total', weight: 0.6, description: 'total', testPattern: 'total is 42' },
        { id: 'name', weight: 0.4, description: 'name', testPattern: 'name is set' },
      ],
    };
    const r = await junitGradeEvaluator.run(crit(payload), ctx(wd, { taskDir }));
    expect(r.details).toBe('total: 1.00, name: 0.00 (total=0.60)');
    expect(r.checkpoints![1]!.reason).toBe('1/1 failed: checks.test.ts > output > name is set');
    expect(readdirSync(wd)).toEqual(['out.json']);
  }, 60_000);

  it('Bun-style TypeScript tests (import from "bun:test") grade without Bun: passing and failing tests map to the criteria', async () => {
    const wd = dir({ 'weather_report.json': JSON.stringify({ city: 'Tokyo', country: 'Japan', temperature_c: 71, humidity_pct: 40, tags: ['a'], fetched_at: new Date().toISOString() }) });
    const taskDir = dir({ 'fixtures/weather.test.ts': BUN_STYLE_TS });
    const r = await junitGradeEvaluator.run(crit({ testFile: 'weather.test.ts', timeoutMs: 60_000, criteria: BUN_CRITERIA }), ctx(wd, { taskDir }));
    // exists 1 × 0.2 + fields 1 × 0.3 + ranges ½ × 0.3 (temperature out of range, humidity fine) + extras 0 × 0.2
    expect(r.details).toBe('exists: 1.00, fields: 1.00, ranges: 0.50, extras: 0.00 (total=0.65)');
    expect(r.score).toBeCloseTo(0.65, 10);
    expect(r.pass).toBe(true);
    expect(r.infraError).toBeUndefined();
    const ranges = r.checkpoints!.find((c) => c.name === 'ranges')!;
    expect(ranges.reason).toBe('1/2 failed: weather_report.json > temperature is plausible');
    expect(r.checkpoints!.find((c) => c.name === 'extras')!.reason).toMatch(/^2\/2 failed: weather_report\.json > extras > has a wind speed; weather_report\.json > extras > tags \(each\) 0 is a number$/);
  }, 60_000);

  it('a Bun-style JavaScript test file grades the same way, and a test file that fails to load scores 0', async () => {
    const js = BUN_STYLE_TS.replace(/: any/g, '').replace(/: string/g, '');
    const wd = dir({ 'weather_report.json': JSON.stringify({ city: 'Osaka', country: 'Japan', temperature_c: 20, humidity_pct: 40, wind_kph: 3, tags: [1], fetched_at: new Date().toISOString() }) });
    const r = await junitGradeEvaluator.run(crit({ testFile: 'weather.test.mjs', timeoutMs: 60_000, criteria: BUN_CRITERIA }), ctx(wd, { taskDir: dir({ 'fixtures/weather.test.mjs': js }) }));
    // Only the city check fails: fields 2/3 (city must be Tokyo)
    expect(r.details).toBe('exists: 1.00, fields: 0.67, ranges: 1.00, extras: 1.00 (total=0.90)');
    const broken = await junitGradeEvaluator.run(crit({ testFile: 'b.test.ts', timeoutMs: 60_000, criteria: BUN_CRITERIA }), ctx(dir({}), { taskDir: dir({ 'fixtures/b.test.ts': 'import { test } from "bun:test";\nthis is not code\n' }) }));
    expect(broken).toMatchObject({ pass: false, score: 0 });
  }, 60_000);

  it('a test that needs a bun:test feature the shim lacks flags the score as an infrastructure problem', async () => {
    const ts = `import { test, expect, jest } from "bun:test";\ntest("file exists", () => { jest.fn(); expect(1).toBe(1); });\n`;
    const r = await junitGradeEvaluator.run(crit({ testFile: 'x.test.ts', timeoutMs: 60_000, criteria: [{ id: 'a', weight: 1, description: 'd', testPattern: 'file exists' }] }), ctx(dir({}), { taskDir: dir({ 'fixtures/x.test.ts': ts }) }));
    expect(r.infraError).toMatch(/test file needs Bun: The requested module 'bun:test' does not provide an export named 'jest'/);
    const ts2 = `import { test, expect } from "bun:test";\ntest("file exists", () => { expect("a").toMatchSnapshot(); });\n`;
    const r2 = await junitGradeEvaluator.run(crit({ testFile: 'y.test.ts', timeoutMs: 60_000, criteria: [{ id: 'a', weight: 1, description: 'd', testPattern: 'file exists' }] }), ctx(dir({}), { taskDir: dir({ 'fixtures/y.test.ts': ts2 }) }));
    expect(r2).toMatchObject({ score: 0, infraError: 'test file needs Bun: expect(…).toMatchSnapshot() is not supported by the bun:test shim' });
  }, 60_000);

  it('runner planning: without bun, node --test with the bun:test hooks; vitest only when asked for', () => {
    const space = { root: '/r', workspace: '/r/workspace', graderDir: '/r/grader' };
    const payload = parseJunitPayload({ testFile: 't.test.ts', criteria: [{ id: 'a', weight: 1, description: 'd', testPattern: 'x' }] });
    const hooks = { register: '/pkg/dist/src/engine/eval/bun-test/register.js', nodeModules: '/pkg/node_modules' };
    expect(planRunner(payload, space, '/r/grader/j.xml', { bun: undefined, bunTest: hooks })).toEqual({
      ok: true,
      runner: 'node',
      command: `${process.execPath} --import ${hooks.register} --test --test-reporter=junit --test-reporter-destination=/r/grader/j.xml --test-reporter=spec --test-reporter-destination=stdout ./t.test.ts`,
      // The hooks and the TypeScript stripper they load stay readable inside the sandbox.
      expose: ['/pkg/dist/src/engine/eval/bun-test', '/pkg/node_modules'],
    });
    expect(planRunner(payload, space, '/r/grader/j.xml', { bun: undefined, bunTest: undefined })).toEqual({
      ok: false,
      infraError: 'junit-grade cannot run t.test.ts without bun: the bun:test hooks are not built (run npm run build)',
    });
    expect(planRunner({ ...payload, testFile: 'checks.py' }, space, '/r/grader/j.xml', { bun: undefined, bunTest: hooks })).toMatchObject({ ok: false });
    expect(planRunner({ ...payload, runner: 'vitest' }, space, '/r/grader/j.xml', { vitest: undefined })).toEqual({
      ok: false,
      infraError: 'junit-grade cannot run t.test.ts with vitest (vitest not found)',
    });
    const withBun = planRunner(payload, space, '/r/grader/j.xml', { bun: '/usr/bin/bun' });
    // The runner's install is exposed to the sandbox (it may sit in ~/.bun or a checkout under /tmp).
    expect(withBun).toEqual({ ok: true, runner: 'bun', command: '/usr/bin/bun test ./t.test.ts --reporter=junit --reporter-outfile=/r/grader/j.xml', expose: ['/usr'] });
    const withVitest = planRunner({ ...payload, runner: 'vitest' }, space, '/r/grader/j.xml', { bun: undefined, vitest: '/nm/vitest/vitest.mjs' });
    expect(withVitest.ok && withVitest.runner).toBe('vitest');
    expect(withVitest.ok && withVitest.expose).toEqual(['/nm']);
    const js = planRunner({ ...payload, testFile: 't.test.cjs', runner: 'node' }, space, '/r/grader/j.xml', { bun: '/usr/bin/bun', bunTest: hooks });
    expect(js.ok && js.runner).toBe('node');
    // Plain node:test JavaScript runs without the hooks; TypeScript always gets them.
    expect(planRunner({ ...payload, testFile: 't.test.mjs' }, space, '/r/grader/j.xml', { bun: undefined, bunTest: hooks, needsHooks: false })).toEqual({
      ok: true,
      runner: 'node',
      command: `${process.execPath} --test --test-reporter=junit --test-reporter-destination=/r/grader/j.xml --test-reporter=spec --test-reporter-destination=stdout ./t.test.mjs`,
      expose: [],
    });
    expect(planRunner(payload, space, '/r/grader/j.xml', { bun: undefined, bunTest: hooks, needsHooks: false })).toMatchObject({ command: expect.stringContaining('--import') });
  });

  it('loads the bun:test hooks only for tests that need them', async () => {
    const plain = dir({ 'a.test.mjs': "import { test } from 'node:test';\nimport { f } from './a.mjs';\n", 'a.mjs': 'export const f = 1;\n' });
    expect(await needsBunTestHooks(path.join(plain, 'a.test.mjs'))).toBe(false);
    const bunStyle = dir({ 'b.test.js': "import { test, expect } from 'bun:test';\n" });
    expect(await needsBunTestHooks(path.join(bunStyle, 'b.test.js'))).toBe(true);
    const helperUsesBun = dir({ 'c.test.mjs': "import './helpers.mjs';\n", 'helpers.mjs': "export * from 'bun:test';\n" });
    expect(await needsBunTestHooks(path.join(helperUsesBun, 'c.test.mjs'))).toBe(true);
    const importsTs = dir({ 'd.test.mjs': "import { g } from './lib/g.ts';\n" });
    expect(await needsBunTestHooks(path.join(importsTs, 'd.test.mjs'))).toBe(true);
    const ts = dir({ 'e.test.ts': "import { test } from 'node:test';\n" });
    expect(await needsBunTestHooks(path.join(ts, 'e.test.ts'))).toBe(true);
  });
});
