import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { RoundResult } from '../src/engine/jit/types.js';
import { createProposal, finalizeProposal, persistRound } from '../src/engine/proposals/storage.js';

/**
 * Test helpers: a skill and a finished proposal built through the real store API. Round 1
 * modifies SKILL.md and a binary file, adds docs/new.md and deletes scripts/old.sh (emptying
 * scripts/); round 2 regressed. Evidence sidecars for rounds 0 and 1 let show summarize them.
 */

export const BINARY = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff, 0x00, 0x10, 0x80]);

export async function writeTree(dir: string, files: Record<string, string | Buffer>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    await fsp.mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await fsp.writeFile(path.join(dir, rel), content);
  }
}

const usage = { input: 100, output: 20, cacheRead: 0, cacheWrite: 0 };

export function roundResult(round: number, trainScore: number | null, passed = 0): RoundResult {
  return {
    round,
    isBaseline: round === 0,
    trainScore,
    testScore: null,
    trainPassed: passed,
    trainTotal: 2,
    testPassed: 0,
    testTotal: 0,
    perTaskTrainScores: {},
    perTaskTestScores: {},
    targetAgent: { tokens: usage, costUsd: 0.001, runs: 2, durationMs: 40 },
    evalJudge: { tokens: usage, costUsd: 0.0005, calls: 2 },
    optimizer: round === 0 ? null : { tokens: usage, costUsd: 0.01 },
    historyEntry: null,
  };
}

async function evidence(dir: string, label: string, runs: Array<{ score: number; infra?: boolean }>): Promise<void> {
  for (const [i, r] of runs.entries()) {
    const criteria = [{ id: 'script/check', method: 'script', weight: 1, score: r.score, passed: r.score >= 0.999, ...(r.infra ? { infraError: 'grader crashed' } : {}) }];
    await writeTree(path.join(dir, `${label}-evidence`, 'train', `task-a-run${i}`), { 'evidence.json': JSON.stringify({ taskId: 'task-a', taskPrompt: 'p', conversationLog: [], criteria }) });
  }
}

export interface MadeProposal {
  skill: string;
  proposals: string;
  id: string;
  dir: string;
}

/** A skill under `<base>/skills/<skillName>` and a finished proposal for it under `<base>/proposals` (or `proposalsDir`). */
export async function makeProposal(base: string, opts: { skillName?: string; targetModel?: string; at?: Date; finalize?: boolean; proposalsDir?: string } = {}): Promise<MadeProposal> {
  const skillName = opts.skillName ?? 'my-skill';
  const skill = path.join(base, 'skills', skillName);
  await writeTree(skill, { 'SKILL.md': '# Skill\nold text\n', 'scripts/old.sh': '#!/bin/sh\necho old\n', 'assets/logo.bin': BINARY, 'keep.md': 'unchanged\n' });
  await fsp.chmod(path.join(skill, 'scripts/old.sh'), 0o755);
  const proposals = opts.proposalsDir ?? path.join(base, 'proposals');
  const p = await createProposal(
    proposals,
    { harness: 'bare-agent', targetModel: opts.targetModel ?? 'sim/target', skillName, skillDir: skill, optimizerModel: 'sim/optimizer', judgeModel: 'sim/judge', source: 'real-task (train=1, test=1)' },
    opts.at,
  );
  await persistRound(p.dir, 0, skill);
  const work = path.join(base, `work-${p.id.split('/')[3]}`);
  await writeTree(work, { 'SKILL.md': '# Skill\nnew text\n', 'docs/new.md': 'added\n', 'assets/logo.bin': Buffer.concat([BINARY, BINARY]), 'keep.md': 'unchanged\n' });
  await persistRound(p.dir, 1, work);
  await writeTree(work, { 'SKILL.md': '# Skill\nworse text\n' });
  await persistRound(p.dir, 2, work);
  await evidence(p.dir, 'round-0', [{ score: 0.5 }, { score: 0, infra: true }]);
  await evidence(p.dir, 'round-1', [{ score: 1 }, { score: 1 }]);
  if (opts.finalize !== false) {
    const entry = (round: number, trainScore: number, improved: boolean) => ({
      timestamp: '2026-04-10T12:44:08.123Z',
      round,
      rootCause: round === 1 ? 'The skill never says to write the report file.' : 'Over-corrected.',
      reasoning: 'From the failing runs.',
      changes: [{ file: 'SKILL.md', description: 'Say where the report goes', generality: 'all report tasks' }],
      changedFiles: round === 1 ? ['SKILL.md', 'docs/new.md', 'scripts/old.sh'] : ['SKILL.md'],
      confidence: 0.8,
      trainScore,
      testScore: null,
      improved,
    });
    await finalizeProposal(p.dir, {
      entries: [entry(1, 1, true), entry(2, 0.25, false)],
      rounds: [roundResult(0, 0.5, 1), roundResult(1, 1, 2), roundResult(2, 0.25, 0)],
      bestRound: 1,
      bestRoundReason: 'highest train score',
      selectionConfig: { minImprovement: 0.05, epsilon: 0.01, convergenceThreshold: 0.95 },
    });
  }
  return { skill, proposals, id: p.id, dir: p.dir };
}
