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
    const policy = sim.script([
      { kind: 'message', toolCalls: [{ name: 'list_directory', arguments: { path: '.' } }], stopReason: 'tool_use' },
      write('../escaped.md', 'outside'),
      write(path.join(root, 'absolute.md'), 'outside'),
      write('extra.md', 'new file'),
      write('.optimize/submission.json', JSON.stringify({ rootCause: 'r', changedFiles: ['SKILL.md'] })),
      { kind: 'message', text: 'done' },
    ]);
    const recordDir = path.join(root, 'record');
    const r = await runOptimizer({ skillDir, evidences: [evidence], history: [], recordDir, model: 'sim/optimizer', llm: sim.client(), tmpRoot: path.join(root, 'tmp'), timeoutMs: 30_000, sandbox: { mode: 'auto', network: false } });
    try {
      // The agent's listing of its directory: the skill copy and .optimize/, no LICENSE.txt.
      const listing = policy.requests()[1]!.messages.at(-1)!.content;
      expect(listing).toContain('SKILL.md');
      expect(listing).toContain('.optimize');
      expect(listing).not.toContain('LICENSE.txt');
      await expect(fsp.stat(path.join(root, 'escaped.md'))).rejects.toThrow();
      await expect(fsp.stat(path.join(root, 'absolute.md'))).rejects.toThrow();
      expect(r.changed).toBe(true);
      expect(r.diff).toEqual({ added: ['extra.md'], modified: [], removed: [] });
      expect(r.actualChangedFiles).toEqual(['extra.md']);
      expect(r.warnings).toEqual(['changed but not declared: extra.md', 'declared but unchanged: SKILL.md']);
      // LICENSE.txt was hidden from the agent and is back (a round without it would delete it on accept); .optimize/ is gone.
      expect((await fsp.readdir(r.workspaceDir)).sort()).toEqual(['LICENSE.txt', 'SKILL.md', 'extra.md']);
      expect(await fsp.readFile(path.join(r.workspaceDir, 'LICENSE.txt'), 'utf8')).toBe('license');
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
