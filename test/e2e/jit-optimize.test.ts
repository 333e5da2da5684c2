import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESULT_BUDGET_CHARS } from '../../src/contract/detail.js';
import { writeConfigFile } from '../../src/engine/config/write.js';
import { readProposalMeta } from '../../src/engine/proposals/storage.js';
import { proposalDirFromId } from '../../src/engine/proposals/paths.js';
import { jitOptimizePolicy } from '../../src/engine/sim/policies/jit-optimize.js';
import { withLatency } from '../../src/engine/sim/policies/latency.js';
import { startSimServer, type SimServer } from '../../src/engine/sim/server.js';
import { BROKEN, JIT_SIM, MARKER, writeJitFixtures } from '../jit-sim.js';
import { connect, REPO, removeDir, tempDir, textOf, type Connected } from './harness.js';

/**
 * jit_optimize through the built server over stdio, the simulator playing the optimizer agent
 * and the target (test/jit-sim.ts): a real-source optimization whose round 1 improves and round
 * 2 regresses, a synthetic one whose tasks the optimizer model writes, a second optimization of the same skill refused while the first runs, an
 * optimizer crash that leaves the proposal failed, and log-source optimizations from the Claude
 * Code session fixture (by path, and as the latest session that loaded the skill).
 */

type ToolResult = { isError?: boolean; structuredContent?: Record<string, any>; content: Array<{ type: string; text?: string }> };

let sim: SimServer;
let cache: string;
let conn: Connected;
let fixtures: { skillDir: string; taskDir: string };

beforeAll(async () => {
  sim = await startSimServer({ policy: jitOptimizePolicy(JIT_SIM) });
  cache = tempDir('e2e-jit');
  fixtures = await writeJitFixtures(cache);
  await writeConfigFile(path.join(cache, 'skvm.config.json'), {
    providers: { routes: [{ match: 'sim/*', kind: 'openai-compatible', baseUrl: sim.openaiBaseUrl, apiKey: '' }] },
  });
  conn = await connect({ era: 'modern', cache });
});

afterAll(async () => {
  await conn?.close();
  await sim?.close();
  removeDir(cache);
});

const call = async (name: string, args: Record<string, unknown>) => (await conn.client.callTool({ name, arguments: args }, undefined, { timeout: 120_000 })) as ToolResult;
const optimize = (extra: Record<string, unknown> = {}) =>
  call('jit_optimize', { skill: fixtures.skillDir, source: 'real', tasks: [fixtures.taskDir], targetModel: 'sim/target', optimizerModel: 'sim/optimizer', rounds: 3, waitSeconds: 50, ...extra });

describe('jit_optimize over MCP', () => {
  it('round 1 improves, round 2 regresses: picks round 1, and round 3 is based on round 1', async () => {
    sim.setPolicy(jitOptimizePolicy(JIT_SIM));
    const r = await optimize();
    expect(r.isError, textOf(r)).toBeFalsy();
    const out = r.structuredContent!.result;
    expect(out).toMatchObject({ status: 'pending', bestRound: 1, bestRoundReason: 'round 1 beats baseline by +0.500 on train (0.000 -> 0.500)', judgeModel: 'sim/target', skill: 'out-writer' });
    expect(out.rounds.map((x: any) => [x.round, x.trainScore, x.basedOnRound ?? null])).toEqual([[0, 0, null], [1, 0.5, 0], [2, 0, 1], [3, 0, 1]]);
    expect(out.rounds.map((x: any) => x.edited)).toEqual([false, true, true, true]);
    expect(out.changedFiles).toEqual([{ file: 'SKILL.md', status: 'modified' }]);
    expect(out.diff).toContain(`+${MARKER}`);
    expect(out.diff).not.toContain(BROKEN);
    expect(out.rootCause).toBe('the output step does not say what to write (worst task: write-out)');
    expect(out.spend.optimizer.costUsd).toBeGreaterThan(0);
    expect(out.spend.target.costUsd).toBeGreaterThan(0);
    expect(out.proposalUri).toBe(`skvm://proposals/${out.proposalId}`);
    const dir = proposalDirFromId(path.join(cache, 'proposals'), out.proposalId);
    expect(await readProposalMeta(dir)).toMatchObject({ status: 'pending', bestRound: 1, judgeModel: 'sim/target', optimizerModel: 'sim/optimizer' });
    // Nothing was applied to the skill.
    expect(await fsp.readFile(path.join(fixtures.skillDir, 'SKILL.md'), 'utf8')).not.toContain(MARKER);
    expect(textOf(r)).toContain('best round 1');
    expect(JSON.stringify(r.structuredContent).length).toBeLessThanOrEqual(RESULT_BUDGET_CHARS);
  });

  it('synthetic: the optimizer model writes the tasks (kept in the proposal), then the rounds run on them', async () => {
    const task = (n: number) => ({ name: `t${n}`, prompt: `Write out.txt (case ${n})`, eval: [{ method: 'file-check', path: 'out.txt', mode: 'contains', expected: 'ok' }] });
    sim.setPolicy(jitOptimizePolicy({ ...JIT_SIM, generatedTasks: [task(0), task(1)] }));
    const r = await call('jit_optimize', { skill: fixtures.skillDir, source: 'synthetic', trainCount: 1, testCount: 1, targetModel: 'sim/target', optimizerModel: 'sim/optimizer', waitSeconds: 50 });
    expect(r.isError, textOf(r)).toBeFalsy();
    const out = r.structuredContent!.result;
    expect(out).toMatchObject({ source: 'synthetic', bestRound: 1, bestRoundReason: 'round 1 beats baseline by +1.000 on test (0.000 -> 1.000)' });
    expect(out.spend.taskGen.costUsd).toBeGreaterThan(0);
    const dir = proposalDirFromId(path.join(cache, 'proposals'), out.proposalId);
    expect(await fsp.readdir(path.join(dir, 'task-gen', 'run-0', 'tasks'))).toEqual(['task-0', 'task-1']);
  });

  it('a second optimization of the same skill is refused while the first runs', async () => {
    sim.setPolicy(withLatency(jitOptimizePolicy(JIT_SIM), { fixedMs: 300 }));
    const first = await optimize({ rounds: 1, waitSeconds: 0 });
    expect(first.structuredContent).toMatchObject({ status: expect.stringMatching(/queued|running/) });
    // Wait until the first run holds the lock (its proposal exists).
    const keyDir = path.join(cache, 'proposals', 'jit-optimize', 'bare-agent', 'sim--target', 'out-writer');
    for (let i = 0; i < 100 && !(await fsp.stat(path.join(keyDir, '.optimize.lock')).catch(() => null)); i++) await new Promise((res) => setTimeout(res, 50));
    const second = await optimize({ rounds: 1, waitSeconds: 30 });
    expect(second.isError).toBe(true);
    expect(textOf(second) + JSON.stringify(second.structuredContent ?? {})).toMatch(/another optimization is in progress for bare-agent\/sim\/target\/out-writer/);
    const done = await call('run_status', { runId: first.structuredContent!.runId, waitSeconds: 50 });
    expect(done.structuredContent).toMatchObject({ status: 'succeeded' });
  });

  it('an optimizer crash fails the run and leaves the proposal failed', async () => {
    const target = jitOptimizePolicy(JIT_SIM);
    sim.setPolicy({ name: 'crash', respond: (req, c) => (req.model === 'optimizer' ? { kind: 'fault', fault: { type: 'auth' } } : target.respond(req, c)) });
    const before = new Set(await fsp.readdir(path.join(cache, 'proposals', 'jit-optimize', 'bare-agent', 'sim--target', 'out-writer')));
    const r = await optimize({ rounds: 1 });
    expect(r.isError).toBe(true);
    const keyDir = path.join(cache, 'proposals', 'jit-optimize', 'bare-agent', 'sim--target', 'out-writer');
    const fresh = (await fsp.readdir(keyDir)).filter((d) => !before.has(d) && !d.startsWith('.'));
    expect(fresh).toHaveLength(1);
    const meta = await readProposalMeta(path.join(keyDir, fresh[0]!));
    expect(meta.status).toBe('failed');
    expect(meta.failedReason).toMatch(/401|auth/i);
  });
});

describe('jit_optimize from a Claude Code transcript', () => {
  const FIXTURE = path.join(REPO, 'test', 'fixtures', 'transcripts', 'claude-code', 'session.jsonl');
  const tidyNotes = async () => {
    const dir = path.join(cache, 'skills', 'tidy-notes');
    await fsp.mkdir(dir, { recursive: true });
    await fsp.writeFile(path.join(dir, 'SKILL.md'), '---\nname: tidy-notes\ndescription: Keeps notes tidy\n---\n# Tidy notes\n\n## Output\nWrite the result.\n');
    return dir;
  };

  it('optimizes once from the session (log source): round 1 is the edit, the transcript is the evidence', async () => {
    sim.setPolicy(jitOptimizePolicy(JIT_SIM));
    const skill = await tidyNotes();
    const r = await call('jit_optimize', { skill, source: 'log', logs: [{ path: FIXTURE }], targetModel: 'sim/target', optimizerModel: 'sim/optimizer', waitSeconds: 50 });
    expect(r.isError, textOf(r)).toBeFalsy();
    const out = r.structuredContent!.result;
    expect(out).toMatchObject({ status: 'pending', source: 'log', bestRound: 1, bestRoundReason: 'optimized version (log-only source — no evaluation)', skill: 'tidy-notes' });
    expect(out.rounds.map((x: any) => [x.round, x.trainScore])).toEqual([[0, null], [1, null]]);
    expect(out.diff).toContain(`+${MARKER}`);
    expect(out.rootCause).toBe('the output step does not say what to write (worst task: session)');
    const dir = proposalDirFromId(path.join(cache, 'proposals'), out.proposalId);
    // The optimizer read the parsed session: its task prompt and its tool calls.
    const run = await fsp.readFile(path.join(dir, 'round-1-optimizer', 'optimize-context', 'tasks', 'session', 'run-0.md'), 'utf8');
    expect(run).toContain('Use the tidy-notes skill: write a short note to notes.txt');
    expect(run).toContain('missing-input.txt');
    expect((await readProposalMeta(dir)).source).toBe('log');
  });

  it('latestSession finds the newest session that loaded the skill', async () => {
    sim.setPolicy(jitOptimizePolicy(JIT_SIM));
    const skill = await tidyNotes();
    const sessions = path.join(cache, '.claude', 'projects', '-tmp-project');
    await fsp.mkdir(sessions, { recursive: true });
    await fsp.copyFile(FIXTURE, path.join(sessions, '62ddd926-519a-4c1b-a18b-4194d1cfab46.jsonl'));
    const r = await call('jit_optimize', { skill, source: 'log', latestSession: true, targetModel: 'sim/target', optimizerModel: 'sim/optimizer', waitSeconds: 50 });
    expect(r.isError, textOf(r)).toBeFalsy();
    expect(r.structuredContent!.result).toMatchObject({ bestRound: 1, rootCause: 'the output step does not say what to write (worst task: 62ddd926-519a-4c1b-a18b-4194d1cfab46)' });
  });
});

