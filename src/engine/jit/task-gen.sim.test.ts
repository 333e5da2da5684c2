import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { JIT_SIM, writeJitFixtures } from '../../../test/jit-sim.js';
import { simulatedLlm } from '../../../test/scripted-sim.js';
import { tempDirs } from '../../../test/tmp.js';
import { jitOptimizePolicy } from '../sim/policies/jit-optimize.js';
import { buildTaskGenPrompt, generateTasks, loadGeneratedTasks } from './task-gen.js';

const tmp = tempDirs('skvm-jit-taskgen-');
const sim = simulatedLlm((s) => [{ match: 'sim/*', kind: 'openai-compatible', baseUrl: s.openaiBaseUrl, apiKey: '' }]);

const good = (n: number) => ({ name: `t${n}`, prompt: `Write out.txt for case ${n}`, category: 'io', difficulty: 'easy', eval: [{ method: 'file-check', path: 'out.txt', mode: 'contains', expected: 'ok' }] });
const banned = { name: 'bad', prompt: 'Run a script', eval: [{ method: 'script', command: 'true' }] };

describe('synthetic task generation (spec §5.2)', () => {
  it('validates what the agent wrote, retries the shortfall, and keeps the accepted tasks in the proposal', async () => {
    sim.sim().setPolicy(jitOptimizePolicy({ ...JIT_SIM, generatedTasks: [good(0), banned, good(2), good(3)] }));
    const root = tmp();
    const { skillDir } = await writeJitFixtures(root);
    const proposalDir = path.join(root, 'proposal');
    const tmpRoot = path.join(root, 'tmp');
    await fsp.mkdir(tmpRoot);
    const g = await generateTasks({ skillDir, trainCount: 2, testCount: 1, proposalDir, model: 'sim/optimizer', llm: sim.client(), tmpRoot, sandbox: { mode: 'auto', network: false }, timeoutMs: 30_000, taskTimeoutMs: 20_000 });
    expect(g.train.map((t) => [t.id, t.prompt])).toEqual([['task-0', 'Write out.txt for case 0'], ['task-1', 'Write out.txt for case 2']]);
    expect(g.test.map((t) => [t.id, t.prompt])).toEqual([['task-2', 'Write out.txt for case 3']]);
    expect(g.train[0]).toMatchObject({ timeoutMs: 20_000, maxSteps: 30 });
    expect(g.train[0]!.dir).toBe(path.join(proposalDir, 'task-gen', 'run-0', 'tasks', 'task-0'));
    expect(g.test[0]!.dir).toBe(path.join(proposalDir, 'task-gen', 'run-0-retry-1', 'tasks', 'task-2'));
    expect(g.warnings).toEqual([expect.stringMatching(/^task generation run-0: task-1: .*script.* is not allowed/)]);
    expect(g.spend.costUsd).toBeGreaterThan(0);
  });

  it('gives up with a clear error when nothing usable comes back', async () => {
    sim.sim().setPolicy(jitOptimizePolicy({ ...JIT_SIM, generatedTasks: [banned, banned, banned, banned] }));
    const root = tmp();
    const { skillDir } = await writeJitFixtures(root);
    await fsp.mkdir(path.join(root, 'tmp'));
    await expect(
      generateTasks({ skillDir, trainCount: 1, testCount: 0, proposalDir: path.join(root, 'p'), model: 'sim/optimizer', llm: sim.client(), tmpRoot: path.join(root, 'tmp'), sandbox: { mode: 'auto', network: false }, timeoutMs: 30_000, taskTimeoutMs: 20_000 }),
    ).rejects.toThrow(/Task generation produced no usable task after 4 attempts/);
  });
});

describe('generated task loading', () => {
  it('numeric order, id must equal the folder, fixture caps, no skill field, beyond the count dropped', async () => {
    const out = tmp();
    const put = async (name: string, body: unknown, fixtures: Record<string, string> = {}) => {
      await fsp.mkdir(path.join(out, name, 'fixtures'), { recursive: true });
      await fsp.writeFile(path.join(out, name, 'task.json'), JSON.stringify(body));
      for (const [rel, text] of Object.entries(fixtures)) await fsp.writeFile(path.join(out, name, 'fixtures', rel), text);
    };
    await put('task-10', { ...good(10), id: 'task-10' });
    await put('task-2', { ...good(2), id: 'task-2' });
    await put('task-3', { ...good(3), id: 'wrong' });
    await put('task-4', { ...good(4), id: 'task-4', skill: '/etc' });
    await put('task-5', { ...good(5), id: 'task-5' }, { 'big.txt': 'x'.repeat(64 * 1024 + 1) });
    await put('task-6', { ...good(6), id: 'task-6' });
    await put('notes', { ...good(7), id: 'notes' });
    const r = await loadGeneratedTasks(out, 2, 1000);
    expect(r.tasks.map((t) => t.id)).toEqual(['task-2', 'task-6']);
    expect(r.rejected).toEqual([
      expect.stringMatching(/^task-3: .*does not match its folder name/),
      'task-4: task.json may not set "skill"',
      'task-5: fixture big.txt is over 64 KB',
      'task-10: exceeds requested count',
    ]);
  });

  it('the prompt asks for the shortfall and lists prior prompts; a zero-yield retry says RETRY', () => {
    const p = buildTaskGenPrompt(2, 5000, ['Write out.txt for case 0'], true);
    expect(p.startsWith('RETRY:')).toBe(true);
    expect(p).toContain('Write 2 evaluation task(s)');
    expect(p).toContain('./tasks-out/task-0/ … ./tasks-out/task-1/');
    expect(p).toContain('- Write out.txt for case 0');
    expect(p).toContain('timeoutMs 5000, maxSteps 30');
  });
});
