import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { okRun } from '../../../test/run-result.js';
import { tempDirs } from '../../../test/tmp.js';
import type { RunResult } from '../agent/types.js';
import { simulatedLlm } from '../../../test/scripted-sim.js';
import type { ScriptStep } from '../sim/index.js';
import { LlmJudgeCriterionSchema, type EvalCriterion, type LlmJudgeCriterion } from '../tasks/criteria.js';
import { evaluateAll } from './evaluate.js';
import { collectJudgeInputs, collectWorkDirFiles, formatTrace, renderRubric } from './judge-inputs.js';
import { evaluateLlmJudge } from './llm-judge.js';
import type { EvalContext, JudgeInputs } from './types.js';

/** The LLM judge through the real LlmClient, SDK and HTTP against the simulator. */

const tmp = tempDirs('skvm-eval-judge-test-');
const { client, script } = simulatedLlm((sim) => [{ match: 'sim/*', kind: 'openai-compatible', baseUrl: sim.openaiBaseUrl, apiKey: '' }]);

const submit = (args: Record<string, unknown>): ScriptStep => ({ kind: 'message', toolCalls: [{ name: 'submit_score', arguments: args }] });

function runResult(workDir: string): RunResult {
  return okRun(workDir, {
    text: 'I wrote report.md with the totals.',
    steps: [
      { role: 'assistant', text: 'Let me write the report.', toolCalls: [{ id: 'c1', name: 'write_file', input: { path: 'report.md', content: 'x'.repeat(700) }, output: 'ok: wrote 700 bytes' }], timestamp: 1 },
      { role: 'tool', toolCalls: [{ id: 'c2', name: 'execute_command', input: { command: 'ls' }, output: 'y'.repeat(1500) }], timestamp: 2 },
      { role: 'assistant', text: 'Done.', toolCalls: [], timestamp: 3 },
    ],
    durationMs: 10,
    llmDurationMs: 5,
  });
}

function agentDir(): string {
  const d = tmp();
  const files: Record<string, string | Buffer> = {
    'report.md': '# Totals\nrevenue: 1200\n',
    'data/notes.txt': 'nested note',
    'big.txt': 'B'.repeat(12_000),
    'SOUL.md': 'harness soul',
    'AGENTS.md': 'harness agents',
    '.env': 'SECRET=1',
    '.git/config': '[core]',
    'node_modules/x/index.js': 'module.exports = 1',
    'skills/s/SKILL.md': 'skill body',
    'sub/skills/kept.txt': 'not top-level, kept',
    'chart.png': 'PNGDATA',
    'blob.dat': Buffer.from([0x41, 0x00, 0x42]),
  };
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(d, rel)), { recursive: true });
    writeFileSync(path.join(d, rel), content);
  }
  return d;
}

function ctx(workDir: string, extra: Partial<EvalContext> = {}): EvalContext {
  return { runResult: runResult(workDir), workDir, sandbox: { mode: 'auto', network: false, timeoutMs: 10_000 }, judge: { llm: client(), model: 'sim/judge' }, ...extra };
}

const judge = (c: Partial<LlmJudgeCriterion>): LlmJudgeCriterion => LlmJudgeCriterionSchema.parse({ method: 'llm-judge', rubric: 'Report is correct', ...c });

describe('judge inputs', () => {
  it('formats the trace with truncated tool inputs and outputs', () => {
    const trace = formatTrace(runResult('/w').steps);
    const lines = trace.split('\n');
    expect(lines[0]).toBe('Step 1 (assistant):');
    expect(lines[1]).toBe('Let me write the report.');
    expect(lines[2]).toBe(`  Tool: write_file(${JSON.stringify({ path: 'report.md', content: 'x'.repeat(700) }).slice(0, 500)})`);
    expect(lines[3]).toBe('  Output: ok: wrote 700 bytes');
    expect(trace).toContain(`\n\nStep 2 (tool):\n  Tool: execute_command({"command":"ls"})\n  Output: ${'y'.repeat(1000)}\n\nStep 3 (assistant):\nDone.`);
    expect(trace).not.toContain('y'.repeat(1001));
  });

  it('collects text files with the skip rules and size limits', async () => {
    const files = await collectWorkDirFiles(agentDir());
    expect(files).toContain('### report.md\n```\n# Totals\nrevenue: 1200\n\n```');
    expect(files).toContain('### data/notes.txt\n```\nnested note\n```');
    expect(files).toContain('### sub/skills/kept.txt');
    expect(files).toContain(`${'B'.repeat(10_000)}\n... (truncated, 12000 total chars)`);
    expect(files).not.toContain('B'.repeat(10_001));
    for (const hidden of ['SOUL.md', 'AGENTS.md', '.env', '.git', 'node_modules', 'skills/s', 'chart.png', 'blob.dat', 'harness soul']) {
      expect(files, hidden).not.toContain(hidden);
    }
  });

  it('stops adding files after ~30000 characters', async () => {
    const d = tmp();
    for (let i = 0; i < 6; i++) writeFileSync(path.join(d, `f${i}.txt`), String(i).repeat(9000));
    const files = await collectWorkDirFiles(d);
    expect(files).toContain('### f3.txt');
    expect(files).not.toContain('### f4.txt');
    expect(files).toContain('(2 more files not shown: size limit reached)');
  });

  it('renders a record rubric by numeric key, highest first', () => {
    expect(renderRubric({ '0': 'nothing', '10': 'perfect', '5': 'half', '0.5': 'a little' })).toBe('Score 10: perfect\nScore 5: half\nScore 0.5: a little\nScore 0: nothing');
    expect(renderRubric('plain text')).toBe('plain text');
  });
});

describe('llm-judge via the simulator', () => {
  it('sends rubric, trace, final output and files; normalizes the score; reports usage', async () => {
    const wd = agentDir();
    const policy = script([submit({ score: 7, reasoning: 'Totals present, formatting weak.' })]);
    const usage: Array<[number, number | null]> = [];
    const r = await evaluateLlmJudge(judge({ rubric: { '10': 'All totals right', '0': 'Nothing right' }, maxScore: 10 }), ctx(wd, { onJudgeUsage: (u, c) => usage.push([u.input, c]) }));
    expect(r).toEqual({ pass: true, score: 0.7, details: 'Totals present, formatting weak.' });
    expect(usage).toHaveLength(1);
    expect(usage[0]![0]).toBeGreaterThan(0);

    const req = policy.requests()[0]!;
    expect(req.model).toBe('judge');
    expect(req.toolChoice).toEqual({ name: 'submit_score' });
    expect(req.maxTokens).toBe(2048);
    const prompt = req.messages[0]!.content as string;
    expect(prompt).toContain('0.0 to 10');
    expect(prompt).toContain('## Rubric\nScore 10: All totals right\nScore 0: Nothing right');
    expect(prompt).toContain('## Agent Execution Trace\nStep 1 (assistant):\nLet me write the report.');
    expect(prompt).toContain('## Final Output\nI wrote report.md with the totals.');
    expect(prompt).toContain('## Files Created in Working Directory\n### big.txt');
    expect(prompt).toContain('revenue: 1200');
    expect(prompt).not.toContain('harness soul');
    expect(prompt).not.toContain('SECRET=1');
    expect(prompt).not.toContain('skill body');
  });

  it.each([
    [12, 10, 1, true],
    [-3, 10, 0, false],
    ['3', 10, 0.3, false],
    [0.5, 1, 0.5, true],
  ])('score %s of max %s → %s (pass %s)', async (score, maxScore, normalized, pass) => {
    script([submit({ score, reasoning: 'r' })]);
    const r = await evaluateLlmJudge(judge({ maxScore }), ctx(tmp()));
    expect(r.score).toBeCloseTo(normalized, 10);
    expect(r.pass).toBe(pass);
  });

  it('falls back to JSON text when the model answers without the tool', async () => {
    const policy = script([{ kind: 'message', text: 'I think it is fine.' }, { kind: 'message', text: '{"score": 0.9, "reasoning": "fine"}' }]);
    const r = await evaluateLlmJudge(judge({}), ctx(tmp()));
    expect(r).toEqual({ pass: true, score: 0.9, details: 'fine' });
    expect(policy.requests()).toHaveLength(2);
  });

  it('omits the files section when the work dir has no visible files', async () => {
    const policy = script([submit({ score: 1, reasoning: 'ok' })]);
    await evaluateLlmJudge(judge({}), ctx(tmp()));
    expect(policy.requests()[0]!.messages[0]!.content).not.toContain('## Files Created in Working Directory');
  });

  it('a provider error is score 0 with infraError', async () => {
    script([{ kind: 'fault', fault: { type: 'auth' } }]);
    const r = await evaluateLlmJudge(judge({}), ctx(tmp()));
    expect(r.pass).toBe(false);
    expect(r.score).toBe(0);
    expect(r.infraError).toMatch(/^LLM judge call failed: /);
    expect(r.details).toBe(r.infraError);
  });

  it('an unusable answer (not a provider error) is score 0 without infraError', async () => {
    const policy = script([{ kind: 'message', text: 'no idea' }, { kind: 'message', text: 'still no idea' }, { kind: 'message', text: 'really no idea' }]);
    const r = await evaluateLlmJudge(judge({}), ctx(tmp()));
    expect(r).toMatchObject({ pass: false, score: 0 });
    expect(r.details).toMatch(/^LLM judge error: Structured extraction "submit_score" from sim\/judge failed/);
    expect(r.infraError).toBeUndefined();
    // forced tool call, JSON-in-text fallback, one repair turn
    expect(policy.requests()).toHaveLength(3);
  });

  it('no judge configured: score 0 with a reason, no request', async () => {
    const policy = script([]);
    const c = ctx(tmp());
    delete c.judge;
    const r = await evaluateLlmJudge(judge({}), c);
    expect(r).toMatchObject({ pass: false, score: 0 });
    expect(r.details).toMatch(/LLM judge not configured/);
    expect(policy.requests()).toHaveLength(0);
  });

  it('deferred mode hands the inputs to the sink and records the placeholder', async () => {
    const wd = agentDir();
    const policy = script([]);
    const sink: Array<{ criterionIndex: number; criterion: EvalCriterion; inputs: JudgeInputs }> = [];
    const criteria: EvalCriterion[] = [{ method: 'file-check', path: 'report.md', mode: 'contains', expected: 'revenue' }, judge({ id: 'quality' })];
    const results = await evaluateAll(criteria, ctx(wd, { deferJudge: (e) => sink.push(e) }));
    expect(results[0]).toMatchObject({ pass: true, score: 1 });
    expect(results[1]).toEqual({ pass: false, score: 0, details: 'LLM judge deferred', criterion: criteria[1] });
    expect(sink).toHaveLength(1);
    expect(sink[0]!.criterionIndex).toBe(1);
    expect(sink[0]!.criterion).toBe(criteria[1]);
    expect(sink[0]!.inputs).toEqual(await collectJudgeInputs(runResult(wd), wd));
    expect(sink[0]!.inputs.workDirFiles).toContain('revenue: 1200');
    expect(policy.requests()).toHaveLength(0);
  });
});
