import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDirs } from '../../../../test/tmp.js';
import { runBench } from '../../bench/index.js';
import { jitBoostAdapterProblem } from '../../bench/jit-boost.js';
import { LlmClient } from '../../llm/client.js';
import type { ChatProvider } from '../../llm/types.js';
import { runTask } from '../../runtime/index.js';
import { jitBoostPolicy } from '../../sim/policies/jit-boost.js';
import { startSimServer, type SimServer } from '../../sim/index.js';
import { loadTask, resolveTaskSkills, type LoadedTask } from '../../tasks/load.js';
import { silentLogger } from '../../util/log.js';
import { generateCandidatesFromConvLogs } from './from-logs.js';
import { generateCandidatesFromSkill, generateTemplates } from './agent-generate.js';
import { readCodeSnippets } from './snippets.js';
import { createBoostHooks } from './solidifier.js';
import { loadSolidificationState, saveCandidates } from './storage.js';

/**
 * jit-boost end to end on the simulator over real HTTP: candidate generation (Phase 1 from a real
 * warm-up log, Phase 2 and the doc-based fallback by our bare-agent loop), the solidifier hooks in
 * real bare-agent runs (promotion → execution → demotion), and the bench condition.
 */

const HERE = path.dirname(fileURLToPath(import.meta.url));
const TASK_DIR = path.resolve(HERE, '../../../../test/fixtures/jit-boost/tasks/word-count');
const MODEL = 'sim/boost-1';
const SANDBOX = { mode: 'auto' as const, network: false };
const tmp = tempDirs('skvm-boost-sim-');

let sim: SimServer;
let llm: LlmClient;
let task: LoadedTask;
let calls = 0;
/** Counts the model calls made through it. */
let counted: ChatProvider;

beforeAll(async () => {
  sim = await startSimServer({ policy: jitBoostPolicy() });
  llm = new LlmClient({
    config: () => ({ providers: { routes: [{ match: 'sim/*', kind: 'openai-compatible', baseUrl: sim.openaiBaseUrl, apiKeyEnv: 'SIM_KEY' }] } }),
    configFile: '/tmp/skvm-boost-sim/skvm.config.json',
    env: { SIM_KEY: 'sim-key-0001' },
    log: silentLogger,
    retry: { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 2 },
  });
  counted = { chat: (req, opts) => ((calls += 1), llm.chat(req, opts)) };
  task = await loadTask(TASK_DIR);
});
afterAll(async () => sim?.close());

async function runWordCount(opts: { prompt?: string; hooks?: Awaited<ReturnType<typeof createBoostHooks>>['hooks']; convLogPath?: string } = {}) {
  const before = calls;
  const t = opts.prompt ? { ...task, prompt: opts.prompt } : task;
  const out = await runTask({
    task: t,
    model: MODEL,
    adapter: 'bare-agent',
    llm: counted,
    tmpRoot: os.tmpdir(),
    timeoutMs: 60_000,
    maxSteps: 10,
    keepWorkDir: false,
    sandbox: SANDBOX,
    ...(opts.convLogPath ? { convLogPath: opts.convLogPath } : {}),
    ...(opts.hooks ? { hooks: opts.hooks } : {}),
    log: silentLogger,
  });
  return { ...out, llmCalls: calls - before };
}

describe('candidate generation', () => {
  it('Phase 1 reads the warm-up log, Phase 2 fills the template by our agent, the fallback reads the skill', async () => {
    const log = path.join(tmp(), 'warmup.jsonl');
    const warm = await runWordCount({ convLogPath: log });
    expect(warm.overallPass).toBe(true);
    expect(warm.llmCalls).toBe(5);

    const snippets = await readCodeSnippets(log);
    expect(snippets.map((s) => s.code)).toEqual(['wc -w notes.txt', 'cat notes.txt | wc -w', 'wc -w < notes.txt', 'wc -w < notes.txt | tr -d " " > count.txt']);
    const phase1 = await generateCandidatesFromConvLogs([log], { llm, model: MODEL });
    expect(phase1).toEqual([expect.objectContaining({ purposeId: 'count-words', functionTemplate: '', codeSignature: 'wc[\\s\\S]*?-w' })]);

    const [skill] = await resolveTaskSkills(task);
    const gen = { llm, model: MODEL, tmpRoot: os.tmpdir(), sandbox: SANDBOX };
    const templated = await generateTemplates(skill!, phase1, snippets, gen);
    expect(templated).toEqual([expect.objectContaining({ purposeId: 'count-words', functionTemplate: expect.stringContaining('${file}') })]);

    const fromDoc = await generateCandidatesFromSkill(skill!, gen);
    expect(fromDoc).toEqual(templated);
  });

  it('no snippets means no model call and no candidates', async () => {
    const empty = path.join(tmp(), 'empty.jsonl');
    await fsp.writeFile(empty, '{"type":"response","toolCalls":[{"name":"execute_command","arguments":{"command":"ls"}}]}\nnot json\n');
    const before = sim.stats().requests;
    expect(await generateCandidatesFromConvLogs([empty], { llm, model: MODEL })).toEqual([]);
    expect(sim.stats().requests).toBe(before);
  });
});

describe('the solidifier in real bare-agent runs', () => {
  it('promotes after three matching commands, then answers in place of the model; a failing template falls back and is demoted', async () => {
    const proposals = tmp();
    const [skill] = await resolveTaskSkills(task);
    const templated = await generateTemplates(skill!, await generateCandidatesFromConvLogs([await warmLog()], { llm, model: MODEL }), [], { llm, model: MODEL, tmpRoot: os.tmpdir(), sandbox: SANDBOX });
    await saveCandidates(proposals, 'word-count', templated);
    const boost = await createBoostHooks({ skillId: 'word-count', proposalsDir: proposals, sandbox: SANDBOX, log: silentLogger });

    // Run 1: three wc -w commands promote it; the fourth LLM call is answered by the template.
    const first = await runWordCount({ hooks: boost.hooks });
    expect(first.overallPass).toBe(true);
    expect(first.llmCalls).toBe(3);
    expect(first.runResult.text).toBe('9 words\n');
    expect(boost.solidifier!.stats()).toMatchObject({ promotedCount: 1, totalHits: 3, totalFallbacks: 0 });

    // Run 2: promoted from the start — no model call at all, still graded a pass.
    const second = await runWordCount({ hooks: boost.hooks });
    expect(second.overallPass).toBe(true);
    expect(second.llmCalls).toBe(0);
    expect(second.runResult.steps[0]!.toolCalls[0]!.id).toMatch(/^boost-count-words-/);

    // A task naming a file that is not there: the template fails before each LLM call, so the
    // model does the work and the third failure (third call of the same run) demotes it.
    const missing = await runWordCount({ prompt: 'Count the words in absent.txt and write the number to count.txt.', hooks: boost.hooks });
    expect(missing.llmCalls).toBe(5);
    expect(boost.solidifier!.stats().candidates[0]).toMatchObject({ fallbackCount: 3, promoted: false, consecutiveMatches: 2 });
    await boost.persist();
    expect(await loadSolidificationState(proposals, 'word-count')).toMatchObject({ skillId: 'word-count', entries: [{ state: { promoted: false, fallbackCount: 3, hitCount: 5 } }] });
  });

  it('extracts params with the model when no extractPattern finds them', async () => {
    const proposals = tmp();
    const [skill] = await resolveTaskSkills(task);
    const [c] = await generateTemplates(skill!, await generateCandidatesFromConvLogs([await warmLog()], { llm, model: MODEL }), [], { llm, model: MODEL, tmpRoot: os.tmpdir(), sandbox: SANDBOX });
    await saveCandidates(proposals, 'word-count', [{ ...c!, params: { file: { type: 'string', description: 'the file' } } }]);
    const boost = await createBoostHooks({ skillId: 'word-count', proposalsDir: proposals, sandbox: SANDBOX, extractModel: MODEL, llm, promotionThreshold: 1 });
    const r = await runWordCount({ hooks: boost.hooks });
    expect(r.overallPass).toBe(true);
    expect(r.llmCalls).toBe(1);
  });
});

describe('bench condition jit-boost', () => {
  const bench = (conditions: string[], proposalsRoot: string, runs: number) =>
    runBench({ models: [MODEL], adapters: ['bare-agent'], conditions, tasks: [task], llm, logsRoot: tmp(), tmpRoot: os.tmpdir(), sandbox: SANDBOX, maxSteps: 10, log: silentLogger, jitBoost: { proposalsRoot, runs } });

  it('warms up, generates candidates, runs with the hooks and saves the state', async () => {
    const proposals = tmp();
    const outcome = await bench(['original', 'jit-boost'], proposals, 3);
    const row = outcome.report!.tasks[0]!;
    const boost = row.conditions.find((c) => c.condition === 'jit-boost')!;
    expect(boost).toMatchObject({ score: 1, pass: true, runStatus: 'ok', skillId: 'word-count', jitPromotions: 1 });
    expect(boost.jitRuns!.map((r) => [r.runIndex, r.score, r.promotions, r.llmCalls])).toEqual([
      [0, 1, 0, 5],
      [1, 1, 1, 3],
      [2, 1, 1, 0],
    ]);
    expect(boost.jitAvoided!.llmCalls).toBe(3.5);
    expect(boost.jitAvoided!.tokens).toBeGreaterThan(0);
    // The last run made no model call: no tokens.
    expect(boost.tokens).toMatchObject({ input: 0, output: 0 });
    expect(boost.jitRuns![0]!.tokens.input).toBeGreaterThan(0);
    const state = await loadSolidificationState(proposals, 'word-count');
    expect(state!.entries[0]!.state).toMatchObject({ promoted: true, hitCount: 3 });
    const logs = await fsp.readdir(path.join(outcome.sessionDir, 'word-count'));
    expect(logs.sort()).toEqual(['jit-boost-run-1.jsonl', 'jit-boost-warmup.jsonl', 'original.jsonl']);
  });

  it('is refused up front on a harness without hooks, and without its options', async () => {
    expect(jitBoostAdapterProblem('bare-agent')).toBeUndefined();
    expect(jitBoostAdapterProblem('codex')?.message).toMatch(/needs runtime hooks, which only bare-agent has \(this bench uses codex\)/);
    await expect(runBench({ models: [MODEL], adapters: ['bare-agent'], conditions: ['jit-boost'], tasks: [task], llm, logsRoot: tmp(), tmpRoot: os.tmpdir(), sandbox: SANDBOX, maxSteps: 10 })).rejects.toThrow(
      /jit-boost condition needs the proposals folder/,
    );
  });

  it('falls back to the skill text when Phase 1 finds nothing', async () => {
    sim.setPolicy(jitBoostPolicy({ phase1Candidates: false }));
    try {
      const proposals = tmp();
      const outcome = await bench(['jit-boost'], proposals, 2);
      expect(outcome.report!.tasks[0]!.conditions[0]).toMatchObject({ score: 1, jitPromotions: 1 });
      const file = JSON.parse(await fsp.readFile(path.join(proposals, 'jit-boost/word-count/boost-candidates.json'), 'utf8')) as { candidates: Array<{ functionTemplate: string }> };
      expect(file.candidates).toHaveLength(1);
      expect(file.candidates[0]!.functionTemplate).toContain('${file}');
    } finally {
      sim.setPolicy(jitBoostPolicy());
    }
  });
});

let warm: string | undefined;
async function warmLog(): Promise<string> {
  if (warm) return warm;
  const log = path.join(tmp(), 'warm.jsonl');
  await runWordCount({ convLogPath: log });
  warm = log;
  return log;
}
