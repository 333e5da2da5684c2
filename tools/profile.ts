import { z } from 'zod';
import { defineOperation } from '../src/contract/operation.js';
import { idArg, listArg, modelArg } from '../src/contract/limits.js';
import { adapterConfigArg, HARNESS_HELP, harnessSchema } from '../src/contract/harness.js';
import { RUNNABLE_ADAPTERS } from '../src/engine/agent/adapters/harnesses.js';
import { LEVELS } from '../src/engine/primitives/catalog.js';

const Capability = z.object({
  primitive: z.string(),
  level: z.enum(LEVELS),
  passes: z.string().describe('Instances passed per level, e.g. "L1 3/3 · L2 3/3 · L3 1/3"'),
});

const Job = z.object({
  model: z.string(),
  harness: z.string(),
  ok: z.boolean(),
  error: z.string().optional(),
  cached: z.boolean().optional().describe('A complete profile was already cached; nothing ran (use force to redo it)'),
  resumed: z.boolean().optional().describe('An interrupted profile was continued'),
  capabilities: z.array(Capability).optional(),
  levelCounts: z.object({ L0: z.number(), L1: z.number(), L2: z.number(), L3: z.number() }).optional(),
  skips: z.array(z.object({ primitive: z.string(), level: z.string(), reason: z.string() })).optional().describe('Instances not run (missing tool on this machine, or infrastructure)'),
  stats: z
    .object({ probeRuns: z.number(), passed: z.number(), failed: z.number(), skipped: z.number(), infraRetries: z.number(), reruns: z.number(), llmCalls: z.number(), retriedCalls: z.number() })
    .optional(),
  tokens: z.object({ input: z.number(), output: z.number() }).optional(),
  costUsd: z.number().optional(),
  durationMs: z.number().optional(),
  seed: z.number().nullable().optional().describe('Replay the same probes with seed=<this>'),
  resource: z.string().optional(),
});

export const profileTool = defineOperation({
  name: 'profile',
  title: 'Profile a model’s capabilities',
  description:
    'Measure what a model can do through an agent harness: run generated probes for each of the 26 primitive capabilities at levels L1–L3 (instances per level, all must pass) and record the highest level reached per primitive as a capability profile in the cache — the input the skill compiler uses. A complete cached profile is returned as is unless force is set; an interrupted one resumes; force with primitives re-profiles only those. Infrastructure trouble (rate limits, vendor errors) is retried and reported as skips, never as lower levels. Returns per model the capability table, pass counts, skips with reasons, tokens, cost and the profile resource. A full profile is hundreds of agent runs: this is a run — poll with run_status.',
  input: z.strictObject({
    models: listArg(modelArg(), 50).min(1).describe('Models to profile, <provider>/<model-id>.'),
    harnesses: listArg(harnessSchema(), RUNNABLE_ADAPTERS.length).min(1).default(['bare-agent']).describe(HARNESS_HELP),
    adapterConfig: adapterConfigArg(),
    primitives: listArg(idArg()).optional().describe('Only these primitives (default: all 26).'),
    skip: listArg(idArg()).optional().describe('Leave these primitives out.'),
    instances: z.number().int().min(1).max(10).default(3).describe('Probe instances per level; a level passes when all that ran pass.'),
    force: z.boolean().default(false).describe('Ignore a cached complete profile (with primitives: redo only those).'),
    concurrency: z.number().int().min(1).max(64).optional().describe("Probe runs at once, up to the model route's maxConcurrency (8 unless configured), which is the default; lowered automatically while the vendor pushes back."),
    timeoutMs: z.number().int().min(5000).max(3_600_000).default(120_000).describe('Per-probe agent time limit.'),
    seed: z.number().int().min(0).optional().describe('Seed of the probe instances, to reproduce a profile (default: random, recorded).'),
    ifRunning: z.enum(['wait', 'fail']).default('wait').describe('When another run is already profiling the same model and harness: wait for it and reuse its profile, or fail naming that run.'),
  }),
  output: z.object({ jobs: z.array(Job) }),
  effect: 'write',
  idempotent: false,
  openWorld: true,
  mode: 'run',
  label: (i) => `profile ${i.models.join(', ')} on ${i.harnesses.join(', ')}${i.primitives ? ` (${i.primitives.length} primitives)` : ''}`,
  async handler(input, ctx) {
    const [{ startProfile }, { summarizeProfileRun }] = await Promise.all([import('../src/engine/profiler/start.js'), import('../src/engine/profiler/summary.js')]);
    const result = await startProfile(ctx.engine, { ...input, llm: ctx.llm, signal: ctx.signal, onProgress: ctx.progress, log: ctx.log, ...(ctx.runId ? { runId: ctx.runId } : {}) });
    return summarizeProfileRun(result);
  },
  verdict(out) {
    const failed = out.jobs.filter((j) => !j.ok);
    if (failed.length === 0) return { kind: 'ok' };
    return {
      kind: 'failed',
      message: `Profiling failed for ${failed.map((j) => `${j.model} on ${j.harness}: ${j.error ?? 'unknown error'}`).join('; ')}${failed.length < out.jobs.length ? ` (${out.jobs.length - failed.length} other profile(s) finished; see the result)` : ''}.`,
      hint: 'config_doctor tests each route live; a rerun resumes from the saved partial profile.',
    };
  },
  summarize(out) {
    const lines: string[] = [];
    for (const j of out.jobs) {
      if (!j.ok) {
        lines.push(`${j.model} on ${j.harness}: FAILED — ${j.error}`);
        continue;
      }
      const head = `${j.model} on ${j.harness}${j.cached ? ' (cached; force to redo)' : j.resumed ? ' (resumed)' : ''}`;
      const c = j.levelCounts!;
      lines.push(`${head}: L3 ×${c.L3}, L2 ×${c.L2}, L1 ×${c.L1}, L0 ×${c.L0}${j.resource ? ` — ${j.resource}` : ''}`);
      const w = Math.max(...j.capabilities!.map((r) => r.primitive.length));
      for (const r of j.capabilities!) lines.push(`  ${r.primitive.padEnd(w)}  ${r.level}  ${r.passes}`);
      if (j.stats) lines.push(`  ${j.stats.probeRuns} probe runs (${j.stats.passed} passed, ${j.stats.failed} failed, ${j.stats.skipped} skipped), ${j.stats.llmCalls} LLM calls (${j.stats.retriedCalls} retried), ${j.stats.reruns} re-runs for inversions`);
      if (j.skips?.length) lines.push(`  skips: ${j.skips.slice(0, 3).map((s) => `${s.primitive} ${s.level}: ${s.reason}`).join('; ')}${j.skips.length > 3 ? ` … (${j.skips.length})` : ''}`);
      if (j.seed !== undefined && j.seed !== null) lines.push(`  seed ${j.seed}`);
    }
    return lines.join('\n');
  },
});
