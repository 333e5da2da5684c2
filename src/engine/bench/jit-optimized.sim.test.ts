import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benchResults, simBenchOptions } from '../../../test/bench-sim.js';
import { roundResult } from '../../../test/proposals.js';
import { tempDirs } from '../../../test/tmp.js';
import { acceptProposal, rejectProposal } from '../proposals/deploy.js';
import { createProposal, finalizeProposal, markProposalFailed, persistRound } from '../proposals/storage.js';
import { loadPolicyFile, startSimServer, type SimServer } from '../sim/index.js';
import { loadTask, type LoadedTask } from '../tasks/load.js';
import { runBench, type RunBenchOptions } from './index.js';
import type { JitOptimizedSelection } from '../proposals/lookup.js';
import type { ConditionResult } from './types.js';

/**
 * jit-optimized cells end to end: the bundled slugify task and the simulator's scripted agent,
 * which solves it (score 1) only when the injected skill is named slug-rules and fails (score 0)
 * with any other. Proposals are made with the store API; which one a cell used shows in its
 * skillPath and score.
 */

const HERE = path.dirname(fileURLToPath(import.meta.url));
const DATA_ROOT = path.resolve(HERE, '../../../skvm-data');
const MODEL = 'sim/agent-1';
const tmp = tempDirs('skvm-jit-bench-');

let sim: SimServer;
let slugify: LoadedTask;
let original: string;

beforeAll(async () => {
  sim = await startSimServer({ policy: await loadPolicyFile(path.join(DATA_ROOT, 'sim/tasks.json')) });
  slugify = await loadTask(path.join(DATA_ROOT, 'tasks/slugify'));
  original = await fsp.readFile(path.join(DATA_ROOT, 'skills/slug-rules/SKILL.md'), 'utf8');
});
afterAll(async () => sim?.close());

function options(proposalsRoot: string, use: JitOptimizedSelection): RunBenchOptions {
  return { ...simBenchOptions(sim, { model: MODEL, task: slugify, conditions: ['jit-optimized'], tmp }), jit: { proposalsRoot, use } };
}

/** A finished proposal for slug-rules whose round 1 SKILL.md is `round1`; `at` orders them. */
async function proposal(proposalsRoot: string, at: string, round1: string) {
  const skill = path.join(tmp(), 'slug-rules');
  await fsp.mkdir(skill);
  await fsp.writeFile(path.join(skill, 'SKILL.md'), original);
  const p = await createProposal(proposalsRoot, { harness: 'bare-agent', targetModel: MODEL, skillName: 'slug-rules', skillDir: skill, optimizerModel: 'sim/opt', source: 'real-task (train=1, test=1)' }, new Date(at));
  await persistRound(p.dir, 0, skill);
  const work = path.join(tmp(), 'slug-rules');
  await fsp.mkdir(work);
  await fsp.writeFile(path.join(work, 'SKILL.md'), round1);
  await persistRound(p.dir, 1, work);
  await finalizeProposal(p.dir, { entries: [], rounds: [roundResult(0, 0.5), roundResult(1, 1)], bestRound: 1, bestRoundReason: 'best train score' });
  return p;
}

async function onlyCell(proposalsRoot: string, use: JitOptimizedSelection): Promise<ConditionResult> {
  const results = await benchResults((await runBench(options(proposalsRoot, use))).sessionDir);
  expect(results).toHaveLength(1);
  return results[0]!;
}

const improved = () => `${original}\n\nAlways run the tests before finishing.\n`;
const renamed = '---\nname: slug-notes\ndescription: other rules\n---\n# Some other rules\n';

describe('jit-optimized bench cells', () => {
  it('without a usable proposal the cell fails with the reason, never a silent original', async () => {
    const root = tmp();
    const pending = await proposal(root, '2026-05-01T00:00:00.000Z', improved());
    const r = await onlyCell(root, 'accepted');
    expect(r.runStatus).toBe('adapter-crashed');
    expect(r.statusDetail).toMatch(/no accepted jit-optimize proposal for skill slug-rules, target sim\/agent-1 on bare-agent \(found: 1 pending\)/);
    expect(r.statusDetail).toMatch(/best-completed/);
    expect(pending.id).toBeTruthy();
  }, 60_000);

  it('uses the accepted round, skipping newer rejected and failed proposals', async () => {
    const root = tmp();
    const good = await proposal(root, '2026-05-01T00:00:00.000Z', improved());
    await acceptProposal(good.dir, good.id);
    const rejected = await proposal(root, '2026-05-02T00:00:00.000Z', renamed);
    await rejectProposal(rejected.dir, rejected.id);
    const failed = await proposal(root, '2026-05-03T00:00:00.000Z', renamed);
    await markProposalFailed(failed.dir, 'optimizer crashed');
    const r = await onlyCell(root, 'accepted');
    expect(r).toMatchObject({ runStatus: 'ok', score: 1, skillId: 'slug-rules', skillPath: path.join(good.dir, 'round-1') });
  }, 60_000);

  it('best-completed uses the newest finished pending proposal’s best round', async () => {
    const root = tmp();
    const accepted = await proposal(root, '2026-05-01T00:00:00.000Z', improved());
    await acceptProposal(accepted.dir, accepted.id);
    const newer = await proposal(root, '2026-05-02T00:00:00.000Z', renamed);
    const r = await onlyCell(root, 'best-completed');
    // The newer proposal's round names another skill, so the scripted agent fails: it was used.
    expect(r).toMatchObject({ runStatus: 'ok', score: 0, skillPath: path.join(newer.dir, 'round-1') });
  }, 60_000);
});
