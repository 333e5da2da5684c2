import { chmodSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDirs } from '../../../../../test/tmp.js';
import type { ChatProvider, ModelEndpoint } from '../../../llm/types.js';
import { runAdapter, type AgentJob } from '../../../runtime/run-agent.js';
import { UsageError } from '../../../util/errors.js';
import { registerSecret } from '../../../util/redact.js';
import { AdapterUnavailableError } from '../registry.js';
import { defineCliAdapter, HEADLESS_DIRECTIVE, type CliHarnessSpec, type CliRunContext } from './cli-adapter.js';

/**
 * The shared CLI-harness run with a stand-in harness (a shell script in the place of the CLI):
 * what the child sees (environment, argv, HOME), what is kept and what is removed, and the
 * verdicts. The real CLIs are driven in test/adapters (npm run test:adapters).
 */

const tmp = tempDirs('skvm-cli-adapter-', { everyone: true });
const ROUTE_KEY = 'sk-route-key-for-the-harness-0123456789';
const PROCESS_KEY = 'sk-ant-process-key-must-not-leak-4242';
let savedKey: string | undefined;
beforeAll(() => {
  savedKey = process.env.ANTHROPIC_API_KEY;
  process.env.ANTHROPIC_API_KEY = PROCESS_KEY;
});
afterAll(() => {
  if (savedKey === undefined) delete process.env.ANTHROPIC_API_KEY;
  else process.env.ANTHROPIC_API_KEY = savedKey;
});

/** A fake harness: records env, argv and cwd into the work dir, then does what SCRIPT_TAIL says. */
function fakeHarness(tail: string): string {
  const file = path.join(tmp(), 'fake-harness');
  writeFileSync(file, `#!/bin/sh\nenv > "$PWD/seen-env.txt"\nprintf '%s\\n' "$@" > "$PWD/seen-args.txt"\n${tail}\n`);
  chmodSync(file, 0o755);
  return file;
}

function llm(kind: ModelEndpoint['kind']): ChatProvider {
  return {
    chat: () => Promise.reject(new Error('a CLI harness makes its own calls')),
    endpoint: (model) => ({ kind, baseUrl: 'http://127.0.0.1:9/v1', apiKey: ROUTE_KEY, backendModel: model.split('/').slice(1).join('/'), route: 'sim/*' }),
  };
}

const seen: { ctx?: CliRunContext } = {};
const spec: CliHarnessSpec = {
  name: 'opencode',
  managedKinds: ['openai-compatible'],
  async prepare(ctx) {
    seen.ctx = ctx;
    return { args: ['run', ctx.prompt, '--model', ctx.endpoint?.backendModel ?? 'native-default'], env: ctx.endpoint ? { FAKE_BASE_URL: ctx.endpoint.baseUrl, FAKE_HARNESS_KEY: ctx.endpoint.apiKey } : {} };
  },
  async parse({ outputPath }) {
    const lines = readFileSync(outputPath, 'utf8').trim().split('\n').filter(Boolean);
    const last = lines.length ? (JSON.parse(lines[lines.length - 1]!) as { text?: string; error?: string }) : {};
    return {
      text: last.text ?? '',
      steps: last.text ? [{ role: 'assistant', text: last.text, toolCalls: [], timestamp: Date.now() }] : [],
      tokens: { input: 5, output: 2, cacheRead: 0, cacheWrite: 0 },
      cost: null,
      usageAvailable: true,
      ...(last.error ? { error: { text: last.error, source: 'opencode:error-event' } } : {}),
    };
  },
};
const adapter = defineCliAdapter(spec);

function job(binary: string, over: Partial<AgentJob> = {}): AgentJob {
  return {
    adapter: 'opencode',
    mode: 'managed',
    model: 'sim/tiny-1',
    llm: llm('openai-compatible'),
    prompt: 'Write hello.txt.',
    maxSteps: 5,
    timeoutMs: 10_000,
    web: false,
    sandbox: { mode: 'auto', network: false },
    tmpRoot: tmp(),
    workDirPrefix: 'skvm-clitest-',
    keepWorkDir: true,
    adapters: { opencode: binary },
    ...over,
  };
}

describe('defineCliAdapter', () => {
  it('managed run: route key only in the variable the harness reads, a scrubbed environment, a private HOME removed afterwards, stdout kept as the log', async () => {
    const bin = fakeHarness(`echo '{"type":"start"}'\necho '{"text":"wrote it"}'`);
    const j = job(bin);
    const convLogPath = path.join(j.tmpRoot, 'logs', 'conv.jsonl');
    const { run, workDir } = await runAdapter(adapter, { ...j, convLogPath }, {});
    expect(run.runStatus).toBe('ok');
    expect(run.text).toBe('wrote it');
    expect(run.usageAvailable).toBe(true);
    expect(readFileSync(convLogPath, 'utf8')).toBe('{"type":"start"}\n{"text":"wrote it"}\n');

    const env = Object.fromEntries(
      readFileSync(path.join(workDir!, 'seen-env.txt'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    expect(env.FAKE_HARNESS_KEY).toBe(ROUTE_KEY);
    expect(env.FAKE_BASE_URL).toBe('http://127.0.0.1:9/v1');
    expect(Object.values(env)).not.toContain(PROCESS_KEY);
    expect(env.ANTHROPIC_API_KEY).toBeUndefined();
    const home = env.HOME!;
    expect(path.dirname(home)).toBe(path.dirname(workDir!));
    expect(path.basename(home)).toMatch(/^skvm-home-opencode-/);
    expect(env.TMPDIR).toBe(path.join(home, 'tmp'));
    expect(existsSync(home)).toBe(false);
    expect(readdirSync(j.tmpRoot).filter((n) => n.startsWith('skvm-home-'))).toEqual([]);

    const args = readFileSync(path.join(workDir!, 'seen-args.txt'), 'utf8');
    expect(args).not.toContain(ROUTE_KEY);
    expect(args).toContain(`${HEADLESS_DIRECTIVE}\n\nWrite hello.txt.`);
    expect(args).toContain('--model\ntiny-1\n');
    expect(seen.ctx!.endpoint!.apiKey).toBe(ROUTE_KEY);
  });

  it('config extraCliArgs go after the adapter\'s own arguments', async () => {
    const bin = fakeHarness(`echo '{"text":"x"}'`);
    const { workDir } = await runAdapter(adapter, job(bin, { adapters: { opencode: { repoPath: bin, extraCliArgs: ['--flag', 'value'] } } }), {});
    expect(readFileSync(path.join(workDir!, 'seen-args.txt'), 'utf8').endsWith('--model\ntiny-1\n--flag\nvalue\n')).toBe(true);
  });

  it('extraCliArgs never carry a key: the route key, a known key or a key-named flag is refused before the harness starts', async () => {
    const bin = fakeHarness(`echo '{"text":"x"}'`);
    registerSecret(PROCESS_KEY);
    const cases: Array<[string[], RegExp]> = [
      [['--header', `x-api-key: ${ROUTE_KEY}`], /extraCliArgs\[1\] holds an API key/],
      [[`--openai-key=${PROCESS_KEY}`], /extraCliArgs\[0\] (holds an API key|passes a key flag \(--openai-key\))/],
      [['--verbose', '--api-key', 'sk-not-registered-but-named-as-a-key'], /extraCliArgs\[1\] passes a key flag \(--api-key\)/],
      [['--token=abc'], /extraCliArgs\[0\] passes a key flag \(--token\)/],
    ];
    for (const [extra, message] of cases) {
      const root = tmp();
      const err = await runAdapter(adapter, job(bin, { tmpRoot: root, keepWorkDir: false, adapters: { opencode: { repoPath: bin, extraCliArgs: extra } } }), {}).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UsageError);
      expect((err as UsageError).message).toMatch(message);
      expect((err as UsageError).message).not.toContain(ROUTE_KEY);
      expect((err as UsageError).hint).toMatch(/through a variable/);
      expect(readdirSync(root)).toEqual([]); // nothing started, nothing left
    }
    // Ordinary flags, also ones that merely mention tokens, pass.
    const { workDir } = await runAdapter(adapter, job(bin, { adapters: { opencode: { repoPath: bin, extraCliArgs: ['--max-tokens', '100', '--log-level=debug'] } } }), {});
    expect(readFileSync(path.join(workDir!, 'seen-args.txt'), 'utf8').endsWith('--max-tokens\n100\n--log-level=debug\n')).toBe(true);
  });

  it('native run: no route is asked for and no key is passed', async () => {
    const bin = fakeHarness(`echo '{"text":"native"}'`);
    const { run, workDir } = await runAdapter(adapter, job(bin, { mode: 'native', llm: { chat: () => Promise.reject(new Error('unused')) } }), {});
    expect(run.runStatus).toBe('ok');
    expect(seen.ctx!.endpoint).toBeUndefined();
    expect(readFileSync(path.join(workDir!, 'seen-env.txt'), 'utf8')).not.toContain(ROUTE_KEY);
  });

  it('a failing harness is adapter-crashed with exit code, stderr tail and a diagnosis from its error event', async () => {
    const bin = fakeHarness(`echo '{"error":"API error 401: invalid api key"}'\necho 'fatal: request failed' >&2\nexit 2`);
    const { run } = await runAdapter(adapter, job(bin), {});
    expect(run.runStatus).toBe('adapter-crashed');
    expect(run.statusDetail).toMatch(/^opencode exited with code 2: opencode: the provider refused the credentials/);
    expect(run.adapterError).toMatchObject({ exitCode: 2, stderr: 'fatal: request failed\n', diagnosis: { source: 'opencode:error-event' } });
    expect(run.adapterError!.diagnosis!.hint).toMatch(/apiKeyEnv/);
  });

  it('the time limit ends the run as timeout, and the home is removed', async () => {
    const bin = fakeHarness('echo "$HOME" > "$PWD/home.txt"; sleep 30');
    const t0 = Date.now();
    const { run, workDir } = await runAdapter(adapter, job(bin, { timeoutMs: 500 }), {});
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(run.runStatus).toBe('timeout');
    expect(run.statusDetail).toBe('opencode was stopped after 500 ms (the run\'s time limit)');
    expect(existsSync(readFileSync(path.join(workDir!, 'home.txt'), 'utf8').trim())).toBe(false);
  });

  it('not installed: AdapterUnavailableError naming the npm package', async () => {
    const err = await runAdapter(adapter, job('/nowhere/opencode'), {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AdapterUnavailableError);
    expect((err as AdapterUnavailableError).message).toMatch(/not installed \(looked for adapters\.opencode \(\/nowhere\/opencode\)\)/);
    expect((err as AdapterUnavailableError).hint).toMatch(/npm i -g opencode-ai/);
    expect(await adapter.available({ PATH: '/nonexistent' })).toMatchObject({ ok: false, reason: 'not installed (looked for opencode on PATH)' });
  });

  it('managed mode refuses a route kind the harness cannot speak, before anything starts', async () => {
    const bin = fakeHarness('echo started > "$PWD/started"');
    const root = tmp();
    const err = await runAdapter(adapter, job(bin, { llm: llm('anthropic'), tmpRoot: root, keepWorkDir: false }), {}).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/route "sim\/\*" is of kind anthropic, and opencode speaks openai-compatible/);
    expect(readdirSync(root)).toEqual([]);
  });
});
