import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TRANSCRIPT_FIXTURES } from '../../../../test/transcript-fixtures.js';
import { tempDirs } from '../../../../test/tmp.js';
import type { ChatProvider, ModelEndpoint } from '../../llm/types.js';
import { runAdapter, type AgentJob } from '../../runtime/run-agent.js';
import type { Skill, SkillMode } from '../../skills/types.js';
import { isCommandUid } from '../../sandbox/identity.js';
import type { RunResult } from '../types.js';
import { claudeCodeAdapter, claudeModelId } from './claude-code.js';
import { HEADLESS_DIRECTIVE } from './cli/cli-adapter.js';
import { AUTH_FREE_PLACEHOLDER_KEY } from './cli/endpoint.js';
import { appendInjected, INJECTED_SENTINEL } from './cli/skills.js';
import { codexAdapter } from './codex.js';
import { piAdapter } from './pi.js';
import type { AgentAdapter } from './types.js';
import { AdapterUnavailableError } from './unavailable.js';

/**
 * The Claude Code, Codex and pi adapters with a stand-in binary that records what it was given
 * (argv, environment, the private home) and prints the real CLI's recorded output
 * (test/fixtures/transcripts/<harness>/, made by the real CLIs against the simulator). The real
 * CLIs themselves run in test/adapters (npm run test:adapters).
 */

const IS_ROOT = process.getuid?.() === 0;
const tmp = tempDirs('skvm-cli-harness-', { everyone: true });
const KEY = 'sk-route-key-cli-harness-test-0123456789';
const BODY = '---\nname: tidy-notes\ndescription: Keep project notes tidy.\n---\n# Tidy notes\nWrite notes to notes.txt.\n';
const skill: Skill = { name: 'tidy-notes', description: 'Keep project notes tidy.', dir: '/nonexistent/tidy-notes', skillMdPath: '/nonexistent/tidy-notes/SKILL.md', content: BODY, frontMatter: {}, files: [], contentHash: '0123456789abcdef' };

/** A binary that saves argv (NUL-separated), env, its uid and a copy of HOME under <cwd>/.seen, then replays `output`. */
function standIn(output: string | undefined, exitCode = 0, dir = tmp()): string {
  const file = path.join(dir, 'harness');
  const replay = output ? `cat '${output}'` : 'true';
  writeFileSync(file, `#!/bin/sh\nmkdir -p .seen\nfor a in "$@"; do printf '%s\\0' "$a"; done > .seen/args\nenv > .seen/env\nid -u > .seen/uid\ncp -r "$HOME" .seen/home\n${replay}\nexit ${exitCode}\n`);
  chmodSync(file, 0o755);
  return file;
}

/** `apiKey` "" is an auth-free route. */
function llm(kind: ModelEndpoint['kind'], apiKey = KEY): ChatProvider {
  return {
    chat: () => Promise.reject(new Error('the harness makes its own calls')),
    endpoint: (model) => ({ kind, baseUrl: 'http://127.0.0.1:9/v1', apiKey, backendModel: model.slice(model.indexOf('/') + 1), route: 'test/*' }),
  };
}

interface Seen {
  run: RunResult;
  workDir: string;
  args: string[];
  env: Record<string, string>;
  uid: number;
  home: string;
}

async function runWith(adapter: AgentAdapter, bin: string, over: Partial<AgentJob> & { skillMode?: SkillMode } = {}): Promise<Seen> {
  const { skillMode, ...rest } = over;
  const job: AgentJob = {
    adapter: adapter.name,
    mode: 'managed',
    model: 'test/some-model',
    llm: llm('openai-compatible'),
    prompt: 'Write the notes.',
    ...(skillMode ? { skills: { mode: skillMode, skills: [skill] } } : {}),
    maxSteps: 10,
    timeoutMs: 20_000,
    web: false,
    sandbox: { mode: 'auto', network: false },
    tmpRoot: tmp(),
    workDirPrefix: `skvm-${adapter.name}-`,
    keepWorkDir: true,
    adapters: { [adapter.name]: bin },
    ...rest,
  };
  const { run, workDir } = await runAdapter(adapter, job, {});
  const seen = path.join(workDir!, '.seen');
  const args = readFileSync(path.join(seen, 'args'), 'utf8').split('\0').slice(0, -1);
  const env = Object.fromEntries(readFileSync(path.join(seen, 'env'), 'utf8').trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  return { run, workDir: workDir!, args, env, uid: Number(readFileSync(path.join(seen, 'uid'), 'utf8')), home: path.join(seen, 'home') };
}

const fixture = (harness: string, file: string) => path.join(TRANSCRIPT_FIXTURES, harness, file);
const toolCalls = (run: RunResult) => run.steps.filter((s) => s.role === 'tool').flatMap((s) => s.toolCalls);

describe('claude-code adapter', () => {
  it('managed, inject: key and base URL in its variables only, dash-form model id, the skill after the sentinel in the system prompt; stream-json parsed', async () => {
    const s = await runWith(claudeCodeAdapter, standIn(fixture('claude-code', 'stream-json.jsonl')), { model: 'anth/claude-sonnet-4.6', llm: llm('anthropic'), skillMode: 'inject' });
    expect(s.env.ANTHROPIC_API_KEY).toBe(KEY);
    expect(s.env.ANTHROPIC_BASE_URL).toBe('http://127.0.0.1:9/v1');
    expect(s.args.join(' ')).not.toContain(KEY);
    expect(s.args.slice(0, 2)).toEqual(['-p', `${HEADLESS_DIRECTIVE}\n\nWrite the notes.`]);
    expect(s.args).toEqual(expect.arrayContaining(['--output-format', 'stream-json', '--verbose']));
    expect(s.args[s.args.indexOf('--model') + 1]).toBe('claude-sonnet-4-6');
    expect(s.args[s.args.indexOf('--append-system-prompt') + 1]).toBe(`${INJECTED_SENTINEL}\n\n${BODY.trim()}\n`);
    // Never root (a root engine runs it as the work dir's unprivileged user), so bypassPermissions is accepted.
    expect(s.args).toEqual(expect.arrayContaining(['--permission-mode', 'bypassPermissions']));
    expect(s.args).not.toContain('--allowedTools');
    if (IS_ROOT) expect(isCommandUid(s.uid)).toBe(true);
    else expect(s.uid).toBe(process.getuid?.());

    expect(s.run.runStatus).toBe('ok');
    expect(s.run.skillLoaded).toBe(true);
    expect(s.run.tokens).toEqual({ input: 61514, output: 83, cacheRead: 0, cacheWrite: 0 });
    expect(s.run.cost).toBe(0.247716);
    const failing = toolCalls(s.run).find((c) => JSON.stringify(c.input).includes('missing-input.txt'))!;
    expect(failing).toMatchObject({ name: 'Bash', exitCode: 1 });
    expect(failing.output).toMatch(/No such file/);
    expect(s.run.text).toMatch(/^Done/);
  });

  it('managed, discover: SKILL.md under .claude/skills in the work dir; the recorded Skill call counts as loaded', async () => {
    const s = await runWith(claudeCodeAdapter, standIn(fixture('claude-code', 'stream-json.jsonl')), { model: 'anth/claude-x', llm: llm('anthropic'), skillMode: 'discover' });
    expect(readFileSync(path.join(s.workDir, '.claude/skills/tidy-notes/SKILL.md'), 'utf8')).toBe(BODY);
    expect(s.args).not.toContain('--append-system-prompt');
    expect(s.run.skillLoaded).toBe(true);
  });

  it('maxSteps is --max-turns; its error_max_turns result (exit 1) is a normal finish, any other error result a crash', async () => {
    const result = (errors: string[]) => JSON.stringify({ type: 'result', subtype: 'error_max_turns', is_error: true, session_id: 's1', result: null, errors, usage: { input_tokens: 5, output_tokens: 1 } });
    const limited = path.join(tmp(), 'limited.jsonl');
    writeFileSync(limited, `${result(['Reached maximum number of turns (3)'])}\n`);
    const s = await runWith(claudeCodeAdapter, standIn(limited, 1), { model: 'anth/claude-x', llm: llm('anthropic'), maxSteps: 3 });
    expect(s.args[s.args.indexOf('--max-turns') + 1]).toBe('3');
    expect(s.run).toMatchObject({ runStatus: 'ok', statusDetail: 'claude-code stopped at the turn limit (maxSteps)' });
    expect(s.run.adapterError).toBeUndefined();

    const failed = path.join(tmp(), 'failed.jsonl');
    writeFileSync(failed, `${result(['API Error: 401 invalid x-api-key'])}\n`);
    const f = await runWith(claudeCodeAdapter, standIn(failed, 1), { model: 'anth/claude-x', llm: llm('anthropic') });
    expect(f.run.runStatus).toBe('adapter-crashed');
    expect(f.run.adapterError!.diagnosis).toMatchObject({ source: 'claude-code:claude-code-stream-json', summary: expect.stringMatching(/refused the credentials/) });
  });

  it.runIf(IS_ROOT)('root engine, binary only root can reach: refused with how to install it; sandbox.mode "none" runs it as root with an allow-list', async () => {
    const hidden = mkdtempSync(path.join(tmpdir(), 'skvm-root-only-bin-'));
    try {
      const bin = standIn(fixture('claude-code', 'stream-json.jsonl'), 0, hidden);
      const refused = runWith(claudeCodeAdapter, bin, { model: 'anth/claude-x', llm: llm('anthropic') });
      await expect(refused).rejects.toBeInstanceOf(AdapterUnavailableError);
      await expect(refused).rejects.toMatchObject({ message: expect.stringContaining(`cannot run its binary ${realpathSync(bin)}`), hint: expect.stringMatching(/where every user can read it/) });

      const unconfined = await runWith(claudeCodeAdapter, bin, { model: 'anth/claude-x', llm: llm('anthropic'), sandbox: { mode: 'none', network: false } });
      expect(unconfined.uid).toBe(0);
      expect(unconfined.args).toEqual(expect.arrayContaining(['--allowedTools', 'Bash', 'Write', 'Skill']));
      expect(unconfined.args).not.toContain('bypassPermissions');
      expect(unconfined.run.runStatus).toBe('ok');
    } finally {
      rmSync(hidden, { recursive: true, force: true });
    }
  });

  it('managed on an auth-free route: a placeholder key, since without one it stops with "Not logged in"', async () => {
    const s = await runWith(claudeCodeAdapter, standIn(fixture('claude-code', 'stream-json.jsonl')), { model: 'anth/claude-sonnet-4.6', llm: llm('anthropic', '') });
    expect(s.env.ANTHROPIC_API_KEY).toBe(AUTH_FREE_PLACEHOLDER_KEY);
    expect(s.run.runStatus).toBe('ok');
  });

  it('managed refuses an openai-compatible route (Claude Code speaks the Anthropic API)', async () => {
    await expect(runWith(claudeCodeAdapter, standIn(undefined))).rejects.toThrow(/is of kind openai-compatible, and claude-code speaks anthropic/);
  });

  it('dash-form ids for the versioned families only', () => {
    expect(claudeModelId('claude-sonnet-4.6')).toBe('claude-sonnet-4-6');
    expect(claudeModelId('claude-3.5-sonnet')).toBe('claude-3-5-sonnet');
    expect(claudeModelId('claude-opus-4-1')).toBe('claude-opus-4-1');
    expect(claudeModelId('claude-sim-1')).toBe('claude-sim-1');
  });
});

describe('codex adapter', () => {
  it('managed, inject: config.toml on the Responses wire with the key variable, the skill appended to AGENTS.md; exec JSON parsed', async () => {
    const bin = standIn(fixture('codex', 'exec.jsonl'));
    const s = await runWith(codexAdapter, bin, { skillMode: 'inject' });
    expect(s.env.CODEX_HOME).toMatch(/\/skvm-home-codex-[^/]+\/\.codex$/);
    expect(s.env.SKVM_CODEX_API_KEY).toBe(KEY);
    const toml = readFileSync(path.join(s.home, '.codex/config.toml'), 'utf8');
    expect(toml).toContain('model = "some-model"');
    expect(toml).toContain('base_url = "http://127.0.0.1:9/v1"');
    expect(toml).toContain('wire_api = "responses"');
    expect(toml).toContain('env_key = "SKVM_CODEX_API_KEY"');
    expect(toml).not.toContain(KEY);
    expect(s.args.slice(0, 2)).toEqual(['exec', `${HEADLESS_DIRECTIVE}\n\nWrite the notes.`]);
    expect(s.args).toEqual(expect.arrayContaining(['--json', '--skip-git-repo-check', '-s', 'danger-full-access', '-C', s.workDir]));
    expect(readFileSync(path.join(s.workDir, 'AGENTS.md'), 'utf8')).toBe(`${INJECTED_SENTINEL}\n\n${BODY.trim()}\n`);

    expect(s.run.runStatus).toBe('ok');
    expect(s.run.skillLoaded).toBe(true);
    expect(s.run.tokens.input + s.run.tokens.cacheRead).toBeGreaterThan(0);
    expect(s.run.cost).toBeNull(); // Codex reports no cost and the price table does not know the model
    expect(toolCalls(s.run).map((c) => c.exitCode)).toContain(1);
    expect(toolCalls(s.run).every((c) => c.name === 'shell' && typeof c.output === 'string')).toBe(true);
  });

  it('inject keeps what the task already put in AGENTS.md; discover installs under .agents/skills', async () => {
    const s = await runWith(codexAdapter, standIn(fixture('codex', 'exec.jsonl')), { skillMode: 'discover' });
    expect(readFileSync(path.join(s.workDir, '.agents/skills/tidy-notes/SKILL.md'), 'utf8')).toBe(BODY);
    expect(existsSync(path.join(s.workDir, 'AGENTS.md'))).toBe(false);

    const staged = tmp();
    writeFileSync(path.join(staged, 'AGENTS.md'), 'Task rules: be brief.');
    await appendInjected(staged, 'AGENTS.md', [skill]);
    expect(readFileSync(path.join(staged, 'AGENTS.md'), 'utf8')).toBe(`Task rules: be brief.\n\n${INJECTED_SENTINEL}\n\n${BODY.trim()}\n`);
  });

  it("native: the user's Codex files are copied into the private home and left as they were; no route key", async () => {
    const userHome = tmp();
    mkdirSync(path.join(userHome, '.codex'));
    const cfg = path.join(userHome, '.codex', 'config.toml');
    writeFileSync(cfg, 'model = "gpt-user"\n');
    const before = statSync(cfg).mtimeMs;
    const s = await runWith(codexAdapter, standIn(fixture('codex', 'exec.jsonl')), { mode: 'native', env: { HOME: userHome, PATH: '/usr/bin:/bin', OPENAI_API_KEY: 'sk-user-own-0123456789' } });
    expect(readFileSync(path.join(s.home, '.codex/config.toml'), 'utf8')).toBe('model = "gpt-user"\n');
    expect(readFileSync(cfg, 'utf8')).toBe('model = "gpt-user"\n');
    expect(statSync(cfg).mtimeMs).toBe(before);
    expect(s.env.OPENAI_API_KEY).toBe('sk-user-own-0123456789');
    expect(s.env.SKVM_CODEX_API_KEY).toBeUndefined();
    expect(s.args[s.args.indexOf('--model') + 1]).toBe('some-model');
    expect(s.run.runStatus).toBe('ok');
  });

  it('native without any Codex login is refused with a hint', async () => {
    await expect(runWith(codexAdapter, standIn(undefined), { mode: 'native', env: { HOME: tmp(), PATH: '/usr/bin:/bin' } })).rejects.toThrow(/Codex in native mode found no login/);
  });

  it('a failed exit is adapter-crashed with the diagnosis of its stderr', async () => {
    const bin = path.join(tmp(), 'codex');
    writeFileSync(bin, "#!/bin/sh\necho 'ERROR: unexpected status 401 Unauthorized: invalid api key' >&2\nexit 1\n");
    chmodSync(bin, 0o755);
    const { run } = await runAdapter(codexAdapter, { adapter: 'codex', mode: 'managed', model: 'test/m', llm: llm('openai-compatible'), prompt: 'x', maxSteps: 3, timeoutMs: 10_000, web: false, sandbox: { mode: 'auto', network: false }, tmpRoot: tmp(), workDirPrefix: 'skvm-c-', adapters: { codex: bin } }, {});
    expect(run.runStatus).toBe('adapter-crashed');
    expect(run.adapterError).toMatchObject({ exitCode: 1, diagnosis: { source: 'codex:stderr' } });
    expect(run.adapterError!.diagnosis!.summary).toMatch(/refused the credentials/);
  });
});

describe('pi adapter', () => {
  it('managed, discover: models.json custom provider with the key variable, --skill with discovery off; JSON events parsed', async () => {
    const s = await runWith(piAdapter, standIn(fixture('pi', 'json.jsonl')), { skillMode: 'discover' });
    const models = JSON.parse(readFileSync(path.join(s.home, '.pi/agent/models.json'), 'utf8'));
    expect(models).toEqual({ providers: { skvm: { baseUrl: 'http://127.0.0.1:9/v1', api: 'openai-completions', apiKey: 'SKVM_PI_API_KEY', models: [{ id: 'some-model' }] } } });
    expect(s.env.SKVM_PI_API_KEY).toBe(KEY);
    expect(s.env.PI_CODING_AGENT_DIR).toMatch(/\.pi\/agent$/);
    const skillDir = path.join(s.workDir, '.pi-skills', 'tidy-notes');
    expect(readFileSync(path.join(skillDir, 'SKILL.md'), 'utf8')).toBe(BODY);
    expect(s.args).toEqual(expect.arrayContaining(['--mode', 'json', '--provider', 'skvm', '--model', 'some-model', '--skill', skillDir, '--no-skills', '--no-context-files']));
    expect(s.run.runStatus).toBe('ok');
    expect(s.run.skillLoaded).toBe(true);
    expect(s.run.tokens.input).toBeGreaterThan(0);
    expect(toolCalls(s.run).map((c) => c.exitCode)).toEqual(expect.arrayContaining([0, 1]));
  });

  it('inject: the skill in AGENTS.md, context files on', async () => {
    const s = await runWith(piAdapter, standIn(fixture('pi', 'json.jsonl')), { skillMode: 'inject' });
    expect(readFileSync(path.join(s.workDir, 'AGENTS.md'), 'utf8')).toContain(INJECTED_SENTINEL);
    expect(s.args).not.toContain('--no-context-files');
    expect(s.run.skillLoaded).toBe(true);
  });

  it('a clean exit with no events at all is parse-failed', async () => {
    const s = await runWith(piAdapter, standIn(undefined));
    expect(s.run.runStatus).toBe('parse-failed');
    expect(s.run.statusDetail).toMatch(/^pi printed no events we could read/);
    expect(s.run.usageAvailable).toBe(false);
  });
});
