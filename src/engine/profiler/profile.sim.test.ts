import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { echoGen, fileGen, profileDirs, startTarget, TEST_GENERATORS, webGen, withMissingL3, type SimTarget } from '../../../test/profiler/sim-harness.js';
import { LlmError } from '../llm/errors.js';
import type { UsageRecord } from '../llm/types.js';
import { findProfile, listVersionNames, loadFailureReports, loadPartialProfile, loadProfile } from '../profiles/store.js';
import { FailureReportSchema, TcpSchema, type TCP } from '../profiles/schema.js';
import { plantedPolicy, probeRegistryObserver, withFaults, withLatency, type PlantedLevel, type PlantedPolicy, type SimPolicy } from '../sim/index.js';
import type { ProbeGenerator } from './types.js';
import { CancelledError, UsageError } from '../util/errors.js';
import { silentLogger, type Logger } from '../util/log.js';
import { GENERATORS } from './generators/index.js';
import { profileMany, profileModel } from './profile.js';
import { loadProbeGenerators } from './select.js';
import type { ProfileModelOptions } from './session-types.js';
import type { ConcurrencyEvent } from './scheduler.js';
import { instanceSeed } from './toolkit.js';

/**
 * End to end: profiling sessions against the planted-capability simulator over real HTTP with
 * the real LlmClient and the real bare-agent tools. The planted map must come back exactly.
 */

const MODEL = 'sim/planted';
const HARNESS = 'bare-agent';
const P3: Record<string, PlantedLevel> = { 'test.echo': 'L2', 'test.file': 'L0', 'test.web': 'L3' };
const dirs = profileDirs();
const targets: SimTarget[] = [];
afterEach(async () => {
  await Promise.all(targets.splice(0).map((t) => t.close()));
});

async function target(levels: Record<string, PlantedLevel>, wrap?: (p: PlantedPolicy) => SimPolicy): Promise<SimTarget> {
  const t = await startTarget(levels, wrap);
  targets.push(t);
  return t;
}

function options(t: SimTarget, d: ReturnType<typeof dirs>, over: Partial<ProfileModelOptions> = {}): ProfileModelOptions {
  return {
    model: MODEL,
    llm: t.client(),
    ...d,
    sandbox: { mode: 'auto' },
    generators: TEST_GENERATORS,
    onProbe: probeRegistryObserver(t.registryDir),
    profileSeed: 1234,
    concurrency: 4,
    infraBackoffMs: 5,
    log: silentLogger,
    ...over,
  };
}

/** Requests per primitive, via the planted policy's registry lookup. */
function counting(counts: Record<string, number>) {
  return (p: PlantedPolicy): SimPolicy => ({
    name: 'planted-counting',
    async respond(req, ctx) {
      const picked = await p.choose(req);
      const id = picked?.entry.primitiveId ?? '(unknown)';
      counts[id] = (counts[id] ?? 0) + 1;
      return p.respond(req, ctx);
    },
  });
}

const caps = (tcp: TCP) => ({ ...tcp.capabilities });
const detail = (tcp: TCP, id: string) => tcp.details.find((d) => d.primitiveId === id)!;
const latestPath = (d: ReturnType<typeof dirs>) => path.join(d.profilesDir, HARNESS, 'sim--planted', 'latest.json');

describe('profileModel against the planted-capability target', () => {
  it('recovers the planted map exactly; the TCP validates and round-trips, with costs, seeds, logs, progress and failure reports', async () => {
    const t = await target(P3);
    const d = dirs();
    const progress: Array<[number, number, string]> = [];
    const res = await profileModel(options(t, d, { onProgress: (done, total, msg) => progress.push([done, total, msg]) }));

    expect(caps(res.tcp)).toEqual(P3);
    expect(res).toMatchObject({ cached: false, resumed: false, kept: [], profileSeed: 1234 });
    expect(res.profiled.sort()).toEqual(['test.echo', 'test.file', 'test.web']);
    expect(res.stats).toMatchObject({ probeRuns: 27, passed: 15, failed: 12, skipped: 0, infraSkips: 0, reruns: 0 });

    // Saved: latest + one archive; the file parses, validates and round-trips unchanged.
    const raw = JSON.parse(readFileSync(latestPath(d), 'utf8'));
    const parsed = TcpSchema.parse(raw);
    expect(JSON.parse(JSON.stringify(parsed))).toEqual(raw);
    expect(parsed).toEqual(res.tcp);
    expect(parsed.isPartial).toBe(false);
    expect(await listVersionNames(d.profilesDir, HARNESS, MODEL)).toHaveLength(1);
    expect((await loadProfile(d.profilesDir, HARNESS, MODEL)).tcp).toEqual(res.tcp);

    // Level results: counts, the level rule, seeds, descriptions, enriched failure details, artifacts.
    const file = detail(res.tcp, 'test.file');
    expect(file.highestLevel).toBe('L0');
    for (const lr of file.levelResults) {
      expect(lr).toMatchObject({ passed: false, passCount: 0, totalCount: 3, skipCount: 0, seed: 1234 });
      expect(lr.testDescription).toBe(fileGen.descriptions[lr.level]);
      expect(lr.failureDetails).toHaveLength(3);
      for (const f of lr.failureDetails) expect(f).toMatch(/^file_exists: 1\.00; sum_correct: 0\.00 \(expected \d+, got \d+\) \| 3 steps, 2 calls, files: \+1 ~0 -0$/);
      expect(lr.failureArtifacts).toHaveLength(3);
      for (const a of lr.failureArtifacts!) expect(existsSync(a.convLog)).toBe(true);
      expect((lr as { instanceSeeds?: number[] }).instanceSeeds).toEqual([0, 1, 2].map((i) => instanceSeed(1234, 'test.file', lr.level, i)));
    }
    const echo = detail(res.tcp, 'test.echo');
    expect(echo.levelResults.map((l) => [l.level, l.passed, l.passCount, l.failureDetails.length])).toEqual([
      ['L1', true, 3, 0],
      ['L2', true, 3, 0],
      ['L3', false, 0, 3],
    ]);
    expect(echo.convLogDir).toBe(path.join(d.logsDir, 'profile', HARNESS, 'sim--planted', 'test.echo'));
    expect(existsSync(path.join(echo.convLogDir!, 'L1', 'instance-0.jsonl'))).toBe(true);
    expect(echo.calibrationNote).toBeUndefined();

    // Cost: non-zero at every level, summed up to the profile.
    for (const dt of res.tcp.details) for (const lr of dt.levelResults) expect(lr.costUsd).toBeGreaterThan(0);
    expect(res.tcp.cost.totalUsd).toBeGreaterThan(0);
    expect(res.tcp.cost.totalTokens.input).toBeGreaterThan(0);
    expect(res.tcp.cost.totalTokens.output).toBeGreaterThan(0);
    const sumLevels = res.tcp.details.flatMap((x) => x.levelResults).reduce((n, l) => n + l.costUsd, 0);
    expect(res.tcp.cost.totalUsd).toBeCloseTo(sumLevels, 10);
    expect((res.tcp.cost as { incomplete?: boolean }).incomplete).toBeUndefined();

    // Progress: once per probe, total = all planned runs.
    expect(progress).toHaveLength(27);
    expect(progress.map((p) => p[0])).toEqual(Array.from({ length: 27 }, (_, i) => i + 1));
    expect(new Set(progress.map((p) => p[1]))).toEqual(new Set([27]));
    for (const [, , m] of progress) expect(m).toMatch(/^test\.(echo|file|web) L[123] [123]\/3 (pass|fail)$/);
    expect(progress.filter((p) => p[2].endsWith(' pass'))).toHaveLength(15);

    // failure-reports.json: the reference's sidecar format, keyed <primitive>/<level>.
    const side = await loadFailureReports(d.profilesDir, HARNESS, MODEL);
    expect(side!.profiledAt).toBe(res.tcp.profiledAt);
    expect(Object.keys(side!.reports).sort()).toEqual(['test.echo/L3', 'test.file/L1', 'test.file/L2', 'test.file/L3']);
    for (const [key, reports] of Object.entries(side!.reports)) {
      const [prim, level] = key.split('/') as [string, 'L1' | 'L2' | 'L3'];
      expect(reports.map((r) => r.instance).sort()).toEqual([0, 1, 2]);
      for (const r of reports) {
        expect(FailureReportSchema.strict().safeParse(r).success).toBe(false); // it carries loose extras (seed)…
        expect(FailureReportSchema.safeParse(r).success).toBe(true); // …on the reference's shape
        expect(r).toMatchObject({ primitiveId: prim, level, seed: instanceSeed(1234, prim, level, r.instance) });
        expect(Object.keys(r)).toEqual(expect.arrayContaining(['evalDetails', 'agentText', 'steps', 'toolCallSummary', 'fileChanges', 'durationMs']));
      }
    }
    expect(res.failureReports).toEqual(side!.reports);

    // No work dir outlives its probe, failed or passed: the failure reports carry the diagnostics.
    expect(readdirSync(d.tmpRoot)).toEqual([]);
  }, 60_000);

  it('is deterministic: the same seed gives the same instances and the same capabilities; another seed other instances', async () => {
    const t = await target(P3);
    const a = await profileModel(options(t, dirs(), { profileSeed: 99 }));
    const b = await profileModel(options(t, dirs(), { profileSeed: 99 }));
    const c = await profileModel(options(t, dirs(), { profileSeed: 100 }));
    const seeds = (tcp: TCP) => tcp.details.map((x) => [x.primitiveId, x.levelResults.map((l) => (l as { instanceSeeds?: number[] }).instanceSeeds)]).sort();
    expect(caps(b.tcp)).toEqual(caps(a.tcp));
    expect(seeds(b.tcp)).toEqual(seeds(a.tcp));
    expect(detail(b.tcp, 'test.echo').levelResults.map((l) => l.failureDetails)).toEqual(detail(a.tcp, 'test.echo').levelResults.map((l) => l.failureDetails));
    expect(seeds(c.tcp)).not.toEqual(seeds(a.tcp));
    expect(caps(c.tcp)).toEqual(P3);
  }, 60_000);

  it('re-runs an inversion with fresh instances and resolves it by majority (5/6 → passed)', async () => {
    const seed = 4242;
    const bad = new Set([echoGen.generate('L2', instanceSeed(seed, 'test.echo', 'L2', 0)).prompt]);
    const t = await target({ 'test.echo': 'L3' }, (p) => ({
      name: 'one-bad-L2',
      respond: (req, ctx) => (bad.has(req.messages[0]!.content as string) ? { kind: 'message', text: 'WRONG' } : p.respond(req, ctx)),
    }));
    const progress: string[] = [];
    const totals: number[] = [];
    const res = await profileModel(
      options(t, dirs(), { generators: [echoGen, fileGen], concurrency: 1, profileSeed: seed, onProgress: (_d, total, m) => (progress.push(m), totals.push(total)) }),
    );
    const dt = detail(res.tcp, 'test.echo');
    expect(dt.highestLevel).toBe('L3');
    const l2 = dt.levelResults.find((l) => l.level === 'L2')!;
    expect(l2).toMatchObject({ passed: true, passCount: 5, totalCount: 6, skipCount: 0, decidedBy: 'majority' });
    expect((l2 as { rerun?: { seeds: number[] } }).rerun!.seeds).toEqual([3, 4, 5].map((i) => instanceSeed(seed, 'test.echo', 'L2', i)));
    expect(l2.failureDetails).toHaveLength(1);
    expect(dt.levelResults.find((l) => l.level === 'L1')).toMatchObject({ passed: true, totalCount: 3 });
    expect(dt.levelResults.find((l) => l.level === 'L3')).toMatchObject({ passed: true, passCount: 6, totalCount: 6 });
    expect(dt.calibrationNote).toMatch(/^Inversion \(L3 passed but L2 failed\): re-ran L2, L3 with 3 fresh instance\(s\) each .*L2 2\/3 \+ re-run 3\/3 → passed; L3 3\/3 \+ re-run 3\/3 → passed\. Recorded L3\.$/);
    expect(res.stats.reruns).toBe(6);
    expect(progress).toHaveLength(24);
    // Re-runs jump the queue: they follow the primitive's own runs, before the next primitive
    // (but for the one probe that started while the primitive's last run was being graded).
    const reruns = progress.filter((m) => m.endsWith('(re-run)'));
    expect(reruns).toEqual(['L2', 'L2', 'L2', 'L3', 'L3', 'L3'].map((l, i) => `test.echo ${l} ${(i % 3) + 1}/3 pass (re-run)`));
    // That one probe may also finish among the re-runs (grading overlaps the next model call).
    const firstRerun = progress.indexOf(reruns[0]!);
    const lastRerun = progress.lastIndexOf(reruns.at(-1)!);
    expect(progress.slice(firstRerun, lastRerun + 1).filter((m) => !m.endsWith('(re-run)')).length).toBeLessThanOrEqual(1);
    expect(firstRerun).toBeLessThanOrEqual(10);
    expect(progress.slice(lastRerun + 1).every((m) => m.startsWith('test.file '))).toBe(true);
    expect(totals[0]).toBe(18);
    expect(totals.at(-1)).toBe(24); // re-runs extend the total
  }, 60_000);

  it('an inversion that survives the re-run keeps the failing level failed and says so', async () => {
    const seed = 4243;
    const bad = new Set([0, 1, 2, 3, 4, 5].map((i) => echoGen.generate('L2', instanceSeed(seed, 'test.echo', 'L2', i)).prompt));
    const t = await target({ 'test.echo': 'L3' }, (p) => ({
      name: 'bad-L2',
      respond: (req, ctx) => (bad.has(req.messages[0]!.content as string) ? { kind: 'message', text: 'WRONG' } : p.respond(req, ctx)),
    }));
    const res = await profileModel(options(t, dirs(), { generators: [echoGen], profileSeed: seed }));
    const dt = detail(res.tcp, 'test.echo');
    expect(dt.levelResults.find((l) => l.level === 'L2')).toMatchObject({ passed: false, passCount: 0, totalCount: 6 });
    expect(dt.highestLevel).toBe('L3');
    expect(dt.calibrationNote).toMatch(/L2 0\/3 \+ re-run 0\/3 → failed.*The inversion persists after the re-run \(L3 passed but L2 failed\)/);
  }, 60_000);
});

describe('cost accounting', () => {
  it('an unknown price keeps the tokens, sums the known dollars and flags the profile incomplete (never a silent 0)', async () => {
    const t = await target({ 'test.echo': 'L3' });
    const res = await profileModel(options(t, dirs(), { llm: t.client({ pricing: {} }), generators: [echoGen], instances: 1 }));
    const cost = res.tcp.cost as TCP['cost'] & { incomplete?: boolean };
    expect(cost.incomplete).toBe(true);
    expect(cost.totalUsd).toBe(0);
    expect(cost.totalTokens.input).toBeGreaterThan(0);
    const lr = detail(res.tcp, 'test.echo').levelResults[0]! as TCP['details'][number]['levelResults'][number] & { costIncomplete?: boolean; tokens?: { input: number } };
    expect(lr.costIncomplete).toBe(true);
    expect(lr.tokens!.input).toBeGreaterThan(0);
    expect((detail(res.tcp, 'test.echo') as { costIncomplete?: boolean }).costIncomplete).toBe(true);
  }, 30_000);

  it('without explicit generators the registry is used, each generator loaded when its primitive runs', async () => {
    const registry = await loadProbeGenerators();
    expect(registry.map((g) => g.primitiveId)).toEqual(GENERATORS.map((g) => g.primitiveId));
    expect(registry.every((g) => typeof g.ready === 'function')).toBe(true);
  });
});

describe('infrastructure is never a capability failure', () => {
  it('10% 429s and 5% 500s: the same levels, the faults show up as retried calls', async () => {
    const t = await target(P3, (p) => withFaults(p, { rateLimit: 0.1, serverError: 0.05, seed: 7, maxConsecutive: 2 }));
    const client = t.client();
    const retried: UsageRecord[] = [];
    client.onUsage((r) => {
      if (r.attempts > 1) retried.push(r);
    });
    const res = await profileModel(options(t, dirs(), { llm: client }));
    expect(caps(res.tcp)).toEqual(P3);
    const faults = t.sim.stats().faults;
    expect(faults.rate_limit).toBeGreaterThan(0);
    expect(faults.server_error).toBeGreaterThan(0);
    expect(retried.length).toBeGreaterThan(0);
    expect(res.stats.retriedCalls).toBeGreaterThan(0);
    expect(res.stats).toMatchObject({ infraSkips: 0, passed: 15, failed: 12 });
    for (const dt of res.tcp.details) for (const lr of dt.levelResults) expect(lr.skipCount).toBe(0);
  }, 90_000);

  it('a persistent 500 for one primitive: its instances are infra skips with the reason, never failures', async () => {
    const t = await target(P3, (p) => ({
      name: 'web-down',
      async respond(req, ctx) {
        const picked = await p.choose(req);
        if (picked?.entry.primitiveId === 'test.web') return { kind: 'fault', fault: { type: 'server_error', status: 500 } };
        return p.respond(req, ctx);
      },
    }));
    const progress: string[] = [];
    const res = await profileModel(options(t, dirs(), { maxConsecutiveInfraSkips: 50, onProgress: (_d, _t, m) => progress.push(m) }));
    expect(caps(res.tcp)).toEqual({ ...P3, 'test.web': 'L0' });
    const web = detail(res.tcp, 'test.web');
    for (const lr of web.levelResults) {
      expect(lr).toMatchObject({ passed: false, passCount: 0, totalCount: 3, skipCount: 3, infraSkipCount: 3, inconclusive: true, failureDetails: [] });
      for (const s of (lr as { skipDetails?: string[] }).skipDetails!) expect(s).toMatch(/^skipped \(infrastructure\): LLM transient: .*HTTP 500.*\(after 3 attempt\(s\)\)$/);
    }
    expect(web.calibrationNote).toMatch(/L1, L2, L3: every instance was skipped because of infrastructure failures/);
    expect(res.stats.infraSkips).toBe(9);
    expect(res.failureReports['test.web/L1']).toBeUndefined();
    expect(progress.filter((m) => m.endsWith('skip (infra)'))).toHaveLength(9);
  }, 90_000);

  it('a vendor that keeps failing stops the job (partial kept) instead of burning the whole catalog', async () => {
    const t = await target(P3, () => ({ name: 'down', respond: () => ({ kind: 'fault', fault: { type: 'server_error', status: 503 } }) }));
    const d = dirs();
    const err = await profileModel(options(t, d, { concurrency: 1, maxConsecutiveInfraSkips: 3, infraRetries: 0 })).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'profile_infra' });
    expect(String((err as Error).message)).toMatch(/3 probe runs in a row/);
    expect(await findProfile(d.profilesDir, HARNESS, MODEL)).toBeNull();
  }, 60_000);

  it('an auth error aborts the whole profile at once', async () => {
    const t = await target(P3, () => ({ name: 'auth', respond: () => ({ kind: 'fault', fault: { type: 'auth' } }) }));
    const d = dirs();
    const err = await profileModel(options(t, d)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LlmError);
    expect((err as LlmError).kind).toBe('auth');
    expect(t.sim.stats().requests).toBeLessThanOrEqual(4); // only the runs already started
    expect(existsSync(latestPath(d))).toBe(false);
    // Probes prepared ahead of their slot are cleaned up with the runs that never started.
    expect(readdirSync(d.tmpRoot).filter((n) => n.startsWith('skvm-profile-'))).toEqual([]);
  }, 30_000);

  it('a missing requirement is a skip, not a failure', async () => {
    const t = await target({ 'test.echo': 'L3' });
    const progress: string[] = [];
    const res = await profileModel(options(t, dirs(), { generators: [withMissingL3(echoGen)], onProgress: (_d, _t, m) => progress.push(m) }));
    const dt = detail(res.tcp, 'test.echo');
    expect(dt.highestLevel).toBe('L2');
    const l3 = dt.levelResults.find((l) => l.level === 'L3')!;
    expect(l3).toMatchObject({ passed: false, passCount: 0, totalCount: 3, skipCount: 3, failureDetails: [] });
    expect((l3 as { inconclusive?: boolean }).inconclusive).toBeUndefined();
    expect((l3 as { skipDetails?: string[] }).skipDetails).toEqual(Array(3).fill('skipped (environment): the Python module skvm_no_such_module_xyz is not installed'));
    expect(res.stats).toMatchObject({ skipped: 3, failed: 0 });
    expect(progress.filter((m) => / L3 \d\/3 skip$/.test(m))).toHaveLength(3);
  }, 30_000);
});

describe('the profile cache', () => {
  it('checkpoints after each primitive and resumes a partial profile without redoing finished primitives', async () => {
    const counts: Record<string, number> = {};
    const t = await target(P3, counting(counts));
    const d = dirs();
    const ctl = new AbortController();
    const first = await profileModel(
      options(t, d, { concurrency: 1, profileSeed: 555, signal: ctl.signal, onProgress: (done) => done === 9 && ctl.abort('stop after the first primitive') }),
    ).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(CancelledError);
    const partial = await loadPartialProfile(d.profilesDir, HARNESS, MODEL);
    expect(partial).not.toBeNull();
    expect(Object.keys(partial!.capabilities)).toEqual(['test.echo']);
    expect(partial!.isPartial).toBe(true);
    expect(await findProfile(d.profilesDir, HARNESS, MODEL)).toBeNull(); // no complete profile yet

    for (const k of Object.keys(counts)) delete counts[k];
    const seen: Array<[number, number, boolean]> = [];
    const res = await profileModel(
      options(t, d, {
        concurrency: 1,
        profileSeed: undefined,
        onProgress: (done) => {
          const l = JSON.parse(readFileSync(latestPath(d), 'utf8')) as TCP;
          seen.push([done, Object.keys(l.capabilities).length, l.isPartial]);
        },
      }),
    );
    expect(counts['test.echo']).toBeUndefined(); // nothing finished was redone
    expect(counts['test.file']).toBeGreaterThan(0);
    expect(counts['test.web']).toBeGreaterThan(0);
    expect(res).toMatchObject({ resumed: true, kept: ['test.echo'], profiled: ['test.file', 'test.web'], profileSeed: 555 });
    expect(caps(res.tcp)).toEqual(P3);
    expect(Object.keys(res.tcp.capabilities)).toEqual(['test.echo', 'test.file', 'test.web']);
    expect(detail(res.tcp, 'test.echo')).toEqual(detail(partial!, 'test.echo'));
    // A checkpoint lands after each primitive: 1 finished during test.file's runs, then 2 (from
    // a little after test.web's first run: that one starts while test.file's last is graded).
    expect(seen.filter(([done]) => done <= 9).every(([, n, p]) => n === 1 && p)).toBe(true);
    expect(seen.every(([, n, p], i) => p && n >= 1 && n <= 2 && (i === 0 || n >= seen[i - 1]![1]))).toBe(true);
    expect(seen.at(-1)![1]).toBe(2);
    expect(res.tcp.isPartial).toBe(false);

    // Complete now: a second call is served from the cache, with no work at all.
    const before = t.sim.stats().requests;
    const cached = await profileModel(options(t, d));
    expect(cached.cached).toBe(true);
    expect(cached.tcp).toEqual(res.tcp);
    expect(t.sim.stats().requests).toBe(before);
  }, 90_000);

  it('force + primitives re-profiles only those and keeps the rest (and their failure reports)', async () => {
    const counts: Record<string, number> = {};
    const levels = { ...P3 };
    const t = await target(levels, counting(counts));
    const d = dirs();
    const base = await profileModel(options(t, d));
    const baseReports = await loadFailureReports(d.profilesDir, HARNESS, MODEL);

    // The model "changes": echo is now L1.
    t.sim.setPolicy(counting(counts)(plantedPolicy({ levels: { ...P3, 'test.echo': 'L1' }, registryDir: t.registryDir })));
    for (const k of Object.keys(counts)) delete counts[k];
    const merged = await profileModel(options(t, d, { force: true, primitives: ['test.echo'] }));
    expect(Object.keys(counts)).toEqual(['test.echo']);
    expect(caps(merged.tcp)).toEqual({ ...P3, 'test.echo': 'L1' });
    expect(merged.kept.sort()).toEqual(['test.file', 'test.web']);
    expect(detail(merged.tcp, 'test.file')).toEqual(detail(base.tcp, 'test.file'));
    expect(detail(merged.tcp, 'test.web')).toEqual(detail(base.tcp, 'test.web'));
    expect(await listVersionNames(d.profilesDir, HARNESS, MODEL)).toHaveLength(2); // both archives kept
    const side = await loadFailureReports(d.profilesDir, HARNESS, MODEL);
    expect(side!.profiledAt).toBe(merged.tcp.profiledAt);
    expect(side!.reports['test.file/L2']).toEqual(baseReports!.reports['test.file/L2']);
    expect(Object.keys(side!.reports).filter((k) => k.startsWith('test.echo/')).sort()).toEqual(['test.echo/L2', 'test.echo/L3']);

    // Without force, asking for a primitive the cached profile has is a cache hit.
    for (const k of Object.keys(counts)) delete counts[k];
    const hit = await profileModel(options(t, d, { primitives: ['test.web'] }));
    expect(hit.cached).toBe(true);
    expect(counts).toEqual({});
  }, 90_000);

  it('a cancelled forced re-run leaves the previous complete profile readable, and the next run resumes it', async () => {
    const t = await target(P3);
    const d = dirs();
    const complete = await profileModel(options(t, d));
    const ctl = new AbortController();
    const err = await profileModel(options(t, d, { force: true, concurrency: 1, signal: ctl.signal, onProgress: (done) => done === 10 && ctl.abort() })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CancelledError);
    expect((await loadPartialProfile(d.profilesDir, HARNESS, MODEL))?.isPartial).toBe(true);
    const loaded = await loadProfile(d.profilesDir, HARNESS, MODEL);
    expect(loaded.tcp).toEqual(complete.tcp);
    expect(loaded.note).toMatch(/latest\.json is a partial profile/);
    expect((await findProfile(d.profilesDir, HARNESS, MODEL))?.tcp.profiledAt).toBe(complete.tcp.profiledAt);

    const resumed = await profileModel(options(t, d));
    expect(resumed.resumed).toBe(true);
    expect(resumed.kept).toEqual(['test.echo']);
    expect(caps(resumed.tcp)).toEqual(P3);
    expect((await loadProfile(d.profilesDir, HARNESS, MODEL)).tcp.profiledAt).toBe(resumed.tcp.profiledAt);
  }, 90_000);

  it('unknown primitive ids and harnesses are refused before any work, naming close ids', async () => {
    const t = await target(P3);
    const d = dirs();
    await expect(profileModel(options(t, d, { primitives: ['test.ecko'] }))).rejects.toThrow(/Unknown primitive id in primitives: "test\.ecko" \(did you mean test\.echo/);
    const err = await profileModel(options(t, d, { primitives: ['tool.file.raed'] })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(/tool\.file\.read/);
    await expect(profileModel(options(t, d, { skip: ['test.fiel'] }))).rejects.toThrow(/in skip: "test\.fiel" \(did you mean test\.file/);
    await expect(profileModel(options(t, d, { primitives: ['gen.regex'] }))).rejects.toThrow(/No probe generator is available for gen\.regex/);
    await expect(profileModel(options(t, d, { harness: 'opencode' }))).rejects.toMatchObject({ code: 'adapter_unavailable' });
    expect(t.sim.stats().requests).toBe(0);
  });
});

describe('adaptive concurrency', () => {
  it('halves the window when the vendor answers 429 (down to 1, seen as the simulator’s in-flight peak) and grows it back when calls are clean', async () => {
    let cap: number | undefined = 1; // the vendor accepts one request at a time until it "recovers"
    let active = 0;
    const t = await target(P3, (p) => {
      const slow = withLatency(p, { fixedMs: 25 });
      return {
        name: 'capped',
        async respond(req, ctx) {
          if (cap !== undefined && active >= cap) return { kind: 'fault', fault: { type: 'rate_limit', retryAfterSeconds: 0 } };
          active++;
          try {
            return await slow.respond(req, ctx);
          } finally {
            active--;
          }
        },
      };
    });
    let phase: 'start' | 'low' | 'growing' | 'recovered' = 'start';
    let lowPeak = -1;
    const events: ConcurrencyEvent[] = [];
    const onConcurrency = (ev: ConcurrencyEvent) => {
      events.push(ev);
      if (phase === 'start' && ev.limit === 1 && ev.running <= 1) {
        phase = 'low';
        t.sim.resetStats();
      } else if (phase === 'low' && ev.reason === 'increase') {
        lowPeak = t.sim.stats().maxInFlight;
        phase = 'growing';
        cap = undefined; // the vendor has capacity again
      } else if (phase === 'growing' && ev.reason === 'increase' && ev.limit === 4) {
        phase = 'recovered';
        t.sim.resetStats();
      }
    };
    // Three callers contend for one slot held 25 ms at a time: enough attempts that none starves while the window shrinks, and enough probes left for it to grow back under a loaded machine.
    const res = await profileModel(
      options(t, dirs(), { llm: t.client({ maxAttempts: 25 }), instances: 8, concurrency: 4, infraBackoffMs: 20, onConcurrency }),
    );
    expect(caps(res.tcp)).toEqual(P3);
    expect(res.stats.infraSkips).toBe(0);
    expect(phase).toBe('recovered');
    expect(lowPeak).toBe(1);
    expect(t.sim.stats().maxInFlight).toBeGreaterThan(1);
    const w = res.concurrency[0]!;
    expect(w).toMatchObject({ initial: 4, min: 1, final: 4 });
    expect(w.decreases).toBeGreaterThanOrEqual(2);
    expect(w.increases).toBeGreaterThanOrEqual(3);
    expect(w.congestedCalls).toBeGreaterThan(0);
    expect(events.filter((e) => e.reason === 'start').every((e) => e.running <= 4)).toBe(true);
  }, 90_000);
});

/** echoGen whose k-th check to start first awaits `hold(k)`; every check's start and end go to `checks`. */
function heldChecks(checks: Array<{ start: number; end: number }>, hold: (k: number) => Promise<unknown>): ProbeGenerator {
  return {
    ...echoGen,
    generate(level, seed) {
      const inst = echoGen.generate(level, seed);
      return {
        ...inst,
        async check(ctx) {
          const c = { start: Date.now(), end: 0 };
          await hold(checks.push(c) - 1);
          c.end = Date.now();
          return inst.check(ctx);
        },
      };
    },
  };
}

/** echoGen whose checks take `ms` each. */
function slowChecks(ms: number, checks: Array<{ start: number; end: number }>): ProbeGenerator {
  return heldChecks(checks, () => new Promise((r) => setTimeout(r, ms)));
}

/** The most checks that were running at the same moment. */
function mostAtOnce(checks: Array<{ start: number; end: number }>): number {
  return Math.max(...checks.map((c) => checks.filter((o) => o.start <= c.start && c.start < o.end).length));
}

describe('the engine works while the model does', () => {
  it('grades a probe while the next one talks to the model; the window still bounds the calls in flight', async () => {
    // The k-th check to start waits (5 s at most) until the simulator has seen the request after
    // the k-th: at concurrency 1 it can only come if the probe being graded freed its slot before
    // its check ended. Waiting for it, not timing a fixed-length check, holds on a starved machine.
    const PROBES = 9; // test.echo: 3 levels × 3 instances, all passing (no re-runs)
    const checks: Array<{ start: number; end: number }> = [];
    let requests = 0;
    const waiters = new Set<() => void>();
    const t = await target({ 'test.echo': 'L3' }, (p) => ({
      name: 'announcing',
      respond: (req, ctx) => {
        requests++;
        for (const w of [...waiters]) w();
        return p.respond(req, ctx);
      },
    }));
    let timedOut = 0;
    const untilRequests = (n: number) =>
      new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          waiters.delete(seen);
          resolve();
        };
        const seen = () => {
          if (requests >= n) done();
        };
        const timer = setTimeout(() => (timedOut++, done()), 5000);
        waiters.add(seen);
        seen();
      });
    const waitingCheck = heldChecks(checks, async (k) => {
      if (k + 1 < PROBES) await untilRequests(k + 2);
    });
    const res = await profileModel(options(t, dirs(), { generators: [waitingCheck], concurrency: 1 }));
    expect(caps(res.tcp)).toEqual({ 'test.echo': 'L3' });
    expect(checks).toHaveLength(PROBES);
    expect(t.sim.stats().maxInFlight).toBe(1);
    expect(timedOut).toBe(0);
    // …but never more probes graded at once than the session allows at concurrency 1 (two).
    expect(mostAtOnce(checks)).toBeLessThanOrEqual(2);
  }, 60_000);

  it('the first requests leave before the rest of the first window sets up', async () => {
    // Setting up is event-loop work: eight set-ups (and the next ones ahead) before any request
    // held back the two requests that decide when a profile's last round ends.
    let generated = 0;
    const counting: ProbeGenerator = {
      ...echoGen,
      generate(level, seed) {
        generated++;
        return echoGen.generate(level, seed);
      },
    };
    const t = await target({ 'test.echo': 'L3' });
    const client = t.client();
    const seenAtCall: number[] = [];
    const llm = { chat: (req: Parameters<typeof client.chat>[0], o?: Parameters<typeof client.chat>[1]) => (seenAtCall.push(generated), client.chat(req, o)) };
    const res = await profileModel(options(t, dirs(), { generators: [counting], concurrency: 8, llm }));
    expect(caps(res.tcp)).toEqual({ 'test.echo': 'L3' });
    expect(generated).toBe(9);
    // Two set up together; the next one only once the first talks to the model, and so on.
    expect(seenAtCall[0]).toBeLessThanOrEqual(2);
    expect(t.sim.stats().maxInFlight).toBeGreaterThan(2);
  }, 60_000);

  it('slow checks do not hold the model slots: up to twice the concurrency are graded at once', async () => {
    // At concurrency 8 the checks of nine regex probes (a sandboxed python each) once held every
    // grading place, and the text probes after them kept their model slots ~50 ms past their replies.
    const checks: Array<{ start: number; end: number }> = [];
    const slowCheck = slowChecks(200, checks);
    const t = await target({ 'test.echo': 'L3' });
    const res = await profileModel(options(t, dirs(), { generators: [slowCheck], concurrency: 2 }));
    expect(caps(res.tcp)).toEqual({ 'test.echo': 'L3' });
    expect(t.sim.stats().maxInFlight).toBeLessThanOrEqual(2);
    const atOnce = mostAtOnce(checks);
    expect(atOnce).toBeGreaterThan(2);
    expect(atOnce).toBeLessThanOrEqual(4);
  }, 60_000);

  it('by default each route runs as many probes as its maxConcurrency allows', async () => {
    const t = await target(P3, (p) => withLatency(p, { fixedMs: 30 }));
    const res = await profileModel({ ...options(t, dirs(), { llm: t.client({ maxConcurrency: 3 }) }), concurrency: undefined });
    expect(caps(res.tcp)).toEqual(P3);
    expect(res.concurrency[0]).toMatchObject({ initial: 3, final: 3 });
    expect(t.sim.stats().maxInFlight).toBe(3);
  }, 60_000);

  it('through a usage-counting provider (what a profile run gets) the route still sets the ceiling: above the default 8, and capping a larger request with a warning', async () => {
    // 100 ms replies: calls overlap because the engine runs them together, even on a busy machine.
    const t = await target(P3, (p) => withLatency(p, { fixedMs: 100 }));
    const usage: UsageRecord[] = [];
    const warnings: string[] = [];
    const log: Logger = { ...silentLogger, warn: (m) => warnings.push(m), child: () => log };
    const llm = t.client({ maxConcurrency: 12 }).withUsage((r) => usage.push(r));
    const res = await profileModel(options(t, dirs(), { llm, instances: 6, concurrency: 20, log }));
    expect(caps(res.tcp)).toEqual(P3);
    expect(res.concurrency[0]).toMatchObject({ initial: 12 });
    expect(t.sim.stats().maxInFlight).toBeGreaterThan(8);
    expect(t.sim.stats().maxInFlight).toBeLessThanOrEqual(12);
    expect(warnings.filter((w) => /at most 12 probe runs at once, not 20/.test(w) && /maxConcurrency/.test(w))).toHaveLength(1);
    // The probes' own usage listener is added to the run's, not put in its place.
    expect(usage).toHaveLength(res.stats.llmCalls);
  }, 60_000);

  it('random 429s on one request in five (retried after retry-after) cost a little of the window, not most of it', async () => {
    const t = await target(P3, (p) => withFaults(withLatency(p, { fixedMs: 20 }), { rateLimit: 0.2, retryAfterSeconds: 0, seed: 5 }));
    const res = await profileModel({ ...options(t, dirs(), { llm: t.client({ maxAttempts: 8 }), instances: 6 }), concurrency: undefined });
    expect(caps(res.tcp)).toEqual(P3);
    const w = res.concurrency[0]!;
    expect(w.initial).toBe(8);
    expect(w.congestedCalls).toBeGreaterThan(10);
    expect(w.min).toBeGreaterThanOrEqual(4); // halving per round trip would take it to 1
    expect(res.stats.infraSkips).toBe(0);
  }, 90_000);
});

describe('profileMany', () => {
  it('profiles several models in one queue; a job that cannot run fails alone', async () => {
    const registry: { dir?: string } = {};
    const byModel: Record<string, Record<string, PlantedLevel>> = { 'model-a': { 'test.echo': 'L3', 'test.file': 'L1' }, 'model-b': { 'test.echo': 'L1', 'test.file': 'L3' } };
    const t = await target({}, () => ({
      name: 'by-model',
      respond: (req, ctx) => plantedPolicy({ levels: byModel[req.model] ?? {}, registryDir: registry.dir! }).respond(req, ctx),
    }));
    registry.dir = t.registryDir;
    const d = dirs();
    const progress: Array<[number, number, string]> = [];
    const out = await profileMany([{ model: 'sim/model-a' }, { model: 'other/no-route' }, { model: 'sim/model-b', harness: 'bare-agent' }], {
      ...options(t, d),
      generators: [echoGen, fileGen],
      onProgress: (done, total, m) => progress.push([done, total, m]),
    });
    expect(out.jobs.map((j) => [j.model, j.ok])).toEqual([
      ['sim/model-a', true],
      ['other/no-route', false],
      ['sim/model-b', true],
    ]);
    const [a, bad, b] = out.jobs;
    if (!a!.ok || !b!.ok || bad!.ok) throw new Error('unexpected job outcomes');
    expect(caps(a.result.tcp)).toEqual(byModel['model-a']);
    expect(caps(b.result.tcp)).toEqual(byModel['model-b']);
    expect(bad.error).toBeInstanceOf(LlmError);
    expect((bad.error as LlmError).kind).toBe('no_route');
    expect(progress).toHaveLength(36);
    expect(progress.at(-1)![1]).toBe(36);
    expect(progress.filter((p) => p[2].startsWith('sim/model-a: test.'))).toHaveLength(18);
    expect((await loadProfile(d.profilesDir, HARNESS, 'sim/model-b')).tcp).toEqual(b.result.tcp);
    expect(out.concurrency).toHaveLength(1); // one route, one adaptive window
    void webGen;
  }, 90_000);
});
