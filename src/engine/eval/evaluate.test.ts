import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDirs } from '../../../test/tmp.js';
import type { RunResult } from '../agent/types.js';
import type { EvalCriterion } from '../tasks/criteria.js';
import { CancelledError } from '../util/errors.js';
import { evaluateAll } from './evaluate.js';
import { getCustomEvaluator, hydrateEvalPayloads, listCustomEvaluators, registerCustomEvaluator, unregisterCustomEvaluator } from './registry.js';
import type { EvalContext, JudgeInputs } from './types.js';

const tmp = tempDirs('skvm-eval-all-test-');

function ctx(workDir: string, extra: Partial<EvalContext> = {}): EvalContext {
  const runResult: RunResult = { text: 'ok', steps: [], tokens: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 }, cost: 0, durationMs: 0, llmDurationMs: 0, workDir, runStatus: 'ok' };
  return { runResult, workDir, sandbox: { mode: 'auto', network: false, timeoutMs: 20_000 }, tmpRoot: tmp('skvm-eval-roots-'), ...extra };
}

function agentDir(files: Record<string, string> = { 'out.txt': 'hello' }): string {
  const d = tmp();
  for (const [rel, content] of Object.entries(files)) writeFileSync(path.join(d, rel), content);
  return d;
}

const registered: string[] = [];
afterEach(() => {
  for (const id of registered.splice(0)) unregisterCustomEvaluator(id);
});

describe('evaluateAll', () => {
  it('runs criteria in order and attaches each criterion to its result', async () => {
    const criteria: EvalCriterion[] = [
      { method: 'file-check', path: 'out.txt', mode: 'exact', expected: 'hello' },
      { method: 'script', command: 'exit 1', expectedExitCode: 0 },
      { method: 'file-check', path: 'out.txt', mode: 'contains', expected: 'bye' },
    ];
    const results = await evaluateAll(criteria, ctx(agentDir()));
    expect(results.map((r) => [r.criterion, r.pass, r.score])).toEqual([
      [criteria[0], true, 1],
      [criteria[1], false, 0],
      [criteria[2], false, 0],
    ]);
  });

  it('an unknown custom evaluator scores 0 with a clear reason', async () => {
    const [r] = await evaluateAll([{ method: 'custom', evaluatorId: 'no-such-grader' }], ctx(agentDir()));
    expect(r).toMatchObject({ pass: false, score: 0 });
    expect(r!.details).toMatch(/^Custom evaluator not found: "no-such-grader" \(known: .*junit-grade.*python-grade/);
    expect(r!.infraError).toBeUndefined();
  });

  it('the built-ins are registered', () => {
    expect(listCustomEvaluators()).toEqual(expect.arrayContaining(['junit-grade', 'python-grade']));
    expect(getCustomEvaluator('python-grade')?.id).toBe('python-grade');
  });

  it('a custom evaluator gets a private copy: its writes reach neither the agent nor the next criterion', async () => {
    const wd = agentDir();
    const seen: Array<{ workDir: string; files: string[]; graderDir?: string }> = [];
    registerCustomEvaluator({
      id: 'test-writer',
      async run(_criterion, c) {
        seen.push({ workDir: c.workDir, files: readdirSync(c.workDir).sort(), graderDir: c.evalSpace?.graderDir });
        writeFileSync(path.join(c.workDir, 'out.txt'), 'overwritten');
        writeFileSync(path.join(c.workDir, '_artefact.json'), '{}');
        return { pass: true, score: 1.7, details: 'wrote' };
      },
    });
    registered.push('test-writer');
    const results = await evaluateAll(
      [
        { method: 'custom', evaluatorId: 'test-writer' },
        { method: 'custom', evaluatorId: 'test-writer' },
        { method: 'file-check', path: 'out.txt', mode: 'exact', expected: 'hello' },
      ],
      ctx(wd),
    );
    expect(results.map((r) => [r.pass, r.score])).toEqual([
      [true, 1], // clamped to [0, 1]
      [true, 1],
      [true, 1],
    ]);
    expect(seen[0]!.workDir).not.toBe(wd);
    expect(seen[0]!.workDir).not.toBe(seen[1]!.workDir);
    expect(seen.map((s) => s.files)).toEqual([['out.txt'], ['out.txt']]);
    expect(seen[0]!.graderDir).toBeDefined();
    expect(readdirSync(wd)).toEqual(['out.txt']);
    expect(readFileSync(path.join(wd, 'out.txt'), 'utf8')).toBe('hello');
    // The copies are gone.
    expect(existsSync(seen[0]!.workDir)).toBe(false);
  });

  it('a FIFO left in the work dir neither breaks the copy nor blocks a file-check', async () => {
    const wd = agentDir();
    execFileSync('mkfifo', [path.join(wd, 'pipe')]);
    const results = await evaluateAll(
      [
        { method: 'script', command: 'test -f out.txt && test ! -e pipe', expectedExitCode: 0 },
        { method: 'file-check', path: 'pipe', mode: 'contains', expected: 'x' },
      ],
      ctx(wd),
    );
    expect(results[0]).toMatchObject({ pass: true, score: 1 });
    expect(results[1]).toMatchObject({ pass: false, score: 0, details: 'Not a regular file: pipe' });
  });

  it('an evaluator that throws gives score 0 with infraError, and the next criteria still run', async () => {
    registerCustomEvaluator({
      id: 'test-crash',
      async run() {
        throw new Error('grader exploded');
      },
    });
    registered.push('test-crash');
    const results = await evaluateAll([{ method: 'custom', evaluatorId: 'test-crash' }, { method: 'script', command: 'true', expectedExitCode: 0 }], ctx(agentDir()));
    expect(results[0]).toMatchObject({ pass: false, score: 0, infraError: 'custom evaluator failed: grader exploded' });
    expect(results[1]).toMatchObject({ pass: true, score: 1 });
  });

  it('cancellation stops the evaluation with CancelledError', async () => {
    const ac = new AbortController();
    registerCustomEvaluator({
      id: 'test-abort',
      async run() {
        ac.abort();
        return { pass: true, score: 1, details: 'x' };
      },
    });
    registered.push('test-abort');
    const run = evaluateAll([{ method: 'custom', evaluatorId: 'test-abort' }, { method: 'script', command: 'true', expectedExitCode: 0 }], ctx(agentDir(), { signal: ac.signal }));
    await expect(run).rejects.toBeInstanceOf(CancelledError);

    const ac2 = new AbortController();
    const slow = evaluateAll([{ method: 'script', command: 'sleep 20', expectedExitCode: 0 }], ctx(agentDir(), { signal: ac2.signal }));
    setTimeout(() => ac2.abort(), 300);
    await expect(slow).rejects.toBeInstanceOf(CancelledError);
  });

  it('grader artefacts from python-grade and junit-grade never reach the judge inputs or the work dir', async () => {
    const taskDir = tmp();
    writeFileSync(path.join(taskDir, 'grade.py'), "def grade(t, w):\n    return [{'id': 'a', 'score': 1, 'weight': 1}]\n");
    const testMjs = "import { test } from 'node:test';\ntest('works', () => {});\n";
    const wd = agentDir({ 'out.txt': 'hello', 'w.test.mjs': testMjs });
    const deferred: JudgeInputs[] = [];
    const criteria = await hydrateEvalPayloads(
      [
        { method: 'custom', evaluatorId: 'python-grade' },
        { method: 'custom', evaluatorId: 'junit-grade', payload: { testFile: 'w.test.mjs', runner: 'node', criteria: [{ id: 'w', weight: 1, description: 'works', testPattern: 'works' }] } },
        { method: 'llm-judge', rubric: 'r', maxScore: 1 },
      ],
      taskDir,
    );
    const results = await evaluateAll(criteria, ctx(wd, { taskDir, deferJudge: (e) => deferred.push(e.inputs) }));
    expect(results.map((r) => r.score)).toEqual([1, 1, 0]);
    expect(readdirSync(wd).sort()).toEqual(['out.txt', 'w.test.mjs']);
    expect(deferred).toHaveLength(1);
    expect(deferred[0]!.workDirFiles).toContain('### out.txt');
    expect(deferred[0]!.workDirFiles).not.toMatch(/_grade|_transcript|_junit|vitest\.config/);
  });

  it('hydrateEvalPayloads validates custom payloads with the evaluator id and task dir in the message', async () => {
    const taskDir = tmp();
    await expect(hydrateEvalPayloads([{ method: 'custom', evaluatorId: 'junit-grade', payload: { testFile: 'x.test.ts', criteria: [] } }], taskDir)).rejects.toThrow(
      `[junit-grade] payload validation failed in ${taskDir}: criteria must be a non-empty array`,
    );
    // Unknown evaluators and other methods pass through untouched.
    const passthrough: EvalCriterion[] = [{ method: 'custom', evaluatorId: 'unknown' }, { method: 'script', command: 'true', expectedExitCode: 0 }];
    expect(await hydrateEvalPayloads(passthrough, taskDir)).toEqual(passthrough);
  });
});
