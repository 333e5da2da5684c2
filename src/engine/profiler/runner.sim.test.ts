import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordedCodexUsage, standInCodex as standInCodexBin } from '../../../test/stand-in-codex.js';
import { tempDirs } from '../../../test/tmp.js';
import { echoGen, fileGen, profileDirs, promptOf, startTarget, webGen, withMissingL3, type SimTarget } from '../../../test/profiler/sim-harness.js';
import { LlmError } from '../llm/errors.js';
import { FailureReportSchema } from '../profiles/schema.js';
import { plantedPolicy, probeRegistryObserver, probeRegistryPath, type SimPolicy, type SimReply } from '../sim/index.js';
import { silentLogger } from '../util/log.js';
import { classifyTimeout, instanceLogPaths, runInstance, runProbe, type CallRecord, type RunProbeOptions } from './runner.js';

/**
 * The runner against the simulator over real HTTP with the real LlmClient: pass, fail (with
 * diagnostics; no work dir left behind), skip, the runStatus gate, infrastructure vs capability.
 */

let target: SimTarget;
const dirs = profileDirs();
const binDirs = tempDirs('skvm-probe-cli-', { everyone: true });

beforeAll(async () => {
  target = await startTarget({ 'test.echo': 'L3', 'test.file': 'L1', 'test.web': 'L3' });
});
afterAll(async () => {
  await target.close();
});

function usePlanted(levels: Record<string, 'L0' | 'L1' | 'L2' | 'L3'>): void {
  target.sim.setPolicy(plantedPolicy({ levels, registryDir: target.registryDir }));
}

function opts(over: Partial<RunProbeOptions> = {}): RunProbeOptions {
  const d = dirs();
  return {
    model: 'sim/planted',
    llm: target.client(),
    tmpRoot: d.tmpRoot,
    sandbox: { mode: 'auto' },
    timeoutMs: 20_000,
    index: 0,
    logs: instanceLogPaths(path.join(d.logsDir, 'profile', 'bare-agent', 'sim--planted', 'x', 'L1'), 0),
    onProbe: probeRegistryObserver(target.registryDir),
    log: silentLogger,
    ...over,
  };
}

const fixed = (reply: SimReply, name = 'fixed'): SimPolicy => ({ name, respond: () => reply });

describe('runProbe', () => {
  it('passes with the reference solution: check run, work dir removed, conversation log written, tokens and cost counted', async () => {
    usePlanted({ 'test.file': 'L3' });
    const o = opts();
    const inst = fileGen.generate('L2', 11);
    const a = await runProbe(inst, o);
    expect(a.status).toBe('pass');
    expect(a.details).toBe('file_exists: 1.00; sum_correct: 1.00');
    expect(a.runStatus).toBe('ok');
    expect(readdirSync(o.tmpRoot)).toEqual([]);
    expect(a.llmCalls).toBe(3);
    expect(a.tokens.input).toBeGreaterThan(0);
    expect(a.costUsd).toBeGreaterThan(0);
    expect(a.costIncomplete).toBe(false);
    const conv = readFileSync(o.logs!.convLog, 'utf8').trim().split('\n');
    expect(conv).toHaveLength(6); // request + response per call
    expect(existsSync(o.logs!.failureJson)).toBe(false);
    // The registry entry is the exact prompt the model saw; nothing was added to it.
    const reg = JSON.parse(readFileSync(probeRegistryPath(target.registryDir, inst.prompt), 'utf8'));
    expect(reg).toMatchObject({ primitiveId: 'test.file', level: 'L2' });
    expect(JSON.parse(conv[0]!).messages[0].content).toBe(inst.prompt);
  });

  it('fails with the near-miss: failure report, enriched details, failure files in the log dir, no work dir left behind', async () => {
    usePlanted({ 'test.file': 'L1' });
    const o = opts({ index: 2, logs: instanceLogPaths(path.join(dirs().logsDir, 'p', 'L3'), 2) });
    const a = await runProbe(fileGen.generate('L3', 5), o);
    expect(a.status).toBe('fail');
    expect(a.details).toMatch(/^file_exists: 1\.00; sum_correct: 0\.00 \(expected \d+, got \d+\) \| 3 steps, 2 calls, files: \+1 ~0 -0$/);
    expect(readdirSync(o.tmpRoot)).toEqual([]);
    const report = a.failureReport!;
    expect(FailureReportSchema.safeParse(report).success).toBe(true);
    expect(report).toMatchObject({ primitiveId: 'test.file', level: 'L3', instance: 2, seed: 5, fileChanges: { created: ['result.txt'], modified: [], deleted: [] } });
    expect(report.toolCallSummary).toMatchObject({ totalCalls: 2, byTool: { read_file: 1, write_file: 1 } });
    expect(JSON.parse(readFileSync(o.logs!.failureJson, 'utf8'))).toEqual(report);
    expect(readFileSync(o.logs!.evalScript, 'utf8')).toMatch(/sum_correct: 0\.00/);
    expect(report.agentText).toMatch(/^The sum is \d+\.$/);
  });

  it('a failed run without tool calls changed no file: even what a check leaves in the work dir is not put on the agent', async () => {
    target.sim.setPolicy(fixed({ kind: 'message', text: 'I could not do this.' }));
    const base = fileGen.generate('L3', 6);
    // A check with a side effect in the work dir (a grader writing its own file).
    const inst = { ...base, check: async (ctx: Parameters<typeof base.check>[0]) => (await ctx.run('echo x > grader-output.txt'), base.check(ctx)) };
    const a = await runProbe(inst, opts({ index: 1 }));
    expect(a.status).toBe('fail');
    expect(a.failureReport!.fileChanges).toEqual({ created: [], modified: [], deleted: [] });
    expect(a.details).toMatch(/files: \+0 ~0 -0$/);
  });

  it('substitutes {{BASE_URL}} and serves the probe’s API; registers the substituted prompt', async () => {
    usePlanted({ 'test.web': 'L3' });
    const inst = webGen.generate('L1', 3);
    const a = await runProbe(inst, opts());
    expect(a.status).toBe('pass');
    expect(inst.prompt).toContain('{{BASE_URL}}');
    expect(existsSync(probeRegistryPath(target.registryDir, inst.prompt))).toBe(false);
  });

  it('a missing requirement is a skip with the reason, before any model call', async () => {
    const before = target.sim.stats().requests;
    const a = await runProbe(withMissingL3(echoGen).generate('L3', 1), opts());
    expect(a.status).toBe('skip');
    expect(a.details).toBe('skipped (environment): the Python module skvm_no_such_module_xyz is not installed');
    expect(target.sim.stats().requests).toBe(before);
  });

  it('runStatus gate: a capability timeout (the agent keeps working) is a failure and the check is never run', async () => {
    const inst = fileGen.generate('L1', 9);
    const sum = inst.reference.turns[1]!.toolCalls![0]!.arguments.content as string;
    // Writes the right answer first, then keeps running different commands until the deadline.
    target.sim.setPolicy({
      name: 'busy',
      respond(req) {
        const k = req.messages.filter((m) => m.role === 'assistant').length;
        if (k === 0) return { kind: 'message', text: '', toolCalls: [{ name: 'write_file', arguments: { path: 'result.txt', content: sum } }] };
        return { kind: 'message', text: '', toolCalls: [{ name: 'execute_command', arguments: { command: `sleep 0.2; echo step ${k}` } }] };
      },
    });
    const o = opts({ timeoutMs: 1500 });
    const a = await runProbe(inst, o);
    expect(a.runStatus).toBe('timeout');
    expect(a.status).toBe('fail');
    expect(a.details).toMatch(/^tainted: bare-agent loop exceeded timeout 1\d{3}ms.*answered promptly\) \| /);
    expect(a.checkpoints).toBeUndefined();
    expect(a.failureReport?.evalDetails).toMatch(/^tainted:/);
    expect(readdirSync(o.tmpRoot)).toEqual([]);
  });

  it('an infrastructure timeout (the vendor never answers) is infra, not a failure', async () => {
    target.sim.setPolicy(fixed({ kind: 'fault', fault: { type: 'hang' } }, 'hang'));
    const a = await runProbe(echoGen.generate('L1', 1), opts({ timeoutMs: 1000 }));
    expect(a.status).toBe('infra');
    expect(a.details).toMatch(/^infrastructure timeout: no LLM call completed/);
    const r = await runInstance(echoGen.generate('L1', 1), { ...opts({ timeoutMs: 800 }), infraRetries: 1, infraBackoffMs: 5 });
    expect(r).toMatchObject({ skipped: true, infra: true, passed: false, attempts: 2 });
    expect(r.details).toMatch(/^skipped \(infrastructure\): infrastructure timeout: no LLM call completed.*\(after 2 attempt\(s\)\)$/);
  });
});

describe('runProbe through a CLI harness', () => {
  // Binary and work dirs in folders every user can enter: a root engine runs harnesses as an unprivileged user.
  const standInCodex = (delay = 0) => standInCodexBin(binDirs(), { delaySeconds: delay });
  const recorded = recordedCodexUsage();

  it("counts the harness's own usage (its calls bypass the observer) and grades the run", async () => {
    const a = await runProbe(fileGen.generate('L1', 3), opts({ adapter: 'codex', tmpRoot: binDirs(), harness: { mode: 'managed', adapters: { codex: standInCodex() } } }));
    expect(a.runStatus).toBe('ok');
    expect(a.status).toBe('fail'); // the recorded run wrote notes.txt, not what this probe asks for
    expect(a.tokens.input + a.tokens.cacheRead).toBe(recorded.input);
    expect(a.tokens.output).toBe(recorded.output);
    expect(a.llmCalls).toBeGreaterThan(0);
  });

  it('a timeout after the model answered is the capability, not infrastructure', async () => {
    const a = await runProbe(fileGen.generate('L1', 4), opts({ adapter: 'codex', timeoutMs: 1500, tmpRoot: binDirs(), harness: { mode: 'managed', adapters: { codex: standInCodex(30) } } }));
    expect(a.runStatus).toBe('timeout');
    expect(a.status).toBe('fail');
    expect(a.details).toMatch(/reached the model itself/);
  });
});

describe('runInstance: infrastructure is never a capability failure', () => {
  it('a persistent 500 is retried (bounded) and recorded as an infra skip with the reason', async () => {
    target.sim.setPolicy(fixed({ kind: 'fault', fault: { type: 'server_error', status: 500 } }, 'down'));
    const before = target.sim.stats().requests;
    const r = await runInstance(echoGen.generate('L2', 4), { ...opts(), infraRetries: 2, infraBackoffMs: 5 });
    expect(r).toMatchObject({ skipped: true, infra: true, passed: false, attempts: 3 });
    expect(r.details).toMatch(/^skipped \(infrastructure\): LLM transient: .*HTTP 500.*\(after 3 attempt\(s\)\)$/);
    expect(r.failureReport).toBeUndefined();
    expect(target.sim.stats().requests - before).toBe(15); // 3 runs × 5 client attempts
  });

  it('a vendor outage that clears is retried and then scored normally', async () => {
    let n = 0;
    const planted = plantedPolicy({ levels: { 'test.echo': 'L3' }, registryDir: target.registryDir });
    target.sim.setPolicy({ name: 'flaky', respond: (req, ctx) => (n++ < 6 ? { kind: 'fault', fault: { type: 'server_error', status: 503 } } : planted.respond(req, ctx)) });
    const r = await runInstance(echoGen.generate('L1', 8), { ...opts(), infraRetries: 2, infraBackoffMs: 5 });
    expect(r).toMatchObject({ passed: true, attempts: 2 });
    expect(r.skipped).toBeUndefined();
    expect(r.retriedCalls).toBe(2); // the first run's call gave up after 5 attempts, the second run's call needed 2 (6 faults)
    expect(r.llmCalls).toBe(2);
  });

  it('an auth error aborts at once (no retries)', async () => {
    target.sim.setPolicy(fixed({ kind: 'fault', fault: { type: 'auth' } }, 'auth'));
    const before = target.sim.stats().requests;
    const err = await runInstance(echoGen.generate('L1', 2), { ...opts(), infraRetries: 2, infraBackoffMs: 5 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LlmError);
    expect((err as LlmError).kind).toBe('auth');
    expect(target.sim.stats().requests - before).toBe(1);
  });

  it('a cancelled signal rejects with CancelledError', async () => {
    target.sim.setPolicy(fixed({ kind: 'fault', fault: { type: 'hang' } }, 'hang'));
    const ctl = new AbortController();
    setTimeout(() => ctl.abort('stop'), 100);
    await expect(runInstance(echoGen.generate('L1', 2), { ...opts({ signal: ctl.signal }) })).rejects.toMatchObject({ code: 'cancelled' });
  });
});

describe('classifyTimeout', () => {
  const ok = (ms = 100, attempts = 1): CallRecord => ({ startedAt: 0, durationMs: ms, attempts, ok: true, usage: { input: 1, output: 1, cacheRead: 0, cacheWrite: 0 }, costUsd: 0 });
  const cut = (ms: number, attempts = 1): CallRecord => ({ ...ok(ms, attempts), ok: false, errorKind: 'cancelled' });
  it('tells a stalled vendor from an agent that used its time', () => {
    expect(classifyTimeout([cut(1000)], 1000, 1000).infra).toBe(true); // nothing completed
    expect(classifyTimeout([ok(), ok(), cut(600)], 1000, 1000).infra).toBe(true); // cut-off call waited ≥ half the budget
    expect(classifyTimeout([ok(), ok(), cut(100, 3)], 1000, 1000).infra).toBe(true); // cut-off call was being retried
    expect(classifyTimeout([ok(), ok(300, 4), ok()], 1000, 1000).infra).toBe(true); // retried calls took ≥ 1/4
    expect(classifyTimeout([ok(), ok(), ok(), cut(50)], 1000, 1000)).toMatchObject({ infra: false });
    expect(classifyTimeout([ok(), ok(50, 2), ok()], 1000, 1000).infra).toBe(false);
  });
});

// Keeps promptOf referenced for readers of the harness (used by the profile tests).
void promptOf;
