import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AgentStep } from '../agent/types.js';
import { FailureReportSchema } from '../profiles/schema.js';
import { buildFailureReport, computeFileChanges, consoleHint, enrichedDetails, failureLogBlock, reportSteps, summarizeToolCalls } from './diagnostics.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The bare agent's shape: an assistant step with the calls, then a tool step with their results. */
function turn(text: string | undefined, calls: Array<{ id: string; name: string; input: Record<string, unknown>; output?: string; exitCode?: number }>): AgentStep[] {
  const a: AgentStep = { role: 'assistant', ...(text ? { text } : {}), toolCalls: calls.map((c) => ({ id: c.id, name: c.name, input: c.input })), timestamp: 1 };
  if (calls.length === 0) return [a];
  return [a, { role: 'tool', toolCalls: calls.map((c) => ({ ...c })), timestamp: 2 }];
}

const steps: AgentStep[] = [
  ...turn('x'.repeat(800), [
    { id: 'a', name: 'read_file', input: { path: 'data.txt' }, output: 'y'.repeat(900) },
    { id: 'b', name: 'execute_command', input: { command: 'z'.repeat(400) }, output: 'boom '.repeat(100), exitCode: 2 },
  ]),
  ...turn(undefined, [{ id: 'c', name: 'write_file', input: { path: 'out.txt', content: 'hi' }, output: 'ok', exitCode: 0 }]),
  ...turn('final answer', []),
];

describe('failure diagnostics', () => {
  it('report steps: one per assistant turn with results merged, text 500 / input 300 / output 500 chars', () => {
    const rs = reportSteps(steps);
    expect(rs.map((s) => [s.index, s.role, s.toolCalls.length])).toEqual([
      [0, 'assistant', 2],
      [1, 'assistant', 1],
      [2, 'assistant', 0],
    ]);
    expect(rs[0]!.text).toHaveLength(500);
    expect(rs[0]!.toolCalls[0]!.output).toHaveLength(500);
    expect(rs[0]!.toolCalls[1]!.input).toHaveLength(300);
    expect(rs[0]!.toolCalls[1]!.input.startsWith('{"command":"zzz')).toBe(true);
    expect(rs[0]!.toolCalls[1]!.exitCode).toBe(2);
    expect(rs[2]!.text).toBe('final answer');
  });

  it('tool-call summary: totals, by tool, errors with a 200-char output', () => {
    const s = summarizeToolCalls(steps);
    expect(s.totalCalls).toBe(3);
    expect(s.byTool).toEqual({ read_file: 1, execute_command: 1, write_file: 1 });
    expect(s.errors).toHaveLength(1);
    expect(s.errors[0]).toMatchObject({ step: 0, tool: 'execute_command', exitCode: 2 });
    expect(s.errors[0]!.output).toHaveLength(200);
  });

  it('file changes against the setup files (response.txt ignored)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'skvm-diag-'));
    dirs.push(dir);
    const setup = { 'keep.txt': 'same', 'edit.txt': 'before', 'gone.txt': 'x', 'sub/deep.txt': 'd' };
    for (const [k, v] of Object.entries(setup)) {
      mkdirSync(path.dirname(path.join(dir, k)), { recursive: true });
      writeFileSync(path.join(dir, k), v);
    }
    writeFileSync(path.join(dir, 'edit.txt'), 'after');
    unlinkSync(path.join(dir, 'gone.txt'));
    writeFileSync(path.join(dir, 'new.txt'), 'n');
    mkdirSync(path.join(dir, 'out'));
    writeFileSync(path.join(dir, 'out', 'r.json'), '{}');
    writeFileSync(path.join(dir, 'response.txt'), 'answer');
    expect(await computeFileChanges(dir, setup)).toEqual({ created: ['new.txt', 'out/r.json'], modified: ['edit.txt'], deleted: ['gone.txt'] });
  });

  it('builds a schema-valid report, the enriched details string and the console hints', () => {
    const report = buildFailureReport({
      primitiveId: 'tool.exec',
      level: 'L2',
      instance: 1,
      evalDetails: 'file_exists: 1.00; output_correct: 0.00 (expected 9, got 7)',
      agentText: 'final answer',
      steps,
      fileChanges: { created: ['a', 'b'], modified: ['c'], deleted: [] },
      durationMs: 1234,
      extra: { seed: 42 },
    });
    expect(FailureReportSchema.safeParse(report).success).toBe(true);
    expect(report).toMatchObject({ primitiveId: 'tool.exec', level: 'L2', instance: 1, agentText: 'final answer', durationMs: 1234, seed: 42 });
    expect(enrichedDetails(report)).toBe('file_exists: 1.00; output_correct: 0.00 (expected 9, got 7) | 3 steps, 3 calls (1 err), files: +2 ~1 -0');
    expect(consoleHint(report)).toBe('(3 calls, error: execute_command exit=2)');
    expect(failureLogBlock(report)).toMatch(/^--- Failure diagnostics for tool\.exec L2 instance 1 ---\nEval: file_exists/);

    const clean = buildFailureReport({ ...report, steps: steps.slice(2), fileChanges: { created: ['out.txt'], modified: [], deleted: [] } } as never);
    expect(consoleHint(clean)).toBe('(1 calls, 1 writes, 1 files created)');
    expect(enrichedDetails(clean)).toMatch(/\| 2 steps, 1 calls, files: \+1 ~0 -0$/);

    const empty = buildFailureReport({ ...report, steps: [], adapterError: { exitCode: 1, stderr: 'crash' } } as never);
    expect(consoleHint(empty)).toBe('(0 steps, adapter exit=1)');
    expect(enrichedDetails(empty)).toMatch(/\| 0 steps, 0 calls, adapter exit=1, files: \+2 ~1 -0$/);
    expect(consoleHint(buildFailureReport({ ...report, steps: [] } as never))).toBe('(0 steps, no response)');
  });
});
