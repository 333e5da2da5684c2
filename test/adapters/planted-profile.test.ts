import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { claudeCode, codex, pi, type FixtureHarness } from '../../scripts/transcript-fixtures/harnesses.js';
import { BARE_AGENT_TOOLS } from '../../src/engine/agent/tools.js';
import type { Route } from '../../src/engine/config/schema.js';
import { profileModel } from '../../src/engine/profiler/profile.js';
import { findTool, requestText } from '../../src/engine/sim/policies/offered-tools.js';
import { plantedPolicy, probeRegistryObserver, startSimServer, type PlantedLevel, type SimRequest } from '../../src/engine/sim/index.js';
import { silentLogger } from '../../src/engine/util/log.js';
import { CLI_ENTRY } from '../e2e/harness.js';
import { tempDirs } from '../tmp.js';
import { installOrReason, simClient } from './real-cli.js';

/**
 * The planted-capability target profiled through real CLI harnesses (Claude Code, Codex and pi,
 * the pinned versions) instead of the bare agent: Claude Code wraps the probe prompt in system
 * reminders and offers Bash/Read/Write with absolute paths; Codex adds environment messages,
 * speaks the Responses wire and offers a shell but no read or write tool, so every read and write is a
 * command. The policy finds the probe anyway and plays its solution through those tools; through
 * the real graders the profile must come back with the planted levels, passes and fails alike
 * (tool.exec counts the harness's shell calls as commands, tool.call.batch its parallel reads as
 * one turn). Then `skvm profile compare` puts the same model on the two harnesses side by side.
 */

// Enterable by every user: a root engine runs the harness as the work dir's unprivileged user.
const tmp = tempDirs('skvm-planted-cli-', { everyone: true });
/**
 * Two maps, each with passes and fails: the demo's kind of primitives, and the ones whose graders
 * read how the work was done (reads batched in one turn, the script run through the shell) or
 * that need translation beyond Write/Read (web_fetch becomes curl through the shell).
 */
const MAPS: Array<Record<string, PlantedLevel>> = [
  { 'reason.arithmetic': 'L3', 'tool.file.read': 'L2', 'tool.exec': 'L1', 'gen.code.shell': 'L0' },
  { 'tool.call.batch': 'L2', 'tool.file.write': 'L1', 'follow.delegation': 'L3', 'tool.web': 'L2' },
];
/** One model id on both harnesses: the simulator serves it over the Anthropic and the Responses wire alike. */
const MODEL = 'sim/planted-target';
const BARE_NAMES = new Set(BARE_AGENT_TOOLS.map((t) => t.name));

interface Leg {
  adapter: 'claude-code' | 'codex' | 'pi';
  fixture: FixtureHarness;
  kind: Route['kind'];
  maps: Array<Record<string, PlantedLevel>>;
  /** How the harness shows itself in what it sends (system prompt or messages). */
  wrapped: RegExp;
  /** Levels this harness cannot show as planted, and why (at the leg). */
  differs?: Record<string, PlantedLevel>;
}
const LEGS: Leg[] = [
  { adapter: 'claude-code', fixture: claudeCode, kind: 'anthropic', maps: MAPS, wrapped: /<system-reminder>/ },
  {
    adapter: 'codex',
    fixture: codex,
    kind: 'openai-compatible',
    maps: MAPS,
    wrapped: /<environment_context>/,
    // Codex has no read tool (the reads become `cat` through its shell) and its exec JSON reports
    // every command as an item of its own, with no mark of which model turn asked for it: reads
    // batched in one turn cannot be seen, so tool.call.batch measures L0 through Codex whatever
    // the model does. The simulated model still issues the reference's reads together, as
    // parallel shell calls.
    differs: { 'tool.call.batch': 'L0' },
  },
  // pi (chat wire, its own read/write/bash tools): the translation-heavy map only, to keep the time down.
  { adapter: 'pi', fixture: pi, kind: 'openai-compatible', maps: [MAPS[1]!], wrapped: /working directory:/i },
];

/** Profiles of the first map, per harness, kept for the comparison below. */
const shared = { profilesDir: path.join(tmp(), 'profiles'), done: new Set<string>() };

describe.each(LEGS)('planted target through $adapter', ({ adapter, fixture, kind, maps, wrapped, differs }) => {
  const installing = installOrReason(fixture.cli);

  it.each(maps.map((m) => ({ i: MAPS.indexOf(m), planted: m, ids: Object.keys(m).join(', ') })))('$ids: recovers the planted levels, passes and fails alike', async ({ i, planted }, ctx) => {
    const installed = await installing;
    if (!installed.cli) {
      console.warn(`skipped: ${installed.reason}`);
      ctx.skip(installed.reason);
      return;
    }
    const root = tmp();
    const registryDir = path.join(root, 'registry');
    const requests: SimRequest[] = [];
    const policy = plantedPolicy({ levels: planted, registryDir });
    const sim = await startSimServer({ policy: { name: policy.name, respond: (req, c) => (requests.push(req), policy.respond(req, c)) } });
    try {
      const dirs = { profilesDir: i === 0 ? shared.profilesDir : path.join(root, 'profiles'), logsDir: path.join(root, 'logs'), tmpRoot: path.join(root, 'tmp') };
      mkdirSync(dirs.tmpRoot, { recursive: true });
      const res = await profileModel({
        model: MODEL,
        harness: adapter,
        hostFor: () => ({ mode: 'managed', env: { PATH: process.env.PATH ?? '' }, adapters: { [adapter]: installed.cli!.binPath } }),
        llm: simClient(sim, kind, MODEL),
        ...dirs,
        sandbox: { mode: 'auto' },
        primitives: Object.keys(planted),
        instances: 1,
        concurrency: 2,
        profileSeed: 7,
        onProbe: probeRegistryObserver(registryDir),
        log: silentLogger,
      });
      expect(res.harness).toBe(adapter);
      const expected = Object.fromEntries(Object.entries(planted).map(([id, level]) => [id, differs?.[id] ?? level]));
      const off = Object.keys(expected).filter((id) => res.tcp.capabilities[id] !== expected[id]);
      const why = Object.entries(res.failureReports).filter(([k]) => off.some((id) => k.startsWith(`${id}/`)));
      expect(res.tcp.capabilities, JSON.stringify(why).slice(0, 3000)).toEqual(expected);
      expect(res.stats).toMatchObject({ skipped: 0 });
      expect(res.stats.passed).toBeGreaterThan(0);
      expect(res.stats.failed).toBeGreaterThan(0);

      // It really went through the harness: the prompt arrived wrapped, and the simulated model used the harness's own tools.
      const withTools = requests.filter((r) => r.tools.length > 0);
      expect(withTools.every((r) => findTool(r.tools, 'shell') !== undefined && !r.tools.some((t) => BARE_NAMES.has(t.name)))).toBe(true);
      expect(withTools.some((r) => wrapped.test(requestText(r)))).toBe(true);
      const used = new Set(withTools.flatMap((r) => r.messages.flatMap((m) => (m.role === 'assistant' ? (m.toolCalls ?? []).map((c) => c.name) : []))));
      expect(used.size).toBeGreaterThan(0);
      expect([...used].filter((n) => BARE_NAMES.has(n))).toEqual([]);
      if (adapter === 'claude-code') expect([...used]).toEqual(expect.arrayContaining(['Bash', 'Write']));
      if (i === 0) shared.done.add(adapter);
    } finally {
      await sim.close();
    }
  });
});

describe('profile_compare: the same model on claude-code and codex', () => {
  it('skvm profile compare puts both profiles side by side: equal on every planted primitive', (ctx) => {
    // pi profiles another map (see LEGS): the comparison is of the two that share the first.
    const missing = (['claude-code', 'codex'] as const).filter((a) => !shared.done.has(a));
    if (missing.length > 0) {
      console.warn(`skipped: no profile on ${missing.join(', ')} (see above)`);
      ctx.skip(`no profile on ${missing.join(', ')}`);
      return;
    }
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', SKVM_CACHE: path.join(tmp(), 'cache'), SKVM_PROFILES_DIR: shared.profilesDir };
    const a = JSON.stringify({ model: MODEL, harness: 'claude-code' });
    const b = JSON.stringify({ model: MODEL, harness: 'codex' });
    const r = spawnSync(process.execPath, [CLI_ENTRY, 'profile', 'compare', `--a=${a}`, `--b=${b}`, '--json'], { encoding: 'utf8', env, timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { a: { harness: string; model: string }; b: { harness: string; model: string }; rows: Array<{ primitive: string; levelA: string | null; levelB: string | null; difference: number | null }>; summary: Record<string, number> };
    expect(out.a).toMatchObject({ model: MODEL, harness: 'claude-code' });
    expect(out.b).toMatchObject({ model: MODEL, harness: 'codex' });
    const planted = Object.entries(MAPS[0]!);
    for (const [id, level] of planted) expect(out.rows.find((row) => row.primitive === id)).toMatchObject({ levelA: level, levelB: level, difference: 0 });
    expect(out.summary).toMatchObject({ better: 0, worse: 0, same: planted.length });
  });
});
