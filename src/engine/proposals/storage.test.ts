import { mkdtempSync, rmSync } from 'node:fs';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { HistoryEntry, RoundResult } from '../jit/types.js';
import { roundResult } from '../../../test/proposals.js';
import { registerSecret } from '../util/redact.js';
import { onProposalChange, type ProposalChange } from './events.js';
import { ProposalMetaSchema, proposalSchemaVersion } from './meta.js';
import { proposalDirFromId } from './paths.js';
import { createProposal, finalizeProposal, markProposalFailed, persistRound, readProposalMeta, updateProposalMeta } from './storage.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'skvm-proposals-store-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;

async function makeSkill(files: Record<string, string | Buffer> = { 'SKILL.md': '# Skill\n\nDo things.\n', 'scripts/run.sh': '#!/bin/sh\necho hi\n' }): Promise<string> {
  const dir = path.join(tmp, `skill-${n++}`, 'my-skill');
  for (const [rel, content] of Object.entries(files)) {
    await fsp.mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await fsp.writeFile(path.join(dir, rel), content);
  }
  return dir;
}

function freshRoot(): string {
  return path.join(tmp, `proposals-${n++}`);
}

const init = (skillDir: string) => ({
  harness: 'bare-agent',
  targetModel: 'sim/target:small',
  skillName: 'my-skill',
  skillDir,
  optimizerModel: 'sim/optimizer',
  judgeModel: 'sim/judge',
  source: 'real-task (train=2, test=1)',
});

const round = (r: number, train: number | null) => roundResult(r, train, train !== null && train >= 0.5 ? 1 : 0);
const entry: HistoryEntry = {
  timestamp: '2026-04-10T12:44:08.123Z',
  round: 1,
  rootCause: 'The skill never says to quote paths.',
  reasoning: 'Runs failed on paths with spaces | pipes.',
  changes: [{ file: 'SKILL.md', section: 'Usage', description: 'Quote paths', generality: 'all tasks with paths' }],
  changedFiles: ['SKILL.md'],
  confidence: 0.8,
  trainScore: 0.9,
  testScore: null,
  improved: true,
};

describe('proposal store', () => {
  it('creates the tree of spec §7.1 with a pending meta.json and an original/ copy', async () => {
    const skill = await makeSkill();
    await fsp.mkdir(path.join(skill, '.git'));
    await fsp.writeFile(path.join(skill, '.git', 'HEAD'), 'ref');
    const root = freshRoot();
    const seen: ProposalChange[] = [];
    const stop = onProposalChange((c) => seen.push(c));
    const at = new Date('2026-04-10T12:44:08.123Z');
    const p = await createProposal(root, init(skill), at);
    stop();
    expect(p.id).toBe('bare-agent/sim--target_small/my-skill/20260410T124408123Z');
    expect(p.dir).toBe(proposalDirFromId(root, p.id));
    const onDisk = JSON.parse(await fsp.readFile(path.join(p.dir, 'meta.json'), 'utf8'));
    expect(onDisk).toEqual({
      schemaVersion: 1,
      skillName: 'my-skill',
      skillDir: skill,
      harness: 'bare-agent',
      optimizerModel: 'sim/optimizer',
      targetModel: 'sim/target:small',
      source: 'real-task (train=2, test=1)',
      timestamp: '20260410T124408123Z',
      status: 'pending',
      acceptedRound: null,
      bestRound: 0,
      bestRoundReason: '',
      roundCount: 0,
      judgeModel: 'sim/judge',
    });
    expect(await fsp.readFile(path.join(p.dir, 'original', 'scripts', 'run.sh'), 'utf8')).toBe('#!/bin/sh\necho hi\n');
    expect(await fsp.readdir(path.join(p.dir, 'original'))).toEqual(['SKILL.md', 'scripts']);
    expect(seen).toEqual([{ dir: p.dir, kind: 'created' }]);
  });

  it('appends -1, -2 … when the same millisecond is taken (exclusive mkdir)', async () => {
    const skill = await makeSkill();
    const root = freshRoot();
    const at = new Date('2026-04-10T12:44:08.123Z');
    const ids = await Promise.all([0, 1, 2].map(() => createProposal(root, init(skill), at).then((p) => p.id)));
    expect(ids.map((id) => id.split('/')[3]).sort()).toEqual(['20260410T124408123Z', '20260410T124408123Z-1', '20260410T124408123Z-2']);
  });

  it('leaves nothing behind when the skill cannot be copied', async () => {
    const root = freshRoot();
    await expect(createProposal(root, init(path.join(tmp, 'no-such-skill')))).rejects.toThrow();
    const keyDir = path.join(root, 'jit-optimize', 'bare-agent', 'sim--target_small', 'my-skill');
    expect(await fsp.readdir(keyDir)).toEqual([]);
  });

  it('persists rounds as full copies without .optimize/, replacing an earlier copy whole', async () => {
    const skill = await makeSkill();
    const p = await createProposal(freshRoot(), init(skill));
    await persistRound(p.dir, 0, skill);
    const work = await makeSkill({ 'SKILL.md': 'v1', 'new.md': 'added', '.optimize/submission.json': '{}' });
    await persistRound(p.dir, 1, work);
    expect((await fsp.readdir(path.join(p.dir, 'round-1'))).sort()).toEqual(['SKILL.md', 'new.md']);
    const work2 = await makeSkill({ 'SKILL.md': 'v2' });
    await persistRound(p.dir, 1, work2);
    expect(await fsp.readdir(path.join(p.dir, 'round-1'))).toEqual(['SKILL.md']);
    expect(await fsp.readFile(path.join(p.dir, 'round-0', 'SKILL.md'), 'utf8')).toBe('# Skill\n\nDo things.\n');
    await expect(persistRound(p.dir, -1, skill)).rejects.toThrow(/not a round/);
  });

  it('finalizes: history.json, analysis.md and meta.json as spec §7.2', async () => {
    const skill = await makeSkill();
    const p = await createProposal(freshRoot(), init(skill));
    const meta = await finalizeProposal(p.dir, {
      entries: [entry],
      rounds: [round(0, 0.4), { ...round(1, 0.9), historyEntry: entry }],
      bestRound: 1,
      bestRoundReason: 'best train score',
      selectionConfig: { minImprovement: 0.05, epsilon: 0.01, convergenceThreshold: 0.95 },
      excludedRounds: {},
    });
    expect(meta).toMatchObject({ status: 'pending', bestRound: 1, bestRoundReason: 'best train score', roundCount: 2 });
    expect(meta.excludedRounds).toBeUndefined();
    const history = JSON.parse(await fsp.readFile(path.join(p.dir, 'history.json'), 'utf8'));
    expect(history.entries).toEqual([entry]);
    expect(history.rounds.map((r: RoundResult) => r.historyEntry)).toEqual([null, null]);
    expect(history).toMatchObject({ bestRound: 1, bestRoundReason: 'best train score' });
    const analysis = await fsp.readFile(path.join(p.dir, 'analysis.md'), 'utf8');
    expect(analysis).toContain('# Optimization Analysis');
    expect(analysis).toContain('**Round 1** — best train score');
    expect(analysis).toContain('| Round | Train Score | Train Pass | Target Agent | Eval Judge | Optimizer |');
    expect(analysis).toContain('| 1 | 0.900 | 1/2 | 120 / $0.0010 | 120 / $0.0005 | 120 / $0.0100 |');
    expect(analysis).toContain('**Root cause:** The skill never says to quote paths.');
    expect(analysis).toContain('Quote paths');
    expect(await readProposalMeta(p.dir)).toEqual(meta);
  });

  it('finalizes an infra-blocked run with its reason and evidence ids', async () => {
    const p = await createProposal(freshRoot(), init(await makeSkill()));
    const meta = await finalizeProposal(p.dir, {
      entries: [],
      rounds: [round(0, null)],
      bestRound: 0,
      bestRoundReason: 'infra-blocked at round-0: all-tainted',
      excludedRounds: { '1': 'regressed task t1' },
      infraBlocked: { reason: 'all-tainted: grader crashed', evidenceIds: ['t1-run0'] },
    });
    expect(meta).toMatchObject({ status: 'infra-blocked', blockedReason: 'all-tainted: grader crashed', blockedEvidenceIds: ['t1-run0'], excludedRounds: { '1': 'regressed task t1' } });
  });

  it('marks a crashed optimization failed, with the reason and no API key in it', async () => {
    const p = await createProposal(freshRoot(), init(await makeSkill()));
    const seen: string[] = [];
    const stop = onProposalChange((c) => seen.push(c.kind));
    registerSecret('sk-test-1234567890abcdef');
    const meta = await markProposalFailed(p.dir, 'optimizer crashed: 401 for key sk-test-1234567890abcdef');
    stop();
    expect(meta).toMatchObject({ status: 'failed', bestRound: 0 });
    expect(meta.failedReason).toMatch(/^optimizer crashed: 401 for key /);
    expect(await fsp.readFile(path.join(p.dir, 'meta.json'), 'utf8')).not.toContain('sk-test-1234567890abcdef');
    expect(seen).toEqual(['failed']);
  });

  it('keeps concurrent meta updates (no lost write) and unknown fields', async () => {
    const p = await createProposal(freshRoot(), init(await makeSkill()));
    const file = path.join(p.dir, 'meta.json');
    await fsp.writeFile(file, JSON.stringify({ ...JSON.parse(await fsp.readFile(file, 'utf8')), futureField: { a: 1 } }));
    await Promise.all([updateProposalMeta(p.dir, { bestRoundReason: 'x' }), updateProposalMeta(p.dir, { roundCount: 3 })]);
    const meta = await readProposalMeta(p.dir);
    expect(meta).toMatchObject({ bestRoundReason: 'x', roundCount: 3, futureField: { a: 1 } });
  });

  it('names the file and the field of an invalid meta.json, and says when there is none', async () => {
    const dir = path.join(tmp, `bad-${n++}`);
    await fsp.mkdir(dir);
    await expect(readProposalMeta(dir)).rejects.toThrow(/meta.json is missing/);
    await fsp.writeFile(path.join(dir, 'meta.json'), JSON.stringify({ skillName: 'x', status: 'weird' }));
    await expect(readProposalMeta(dir)).rejects.toThrow(/meta.json is not a valid proposal meta.json: skillDir/);
  });
});

describe('reference meta.json samples', () => {
  // No reference proposal exists in the upstream data (skvm-data-upstream holds profiles,
  // skills and tasks only), so these are written field by field from spec runtime §7.2.
  it('parses a reference v1 meta with selection config, excluded rounds and driver', () => {
    const ref = {
      schemaVersion: 1,
      skillName: 'pdf',
      skillDir: '/home/u/skills/pdf',
      harness: 'opencode',
      optimizerModel: 'anthropic/claude-sonnet-4.6',
      targetModel: 'openrouter/qwen/qwen3.5-9b',
      source: 'synthetic-task (train=2, test=1)',
      timestamp: '20260410T124408123Z',
      status: 'accepted',
      acceptedRound: 2,
      bestRound: 2,
      bestRoundReason: 'highest test score',
      roundCount: 3,
      selectionConfig: { minImprovement: 0.05, epsilon: 0.01, convergenceThreshold: 0.95, perTaskRegressionTolerance: 0.2 },
      excludedRounds: { '1': 'per-task regression' },
      optimizerDriver: 'opencode',
    };
    const meta = ProposalMetaSchema.parse(ref);
    expect(meta).toEqual(ref);
    expect(proposalSchemaVersion(meta)).toBe(1);
  });

  it('degrades a legacy (pre-schemaVersion) meta to version 0 with empty round bookkeeping', () => {
    const legacy = {
      skillName: 'pdf',
      skillDir: '/home/u/skills/pdf',
      harness: 'opencode',
      optimizerModel: 'anthropic/claude-sonnet-4.6',
      targetModel: 'qwen3.5-9b',
      source: 'log',
      timestamp: '20260301T101010101Z',
      status: 'pending',
    };
    const meta = ProposalMetaSchema.parse(legacy);
    expect(proposalSchemaVersion(meta)).toBe(0);
    expect(meta).toMatchObject({ acceptedRound: null, bestRound: 0, bestRoundReason: '', roundCount: 0 });
  });
});
