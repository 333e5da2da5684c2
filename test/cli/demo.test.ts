import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CLI_ENTRY } from '../e2e/harness.js';
import { tempDirs } from '../tmp.js';
import { UPSTREAM_PROFILES, requireUpstream } from '../upstream.js';

const tmp = tempDirs('skvm-demo-home-');

describe('skvm demo (built bin)', () => {
  it('drives the server through the official client against the simulator and prints each step', () => {
    requireUpstream();
    // No Claude Code: the override names nothing and the harness-CLI cache is an empty one in HOME
    // (named, since root's default is /var/cache; test:adapters runs the real leg).
    const home = tmp();
    const env = { PATH: process.env.PATH ?? '', HOME: home, SKVM_CLAUDE_CMD: '/nonexistent/claude', SKVM_HARNESS_CLI_CACHE: `${home}/.cache/skvm-mcp/harness-clis` };
    const r = spawnSync(process.execPath, [CLI_ENTRY, 'demo', `--profiles=${UPSTREAM_PROFILES}`], { encoding: 'utf8', env, timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/not a real model/);
    expect(r.stdout).toMatch(/connected to skvm-mcp/);
    expect(r.stdout).toMatch(/ok {3}live:sim\/demo-model: SkVM simulator/);
    expect(r.stdout).toMatch(/ok {3}live:sim-anthropic\/demo-model: SkVM simulator/);
    expect(r.stdout).toMatch(/26 primitives/);
    expect(r.stdout).toMatch(/Imported \d+/);
    expect(r.stdout).toMatch(/openrouter\/qwen\/qwen3\.5-9b on bare-agent/);
    expect(r.stdout).toMatch(/No problems found/);
    // The agent part: slugify half-solved without its skill, solved with it; the bench table.
    expect(r.stdout).toMatch(/slugify on sim\/demo-model \(bare-agent, no skill\): run ok\nscore 0\.500/);
    expect(r.stdout).toMatch(/slugify on sim\/demo-model \(bare-agent, skill slug-rules inject\): run ok\nscore 1\.000/);
    expect(r.stdout).toMatch(/no-skill {8}0\.483/);
    expect(r.stdout).toMatch(/original {8}1\.000 {3}100% {5}\+0\.517/);
    // The profiler recovers the planted levels of the simulated model.
    expect(r.stdout).toMatch(/planted\/demo-target on bare-agent: L3 ×1, L2 ×1, L1 ×1, L0 ×1/);
    expect(r.stdout).toMatch(/reason\.arithmetic {2}L3/);
    expect(r.stdout).toMatch(/tool\.file\.read {5}L2/);
    expect(r.stdout).toMatch(/follow\.format {6}L1/);
    expect(r.stdout).toMatch(/gen\.code\.shell {5}L0/);
    // The real-harness leg says why it did not run and how to make it run, and the demo goes on.
    expect(r.stdout).toContain('skipped: claude-code is not installed; install with "npm i -g @anthropic-ai/claude-code"');
    expect(r.stdout).toContain(`(not installed (looked for $SKVM_CLAUDE_CMD (/nonexistent/claude)); nothing in ${env.HOME}/.cache/skvm-mcp/harness-clis)`);
    expect(r.stdout).not.toMatch(/profile_compare/);
    // Compiling log-triage for the planted target with that profile: the shell gap, the guard,
    // the added paragraph, the sandboxed env script, no parallelism, a complete cost.
    expect(r.stdout).toContain('log-triage for planted/demo-target on bare-agent (p1p2p3): published');
    expect(r.stdout).toMatch(/profile: cached \S+\/profiles\/bare-agent\/planted--demo-target\/latest\.json/);
    expect(r.stdout).toContain('gaps (1): gen.code.shell needs L3, has L0');
    expect(r.stdout).toContain('guard: passed');
    expect(r.stdout).toContain('env-setup.sh: simulated ok (1 attempt(s))');
    expect(r.stdout).toContain('pass 1 rewrite-skill: 2 gaps (1 tolerated); 1 region edited');
    expect(r.stdout).toContain('pass 3 extract-parallelism: no parallelism: ');
    expect(r.stdout).toMatch(/total: \d+\+\d+ tokens, \$0\.0130, /);
    expect(r.stdout).toContain('SKILL.md: +4 -0 lines');
    expect(r.stdout).toContain('\n+hand instead: read the log, keep each `ERROR` or `FATAL` line whose message\n');
    expect(r.stdout).not.toContain('\x1b['); // not a terminal: no colour
    // The bench on that target: the compiled skill scores higher, as the target's scripts play it.
    expect(r.stdout).toMatch(/original {8}0\.400 {5}0%/);
    expect(r.stdout).toMatch(/aot-compiled {4}1\.000 {3}100%/);
    expect(r.stdout).toContain('planted/demo-target: original 0.400  vs  aot-compiled 1.000');
    // JIT from the real Claude Code session: a proposal, its diff, accept, and a rollback to the same bytes.
    expect(r.stdout).toMatch(/jit_optimize .*"source":"log"/);
    expect(r.stdout).toContain('+Before reading an input file, check that it exists (`ls`)');
    expect(r.stdout).toContain('-If an input file is missing, say so instead of inventing its content.');
    expect(r.stdout).toContain('skill folder: accept changed it; after rollback it is byte-identical to before accept.');
  });
});
