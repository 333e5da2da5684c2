import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SKILL_MD } from '../../../test/jit-sim.js';
import { simulatedLlm } from '../../../test/scripted-sim.js';
import { tempDirs } from '../../../test/tmp.js';
import { runOptimizer } from './optimizer.js';
import type { Evidence } from './types.js';

const tmp = tempDirs('skvm-jit-opt-');
const sim = simulatedLlm((s) => [{ match: 'sim/*', kind: 'openai-compatible', baseUrl: s.openaiBaseUrl, apiKey: '' }]);
const evidence: Evidence = { taskId: 't', taskPrompt: 'p', conversationLog: [], criteria: [{ id: 'c', method: 'file-check', weight: 1, score: 0, passed: false }] };
const write = (p: string, content: string) => ({ kind: 'message' as const, toolCalls: [{ name: 'write_file', arguments: { path: p, content } }], stopReason: 'tool_use' as const });

describe('optimizer pass (spec §5.5)', () => {
  it('works on a copy whose file tools stay inside it; the record keeps prompt, submission, diff and context; warnings for declared-vs-actual', async () => {
    const root = tmp();
    const skillDir = path.join(root, 'skill');
    await fsp.mkdir(skillDir);
    await fsp.writeFile(path.join(skillDir, 'SKILL.md'), SKILL_MD);
    await fsp.writeFile(path.join(skillDir, 'LICENSE.txt'), 'license');
    await fsp.mkdir(path.join(root, 'tmp'));
    sim.script([
      write('../escaped.md', 'outside'),
      write(path.join(root, 'absolute.md'), 'outside'),
      write('extra.md', 'new file'),
      write('.optimize/submission.json', JSON.stringify({ rootCause: 'r', changedFiles: ['SKILL.md'] })),
      { kind: 'message', text: 'done' },
    ]);
    const recordDir = path.join(root, 'record');
    const r = await runOptimizer({ skillDir, evidences: [evidence], history: [], recordDir, model: 'sim/optimizer', llm: sim.client(), tmpRoot: path.join(root, 'tmp'), timeoutMs: 30_000, sandbox: { mode: 'auto', network: false } });
    try {
      await expect(fsp.stat(path.join(root, 'escaped.md'))).rejects.toThrow();
      await expect(fsp.stat(path.join(root, 'absolute.md'))).rejects.toThrow();
      expect(r.changed).toBe(true);
      expect(r.diff).toEqual({ added: ['extra.md'], modified: [], removed: [] });
      expect(r.actualChangedFiles).toEqual(['extra.md']);
      expect(r.warnings).toEqual(['changed but not declared: extra.md', 'declared but unchanged: SKILL.md']);
      expect((await fsp.readdir(r.workspaceDir)).sort()).toEqual(['SKILL.md', 'extra.md']); // no LICENSE.txt, no .optimize/
      expect((await fsp.readdir(recordDir)).sort()).toEqual(['diff.json', 'optimize-context', 'prompt.md', 'stdout.log', 'submission.json']);
      expect(await fsp.readdir(path.join(recordDir, 'optimize-context'))).toContain('PER_TASK_SUMMARY.md');
      expect(JSON.parse(await fsp.readFile(path.join(recordDir, 'submission.json'), 'utf8'))).toMatchObject({ rootCause: 'r', changedFiles: ['SKILL.md'], noChanges: false, infraBlocked: false });
      expect(await fsp.readFile(path.join(recordDir, 'prompt.md'), 'utf8')).toContain('`.optimize/PER_TASK_SUMMARY.md`');
    } finally {
      await r.discard();
    }
    await expect(fsp.stat(r.workspaceDir)).rejects.toThrow();
  });

  it('no submission: an empty one that says why, and no change', async () => {
    const root = tmp();
    const skillDir = path.join(root, 'skill');
    await fsp.mkdir(skillDir);
    await fsp.writeFile(path.join(skillDir, 'SKILL.md'), SKILL_MD);
    await fsp.mkdir(path.join(root, 'tmp'));
    sim.script([{ kind: 'message', text: 'I will not do anything.' }]);
    const r = await runOptimizer({ skillDir, evidences: [evidence], history: [], recordDir: path.join(root, 'rec'), model: 'sim/optimizer', llm: sim.client(), tmpRoot: path.join(root, 'tmp'), timeoutMs: 30_000, sandbox: { mode: 'auto', network: false } });
    await r.discard();
    expect(r.changed).toBe(false);
    expect(r.submission.invalid).toBe('the optimizer wrote no .optimize/submission.json');
  });
});
