import { appendFileSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirs } from '../../../test/tmp.js';
import { simulatedLlm } from '../../../test/scripted-sim.js';
import type { SimRequest } from '../sim/index.js';
import type { EvalCriterion } from '../tasks/criteria.js';
import { appendManifestEntry, buildManifestEntry, deferredEntryId, readDeferredResults, readManifest, runDeferredJudge, type DeferredJudgeProgress } from './deferred.js';
import type { JudgeInputs } from './types.js';

const tmp = tempDirs('skvm-eval-deferred-test-');
const { client: judgeLlm, sim: simulator } = simulatedLlm((sim) => [{ match: 'sim/*', kind: 'openai-compatible', baseUrl: sim.openaiBaseUrl, apiKey: '' }], { retry: { baseDelayMs: 1, maxDelayMs: 2, maxAttempts: 1 } });

const judgeCrit = (id: string | undefined, rubric: string | Record<string, string>, maxScore = 1): EvalCriterion => ({
  method: 'llm-judge',
  rubric,
  maxScore,
  ...(id ? { id } : {}),
});
const inputs = (n: number): JudgeInputs => ({ trace: `Step 1 (assistant):\nwork ${n}`, finalOutput: `answer ${n}`, workDirFiles: `### f${n}.txt\n\`\`\`\n${n}\n\`\`\`` });

/** A policy that scores each request from the number in its final output ("answer N" → N/10) and tracks concurrency. */
function scoringPolicy(opts: { delayMs?: number; failFor?: number[] } = {}) {
  let inFlight = 0;
  let maxInFlight = 0;
  const seen: SimRequest[] = [];
  simulator().setPolicy({
    name: 'scoring',
    async respond(req) {
      seen.push(req);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
        const prompt = String(req.messages[0]?.content ?? '');
        const n = Number(/answer (\d+)/.exec(prompt)?.[1] ?? -1);
        if (opts.failFor?.includes(n)) return { kind: 'fault', fault: { type: 'auth' } };
        return { kind: 'message', toolCalls: [{ name: 'submit_score', arguments: { score: n, reasoning: `judged ${n}` } }] };
      } finally {
        inFlight--;
      }
    },
  });
  return { seen, maxInFlight: () => maxInFlight };
}

async function writeManifest(dir: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await appendManifestEntry(
      dir,
      buildManifestEntry({ sessionId: 's1', taskId: `task${i}`, condition: 'with-skill', criterionIndex: 1, criterion: judgeCrit(i === 0 ? 'quality' : undefined, { '10': 'best', '0': 'worst' }, 10), inputs: inputs(i), now: new Date('2025-01-02T03:04:05.000Z') }),
    );
  }
}

describe('deferred manifest', () => {
  it('entries follow the spec: id, createdAt, context, rendered rubric, maxScore, inputs', async () => {
    const dir = tmp();
    const crit = judgeCrit('judge-q', { '1': 'good', '5': 'great', '0': 'bad' }, 5);
    await appendManifestEntry(dir, buildManifestEntry({ sessionId: '20250102-030405', taskId: 'calendar_task_01', condition: 'no-skill', criterionIndex: 2, criterion: crit, inputs: inputs(7), now: new Date('2025-01-02T03:04:05.000Z') }));
    const line = readFileSync(path.join(dir, 'manifest.jsonl'), 'utf8');
    expect(line.endsWith('\n')).toBe(true);
    expect(JSON.parse(line)).toEqual({
      id: '20250102-030405-calendar_task_01-no-skill-crit2',
      createdAt: '2025-01-02T03:04:05.000Z',
      context: { sessionId: '20250102-030405', taskId: 'calendar_task_01', condition: 'no-skill', criterionIndex: 2, criterionId: 'judge-q' },
      criterion: { method: 'llm-judge', rubric: 'Score 5: great\nScore 1: good\nScore 0: bad', maxScore: 5 },
      inputs: inputs(7),
    });
    expect(await readManifest(dir)).toEqual([JSON.parse(line)]);
    expect(deferredEntryId({ sessionId: 's', taskId: 't', condition: 'c', criterionIndex: 0, runIndex: 2 })).toBe('s-t-c-crit0-run2');
    expect(() => buildManifestEntry({ sessionId: 's', taskId: 't', condition: 'c', criterionIndex: 0, criterion: { method: 'script', command: 'true', expectedExitCode: 0 }, inputs: inputs(1) })).toThrow(/only llm-judge/);
  });

  it('concurrent appends never interleave; torn lines and duplicates are skipped when reading', async () => {
    const dir = tmp();
    const big = { ...inputs(1), workDirFiles: 'z'.repeat(200_000) };
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        appendManifestEntry(dir, buildManifestEntry({ sessionId: 's', taskId: `t${i}`, condition: 'c', criterionIndex: 0, criterion: judgeCrit(undefined, 'r'), inputs: big })),
      ),
    );
    appendFileSync(path.join(dir, 'manifest.jsonl'), '{"id":"torn","crit');
    const entries = await readManifest(dir);
    expect(entries).toHaveLength(20);
    expect(new Set(entries.map((e) => e.id)).size).toBe(20);
    await appendManifestEntry(dir, { ...entries[0]!, inputs: inputs(99) });
    const again = await readManifest(dir);
    expect(again).toHaveLength(20);
    expect(again[0]!.inputs.workDirFiles).toHaveLength(200_000);
  });
});

describe('runDeferredJudge (simulator)', () => {
  it('judges every entry with a bounded pool and writes results.jsonl rows', async () => {
    const dir = tmp();
    await writeManifest(dir, 6);
    const policy = scoringPolicy({ delayMs: 80 });
    const progress: DeferredJudgeProgress[] = [];
    const summary = await runDeferredJudge({ manifestDir: dir, llm: judgeLlm(), model: 'sim/judge', concurrency: 3, onProgress: (p) => progress.push(p) });
    expect(summary).toMatchObject({ total: 6, judged: 6, skipped: 0, infraErrors: 0 });
    expect(policy.maxInFlight()).toBe(3);
    expect(progress.map((p) => p.done)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(progress.every((p) => p.total === 6)).toBe(true);
    // Rubric, maxScore and the captured inputs reach the judge.
    const prompt = String(policy.seen[0]!.messages[0]!.content);
    expect(prompt).toContain('Score 10: best\nScore 0: worst');
    expect(prompt).toContain('0.0 to 10');
    expect(prompt).toMatch(/## Files Created in Working Directory\n### f\d\.txt/);

    const rows = await readDeferredResults(dir);
    expect(rows).toHaveLength(6);
    const row3 = rows.find((r) => r.id === 's1-task3-with-skill-crit1')!;
    expect(row3).toMatchObject({ pass: false, score: 0.3, details: 'judged 3', criterion: { method: 'llm-judge', maxScore: 10 }, context: { taskId: 'task3', criterionIndex: 1 } });
    expect(Number.isNaN(Date.parse(row3.evaluatedAt))).toBe(false);
    expect(row3.infraError).toBeUndefined();
    expect(rows.find((r) => r.id === 's1-task0-with-skill-crit1')!.context.criterionId).toBe('quality');
    expect(summary.results.map((r) => r.id)).toEqual([0, 1, 2, 3, 4, 5].map((i) => `s1-task${i}-with-skill-crit1`));
    const lines = readFileSync(path.join(dir, 'results.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(6);
  });

  it('provider errors are score 0 rows with infraError', async () => {
    const dir = tmp();
    await writeManifest(dir, 3);
    scoringPolicy({ failFor: [1] });
    const summary = await runDeferredJudge({ manifestDir: dir, llm: judgeLlm(), model: 'sim/judge' });
    expect(summary).toMatchObject({ judged: 3, infraErrors: 1 });
    const failed = (await readDeferredResults(dir)).find((r) => r.id.includes('task1-'))!;
    expect(failed).toMatchObject({ pass: false, score: 0 });
    expect(failed.infraError).toMatch(/^LLM judge call failed/);
  });

  it('resumes: judged entries are not judged again; infra failures are retried', async () => {
    const dir = tmp();
    await writeManifest(dir, 4);
    scoringPolicy({ failFor: [2] });
    await runDeferredJudge({ manifestDir: dir, llm: judgeLlm(), model: 'sim/judge', concurrency: 2 });

    const second = scoringPolicy();
    const summary = await runDeferredJudge({ manifestDir: dir, llm: judgeLlm(), model: 'sim/judge', concurrency: 2 });
    expect(summary).toMatchObject({ total: 4, judged: 1, skipped: 3, infraErrors: 0 });
    expect(second.seen).toHaveLength(1);
    expect(String(second.seen[0]!.messages[0]!.content)).toContain('answer 2');
    const rows = await readDeferredResults(dir);
    expect(rows).toHaveLength(4);
    expect(rows.find((r) => r.id.includes('task2-'))).toMatchObject({ score: 0.2, details: 'judged 2' });
    expect(rows.every((r) => r.infraError === undefined)).toBe(true);

    const third = scoringPolicy();
    expect(await runDeferredJudge({ manifestDir: dir, llm: judgeLlm(), model: 'sim/judge' })).toMatchObject({ judged: 0, skipped: 4 });
    expect(third.seen).toHaveLength(0);

    // New entries appended later are the only ones judged.
    await appendManifestEntry(dir, buildManifestEntry({ sessionId: 's1', taskId: 'late', condition: 'with-skill', criterionIndex: 1, criterion: judgeCrit(undefined, 'r'), inputs: inputs(9) }));
    const fourth = scoringPolicy();
    expect(await runDeferredJudge({ manifestDir: dir, llm: judgeLlm(), model: 'sim/judge' })).toMatchObject({ total: 5, judged: 1, skipped: 4 });
    expect(fourth.seen).toHaveLength(1);
  });

  it('rejudgeInfraErrors: false keeps infra rows', async () => {
    const dir = tmp();
    await writeManifest(dir, 2);
    scoringPolicy({ failFor: [0] });
    await runDeferredJudge({ manifestDir: dir, llm: judgeLlm(), model: 'sim/judge' });
    const p = scoringPolicy();
    expect(await runDeferredJudge({ manifestDir: dir, llm: judgeLlm(), model: 'sim/judge', rejudgeInfraErrors: false })).toMatchObject({ judged: 0, skipped: 2 });
    expect(p.seen).toHaveLength(0);
  });

  it('an aborted signal stops the run; what was judged stays for the next run', async () => {
    const dir = tmp();
    await writeManifest(dir, 5);
    scoringPolicy({ delayMs: 150 });
    const ac = new AbortController();
    let n = 0;
    const run = runDeferredJudge({
      manifestDir: dir,
      llm: judgeLlm(),
      model: 'sim/judge',
      concurrency: 1,
      signal: ac.signal,
      onProgress: () => {
        if (++n === 2) ac.abort();
      },
    });
    await expect(run).rejects.toThrow();
    const judged = (await readDeferredResults(dir)).length;
    expect(judged).toBe(2);
    scoringPolicy();
    expect(await runDeferredJudge({ manifestDir: dir, llm: judgeLlm(), model: 'sim/judge' })).toMatchObject({ judged: 3, skipped: 2 });
  });

  it('an empty or missing manifest judges nothing', async () => {
    expect(await runDeferredJudge({ manifestDir: tmp(), llm: judgeLlm(), model: 'sim/judge' })).toEqual({ total: 0, judged: 0, skipped: 0, infraErrors: 0, results: [] });
  });
});
