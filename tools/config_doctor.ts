import { z } from 'zod';
import { defineOperation } from '../src/contract/operation.js';
import { listArg, modelArg } from '../src/contract/limits.js';

const Check = z.object({
  id: z.string(),
  status: z.enum(['ok', 'warn', 'fail', 'skip']),
  detail: z.string(),
  hint: z.string().optional(),
});

export const configDoctorTool = defineOperation({
  name: 'config_doctor',
  title: 'Check the setup',
  description:
    'Diagnose the SkVM setup and say how to fix each problem: Node version, the config file (validity, unknown keys), that the cache and its sub-directories are writable, that every provider route has its API key, a live 1-token request through each route that names a concrete model (its checkModel or a wildcard-free match, plus any models you pass), and which agent-harness CLIs are on PATH. Call it first when a model call fails or before the first profile/bench. Returns each check with ok / warn / fail / skip, a detail line and a hint.',
  input: z.strictObject({
    live: z.boolean().default(true).describe('Send a 1-token request through each testable route.'),
    models: listArg(modelArg(), 50).default([]).describe('Extra model ids (<provider>/<model-id>) to test live.'),
    timeoutMs: z.number().int().min(1000).max(120_000).default(15_000).describe('Per live request.'),
  }),
  output: z.object({
    ok: z.boolean().describe('true when no check failed'),
    counts: z.object({ ok: z.number(), warn: z.number(), fail: z.number(), skip: z.number() }),
    checks: z.array(Check),
  }),
  effect: 'read',
  idempotent: true,
  openWorld: true,
  mode: 'instant',
  async handler(input, ctx) {
    const { runDoctor } = await import('../src/engine/config/doctor.js');
    return runDoctor(ctx.engine, { ...input, signal: ctx.signal, onProgress: ctx.progress });
  },
  verdict(out) {
    return out.ok ? { kind: 'ok' } : { kind: 'not-passed', message: `${out.counts.fail} check(s) failed.` };
  },
  summarize(out) {
    const mark = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL', skip: 'skip' } as const;
    const lines = out.checks.map((c) => `${mark[c.status]} ${c.id}: ${c.detail}${c.hint ? `\n       → ${c.hint}` : ''}`);
    lines.push(`${out.ok ? 'No problems found' : 'Problems found'}: ${out.counts.ok} ok, ${out.counts.warn} warnings, ${out.counts.fail} failures, ${out.counts.skip} skipped.`);
    return lines.join('\n');
  },
});
