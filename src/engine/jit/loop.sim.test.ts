import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { JIT_SIM, MARKER, BROKEN, writeJitFixtures } from '../../../test/jit-sim.js';
import { simulatedLlm } from '../../../test/scripted-sim.js';
import { tempDirs } from '../../../test/tmp.js';
import { createProposal, readProposalMeta } from '../proposals/storage.js';
import { jitOptimizePolicy } from '../sim/policies/jit-optimize.js';
import { loadTask } from '../tasks/load.js';
import { runOptimizeLoop, type LoopOptions } from './loop.js';
import { generateTasks } from './task-gen.js';
import type { Evidence, HistoryEntry } from './types.js';

const tmp = tempDirs('skvm-jit-loop-');
const sim = simulatedLlm((s) => [{ match: 'sim/*', kind: 'openai-compatible', baseUrl: s.openaiBaseUrl, apiKey: '' }], { policy: jitOptimizePolicy(JIT_SIM) });

async function setup() {
  const root = tmp();
  const { skillDir, taskDir } = await writeJitFixtures(root);
  const proposals = path.join(root, 'proposals');
  const p = await createProposal(proposals, { harness: 'bare-agent', targetModel: 'sim/target', skillName: 'out-writer', skillDir, optimizerModel: 'sim/optimizer', judgeModel: 'sim/target', source: 'real' });
  const task = await loadTask(taskDir);
  const opts: LoopOptions = {
    proposalDir: p.dir,
    skillDir,
    source: { kind: 'tasks', label: 'real', train: [task], test: [] },
    target: { model: 'sim/target', adapter: 'bare-agent', skillMode: 'inject' },
    optimizerModel: 'sim/optimizer',
    judgeModel: 'sim/target',
    llm: sim.client(),
    rounds: 3,
    runsPerTask: 1,
    taskConcurrency: 2,
    baseline: false,
    keepAllRounds: true,
    optimizerTimeoutMs: 30_000,
    tmpRoot: path.join(root, 'tmp'),
    sandbox: { mode: 'auto', network: false },
    convergence: 0.95,
    minImprovement: 0.02,
    perTaskRegressionTolerance: 0.2,
    minCostReductionRatio: 0.15,
    scoreEquivalenceBand: 0.02,
  };
  await fsp.mkdir(opts.tmpRoot, { recursive: true });
  return { root, skillDir, dir: p.dir, opts };
}

describe('jit-optimize round loop (real source, simulator)', () => {
  it('round 1 improves, round 2 regresses: best is round 1 and round 3 is based on round 1, not round 2', async () => {
    sim.sim().setPolicy(jitOptimizePolicy(JIT_SIM));
    const { dir, opts, skillDir } = await setup();
    const progress: string[] = [];
    const r = await runOptimizeLoop({ ...opts, onProgress: (m) => progress.push(m) });

    expect(r.rounds.map((x) => x.trainScore)).toEqual([0, 0.5, 0, 0]);
    expect(r.bestRound).toBe(1);
    expect(r.editedRounds).toEqual([1, 2, 3]);
    expect(r.bestRoundReason).toBe('round 1 beats baseline by +0.500 on train (0.000 -> 0.500)');
    expect(r.history.map((h: HistoryEntry) => [h.round, h.basedOnRound, h.improved])).toEqual([[1, 0, true], [2, 1, false], [3, 1, false]]);
    expect(progress).toContain('round 2 scored 0.000, below round 1 (0.500): the next round starts from round 1');

    // The rounds on disk: round 1 has the marker, rounds 2 and 3 the broken rule, each edited from round 1's text.
    const md = (n: number) => fsp.readFile(path.join(dir, `round-${n}`, 'SKILL.md'), 'utf8');
    expect(await md(0)).not.toContain(MARKER);
    expect(await md(1)).toContain(MARKER);
    expect(await md(2)).toContain(BROKEN);
    expect(await md(3)).toBe(await md(2));
    // The original skill is untouched (no auto-apply).
    expect(await fsp.readFile(path.join(skillDir, 'SKILL.md'), 'utf8')).not.toContain(MARKER);
    // Round 3's optimizer saw round 1's evidence (MARGINAL at 0.5), not round 2's (FAILING at 0).
    const summary3 = await fsp.readFile(path.join(dir, 'round-3-optimizer', 'optimize-context', 'PER_TASK_SUMMARY.md'), 'utf8');
    expect(summary3).toContain('| MARGINAL | write-out | 1 | 0.500 |');
    expect(await fsp.readFile(path.join(dir, 'round-3-optimizer', 'optimize-context', 'history.md'), 'utf8')).toContain("edited round 1's skill");
    expect((await fsp.readdir(path.join(dir, 'round-1-optimizer'))).sort()).toEqual(['diff.json', 'optimize-context', 'prompt.md', 'stdout.log', 'submission.json']);
    expect(JSON.parse(await fsp.readFile(path.join(dir, 'round-1-optimizer', 'diff.json'), 'utf8'))).toMatchObject({ added: [], modified: ['SKILL.md'], removed: [], changed: true });

    // Evidence records: run_task's preparation applied (inline fixture and _setup.sh), the agent's file captured.
    const rec = path.join(dir, 'round-0-evidence', 'train', 'write-out-run0');
    expect((await fsp.readdir(path.join(rec, 'workdir'))).sort()).toEqual(['input.txt', 'out.txt', 'prepared.txt']);
    const sidecar = JSON.parse(await fsp.readFile(path.join(rec, 'evidence.json'), 'utf8'));
    expect(sidecar.criteria.map((c: { id: string; passed: boolean }) => [c.id, c.passed])).toEqual([['has-ok', false], ['has-perfect', false]]);

    const meta = await readProposalMeta(dir);
    expect(meta).toMatchObject({ status: 'pending', bestRound: 1, roundCount: 4, judgeModel: 'sim/target' });
    expect(r.spend.optimizer.costUsd).toBeGreaterThan(0);
    expect(r.spend.target.costUsd).toBeGreaterThan(0);
  });

  it('baseline: true runs the no-skill condition too and reports both', async () => {
    sim.sim().setPolicy(jitOptimizePolicy(JIT_SIM));
    const { opts, dir } = await setup();
    const r = await runOptimizeLoop({ ...opts, rounds: 1, baseline: true });
    expect(r.baseline).toEqual({ noSkill: { trainScore: 0, testScore: null }, original: { trainScore: 0, testScore: null } });
    expect(await fsp.readdir(path.join(dir, 'baseline-noskill-evidence', 'train'))).toEqual(['write-out-run0']);
  });

  it('a crash of the optimizer leaves the proposal failed, not pending', async () => {
    const { opts, dir } = await setup();
    const target = jitOptimizePolicy(JIT_SIM);
    sim.sim().setPolicy({ name: 'crash', respond: (req, c) => (req.model === 'optimizer' ? { kind: 'fault', fault: { type: 'auth' } } : target.respond(req, c)) });
    await expect(runOptimizeLoop(opts)).rejects.toThrow();
    const meta = await readProposalMeta(dir);
    expect(meta.status).toBe('failed');
    expect(meta.failedReason).toBeTruthy();
  });

  it('log-only: one optimizer pass on the evidence; round 1 is the edit, unscored', async () => {
    sim.sim().setPolicy(jitOptimizePolicy(JIT_SIM));
    const { opts, dir } = await setup();
    const evidence: Evidence = {
      taskId: 'session-1',
      taskPrompt: 'Write the out file',
      conversationLog: [{ type: 'request', ts: '2026-01-01T00:00:00.000Z', text: 'Write the out file' }],
      criteria: [{ id: 'agent-reported', name: 'agent-reported', method: 'custom', weight: 1, score: 0, passed: false, details: 'out.txt was wrong' }],
    };
    const r = await runOptimizeLoop({ ...opts, source: { kind: 'log', evidences: [evidence] } });
    expect(r).toMatchObject({ bestRound: 1, bestRoundReason: 'optimized version (log-only source — no evaluation)' });
    expect(r.rounds.map((x) => [x.round, x.trainScore])).toEqual([[0, null], [1, null]]);
    expect(await fsp.readFile(path.join(dir, 'round-1', 'SKILL.md'), 'utf8')).toContain(MARKER);
    expect((await readProposalMeta(dir)).status).toBe('pending');
  });

  it('log-only: an infraBlocked submission makes an infra-blocked proposal (fix of §10 item 15)', async () => {
    const { opts, dir } = await setup();
    const submission = { infraBlocked: true, blockedEvidenceIds: ['0'], blockedReason: 'the session died on a provider outage' };
    sim.sim().setPolicy({
      name: 'blocked',
      respond: (req) =>
        req.messages.some((m) => m.role === 'tool')
          ? { kind: 'message', text: 'Blocked.' }
          : { kind: 'message', toolCalls: [{ name: 'write_file', arguments: { path: '.optimize/submission.json', content: JSON.stringify(submission) } }], stopReason: 'tool_use' },
    });
    const evidence: Evidence = { taskId: 's', taskPrompt: 'p', conversationLog: [] };
    const r = await runOptimizeLoop({ ...opts, source: { kind: 'log', evidences: [evidence] } });
    expect(r).toMatchObject({ bestRound: 0, bestRoundReason: 'infra-blocked at round-1: the session died on a provider outage', infraBlocked: { reason: 'the session died on a provider outage', evidenceIds: ['0'] } });
    expect(await readProposalMeta(dir)).toMatchObject({ status: 'infra-blocked', blockedReason: 'the session died on a provider outage', blockedEvidenceIds: ['0'] });
  });

  it('synthetic: tasks are generated into the proposal first, then the rounds run on them', async () => {
    const task = (n: number) => ({ name: `t${n}`, prompt: `Write out.txt (case ${n})`, eval: [{ method: 'file-check', path: 'out.txt', mode: 'contains', expected: 'ok' }] });
    sim.sim().setPolicy(jitOptimizePolicy({ ...JIT_SIM, generatedTasks: [task(0), task(1)] }));
    const { opts, dir } = await setup();
    const r = await runOptimizeLoop({
      ...opts,
      source: { kind: 'synthetic', generate: (proposalDir) => generateTasks({ skillDir: opts.skillDir, trainCount: 1, testCount: 1, proposalDir, model: 'sim/optimizer', llm: opts.llm, tmpRoot: opts.tmpRoot, sandbox: opts.sandbox, timeoutMs: 30_000, taskTimeoutMs: 20_000 }) },
    });
    expect(r.rounds.map((x) => [x.round, x.trainScore, x.testScore])).toEqual([[0, 0, 0], [1, 1, 1]]);
    expect(r).toMatchObject({ bestRound: 1, bestRoundReason: 'round 1 beats baseline by +1.000 on test (0.000 -> 1.000)' });
    expect(r.spend.setup.costUsd).toBeGreaterThan(0);
    expect(await fsp.readdir(path.join(dir, 'round-0-evidence'))).toEqual(['test', 'train']);
    expect(await fsp.readdir(path.join(dir, 'task-gen', 'run-0', 'tasks'))).toEqual(['task-0', 'task-1']);
  });

  it('round 0 all infra-tainted: an infra-blocked proposal and no optimizer pass', async () => {
    const { opts, dir } = await setup();
    const seen: string[] = [];
    sim.sim().setPolicy({ name: 'outage', respond: (req) => (seen.push(req.model), { kind: 'fault', fault: { type: 'server_error', status: 503, message: 'overloaded' } }) });
    const r = await runOptimizeLoop(opts);
    expect(r.infraBlocked).toMatchObject({ evidenceIds: ['0'] });
    expect(r.infraBlocked!.reason).toMatch(/503|overloaded/);
    expect(r.bestRoundReason).toMatch(/^infra-blocked at round-0: /);
    expect(r.history).toMatchObject([{ round: 0, infraBlocked: true, reasoning: expect.stringMatching(/^all-tainted: /) }]);
    expect(seen.every((m) => m === 'target')).toBe(true);
    expect(await readProposalMeta(dir)).toMatchObject({ status: 'infra-blocked' });
  });

  it('keepAllRounds: false keeps only the best round', async () => {
    sim.sim().setPolicy(jitOptimizePolicy(JIT_SIM));
    const { opts, dir } = await setup();
    const r = await runOptimizeLoop({ ...opts, rounds: 2, keepAllRounds: false });
    expect(r.bestRound).toBe(1);
    expect((await fsp.readdir(dir)).filter((n) => /^round-\d+$/.test(n))).toEqual(['round-1']);
  });

  it('synthetic: a no-change round regenerates the training tasks, re-evaluates the base on them, and goes on (§5.3 step 6c)', async () => {
    const check = (n: number, expected: string) => ({ name: `t${n}`, prompt: `Write out.txt (case ${n})`, eval: [{ method: 'file-check', path: 'out.txt', mode: 'contains', expected }] });
    // Train task 0 passes without the marker (nothing to learn), the test task needs it; the regenerated train task needs it too.
    sim.sim().setPolicy(jitOptimizePolicy({ ...JIT_SIM, generatedTasks: [check(0, 'nothing'), check(1, 'ok'), check(2, 'ok')] }));
    const { opts, dir } = await setup();
    const gen = { skillDir: opts.skillDir, model: 'sim/optimizer', llm: opts.llm, tmpRoot: opts.tmpRoot, sandbox: opts.sandbox, timeoutMs: 30_000, taskTimeoutMs: 20_000 };
    const r = await runOptimizeLoop({
      ...opts,
      rounds: 3,
      source: {
        kind: 'synthetic',
        generate: (proposalDir) => generateTasks({ ...gen, proposalDir, trainCount: 1, testCount: 1 }),
        regenerate: (proposalDir, round, priorPrompts, firstIndex) => generateTasks({ ...gen, proposalDir, trainCount: 1, testCount: 0, label: `run-regen-round-${round}`, priorPrompts, firstIndex }),
      },
    });
    expect(r.trainRegenerated).toBe(true);
    expect(r.rounds.map((x) => [x.round, x.trainScore, x.testScore])).toEqual([[0, 1, 0], [1, null, null], [2, 1, 1]]);
    expect(r.history.map((h) => [h.round, h.basedOnRound])).toEqual([[1, 0], [2, 0]]);
    expect(r.bestRound).toBe(2);
    expect(await fsp.readdir(path.join(dir, 'task-gen', 'run-regen-round-1', 'tasks'))).toEqual(['task-2']);
    expect(await fsp.readdir(path.join(dir, 'round-1-regen-evidence', 'train'))).toEqual(['task-2-run0']);
    // Round 2's optimizer learned from the regenerated task (FAILING), not from the passing original one.
    const summary = await fsp.readFile(path.join(dir, 'round-2-optimizer', 'optimize-context', 'PER_TASK_SUMMARY.md'), 'utf8');
    expect(summary).toContain('| FAILING | task-2 |');
    expect((await readProposalMeta(dir)).selectionConfig).toBeDefined();
  });
});
