import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeConfigFile } from '../../src/engine/config/write.js';
import { loadPolicyFile } from '../../src/engine/sim/policy-file.js';
import { startSimServer, withLatency } from '../../src/engine/sim/index.js';
import { outputOf } from '../e2e/harness.js';

/**
 * The built `skvm` bin (dist/bin/skvm.js, bundled by the build) as a user runs it: a separate process with a
 * temporary cache and an environment without API keys. `npm test` builds dist first.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(root, 'dist/bin/skvm.js');

let cache: string;
beforeAll(() => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: build first (npm run build, or npm test)`);
  cache = mkdtempSync(path.join(tmpdir(), 'skvm-bin-'));
});
afterAll(() => rmSync(cache, { recursive: true, force: true }));

/** The parent environment minus anything that looks like a credential or an SkVM override. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/KEY|TOKEN|SECRET|PASSWORD/i.test(k) || k.startsWith('SKVM_')) continue;
    env[k] = v;
  }
  return { ...env, HOME: cache, NO_COLOR: '1', ...extra };
}

function start(args: string[], env?: Record<string, string>): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [BIN, ...args, `--skvm-cache=${cache}`], { env: cleanEnv(env), cwd: cache });
}

function run(args: string[], env?: Record<string, string>): Promise<{ code: number | null; out: string; err: string }> {
  return outputOf(start(args, env));
}

describe('skvm (built bin)', () => {
  it('--help lists the commands grouped by first word', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^skvm \d+\.\d+\.\d+/);
    expect(r.out).toMatch(/\n  config\n\s+config show\s+\S/);
    expect(r.out).toMatch(/runs list\s+List runs/);
    expect(r.out).toMatch(/run status\s+\S/);
    expect(r.out).toMatch(/\n  sim\n\s+sim serve\s+Serve the LLM simulator/);
    expect(r.out).toContain('--skvm-cache=DIR');
  });

  it('an unknown command exits 2 with a suggestion', async () => {
    const r = await run(['config', 'shwo']);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^error: unknown command "skvm config shwo"\nhint: did you mean "skvm config show"/);
    const r2 = await run(['frobnicate']);
    expect(r2.code).toBe(2);
  });

  it('--version prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
    const r = await run(['--version']);
    expect(r.code).toBe(0);
    expect(r.out).toBe(`${pkg.version}\n`);
  });

  it('<command> --help is generated from the schema', async () => {
    const r = await run(['runs', 'list', '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^skvm runs list — /);
    expect(r.out).toMatch(/--limit=<integer>\s+.*Range: from 1 to 200\. Default: 20\./);
    expect(r.out).toMatch(/--status=<queued\|running\|succeeded\|failed\|cancelled\|interrupted>\[,\.\.\.\]/);
    const s = await run(['run-status', '--help']);
    expect(s.out).toMatch(/--run-id=<string>\s+\(required\)/);
    const t = await run(['run', 'task', '--help']);
    expect(t.out.replace(/\s+/g, ' ')).toContain('3 it ran but did not pass (a task that did not pass every criterion or ran out of time');
  });

  it('--json output parses', async () => {
    const r = await run(['runs', 'list', '--json', '--status=running,failed', '--limit', '5']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ runs: [], count: 0 });
    const c = await run(['config', 'show', '--json']);
    expect(c.code).toBe(0);
    expect(JSON.stringify(JSON.parse(c.out))).toContain(JSON.stringify(cache).slice(1, -1));
  });

  it('a bad flag exits 2 naming the flag', async () => {
    const r = await run(['runs', 'list', '--limit=lots']);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toBe('error: --limit: expected an integer from 1 to 200, got "lots"\nhint: see skvm runs list --help\n');
    const u = await run(['runs', 'list', '--sttus=failed']);
    expect(u.code).toBe(2);
    expect(u.err).toMatch(/error: unknown flag --sttus \(did you mean --status\?\)/);
  });

  it('an operation error exits 1 with error and hint lines', async () => {
    const r = await run(['run', 'status', '--run-id=run-20200101-000000000-abcd', '--wait-seconds=0']);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^error: .*run-20200101-000000000-abcd/m);
    expect(r.err).toMatch(/^hint: /m);
  });

  it('never prints an API key from the environment', async () => {
    const secret = 'sk-or-v1-0123456789abcdefSECRETSECRET';
    for (const args of [['config', 'show'], ['config', 'show', '--json']]) {
      const r = await run(args, { OPENROUTER_API_KEY: secret });
      expect(r.code).toBe(0);
      expect(r.out + r.err).not.toContain(secret);
      expect(r.out + r.err).not.toContain(secret.slice(8, 24));
    }
  });
});

describe('skvm sim serve (built bin)', () => {
  it('prints the URLs and routes, answers HTTP, and exits 0 on SIGTERM', async () => {
    const child = start(['sim', 'serve', '--port=0']);
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 15_000;
      while (!/Serving/.test(err)) {
        if (Date.now() > deadline) throw new Error(`sim serve did not start: ${err}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      const url = /^URL:\s+(http:\/\/127\.0\.0\.1:\d+)$/m.exec(out)?.[1];
      expect(url).toBeDefined();
      expect(out).toMatch(new RegExp(`^OpenAI base URL:\\s+${url}/v1$`, 'm'));
      expect(out).toMatch(new RegExp(`^Anthropic base URL:\\s+${url}$`, 'm'));
      const snippet = JSON.parse(out.slice(out.indexOf('{'))) as { providers: { routes: Array<Record<string, string>> } };
      expect(snippet.providers.routes).toEqual([
        { match: 'sim/*', kind: 'openai-compatible', baseUrl: `${url}/v1`, apiKey: '' },
        { match: 'sim-anthropic/*', kind: 'anthropic', baseUrl: url, apiKey: '' },
      ]);
      expect(err).toContain('SkVM simulator — not a real model');

      const health = await fetch(`${url}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ ok: true, simulator: true, policy: 'echo' });

      const chat = await fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'echo', messages: [{ role: 'user', content: 'ping from the test' }] }),
      });
      expect(chat.status).toBe(200);
      const body = (await chat.json()) as { choices: Array<{ message: { content: string } }> };
      expect(body.choices[0]!.message.content).toBe('sim: ping from the test');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(err).toMatch(/Simulator stopped \(SIGTERM\) after 1 request\./);
  });

  it('a bad policy file exits 2 with the loader message', async () => {
    const r = await run(['sim', 'serve', `--policy=${path.join(cache, 'no-such-policy.json')}`]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error: Cannot read simulator policy file .*no-such-policy\.json/);
  });
});

describe('a run operation through the built bin', () => {
  it('waits for the run, prints plain progress lines when piped, and the result on stdout', async () => {
    const sim = await startSimServer({ policy: withLatency(await loadPolicyFile(path.join(root, 'skvm-data/sim/tasks.json')), { fixedMs: 50 }) });
    try {
      await writeConfigFile(path.join(cache, 'skvm.config.json'), {
        providers: { routes: [{ match: 'sim/*', kind: 'openai-compatible', baseUrl: sim.openaiBaseUrl, apiKey: '' }] },
      });
      const r = await run(['run', 'task', '--task=slugify', '--model=sim/agent', '--use-task-skills']);
      expect(r.code, r.err).toBe(0);
      // Piped progress is throttled to one line per 250 ms, so which turns show depends on timing.
      expect(r.err).toMatch(/^progress \d+\/\d+ agent turn \d+$/m);
      expect(r.out).toMatch(/slugify on sim\/agent \(bare-agent, skill slug-rules inject\): run ok/);
      expect(r.out).toMatch(/score 1\.000/);
      const json = await run(['run', 'task', '--task=slugify', '--model=sim/agent', '--skill=log-triage', '--json', '--quiet']);
      // With another task's skill the agent fails the task: it ran, and a script can tell it did not pass.
      expect(json.code, json.err).toBe(3);
      expect(json.err).toBe('not passed: slugify scored 0.000: not every criterion passed.\n');
      const env = JSON.parse(json.out);
      expect(env).toMatchObject({ status: 'succeeded', result: { taskId: 'slugify', score: 0, passed: false } });
    } finally {
      await sim.close();
      rmSync(path.join(cache, 'skvm.config.json'), { force: true });
    }
  });
});
