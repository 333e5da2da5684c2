import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { claudeCode } from '../../scripts/transcript-fixtures/harnesses.js';
import { CLI_ENTRY } from '../e2e/harness.js';
import { UPSTREAM_PROFILES, requireUpstream } from '../upstream.js';
import { installOrReason } from './real-cli.js';

/**
 * `skvm demo`'s real-harness leg: with Claude Code in the harness-CLI cache (installed here by
 * ensureHarnessCli, found by the demo through the same cache), the planted target is profiled
 * through it and compared with the bare-agent profile. npm test covers the skip path.
 */

describe('skvm demo with Claude Code installed', () => {
  it('profiles the planted target through the real CLI and shows it beside bare-agent', async (ctx) => {
    requireUpstream();
    const installed = await installOrReason(claudeCode.cli);
    if (!installed.cli) {
      console.warn(`skipped: ${installed.reason}`);
      ctx.skip(installed.reason);
      return;
    }
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...(process.env.SKVM_HARNESS_CLI_CACHE ? { SKVM_HARNESS_CLI_CACHE: process.env.SKVM_HARNESS_CLI_CACHE } : {}) };
    const r = spawnSync(process.execPath, [CLI_ENTRY, 'demo', `--profiles=${UPSTREAM_PROFILES}`], { encoding: 'utf8', env, timeout: 240_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Harness: claude-code ${claudeCode.cli.version} (Claude Code), the real CLI at `);
    expect(r.stdout).toMatch(/planted-anthropic\/demo-target on claude-code: L3 ×1, L2 ×1, L1 ×1, L0 ×1/);
    expect(r.stdout).toMatch(/primitive {10}bare-agent {2}claude-code\n/);
    for (const [id, level] of [['reason.arithmetic', 'L3'], ['tool.file.read', 'L2'], ['follow.format', 'L1'], ['gen.code.shell', 'L0']]) {
      expect(r.stdout).toMatch(new RegExp(`\\n${id.replace('.', '\\.')} +${level} +${level}\\n`));
    }
    expect(r.stdout).toContain('claude-code and bare-agent agree on 4 of 4 primitives.');
    expect(r.stdout).not.toContain('skipped: claude-code');
  });
});
