import { existsSync, promises as fsp } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findInstallRoot } from '../config/paths.js';
import { resolveInWorkDir } from '../sandbox/index.js';
import { CancelledError, errorMessage } from '../util/errors.js';
import { which } from '../util/which.js';
import { describeExit, runGraderCommand, shellQuote } from './exec.js';
import { UNSUPPORTED_MARK } from './bun-test/expect.js';
import { decodeXmlEntities, parseJunitXml, type JunitTestCase } from './junit-xml.js';
import { withEvalSpace } from './space.js';
import type { Checkpoint, CustomEvaluator, EvalResult, EvalSpace } from './types.js';

/**
 * `junit-grade` (spec runtime §3.5): run the task's test file against the agent's work, read the
 * JUnit XML report and score each weighted criterion by the share of its matching tests that
 * passed. The test file comes from the task's `fixtures/` (pristine copy preferred over the one
 * in the work dir, which the agent could have edited); everything runs in a private copy.
 */

export const JUNIT_GRADE_ID = 'junit-grade';
export const JUNIT_DEFAULT_TIMEOUT_MS = 120_000;
export const JUNIT_RUNNERS = ['bun', 'node', 'vitest'] as const;
export type JunitRunner = (typeof JUNIT_RUNNERS)[number];

export interface JunitCriterion {
  id: string;
  weight: number;
  description: string;
  testPattern: string;
}

export interface JunitPayload {
  testFile: string;
  runner: JunitRunner;
  timeoutMs: number;
  criteria: JunitCriterion[];
}

/** Splits a testPattern on unescaped `|` (an escaped `\|` stays in its alternative, as a literal pipe). */
export function splitAlternatives(pattern: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\' && i + 1 < pattern.length) {
      cur += ch + pattern[i + 1]!;
      i++;
    } else if (ch === '|') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((s) => s.trim()).filter((s) => s !== '');
}

export function compileAlternatives(pattern: string): RegExp[] {
  return splitAlternatives(pattern).map((alt) => new RegExp(alt, 'i'));
}

/** Throws an Error naming the first problem; returns the payload with defaults applied. */
export function parseJunitPayload(payload: unknown): JunitPayload {
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) throw new Error('junit-grade needs an object payload {testFile, criteria, runner?, timeoutMs?}');
  const p = payload as Record<string, unknown>;
  if (typeof p.testFile !== 'string' || p.testFile.trim() === '') throw new Error('testFile must be a non-empty string');
  const testFile = p.testFile.trim();
  checkTestFilePath(testFile);
  const runner = p.runner === undefined ? 'bun' : p.runner;
  if (typeof runner !== 'string' || !(JUNIT_RUNNERS as readonly string[]).includes(runner)) throw new Error(`runner must be one of ${JUNIT_RUNNERS.join(', ')} (got ${JSON.stringify(runner)})`);
  const timeoutMs = p.timeoutMs === undefined ? JUNIT_DEFAULT_TIMEOUT_MS : p.timeoutMs;
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new Error(`timeoutMs must be a positive number (got ${JSON.stringify(timeoutMs)})`);
  if (!Array.isArray(p.criteria) || p.criteria.length === 0) throw new Error('criteria must be a non-empty array');
  const ids = new Set<string>();
  const criteria: JunitCriterion[] = p.criteria.map((raw, i) => {
    if (!raw || typeof raw !== 'object') throw new Error(`criteria[${i}] must be an object`);
    const c = raw as Record<string, unknown>;
    if (typeof c.id !== 'string' || c.id === '') throw new Error(`criteria[${i}].id must be a non-empty string`);
    if (ids.has(c.id)) throw new Error(`duplicate criterion id "${c.id}"`);
    ids.add(c.id);
    if (typeof c.weight !== 'number' || !Number.isFinite(c.weight) || c.weight < 0) throw new Error(`criteria "${c.id}": weight must be a number >= 0`);
    if (typeof c.description !== 'string' || c.description.trim() === '') throw new Error(`criteria "${c.id}": description must be a non-empty string`);
    if (typeof c.testPattern !== 'string' || c.testPattern.trim() === '') throw new Error(`criteria "${c.id}": testPattern must be a non-empty string`);
    const alts = splitAlternatives(c.testPattern);
    if (alts.length === 0) throw new Error(`criteria "${c.id}": testPattern has no alternatives`);
    for (const alt of alts) {
      try {
        new RegExp(alt, 'i');
      } catch (err) {
        throw new Error(`criteria "${c.id}": pattern alternative ${JSON.stringify(alt)} is not a valid regular expression (${errorMessage(err)})`);
      }
    }
    return { id: c.id, weight: c.weight, description: c.description, testPattern: c.testPattern };
  });
  const total = criteria.reduce((s, c) => s + c.weight, 0);
  if (Math.abs(total - 1) > 1e-3) throw new Error(`criteria weights must sum to 1 (got ${Number(total.toFixed(6))})`);
  return { testFile, runner: runner as JunitRunner, timeoutMs, criteria };
}

function checkTestFilePath(testFile: string): void {
  if (path.isAbsolute(testFile) || testFile.startsWith('/') || /^[A-Za-z]:/.test(testFile)) throw new Error(`testFile must be a relative path (got "${testFile}")`);
  if (testFile.split(/[\\/]/).includes('..')) throw new Error(`testFile must not contain ".." (got "${testFile}")`);
}

export interface CriterionScore {
  id: string;
  weight: number;
  description: string;
  score: number;
  matched: number;
  passed: number;
  reason?: string;
}

/** Scores every criterion against the parsed testcases (spec §3.5). */
export function scoreCriteria(criteria: readonly JunitCriterion[], cases: readonly JunitTestCase[]): CriterionScore[] {
  return criteria.map((c) => {
    const res = compileAlternatives(c.testPattern);
    const matched = cases.filter((t) => res.some((re) => re.test(t.fullName)));
    const base = { id: c.id, weight: c.weight, description: c.description, matched: matched.length };
    if (matched.length === 0) return { ...base, score: 0, passed: 0, reason: `no tests matched pattern "${c.testPattern}"` };
    const failed = matched.filter((t) => t.failed);
    const passed = matched.length - failed.length;
    const out: CriterionScore = { ...base, score: passed / matched.length, passed };
    if (failed.length > 0) {
      const names = failed.slice(0, 3).map((t) => t.fullName);
      out.reason = `${failed.length}/${matched.length} failed: ${names.join('; ')}${failed.length > 3 ? '; …' : ''}`;
    }
    return out;
  });
}

/** `expose`: the runner's install, which the sandbox may otherwise mask (a checkout in /tmp, ~/.bun…). */
type RunnerPlan = { ok: true; runner: JunitRunner; command: string; expose: string[] } | { ok: false; infraError: string };

const JS_EXT = /\.(m|c)?js$/i;
const TS_EXT = /\.(m|c)?tsx?$/i;

/**
 * Which program runs the test file: bun when asked for and installed; vitest when asked for;
 * otherwise `node --test` with the bun:test hooks (bun-test/), which run TypeScript and
 * `import … from "bun:test"` without Bun — the upstream tasks' default when Bun is absent.
 */
export function planRunner(
  payload: JunitPayload,
  space: EvalSpace,
  xmlPath: string,
  opts: { bun?: string | undefined; vitest?: string | undefined; bunTest?: BunTestHooks | undefined; needsHooks?: boolean } = {},
): RunnerPlan {
  const file = `./${payload.testFile.split(path.sep).join('/')}`;
  const bun = 'bun' in opts ? opts.bun : which('bun');
  if (payload.runner === 'bun' && bun) {
    return { ok: true, runner: 'bun', command: [bun, 'test', file, '--reporter=junit', `--reporter-outfile=${xmlPath}`].map(shellQuote).join(' '), expose: [path.dirname(path.dirname(bun))] };
  }
  const testable = TS_EXT.test(file) || JS_EXT.test(file);
  if (payload.runner === 'vitest') {
    const vitest = 'vitest' in opts ? opts.vitest : resolveVitest(space.workspace);
    if (vitest && testable) {
      const config = path.join(space.graderDir, 'vitest.config.mjs');
      return {
        ok: true,
        runner: 'vitest',
        command: [process.execPath, vitest, 'run', file, '--root', space.workspace, '--config', config, '--reporter=junit', `--outputFile=${xmlPath}`].map(shellQuote).join(' '),
        // The node_modules holding vitest (and its dependencies).
        expose: [path.dirname(path.dirname(vitest))],
      };
    }
    return { ok: false, infraError: `junit-grade cannot run ${payload.testFile} with vitest (${vitest ? 'not a JavaScript or TypeScript file' : 'vitest not found'})` };
  }
  if (!testable) return { ok: false, infraError: `junit-grade has no runner for ${payload.testFile} (runner "${payload.runner}"; bun ${bun ? 'found' : 'not installed'}; node runs .js/.mjs/.cjs/.ts/.mts/.cts/.tsx files)` };
  const report = ['--test', '--test-reporter=junit', `--test-reporter-destination=${xmlPath}`, '--test-reporter=spec', '--test-reporter-destination=stdout', file];
  if (opts.needsHooks === false && JS_EXT.test(file)) {
    return { ok: true, runner: 'node', command: [process.execPath, ...report].map(shellQuote).join(' '), expose: [] };
  }
  const hooks = 'bunTest' in opts ? opts.bunTest : locateBunTestHooks();
  if (!hooks) return { ok: false, infraError: `junit-grade cannot run ${payload.testFile} without bun: the bun:test hooks are not built (run npm run build)` };
  return {
    ok: true,
    runner: 'node',
        // The spec report on stdout carries what the JUnit file drops: why a test file did not load.
    command: [process.execPath, '--import', hooks.register, ...report].map(shellQuote).join(' '),
    expose: [path.dirname(hooks.register), hooks.nodeModules],
  };
}

/** The compiled bun:test hooks and the node_modules that holds their TypeScript stripper. */
export interface BunTestHooks {
  register: string;
  nodeModules: string;
}

/** Beside this module when running from dist; from the package's dist when running from source. */
export function locateBunTestHooks(): BunTestHooks | undefined {
  const here = fileURLToPath(new URL('./bun-test/register.js', import.meta.url));
  const register = existsSync(here) ? here : path.join(findInstallRoot(), 'dist', 'src', 'engine', 'eval', 'bun-test', 'register.js');
  if (!existsSync(register)) return undefined;
  try {
    const pkg = createRequire(register).resolve('sucrase/package.json');
    return { register, nodeModules: path.dirname(path.dirname(pkg)) };
  } catch {
    return undefined;
  }
}

/** vitest's CLI entry: the work dir's own install first, then the one this package resolves. */
export function resolveVitest(workspace: string): string | undefined {
  const local = path.join(workspace, 'node_modules', 'vitest', 'vitest.mjs');
  if (existsSync(local)) return local;
  try {
    const pkg = createRequire(import.meta.url).resolve('vitest/package.json');
    const bin = path.join(path.dirname(pkg), 'vitest.mjs');
    return existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}

/** A vitest config that lets bun-flavoured test files (`import … from "bun:test"`) run under vitest. */
function vitestConfig(vitestBin: string): string {
  const entry = path.join(path.dirname(vitestBin), 'dist', 'index.js');
  return `export default { test: { include: ['**/*.{test,spec}.?(c|m)[jt]s?(x)'], watch: false }, resolve: { alias: { 'bun:test': ${JSON.stringify(entry)} } } };\n`;
}

async function locateTestFile(payload: JunitPayload, space: EvalSpace, taskDir: string | undefined): Promise<{ ok: true; path: string } | { ok: false; infraError: string }> {
  let dest: string;
  try {
    dest = await resolveInWorkDir(space.workspace, payload.testFile);
  } catch (err) {
    return { ok: false, infraError: `junit-grade testFile "${payload.testFile}" is not inside the work directory: ${errorMessage(err)}` };
  }
  const pristine = taskDir ? path.join(taskDir, 'fixtures', payload.testFile) : undefined;
  if (pristine && (await fsp.stat(pristine).catch(() => undefined))?.isFile()) {
    await fsp.mkdir(path.dirname(dest), { recursive: true });
    await fsp.rm(dest, { force: true, recursive: true });
    await fsp.copyFile(pristine, dest);
    return { ok: true, path: dest };
  }
  if ((await fsp.stat(dest).catch(() => undefined))?.isFile()) return { ok: true, path: dest };
  return { ok: false, infraError: `junit-grade test file "${payload.testFile}" not found (looked in ${taskDir ? `${path.join(taskDir, 'fixtures')} and ` : ''}the work directory)` };
}

/**
 * Whether a test needs the bun:test hooks: TypeScript, or anything beside it (or the file itself)
 * naming `bun:` or importing a .ts file. Plain node:test files run without them — the hooks cost
 * every grading ~30 ms of loader start-up.
 */
export async function needsBunTestHooks(testPath: string): Promise<boolean> {
  if (!JS_EXT.test(testPath)) return true;
  const dir = path.dirname(testPath);
  for (const e of await fsp.readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (!e.isFile()) continue;
    if (TS_EXT.test(e.name)) return true;
    if (!JS_EXT.test(e.name)) continue;
    const text = await fsp.readFile(path.join(dir, e.name), 'utf8').catch(() => '');
    if (text.includes('bun:') || /\.(m|c)?tsx?['"]/.test(text)) return true;
  }
  return false;
}

export const junitGradeEvaluator: CustomEvaluator = {
  id: JUNIT_GRADE_ID,

  validatePayload(payload) {
    parseJunitPayload(payload);
  },

  async run(criterion, ctx) {
    let payload: JunitPayload;
    try {
      payload = parseJunitPayload(criterion.payload);
    } catch (err) {
      const msg = `junit-grade payload is invalid: ${errorMessage(err)}`;
      return { pass: false, score: 0, details: `Error: ${msg}`, infraError: msg };
    }

    return withEvalSpace(ctx, async (space, c) => {
      const located = await locateTestFile(payload, space, c.taskDir);
      if (!located.ok) return { pass: false, score: 0, details: `Error: ${located.infraError}`, infraError: located.infraError };
      const xmlPath = path.join(space.graderDir, '_junit_results.xml');
      const plan = planRunner(payload, space, xmlPath, { needsHooks: await needsBunTestHooks(located.path) });
      if (!plan.ok) return { pass: false, score: 0, details: `Error: ${plan.infraError}`, infraError: plan.infraError };
      if (plan.runner === 'vitest') await fsp.writeFile(path.join(space.graderDir, 'vitest.config.mjs'), vitestConfig(resolveVitest(space.workspace)!));

      const r = await runGraderCommand(space, c, plan.command, { timeoutMs: payload.timeoutMs, env: { CI: '1', NO_COLOR: '1' }, expose: plan.expose });
      if (r.cancelled) throw new CancelledError('evaluation cancelled');
      if (r.timedOut) {
        const reason = `${plan.runner} test timed out after ${payload.timeoutMs} ms`;
        const checkpoints: Checkpoint[] = payload.criteria.map((k) => ({ name: k.id, score: 0, weight: k.weight, description: k.description, reason }));
        return { pass: false, score: 0, details: reason, checkpoints };
      }

      const xml = await fsp.readFile(xmlPath, 'utf8').catch(() => undefined);
      return scoreJunitRun(payload.criteria, xml, { runner: plan.runner, exitCode: r.exitCode, exit: describeExit(r), output: r.stdout + r.stderr });
    });
  },
};

/**
 * Scores a finished test run: per criterion from the JUnit report; with no report, or one without
 * testcases, every criterion gets 1.0 when the runner exited 0, else 0.
 */
export function scoreJunitRun(
  criteria: readonly JunitCriterion[],
  xml: string | undefined,
  run: { runner: string; exitCode: number | null; exit: string; output?: string },
): Omit<EvalResult, 'criterion'> {
  const cases = xml === undefined ? [] : parseJunitXml(xml);
  let scores: CriterionScore[];
  let note = '';
  if (cases.length === 0) {
    const ok = run.exitCode === 0;
    note = ` [${xml === undefined ? 'no JUnit report' : 'no testcases in the JUnit report'}; ${run.runner} ${run.exit}]`;
    scores = criteria.map((k) => ({
      id: k.id,
      weight: k.weight,
      description: k.description,
      score: ok ? 1 : 0,
      matched: 0,
      passed: 0,
      ...(ok ? {} : { reason: `test run failed (${run.exit}) and reported no test results` }),
    }));
  } else {
    scores = scoreCriteria(criteria, cases);
  }
  const total = Math.min(1, Math.max(0, scores.reduce((s, k) => s + k.score * k.weight, 0)));
  const checkpoints: Checkpoint[] = scores.map((k) => ({ name: k.id, score: k.score, weight: k.weight, description: k.description, ...(k.reason ? { reason: k.reason } : {}) }));
  const details = `${scores.map((k) => `${k.id}: ${k.score.toFixed(2)}`).join(', ')} (total=${total.toFixed(2)})${note}`;
  const gap = shimGap(`${xml ?? ''}\n${run.output ?? ''}`);
  return { pass: total >= 0.5, score: total, details: gap ? `${details} [${gap}]` : details, checkpoints, ...(gap ? { infraError: gap } : {}) };
}

/**
 * A test that failed because the bun:test shim lacks a matcher or an export is the grader's
 * problem, not the agent's: say so, so the score is flagged as not trustworthy.
 */
function shimGap(report: string): string | undefined {
  const m = new RegExp(`[\\w.()…]+ ${UNSUPPORTED_MARK}`).exec(report) ?? /The requested module 'bun:test' does not provide an export named '[^']*'/.exec(report);
  return m ? `test file needs Bun: ${decodeXmlEntities(m[0])}` : undefined;
}
