import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HarnessCliPackage } from '../harness-cli/install.js';

/**
 * How each real harness CLI is pointed at the simulator and where it leaves its transcripts
 * (facts from spec/harness-clis.md, verified against the pinned versions below).
 */

export interface FixtureDirs {
  /** The project the harness works in (its cwd). */
  project: string;
  /** Private HOME for the run: the user's own config is never read or written. */
  home: string;
}

export interface FixtureRun {
  argv: string[];
  /** Added to a minimal environment (PATH, HOME). Values here are never secrets. */
  env: Record<string, string>;
}

export interface FixtureHarness {
  name: 'claude-code' | 'codex' | 'pi' | 'opencode';
  cli: HarnessCliPackage;
  /** Where the harness discovers project skills, relative to the project. */
  skillsDir: string;
  /** Writes config files into the private home; returns the command line and environment. */
  prepare(dirs: FixtureDirs, simUrl: string, prompt: string): Promise<FixtureRun>;
  /**
   * The output files: fixture file name → content. `stdout` is the CLI's machine-readable output;
   * `rerun` runs the CLI again with the run's environment and cwd and returns its stdout.
   */
  collect(dirs: FixtureDirs, stdout: string, rerun: (argv: string[]) => Promise<string>): Promise<Record<string, string>>;
}

/** The simulator never checks keys; a recognisable dummy so nothing real is ever sent. */
export const SIM_API_KEY = 'sk-skvm-simulator-not-a-key';

/** Every `*.jsonl` file below `dir`, sorted. */
async function jsonlFilesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.jsonl'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

async function onlyFile(files: string[], what: string): Promise<string> {
  if (files.length !== 1) throw new Error(`expected exactly one ${what}, found ${files.length}: ${files.join(', ') || 'none'}`);
  return readFile(files[0]!, 'utf8');
}

export const claudeCode: FixtureHarness = {
  name: 'claude-code',
  cli: { pkg: '@anthropic-ai/claude-code', version: '2.1.330', bin: 'claude' },
  skillsDir: '.claude/skills',
  async prepare(_dirs, simUrl, prompt) {
    return {
      // As root, bypassPermissions is refused; an allow-list of the task's tools works in -p mode.
      argv: ['-p', prompt, '--output-format', 'stream-json', '--verbose', '--allowedTools', 'Skill', 'Write', 'Bash', 'Read'],
      env: {
        ANTHROPIC_BASE_URL: simUrl,
        ANTHROPIC_API_KEY: SIM_API_KEY,
        DISABLE_AUTOUPDATER: '1',
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      },
    };
  },
  async collect(dirs, stdout) {
    // Session files live in ~/.claude/projects/<cwd with / → ->/<session uuid>.jsonl; sub-agents write beside it in subagents/.
    const sessions = (await jsonlFilesUnder(join(dirs.home, '.claude', 'projects'))).filter((f) => !f.includes('/subagents/'));
    return { 'session.jsonl': await onlyFile(sessions, 'Claude Code session file'), 'stream-json.jsonl': stdout };
  },
};

export const codex: FixtureHarness = {
  name: 'codex',
  cli: { pkg: '@openai/codex', version: '0.169.0', bin: 'codex' },
  skillsDir: '.agents/skills',
  async prepare(dirs, simUrl, prompt) {
    const codexHome = join(dirs.home, '.codex');
    await mkdir(codexHome, { recursive: true });
    // wire_api "chat" is rejected by current Codex: the simulator speaks the Responses API.
    const config = [
      'model = "sim-codex"',
      'model_provider = "sim"',
      '',
      '[model_providers.sim]',
      'name = "skvm simulator"',
      `base_url = "${simUrl}/v1"`,
      'env_key = "SKVM_SIM_API_KEY"',
      'wire_api = "responses"',
      '',
    ].join('\n');
    await writeFile(join(codexHome, 'config.toml'), config);
    return {
      argv: ['exec', prompt, '--json', '--skip-git-repo-check', '-s', 'danger-full-access'],
      env: { CODEX_HOME: codexHome, SKVM_SIM_API_KEY: SIM_API_KEY },
    };
  },
  async collect(dirs, stdout) {
    const rollouts = await jsonlFilesUnder(join(dirs.home, '.codex', 'sessions'));
    return { 'rollout.jsonl': await onlyFile(rollouts, 'Codex rollout file'), 'exec.jsonl': stdout };
  },
};

export const pi: FixtureHarness = {
  name: 'pi',
  cli: { pkg: '@mariozechner/pi-coding-agent', version: '0.73.1', bin: 'pi' },
  skillsDir: '.agents/skills',
  async prepare(dirs, simUrl, prompt) {
    // A custom provider in ~/.pi/agent/models.json speaking chat completions (docs/models.md).
    const agentDir = join(dirs.home, '.pi', 'agent');
    await mkdir(agentDir, { recursive: true });
    const models = { providers: { sim: { baseUrl: `${simUrl}/v1`, api: 'openai-completions', apiKey: SIM_API_KEY, models: [{ id: 'sim-pi' }] } } };
    await writeFile(join(agentDir, 'models.json'), `${JSON.stringify(models, null, 2)}\n`);
    return { argv: ['-p', prompt, '--mode', 'json', '--provider', 'sim', '--model', 'sim-pi'], env: {} };
  },
  async collect(dirs, stdout) {
    const sessions = await jsonlFilesUnder(join(dirs.home, '.pi', 'agent', 'sessions'));
    return { 'session.jsonl': await onlyFile(sessions, 'pi session file'), 'json.jsonl': stdout };
  },
};

export const opencode: FixtureHarness = {
  name: 'opencode',
  cli: { pkg: 'opencode-ai', version: '1.18.33', bin: 'opencode' },
  skillsDir: '.opencode/skills',
  async prepare(dirs, simUrl, prompt) {
    // The same managed set-up as the opencode adapter: a chat-completions provider in OPENCODE_CONFIG_CONTENT.
    const config = {
      autoupdate: false,
      share: 'disabled',
      provider: {
        sim: {
          npm: '@ai-sdk/openai-compatible',
          options: { baseURL: `${simUrl}/v1`, apiKey: SIM_API_KEY },
          models: { 'sim-opencode': { limit: { context: 128_000, output: 16_384 } } },
        },
      },
    };
    return {
      argv: ['run', prompt, '--model', 'sim/sim-opencode', '--agent', 'build', '--pure', '--format', 'json'],
      env: { OPENCODE_CONFIG_CONTENT: JSON.stringify(config), OPENCODE_TEST_MANAGED_CONFIG_DIR: join(dirs.home, 'managed-empty') },
    };
  },
  async collect(_dirs, stdout, rerun) {
    // opencode keeps sessions in a database, not a transcript file; `opencode export <id>` prints one as JSON.
    const ids = new Set(stdout.split('\n').flatMap((l) => (l.trim() === '' ? [] : [(JSON.parse(l) as { sessionID?: string }).sessionID])).filter(Boolean));
    if (ids.size !== 1) throw new Error(`expected one opencode session id in the run's output, found ${ids.size}`);
    const [id] = ids as Set<string>;
    return { 'run-format-json.jsonl': stdout, 'export.json': await rerun(['export', id]) };
  },
};

export const FIXTURE_HARNESSES: readonly FixtureHarness[] = [claudeCode, codex, pi, opencode];
