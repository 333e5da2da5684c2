import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { claudeCode } from '../../scripts/transcript-fixtures/harnesses.js';
import { profileModel } from '../../src/engine/profiler/profile.js';
import { plantedPolicy, probeRegistryObserver, startSimServer, type PlantedLevel, type SimRequest } from '../../src/engine/sim/index.js';
import { silentLogger } from '../../src/engine/util/log.js';
import { tempDirs } from '../tmp.js';
import { installOrReason, simClient } from './real-cli.js';

/**
 * The planted-capability target profiled through a real CLI harness (Claude Code, the pinned
 * version) instead of the bare agent: the harness wraps the probe prompt in system reminders,
 * offers Bash/Read/Write with absolute paths, and counts its own turns — the policy finds the
 * probe anyway and plays its solution through those tools. Through the real graders the profile
 * must come back with the planted levels, passes and fails alike (tool.exec counts the harness's
 * Bash calls as commands, tool.call.batch its parallel Read calls as one turn of reads).
 */

// Enterable by every user: a root engine runs Claude Code as the work dir's unprivileged user.
const tmp = tempDirs('skvm-planted-cli-', { everyone: true });
/**
 * Two maps, each with passes and fails: the demo's kind of primitives, and the ones whose graders
 * read how the work was done (reads batched in one turn, the script run through the shell) or
 * that need translation beyond Write/Read (web_fetch becomes curl through Bash).
 */
const MAPS: Array<Record<string, PlantedLevel>> = [
  { 'reason.arithmetic': 'L3', 'tool.file.read': 'L2', 'tool.exec': 'L1', 'gen.code.shell': 'L0' },
  { 'tool.call.batch': 'L2', 'tool.file.write': 'L1', 'follow.delegation': 'L3', 'tool.web': 'L2' },
];
const MODEL = 'simanth/planted-target';

describe('planted target through Claude Code', () => {
  const installing = installOrReason(claudeCode.cli);

  it.each(MAPS)('recovers the planted levels %o, passes and fails alike', async (PLANTED, ctx) => {
    const installed = await installing;
    if (!installed.cli) {
      console.warn(`skipped: ${installed.reason}`);
      ctx.skip(installed.reason);
      return;
    }
    const root = tmp();
    const registryDir = path.join(root, 'registry');
    const requests: SimRequest[] = [];
    const policy = plantedPolicy({ levels: PLANTED, registryDir });
    const sim = await startSimServer({ policy: { name: policy.name, respond: (req, c) => (requests.push(req), policy.respond(req, c)) } });
    try {
      const dirs = { profilesDir: path.join(root, 'profiles'), logsDir: path.join(root, 'logs'), tmpRoot: path.join(root, 'tmp') };
      mkdirSync(dirs.tmpRoot, { recursive: true });
      const res = await profileModel({
        model: MODEL,
        harness: 'claude-code',
        hostFor: () => ({ mode: 'managed', env: { PATH: process.env.PATH ?? '' }, adapters: { 'claude-code': installed.cli!.binPath } }),
        llm: simClient(sim, 'anthropic', MODEL),
        ...dirs,
        sandbox: { mode: 'auto' },
        primitives: Object.keys(PLANTED),
        instances: 1,
        concurrency: 2,
        profileSeed: 7,
        onProbe: probeRegistryObserver(registryDir),
        log: silentLogger,
      });
      expect(res.harness).toBe('claude-code');
      expect(res.tcp.capabilities, JSON.stringify(res.failureReports).slice(0, 2000)).toEqual(PLANTED);
      expect(res.stats).toMatchObject({ skipped: 0 });
      expect(res.stats.passed).toBeGreaterThan(0);
      expect(res.stats.failed).toBeGreaterThan(0);

      // It really went through Claude Code: the prompt arrived wrapped, and the simulated model used Claude Code's tools.
      const withTools = requests.filter((r) => r.tools.length > 0);
      expect(withTools.every((r) => r.tools.some((t) => t.name === 'Bash'))).toBe(true);
      expect(withTools.some((r) => r.messages[0]?.content.startsWith('<system-reminder>'))).toBe(true);
      const used = new Set(withTools.flatMap((r) => r.messages.flatMap((m) => (m.role === 'assistant' ? (m.toolCalls ?? []).map((c) => c.name) : []))));
      expect([...used].sort()).toEqual(expect.arrayContaining(['Bash', 'Write']));
      expect(used.has('execute_command') || used.has('write_file')).toBe(false);
    } finally {
      await sim.close();
    }
  });
});
