import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { claudeCode, codex } from '../../scripts/transcript-fixtures/harnesses.js';
import { runAgent } from '../../src/engine/runtime/run-agent.js';
import { harnessTaskPolicy, HARNESS_TASK_DEFAULTS } from '../../src/engine/sim/policies/harness-task.js';
import type { SimRequest } from '../../src/engine/sim/policy.js';
import { startSimServer, type SimServer } from '../../src/engine/sim/server.js';
import { tempDirs } from '../tmp.js';
import { installOrReason, TASK_PROMPT } from './real-cli.js';

/**
 * Native mode with the real CLIs: the user's own configuration — in a temporary HOME, pointing
 * the harness at the simulator the way a user points it at a gateway — is copied into the
 * private home, the harness runs the task through the simulator, and the user's files are
 * byte for byte what they were. No route is asked for (the LLM client refuses).
 */

const tmp = tempDirs('skvm-adapter-native-');
const USER_KEY = 'sk-user-own-login-for-native-mode-0123456789';

interface NativeHarness {
  adapter: string;
  cli: (typeof claudeCode)['cli'];
  model: string;
  /** The user's config files (relative to HOME) that point the harness at the simulator. */
  userFiles(sim: SimServer): Record<string, string>;
  /** Variables of the user's environment the harness reads for its login. */
  userEnv: Record<string, string>;
}

const HARNESSES: NativeHarness[] = [
  {
    adapter: 'claude-code',
    cli: claudeCode.cli,
    model: 'anthropic/claude-sim-native',
    // Claude Code applies settings.json `env` at start: the user's gateway and key.
    userFiles: (sim) => ({ '.claude/settings.json': `${JSON.stringify({ env: { ANTHROPIC_BASE_URL: sim.anthropicBaseUrl, ANTHROPIC_API_KEY: USER_KEY } }, null, 2)}\n` }),
    userEnv: {},
  },
  {
    adapter: 'codex',
    cli: codex.cli,
    model: 'openai/sim-codex-native',
    userFiles: (sim) => ({
      '.codex/config.toml': ['model_provider = "usergateway"', '', '[model_providers.usergateway]', 'name = "the user\'s gateway"', `base_url = "${sim.openaiBaseUrl}"`, 'wire_api = "responses"', 'env_key = "OPENAI_API_KEY"', ''].join('\n'),
    }),
    userEnv: { OPENAI_API_KEY: USER_KEY },
  },
];

/** Every file under `dir`: relative path → sha256, mode and mtime. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const rel of (await fsp.readdir(dir, { recursive: true })).map(String).sort()) {
    const st = await fsp.lstat(path.join(dir, rel));
    const hash = st.isFile() ? createHash('sha256').update(await fsp.readFile(path.join(dir, rel))).digest('hex') : 'dir';
    out[rel] = `${hash} ${st.mode.toString(8)} ${st.mtimeMs}`;
  }
  return out;
}

describe.each(HARNESSES)('$adapter in native mode with the real CLI', (h) => {
  const installing = installOrReason(h.cli);

  it("runs the task through the user's own configuration (pointing at the simulator) and leaves the user's files byte-identical", async (ctx) => {
    const installed = await installing;
    if (!installed.cli) {
      console.warn(`skipped: ${installed.reason}`);
      ctx.skip(installed.reason);
      return;
    }
    // The user's home stays root's own (mode 0700): only the engine reads it, the harness gets copies.
    const userHome = tmp();
    const workRoot = tmp();
    const requests: SimRequest[] = [];
    const policy = harnessTaskPolicy({});
    const sim = await startSimServer({ policy: { name: policy.name, respond: (req, c) => (requests.push(req), policy.respond(req, c)) } });
    try {
      for (const [rel, text] of Object.entries(h.userFiles(sim))) {
        await fsp.mkdir(path.dirname(path.join(userHome, rel)), { recursive: true });
        await fsp.writeFile(path.join(userHome, rel), text);
      }
      const before = await snapshot(userHome);
      const outcome = await runAgent(
        {
          adapter: h.adapter,
          mode: 'native',
          model: h.model,
          llm: { chat: () => Promise.reject(new Error('native mode must not ask for a route')) },
          prompt: TASK_PROMPT,
          maxSteps: 20,
          timeoutMs: 240_000,
          web: false,
          sandbox: { mode: 'auto', network: false },
          tmpRoot: workRoot,
          workDirPrefix: `skvm-native-${h.adapter}-`,
          keepWorkDir: true,
          env: { HOME: userHome, PATH: process.env.PATH ?? '/usr/bin:/bin', ...h.userEnv },
          adapters: { [h.adapter]: installed.cli.binPath },
        },
        {},
      );
      const { run } = outcome;
      expect(run.runStatus, `${run.statusDetail ?? ''} ${JSON.stringify(run.adapterError ?? {})}`).toBe('ok');
      // Through the simulator: it was asked (with the harness's tools), and its answer is the run's.
      const asked = requests.filter((q) => q.tools.length > 0);
      expect(asked.length).toBeGreaterThan(0);
      // Only the user's config names the simulator (the simulator drops auth headers, so the key itself is not seen).
      expect(asked[0]!.model).toBe(h.model.slice(h.model.indexOf('/') + 1));
      expect(run.text).toContain(HARNESS_TASK_DEFAULTS.answer);
      expect(await fsp.readFile(path.join(outcome.workDir!, HARNESS_TASK_DEFAULTS.file.path), 'utf8')).toBe(HARNESS_TASK_DEFAULTS.file.content);
      expect(run.usageAvailable).toBe(true);
      expect(await snapshot(userHome)).toEqual(before);
      expect((await fsp.readdir(workRoot)).filter((n) => n.startsWith('skvm-home-'))).toEqual([]);
    } finally {
      await sim.close();
    }
  });
});
