import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { okRun } from '../../../test/run-result.js';
import { tempDirs } from '../../../test/tmp.js';
import type { RunResult } from '../agent/types.js';
import { ScriptCriterionSchema, type ScriptCriterion } from '../tasks/criteria.js';
import { evaluateAll } from './evaluate.js';
import { evaluateScript, readScriptReport, rewritePythonDashC } from './script.js';
import type { EvalContext } from './types.js';

const tmp = tempDirs('skvm-eval-script-test-');

function run(workDir: string): RunResult {
  return okRun(workDir, { text: 'done', durationMs: 1 });
}

function ctx(workDir: string, timeoutMs = 15_000): EvalContext {
  return { runResult: run(workDir), workDir, sandbox: { mode: 'auto', network: false, timeoutMs }, tmpRoot: tmp('skvm-eval-roots-') };
}

const script = (c: Partial<ScriptCriterion> & { command: string }): ScriptCriterion => ScriptCriterionSchema.parse({ method: 'script', ...c });

function agentDir(files: Record<string, string> = {}): string {
  const d = tmp();
  for (const [rel, content] of Object.entries(files)) writeFileSync(path.join(d, rel), content);
  return d;
}

describe('rewritePythonDashC', () => {
  it('turns a trailing python3 -c "…" into a quoted heredoc and undoes double-quote escapes', () => {
    const out = rewritePythonDashC('cd sub && python3 -c "import os; print(\\"$HOME\\", \\`x\\`, \'\\\\n\')"');
    expect(out).toBe('cd sub && python3 << \'PYEOF\'\nimport os; print("$HOME", `x`, \'\\n\')\nPYEOF\n');
  });
  it('leaves other commands, and python reading a pipe, alone', () => {
    expect(rewritePythonDashC('python3 check.py')).toBe('python3 check.py');
    expect(rewritePythonDashC('echo hi | python3 -c "import sys; print(sys.stdin.read())"')).toBe('echo hi | python3 -c "import sys; print(sys.stdin.read())"');
    expect(rewritePythonDashC('python3 -c "print(1)" && echo after')).toBe('python3 -c "print(1)" && echo after');
  });
  it('picks another heredoc tag when the code has a PYEOF line', () => {
    expect(rewritePythonDashC('python3 -c "x = 1\nPYEOF\nprint(x)"')).toBe("python3 << 'PYEOF_'\nx = 1\nPYEOF\nprint(x)\nPYEOF_\n");
  });
});

describe('readScriptReport', () => {
  it('infraError on any line wins over a later checkpoints line', () => {
    const r = readScriptReport('{"infraError":"no network"}\nnoise\n{"checkpoints":[{"name":"a","score":1}]}\n');
    expect(r).toEqual({ kind: 'infra', infraError: 'no network' });
  });
  it('takes the last checkpoints line, defaults names, clamps scores', () => {
    const r = readScriptReport('{"checkpoints":[{"name":"old","score":1}]}\n{"checkpoints":[{"score":2},{"name":"b","score":-1,"reason":"bad"},{"name":"c","score":"0.5"}]}\n{not json');
    expect(r).toEqual({
      kind: 'checkpoints',
      checkpoints: [
        { name: 'check_0', score: 1 },
        { name: 'b', score: 0, reason: 'bad' },
        { name: 'c', score: 0.5 },
      ],
    });
  });
  it('ignores empty infraError and empty checkpoints', () => {
    expect(readScriptReport('{"infraError":""}\n{"checkpoints":[]}')).toBeUndefined();
  });
});

describe('script criteria (real commands in a private copy)', () => {
  it('exit code 0 passes; a different exit code fails with the stderr excerpt', async () => {
    const wd = agentDir({ 'out.txt': 'hello\n' });
    const ok = await evaluateScript(script({ command: 'grep -q hello out.txt' }), ctx(wd));
    expect(ok).toMatchObject({ pass: true, score: 1 });
    const bad = await evaluateScript(script({ command: 'echo oops >&2; exit 3' }), ctx(wd));
    expect(bad.pass).toBe(false);
    expect(bad.score).toBe(0);
    expect(bad.details).toBe('Exit code: 3 (expected 0)\noops');
  });

  it('honours expectedExitCode', async () => {
    const wd = agentDir();
    expect(await evaluateScript(script({ command: 'exit 3', expectedExitCode: 3 }), ctx(wd))).toMatchObject({ pass: true, score: 1 });
    const r = await evaluateScript(script({ command: 'true', expectedExitCode: 2 }), ctx(wd));
    expect(r).toMatchObject({ pass: false, score: 0, details: 'Exit code: 0 (expected 2)' });
  });

  it('expectedOutput compares trimmed stdout', async () => {
    const wd = agentDir({ 'n.txt': '42' });
    expect(await evaluateScript(script({ command: 'cat n.txt; echo', expectedOutput: ' 42 ' }), ctx(wd))).toMatchObject({ pass: true, score: 1 });
    const r = await evaluateScript(script({ command: 'echo 41', expectedOutput: '42' }), ctx(wd));
    expect(r.pass).toBe(false);
    expect(r.details).toContain('expected "42", got "41"');
  });

  it('checkpoints: score = mean, pass = every checkpoint ≥ 0.5', async () => {
    const wd = agentDir();
    const cmd = `echo '{"checkpoints":[{"name":"a","score":1},{"name":"b","score":0.5},{"name":"c","score":0.3,"reason":"too short"}]}'`;
    const r = await evaluateScript(script({ command: cmd }), ctx(wd));
    expect(r.score).toBeCloseTo(0.6, 10);
    expect(r.pass).toBe(false);
    expect(r.checkpoints).toEqual([
      { name: 'a', score: 1 },
      { name: 'b', score: 0.5 },
      { name: 'c', score: 0.3, reason: 'too short' },
    ]);
    expect(r.details).toContain('2/3 checkpoints passed; failed: c (too short)');
    const all = await evaluateScript(script({ command: `echo '{"checkpoints":[{"name":"a","score":0.5},{"name":"b","score":0.9}]}'` }), ctx(wd));
    expect(all).toMatchObject({ pass: true });
    expect(all.score).toBeCloseTo(0.7, 10);
  });

  it('an infraError line gives score 0 with infraError', async () => {
    const r = await evaluateScript(script({ command: `echo '{"infraError":"API unreachable"}'` }), ctx(agentDir()));
    expect(r).toMatchObject({ pass: false, score: 0, infraError: 'API unreachable' });
  });

  it('python3 -c code runs unmangled by the shell ($ and backticks stay literal)', async () => {
    const wd = agentDir({ 'data.json': '{"price": 5}' });
    const cmd = 'python3 -c "import json; d = json.load(open(\'data.json\')); s = \'$price `x`\'; assert d[\'price\'] == 5; print(s)"';
    const r = await evaluateScript(script({ command: cmd, expectedOutput: '$price `x`' }), ctx(wd));
    expect(r).toMatchObject({ pass: true, score: 1 });
  });

  it('a command that never ends is killed at the timeout: score 0 with the reason', async () => {
    const started = Date.now();
    const r = await evaluateScript(script({ command: 'sleep 30' }), ctx(agentDir(), 700));
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(r).toMatchObject({ pass: false, score: 0 });
    expect(r.details).toMatch(/timed out after 700 ms/);
    expect(r.infraError).toBeUndefined();
  });

  it('graders work on a copy: the agent work dir and later criteria never see their writes', async () => {
    const wd = agentDir({ 'keep.txt': 'agent' });
    const results = await evaluateAll(
      [
        script({ command: 'echo grader > keep.txt && touch _artefact && rm -f missing' }),
        script({ command: 'test "$(cat keep.txt)" = agent && test ! -e _artefact' }),
      ],
      ctx(wd),
    );
    expect(results.map((r) => r.pass)).toEqual([true, true]);
    expect(readdirSync(wd)).toEqual(['keep.txt']);
    expect(readFileSync(path.join(wd, 'keep.txt'), 'utf8')).toBe('agent');
  });

  it('the eval copies are removed afterwards', async () => {
    const c = ctx(agentDir());
    await evaluateScript(script({ command: 'true' }), c);
    expect(readdirSync(c.tmpRoot!)).toEqual([]);
    expect(existsSync(c.tmpRoot!)).toBe(true);
  });
});
