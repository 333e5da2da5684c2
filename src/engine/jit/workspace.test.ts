import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirs } from '../../../test/tmp.js';
import { readSubmission } from './submission.js';
import type { Evidence } from './types.js';
import { copySkillTree, diffSkillTrees, writeOptimizeDir } from './workspace.js';

const tmp = tempDirs('skvm-jit-ws-');
const usage = { input: 10, output: 5, cacheRead: 0, cacheWrite: 0 };

function evidence(taskId: string, score: number, extra: Partial<Evidence> = {}): Evidence {
  return {
    taskId,
    taskPrompt: `do ${taskId}`,
    conversationLog: [{ type: 'request', ts: '2026-01-01T00:00:00.000Z', text: `do ${taskId}` }],
    criteria: [{ id: 'file-check/out', name: 'out', method: 'file-check', weight: 1, score, passed: score >= 0.999, ...(score < 1 ? { details: 'out.txt is missing' } : {}) }],
    runMeta: { tokens: usage, costUsd: 0.01, durationMs: 1200, runStatus: 'ok' },
    workDirSnapshot: { files: new Map([['out.txt', 'x']]) },
    ...extra,
  };
}

describe('.optimize/ layout (spec §5.5)', () => {
  it('writes the README, the per-task summary worst first (tainted last), the template and each task folder', async () => {
    const ws = tmp();
    const tainted: Evidence = { ...evidence('c/bad', 0), criteria: [{ id: 'runtime-error', name: 'runtime-error', method: 'custom', weight: 1, score: 0, passed: false, infraError: 'provider 503' }] };
    await writeOptimizeDir(ws, [evidence('pass', 1), evidence('fail', 0), tainted, evidence('fail', 0.6)], []);
    const dir = path.join(ws, '.optimize');
    expect((await fsp.readdir(dir)).sort()).toEqual(['PER_TASK_SUMMARY.md', 'README.md', 'submission.template.json', 'tasks']);
    const summary = await fsp.readFile(path.join(dir, 'PER_TASK_SUMMARY.md'), 'utf8');
    const rows = summary.split('\n').filter((l) => /^\| (PASSING|FAILING|MARGINAL|TAINTED)/.test(l));
    expect(rows).toEqual([
      '| FAILING | fail | 2 | 0.300 | tasks/fail/ | out (0.00) | 1, 3 |',
      '| PASSING | pass | 1 | 1.000 | tasks/pass/ | out (1.00) | 0 |',
      '| TAINTED | c/bad | 1 | n/a | tasks/c-bad/ | - | 2 |',
    ]);
    expect(await fsp.readFile(path.join(dir, 'README.md'), 'utf8')).toContain('1 FAILING, 0 MARGINAL, 1 PASSING, 1 TAINTED, 0 UNSCORED');
    const template = JSON.parse(await fsp.readFile(path.join(dir, 'submission.template.json'), 'utf8'));
    expect(Object.keys(template)).toEqual(['_comment', '_shape_1_edit', '_shape_2_no_changes', '_shape_3_infra_blocked']);
    const fail = path.join(dir, 'tasks', 'fail');
    expect((await fsp.readdir(fail)).sort()).toEqual(['run-0-workdir', 'run-0.json', 'run-0.md', 'run-1-workdir', 'run-1.json', 'run-1.md', 'summary.md']);
    const run0 = JSON.parse(await fsp.readFile(path.join(fail, 'run-0.json'), 'utf8'));
    expect(Object.keys(run0)).toEqual(['taskId', 'taskPrompt', 'criteria', 'runMeta', 'conversationLogEntries', 'workDirFileCount', 'conversationLog']);
    const md = await fsp.readFile(path.join(fail, 'run-0.md'), 'utf8');
    expect(md).toContain('Evidence Index: 1');
    expect(md).toMatch(/## Run Metadata\n\nrunStatus: ok/);
    expect(md).toContain('why below max: out.txt is missing');
    expect(await fsp.readFile(path.join(fail, 'summary.md'), 'utf8')).toContain('| 1 | 3 | 0.600 | scored |');
    expect(await fsp.readFile(path.join(dir, 'tasks', 'c-bad', 'summary.md'), 'utf8')).toContain('INFRA-TAINTED');
  });

  it('renders history when there is some, and never writes snapshot paths that leave the folder', async () => {
    const ws = tmp();
    const e = evidence('t', 0, { workDirSnapshot: { files: new Map([['../escape.txt', 'no'], ['ok.txt', 'yes']]) } });
    await writeOptimizeDir(ws, [e], [{ timestamp: 't', round: 1, rootCause: 'vague step', reasoning: 'r', changes: [{ file: 'SKILL.md', description: 'd', generality: 'g', linesDelta: 3 }], changedFiles: ['SKILL.md'], confidence: 0.5, trainScore: 0.4, testScore: null, improved: false }]);
    expect(await fsp.readFile(path.join(ws, '.optimize', 'history.md'), 'utf8')).toContain('## Round 1 — did NOT improve');
    expect(await fsp.readdir(path.join(ws, '.optimize', 'tasks', 't', 'run-0-workdir'))).toEqual(['ok.txt']);
    await expect(fsp.stat(path.join(ws, '.optimize', 'tasks', 't', 'escape.txt'))).rejects.toThrow();
  });
});

describe('skill copy and diff', () => {
  it('copies without LICENSE.txt/_meta.json/.git and diffs added, modified, removed (dot entries ignored)', async () => {
    const skill = tmp();
    await fsp.writeFile(path.join(skill, 'SKILL.md'), 'a');
    await fsp.writeFile(path.join(skill, 'LICENSE.txt'), 'l');
    await fsp.writeFile(path.join(skill, '_meta.json'), '{}');
    await fsp.mkdir(path.join(skill, '.git'));
    await fsp.writeFile(path.join(skill, '.git', 'HEAD'), 'x');
    await fsp.mkdir(path.join(skill, 'ref'));
    await fsp.writeFile(path.join(skill, 'ref', 'gone.md'), 'g');
    const ws = tmp();
    expect((await copySkillTree(skill, ws)).sort()).toEqual(['SKILL.md', 'ref/gone.md']);
    expect(await diffSkillTrees(skill, ws)).toEqual({ added: [], modified: [], removed: [], changed: false });
    await fsp.writeFile(path.join(ws, 'SKILL.md'), 'b');
    await fsp.rm(path.join(ws, 'ref', 'gone.md'));
    await fsp.writeFile(path.join(ws, 'new.md'), 'n');
    await fsp.mkdir(path.join(ws, '.optimize'));
    await fsp.writeFile(path.join(ws, '.optimize', 'submission.json'), '{}');
    expect(await diffSkillTrees(skill, ws)).toEqual({ added: ['new.md'], modified: ['SKILL.md'], removed: ['ref/gone.md'], changed: true });
  });
});

describe('submission normalisation (spec §5.5 item 5)', () => {
  const write = async (v: unknown) => {
    const f = path.join(tmp(), 'submission.json');
    await fsp.writeFile(f, typeof v === 'string' ? v : JSON.stringify(v));
    return readSubmission(f);
  };
  it('infraBlocked wins over noChanges and drops the edits', async () => {
    const s = await write({ infraBlocked: true, noChanges: true, changedFiles: ['SKILL.md'], blockedEvidenceIds: [0, 2], blockedReason: 'no python' });
    expect(s).toMatchObject({ infraBlocked: true, noChanges: false, changedFiles: [], changes: [], confidence: 0, blockedEvidenceIds: ['0', '2'], blockedReason: 'no python' });
  });
  it('noChanges defaults confidence to 1; an edit to 0; generality defaults to ""', async () => {
    expect(await write({ noChanges: true })).toMatchObject({ noChanges: true, confidence: 1, changedFiles: [] });
    expect(await write({ changedFiles: ['SKILL.md'], changes: [{ file: 'SKILL.md', description: 'd' }] })).toMatchObject({ confidence: 0, changes: [{ file: 'SKILL.md', description: 'd', generality: '' }] });
  });
  it('a missing, unparsable or misshapen file is an empty submission that says why', async () => {
    expect((await readSubmission(path.join(tmp(), 'none.json'))).invalid).toBe('the optimizer wrote no .optimize/submission.json');
    expect((await write('{nope')).invalid).toMatch(/not valid JSON/);
    expect((await write({ confidence: 'high' })).invalid).toMatch(/confidence/);
  });
});
