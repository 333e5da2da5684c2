import { readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { okRun } from '../../../test/run-result.js';
import { tempDirs } from '../../../test/tmp.js';
import type { RunResult } from '../agent/types.js';
import type { CustomCriterion } from '../tasks/criteria.js';
import { evaluateAll } from './evaluate.js';
import { buildGradeTranscript, pythonGradeEvaluator } from './python-grade.js';
import { hydrateEvalPayloads } from './registry.js';
import type { EvalContext } from './types.js';

const tmp = tempDirs('skvm-eval-pygrade-test-');

function runResult(workDir: string): RunResult {
  return okRun(workDir, {
    text: 'final',
    steps: [
      { role: 'assistant', text: 'Writing the file.', toolCalls: [{ id: 'a', name: 'write_file', input: { path: 'out.txt', content: 'hi' } }], timestamp: 1 },
      { role: 'tool', toolCalls: [{ id: 'a', name: 'write_file', input: { path: 'out.txt', content: 'hi' }, output: 'wrote 2 bytes' }], timestamp: 2 },
      { role: 'assistant', toolCalls: [{ id: 'b', name: 'read_file', input: { path: 'out.txt' }, output: 'hi' }], timestamp: 3 },
      { role: 'assistant', text: 'All done.', toolCalls: [], timestamp: 4 },
    ],
    durationMs: 1,
  });
}

function agentDir(files: Record<string, string> = { 'out.txt': 'hi' }): string {
  const d = tmp();
  for (const [rel, content] of Object.entries(files)) writeFileSync(path.join(d, rel), content);
  return d;
}

function ctx(workDir: string, extra: Partial<EvalContext> = {}): EvalContext {
  return { runResult: runResult(workDir), workDir, sandbox: { mode: 'auto', network: false, timeoutMs: 20_000 }, tmpRoot: tmp('skvm-eval-roots-'), ...extra };
}

const crit = (payload?: unknown): CustomCriterion => ({ method: 'custom', evaluatorId: 'python-grade', ...(payload === undefined ? {} : { payload }) });
const grade = (body: string): string => `import os, json\n\ndef grade(transcript, workspace_path):\n${body.split('\n').map((l) => `    ${l}`).join('\n')}\n`;

describe('python-grade transcript', () => {
  it('has the reference shape: assistant text + toolCall entries, toolResult per tool-step call', () => {
    expect(buildGradeTranscript(runResult('/w'))).toEqual([
      { type: 'message', message: { role: 'assistant', content: [{ type: 'text', text: 'Writing the file.' }, { type: 'toolCall', name: 'write_file', params: { path: 'out.txt', content: 'hi' } }] } },
      { type: 'message', message: { role: 'toolResult', content: [{ output: 'wrote 2 bytes' }] } },
      { type: 'message', message: { role: 'assistant', content: [{ type: 'toolCall', name: 'read_file', params: { path: 'out.txt' } }] } },
      // An output paired onto the assistant's call (no tool step reports it) still reaches grade().
      { type: 'message', message: { role: 'toolResult', content: [{ output: 'hi' }] } },
      { type: 'message', message: { role: 'assistant', content: [{ type: 'text', text: 'All done.' }] } },
    ]);
  });
});

describe('python-grade (real python3)', () => {
  it('happy path: records, weighted avg, checkpoints; grade() sees the transcript and the workspace files', async () => {
    const src = grade(
      [
        "names = [c['name'] for m in transcript if m['message']['role'] == 'assistant' for c in m['message']['content'] if c.get('type') == 'toolCall']",
        "outputs = [c['output'] for m in transcript if m['message']['role'] == 'toolResult' for c in m['message']['content']]",
        "content = open(os.path.join(workspace_path, 'out.txt')).read()",
        "artefacts = [n for n in os.listdir(workspace_path) if n.startswith('_')]",
        'print("debug line from grade.py")',
        'return [',
        "  {'id': 'file', 'score': 1.0 if content == 'hi' else 0.0, 'weight': 0.5, 'description': 'out.txt says hi'},",
        "  {'id': 'tools', 'score': 1.0 if names == ['write_file', 'read_file'] and outputs == ['wrote 2 bytes', 'hi'] else 0.0, 'weight': 0.25},",
        "  {'id': 'clean', 'score': 0.0 if artefacts else 0.5, 'weight': 0.25, 'details': 'workspace: ' + ','.join(sorted(os.listdir(workspace_path)))},",
        ']',
      ].join('\n'),
    );
    const wd = agentDir();
    const r = await pythonGradeEvaluator.run(crit(src), ctx(wd));
    expect(r.score).toBeCloseTo(0.875, 10);
    expect(r.pass).toBe(true);
    expect(r.details).toBe('file: 1.00, tools: 1.00, clean: 0.50 (avg=0.88)');
    expect(r.checkpoints).toEqual([
      { name: 'file', score: 1, weight: 0.5, description: 'out.txt says hi' },
      { name: 'tools', score: 1, weight: 0.25 },
      { name: 'clean', score: 0.5, weight: 0.25, reason: 'workspace: out.txt' },
    ]);
    expect(r.infraError).toBeUndefined();
    expect(readdirSync(wd)).toEqual(['out.txt']);
  });

  it('a score below 1 without details gets the reason "scored X"', async () => {
    const r = await pythonGradeEvaluator.run(crit(grade("return [{'id': 'a', 'score': 0.25, 'weight': 1}]")), ctx(agentDir()));
    expect(r).toMatchObject({ pass: false, score: 0.25, details: 'a: 0.25 (avg=0.25)' });
    expect(r.checkpoints).toEqual([{ name: 'a', score: 0.25, weight: 1, reason: 'scored 0.25' }]);
  });

  it.each([
    ['a dict return (the skillsbench importer bug)', "return {'score': 1.0}", /must return a list of records .*got dict/],
    ['a non-dict record', "return ['x']", /record 0 must be a dict, got str/],
    ['a missing weight', "return [{'id': 'a', 'score': 1}]", /record 0 has no 'weight'/],
    ['a missing id', "return [{'score': 1, 'weight': 1}]", /record 0 has no 'id'/],
    ['duplicate ids', "return [{'id': 'a', 'score': 1, 'weight': 0.5}, {'id': 'a', 'score': 1, 'weight': 0.5}]", /duplicate record id 'a'/],
    ['a score above 1', "return [{'id': 'a', 'score': 1.5, 'weight': 1}]", /score must be a number in \[0, 1\]/],
    ['a non-numeric score', "return [{'id': 'a', 'score': 'high', 'weight': 1}]", /score must be a number in \[0, 1\]/],
    ['a boolean score', "return [{'id': 'a', 'score': True, 'weight': 1}]", /score must be a number in \[0, 1\]/],
    ['a negative weight', "return [{'id': 'a', 'score': 1, 'weight': -0.5}, {'id': 'b', 'score': 1, 'weight': 1.5}]", /weight must be a number >= 0/],
    ['weights not summing to 1', "return [{'id': 'a', 'score': 1, 'weight': 0.5}, {'id': 'b', 'score': 1, 'weight': 0.49}]", /weights must sum to 1 \(got 0\.99\)/],
    ['an empty list', 'return []', /returned an empty list/],
    ['grade() raising', "raise ValueError('boom')", /grade\(\) raised ValueError: boom/],
  ])('rejects %s with score 0 and the reason', async (_label, body, reason) => {
    const r = await pythonGradeEvaluator.run(crit(grade(body)), ctx(agentDir()));
    expect(r.pass).toBe(false);
    expect(r.score).toBe(0);
    expect(r.details).toMatch(/^Error: /);
    expect(r.details).toMatch(reason);
    expect(r.infraError).toBeUndefined();
  });

  it('accepts weights within 1e-3 of 1', async () => {
    const r = await pythonGradeEvaluator.run(crit(grade("return [{'id': 'a', 'score': 1, 'weight': 0.5}, {'id': 'b', 'score': 1, 'weight': 0.4995}]")), ctx(agentDir()));
    expect(r.pass).toBe(true);
    expect(r.score).toBeCloseTo(0.9995, 10);
  });

  it('a grade.py that does not load, or has no grade(), is a clear error', async () => {
    const syntax = await pythonGradeEvaluator.run(crit('def grade(:\n'), ctx(agentDir()));
    expect(syntax.details).toMatch(/^Error: grade\.py could not be loaded: SyntaxError/);
    const none = await pythonGradeEvaluator.run(crit('x = 1\n'), ctx(agentDir()));
    expect(none.details).toBe('Error: grade.py defines no grade(transcript, workspace_path) function');
  });

  it('a grade() that never returns is killed at the timeout', async () => {
    const started = Date.now();
    const r = await pythonGradeEvaluator.run(crit(grade('import time\ntime.sleep(60)\nreturn []')), ctx(agentDir(), { sandbox: { mode: 'auto', network: false, timeoutMs: 800 } }));
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(r).toMatchObject({ pass: false, score: 0, details: 'Error: grade.py timed out after 800 ms' });
  });

  it('artefacts never appear in the agent work dir, nor in a later criterion\'s view', async () => {
    const wd = agentDir();
    const listing = grade("names = sorted(os.listdir(workspace_path))\nreturn [{'id': 'ls', 'score': 1.0 if names == ['out.txt'] else 0.0, 'weight': 1, 'details': ','.join(names)}]");
    const results = await evaluateAll([crit(listing), { method: 'script', command: 'test "$(ls -A)" = out.txt', expectedExitCode: 0 }, crit(listing)], ctx(wd));
    expect(results.map((r) => [r.pass, r.score])).toEqual([
      [true, 1],
      [true, 1],
      [true, 1],
    ]);
    expect(readdirSync(wd)).toEqual(['out.txt']);
  });

  it('python3 missing is an infraError', async () => {
    const saved = process.env.PATH;
    process.env.PATH = tmp();
    try {
      const r = await pythonGradeEvaluator.run(crit(grade("return [{'id': 'a', 'score': 1, 'weight': 1}]")), ctx(agentDir()));
      expect(r).toMatchObject({ pass: false, score: 0 });
      expect(r.infraError).toMatch(/python3 is not installed or not on PATH/);
    } finally {
      process.env.PATH = saved;
    }
  });

  it('payload: validatePayload needs a non-empty string; loadPayload reads the sibling grade.py', async () => {
    expect(() => pythonGradeEvaluator.validatePayload!(undefined)).toThrow(/non-empty string/);
    expect(() => pythonGradeEvaluator.validatePayload!('  ')).toThrow(/non-empty string/);
    expect(() => pythonGradeEvaluator.validatePayload!('def grade(t, w): return []')).not.toThrow();

    const taskDir = tmp();
    expect(await pythonGradeEvaluator.loadPayload!(taskDir)).toBeUndefined();
    await expect(hydrateEvalPayloads([crit()], taskDir)).rejects.toThrow(`[python-grade] payload validation failed in ${taskDir}: `);

    const src = grade("return [{'id': 'a', 'score': 1, 'weight': 1}]");
    writeFileSync(path.join(taskDir, 'grade.py'), src);
    const [hydrated] = await hydrateEvalPayloads([crit()], taskDir);
    expect(hydrated).toEqual(crit(src));
    // An inline payload is kept as is.
    const [inline] = await hydrateEvalPayloads([crit('def grade(t, w): return []')], taskDir);
    expect(inline).toEqual(crit('def grade(t, w): return []'));
  });

  it('without a payload it falls back to <taskDir>/grade.py, else an infraError', async () => {
    const taskDir = tmp();
    const missing = await pythonGradeEvaluator.run(crit(), ctx(agentDir(), { taskDir }));
    expect(missing.infraError).toMatch(/has no grade\.py/);
    writeFileSync(path.join(taskDir, 'grade.py'), grade("return [{'id': 'a', 'score': 1, 'weight': 1}]"));
    expect(await pythonGradeEvaluator.run(crit(), ctx(agentDir(), { taskDir }))).toMatchObject({ pass: true, score: 1 });
  });
});
