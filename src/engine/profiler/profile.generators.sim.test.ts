import { describe, expect, it, afterEach } from 'vitest';
import { profileDirs, startTarget, type SimTarget } from '../../../test/profiler/sim-harness.js';
import { TcpSchema } from '../profiles/schema.js';
import { probeRegistryObserver, type PlantedLevel } from '../sim/index.js';
import { silentLogger } from '../util/log.js';
import { generator as arithmetic } from './generators/reason.arithmetic.js';
import { generator as fileRead } from './generators/tool.file.read.js';
import { generator as fileWrite } from './generators/tool.file.write.js';
import { generator as web } from './generators/tool.web.js';
import { PROBE_LEVELS } from '../primitives/catalog.js';
import { profileModel } from './profile.js';
import { missingRequirement } from './requirements.js';
import { instanceSeed } from './toolkit.js';

/**
 * The planted-capability proof with real probe generators (files, commands, a local web API
 * with {{BASE_URL}}, a text answer): the profile must recover the planted levels exactly.
 */

const dirs = profileDirs();
const targets: SimTarget[] = [];
afterEach(async () => {
  await Promise.all(targets.splice(0).map((t) => t.close()));
});

describe('profiling real generators against the planted-capability target', () => {
  it('recovers the planted map exactly (tool.file.read, tool.file.write, reason.arithmetic, tool.web)', async () => {
    const planted: Record<string, PlantedLevel> = { 'tool.file.read': 'L2', 'tool.file.write': 'L3', 'reason.arithmetic': 'L1', 'tool.web': 'L2' };
    const t = await startTarget(planted);
    targets.push(t);
    const res = await profileModel({
      model: 'sim/planted-real',
      llm: t.client(),
      ...dirs(),
      sandbox: { mode: 'auto' },
      generators: [fileRead, fileWrite, arithmetic, web],
      onProbe: probeRegistryObserver(t.registryDir),
      profileSeed: 2026,
      concurrency: 4,
      infraBackoffMs: 5,
      log: silentLogger,
    });
    // A level whose probes need a tool this machine lacks is skipped; then only the levels that
    // ran can be recovered, so compare against what could be measured.
    const expected: Record<string, string> = {};
    for (const d of res.tcp.details) {
      const measurable = d.levelResults.filter((l) => l.totalCount > l.skipCount).map((l) => l.level);
      const plantedRank = Number(planted[d.primitiveId]!.slice(1));
      const top = measurable.filter((l) => Number(l.slice(1)) <= plantedRank).at(-1);
      expected[d.primitiveId] = top ?? 'L0';
    }
    expect({ ...res.tcp.capabilities }).toEqual(expected);
    // Exactly the instances whose requirements this machine lacks were skipped (usually none).
    let missing = 0;
    for (const g of [fileRead, fileWrite, arithmetic, web]) {
      for (const level of PROBE_LEVELS) {
        for (let i = 0; i < 3; i++) if (await missingRequirement(g.generate(level, instanceSeed(2026, g.primitiveId, level, i)).requires)) missing++;
      }
    }
    expect(res.stats.skipped).toBe(missing);
    if (missing === 0) expect({ ...res.tcp.capabilities }).toEqual(planted);
    expect(res.stats.infraSkips).toBe(0);
    expect(TcpSchema.safeParse(JSON.parse(JSON.stringify(res.tcp))).success).toBe(true);
    expect(res.tcp.cost.totalUsd).toBeGreaterThan(0);
    for (const d of res.tcp.details) expect(d.calibrationNote).toBeUndefined();
  }, 180_000);
});
