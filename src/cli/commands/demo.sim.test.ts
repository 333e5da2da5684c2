import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { simulatedLlm } from '../../../test/scripted-sim.js';
import { tempDirs } from '../../../test/tmp.js';
import { BARE_AGENT_SYSTEM_PROMPT, injectSkillText } from '../../engine/agent/adapters/bare-agent.js';
import { compileSkill } from '../../engine/compiler/compile.js';
import { defaultPasses } from '../../engine/compiler/registry.js';
import type { Route } from '../../engine/config/schema.js';
import { TCP_VERSION, TcpSchema } from '../../engine/profiles/schema.js';
import { sandboxSupport } from '../../engine/sandbox/index.js';
import { loadPolicyFile } from '../../engine/sim/policy-file.js';
import { startSimServer } from '../../engine/sim/server.js';
import { createEngine } from '../../engine/engine.js';
import { writeConfigFile } from '../../engine/config/write.js';
import { saveProfile } from '../../engine/profiles/save.js';
import { startBench } from '../../engine/bench/start.js';
import { findVariant } from '../../engine/compiler/variants.js';
import { silentLogger } from '../../engine/util/log.js';
import type { SimReply, SimRequest } from '../../engine/sim/policy.js';
import { loadSkill } from '../../engine/skills/load.js';
import { PLANTED } from './demo.js';

/**
 * The data behind `skvm demo`'s compile and bench steps. The simulator plays the compiler model
 * from skvm-data/sim/compiler.json while the three real passes compile the bundled log-triage
 * skill against a profile holding the demo's planted levels; the planted target's scripts
 * (skvm-data/sim/planted-target.json) are then shown the original and the compiled skill. An
 * edit to the skill, to a compiler prompt or to PLANTED that breaks the demo's story fails here.
 */

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const SIM_DIR = path.join(REPO, 'skvm-data', 'sim');
const SKILL_DIR = path.join(REPO, 'skvm-data', 'skills', 'log-triage');
const TARGET = 'planted/demo-target';

const tmp = tempDirs('skvm-demo-compile-');
const { client: llm } = simulatedLlm((sim): Route[] => [{ match: 'sim/*', kind: 'openai-compatible', baseUrl: sim.openaiBaseUrl, apiKey: '' }], {
  policy: await loadPolicyFile(path.join(SIM_DIR, 'compiler.json')),
});

/** What the demo's profile step measures: exactly the planted levels. */
const plantedProfile = TcpSchema.parse({
  version: TCP_VERSION,
  model: TARGET,
  harness: 'bare-agent',
  profiledAt: '2026-01-01T00:00:00.000Z',
  capabilities: { ...PLANTED },
  details: [],
  cost: { totalUsd: 0, totalTokens: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 }, durationMs: 0 },
});

async function compileForPlantedTarget() {
  expect((await sandboxSupport()).available, 'bubblewrap must be installed for this test').toBe(true);
  const root = tmp();
  return compileSkill({
    skill: await loadSkill(SKILL_DIR),
    model: TARGET,
    harness: 'bare-agent',
    passes: defaultPasses(),
    compilerModel: 'sim/compiler',
    llm: llm(),
    tcp: plantedProfile,
    proposalsRoot: path.join(root, 'proposals'),
    logsRoot: path.join(root, 'log'),
    tmpRoot: path.join(root, 'tmp'),
    timeoutMs: 30_000,
    sandboxMode: 'auto',
  });
}

describe('skvm demo: compiling log-triage for the planted target', () => {
  it('finds the shell gap, adds one paragraph the guard accepts, simulates env-setup.sh and finds no parallelism', async () => {
    const o = await compileForPlantedTarget();
    expect(o.gaps).toEqual([{ purposeId: 'count-errors', primitiveId: 'gen.code.shell', requiredLevel: 'L3', modelLevel: 'L0', gapType: 'missing' }]);
    const pass1 = o.passRuns.find((p) => p.id === 'rewrite-skill')!;
    // follow.format: L2 asked, L1 planted — one level short, so reported and not rewritten for.
    expect(pass1.facts?.tolerated).toEqual([{ purposeId: 'rank-components', primitiveId: 'follow.format', requiredLevel: 'L2', modelLevel: 'L1', gapType: 'weak' }]);
    expect(o.published).toBe(true);
    expect(o.guard).toEqual({ passed: true, violations: [] });
    expect(o.diffStats).toEqual({ added: 4, removed: 0 });
    expect(o.diff).toContain('+hand instead: read the log, keep each `ERROR` or `FATAL` line whose message');
    expect(o.env).toMatchObject({ success: true, attempts: 1 });
    expect(o.parallelGroups).toEqual([]);
    expect(o.passRuns.map((p) => p.summary)).toEqual([
      '2 gaps (1 tolerated); 1 region edited',
      '3 dependencies; env script simulated ok in the sandbox in 1 attempt',
      'no parallelism: One log, read once: counting, ranking and writing the report each need the step before.',
    ]);
    // Every compiler answer is priced, so the cost is complete: the sum of the scripts' steps.
    expect(o.costIncomplete).toBe(false);
    expect(o.costUsd).toBeCloseTo(0.013, 9);

    // The compiled SKILL.md is the original with that paragraph added and nothing else changed.
    const original = readFileSync(path.join(SKILL_DIR, 'SKILL.md'), 'utf8');
    const compiled = readFileSync(path.join(o.variantDir, 'SKILL.md'), 'utf8');
    expect(compiled.replace(/If shell pipelines are not your strength[\s\S]*?per component\.\n\n/, '')).toBe(original);

    // The planted target tells the two skills apart: the compiled one is followed (tally by hand),
    // the original one gets the botched pipeline.
    const target = await loadPolicyFile(path.join(SIM_DIR, 'planted-target.json'));
    const prompt = (JSON.parse(readFileSync(path.join(REPO, 'skvm-data', 'tasks', 'log-triage', 'task.json'), 'utf8')) as { prompt: string }).prompt;
    const firstStep = async (skill: string): Promise<SimReply> => {
      const req: SimRequest = { api: 'openai', model: TARGET, system: BARE_AGENT_SYSTEM_PROMPT + injectSkillText(skill), messages: [{ role: 'user', content: prompt }], tools: [], stream: false, seq: 0, headers: {} };
      return target.respond(req, { signal: new AbortController().signal });
    };
    expect(await firstStep(compiled)).toMatchObject({ kind: 'message', toolCalls: [{ name: 'read_file', arguments: { path: 'logs/app.log' } }] });
    expect(await firstStep(original)).toMatchObject({ kind: 'message', toolCalls: [{ name: 'execute_command' }] });
  });
});

describe('bench aot-compiled with a compiler model: the variant is compiled on demand', () => {
  it('compiles log-triage for the planted target during the bench, publishes it, and scores it', async () => {
    const [compilerSim, targetSim] = await Promise.all([
      startSimServer({ policy: await loadPolicyFile(path.join(SIM_DIR, 'compiler.json')) }),
      startSimServer({ policy: await loadPolicyFile(path.join(SIM_DIR, 'planted-target.json')) }),
    ]);
    try {
      const cache = tmp();
      await writeConfigFile(path.join(cache, 'skvm.config.json'), {
        providers: {
          routes: [
            { match: 'sim/*', kind: 'openai-compatible', baseUrl: compilerSim.openaiBaseUrl, apiKey: '' },
            { match: 'planted/*', kind: 'openai-compatible', baseUrl: targetSim.openaiBaseUrl, apiKey: '' },
          ],
        },
      });
      const engine = createEngine({ flags: { cache, tmpDir: path.join(cache, 'tmp'), dataDir: path.join(REPO, 'skvm-data') }, env: {}, log: silentLogger });
      await saveProfile(engine.roots.profiles.value, plantedProfile);
      const key = { harness: 'bare-agent', model: TARGET, skillName: 'log-triage', passTag: 'p1p2p3' };
      expect(await findVariant(engine.roots.proposals.value, key)).toBeUndefined();

      const out = await startBench(engine, {
        models: [TARGET],
        tasks: ['log-triage'],
        conditions: ['original', 'aot-compiled'],
        compilerModel: 'sim/compiler',
        skillMode: 'inject',
        adapter: 'bare-agent',
        runsPerTask: 1,
        concurrency: 2,
        asyncJudge: false,
        maxSteps: 30,
        keepWorkDirs: false,
        web: false,
        llm: engine.llm,
      });
      const perCondition = out.report!.summary.perCondition;
      expect(perCondition.original!.avgScore).toBeCloseTo(0.4, 9);
      expect(perCondition['aot-compiled']!.avgScore).toBe(1);
      const variant = await findVariant(engine.roots.proposals.value, key);
      expect(variant).toBeDefined();
      expect(readFileSync(path.join(variant!.dir, 'SKILL.md'), 'utf8')).toContain('If shell pipelines are not your strength');
    } finally {
      await Promise.all([compilerSim.close(), targetSim.close()]);
    }
  }, 60_000);
});
