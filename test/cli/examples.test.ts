import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliCommands } from '../../src/cli/commands/index.js';
import { globalHelp, operationHelp } from '../../src/cli/help.js';
import { buildTable } from '../../src/cli/table.js';
import { writeConfigFile } from '../../src/engine/config/write.js';
import { loadPolicyFile } from '../../src/engine/sim/policy-file.js';
import { scriptedPolicy, startSimServer, withLatency, type SimServer } from '../../src/engine/sim/index.js';
import { operations } from '../../tools/index.js';
import { CLI_ENTRY, REPO, removeDir, tempDir } from '../e2e/harness.js';
import { SLUG_RULES, compilerReplies } from '../compiler-sim.js';
import { requireUpstream } from '../upstream.js';

/**
 * Every `skvm …` line of the README (in order, in one cache) and every line under "Examples" in
 * a help text runs as written, through the built bin on PATH, and exits 0. What needs a vendor
 * goes to the simulator: the config routes openrouter/* and anthropic/* to it (the agent scripts
 * of skvm-data/sim/tasks.json) — but openrouter/anthropic/*, the compiler model of the compile
 * examples, to one answering the compiler's passes for slug-rules (test/compiler-sim.ts) — and `SkVM-data` in the working directory is the local copy of
 * the dataset the README tells the user to clone (and `skvm-data` that of this package, which
 * help examples name relative to the package root). `skvm sim serve` runs until SIGTERM.
 */

const UPSTREAM = requireUpstream();

let root: string;
let work: string;
let env: NodeJS.ProcessEnv;
let sim: SimServer;
let compiler: SimServer;

beforeAll(async () => {
  root = tempDir('examples');
  work = path.join(root, 'work');
  const bin = path.join(root, 'bin');
  const cache = path.join(root, 'cache');
  for (const d of [work, bin, cache, path.join(root, 'home')]) mkdirSync(d, { recursive: true });
  symlinkSync(UPSTREAM, path.join(work, 'SkVM-data'));
  // Help examples name files of a checkout or an installed package, relative to its root.
  symlinkSync(path.join(REPO, 'skvm-data'), path.join(work, 'skvm-data'));
  // `skvm` on PATH, as `npm i -g skvm-mcp` installs it.
  writeFileSync(path.join(bin, 'skvm'), `#!/bin/sh\nexec "${process.execPath}" "${CLI_ENTRY}" "$@"\n`);
  chmodSync(path.join(bin, 'skvm'), 0o755);
  sim = await startSimServer({ policy: withLatency(await loadPolicyFile(path.join(REPO, 'skvm-data/sim/tasks.json')), { fixedMs: 2 }) });
  compiler = await startSimServer({ policy: scriptedPolicy([compilerReplies(SLUG_RULES)], { whenExhausted: 'repeat-last' }) });
  await writeConfigFile(path.join(cache, 'skvm.config.json'), {
    providers: {
      routes: [
        // The compiler model the compile examples name (first match wins).
        { match: 'openrouter/anthropic/*', kind: 'openai-compatible', baseUrl: compiler.openaiBaseUrl, apiKey: '' },
        { match: 'openrouter/*', kind: 'openai-compatible', baseUrl: sim.openaiBaseUrl, apiKey: '', checkModel: 'openrouter/qwen/qwen3-30b' },
        { match: 'anthropic/*', kind: 'anthropic', baseUrl: sim.anthropicBaseUrl, apiKey: '' },
      ],
    },
  });
  env = { PATH: `${bin}:${process.env.PATH ?? ''}`, HOME: path.join(root, 'home'), SKVM_CACHE: cache, NO_COLOR: '1' };
});

afterAll(async () => {
  await sim?.close();
  await compiler?.close();
  if (root) removeDir(root);
});

/** `skvm` lines of the README's sh blocks, in order. */
function readmeExamples(): string[] {
  const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
  return [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => m[1]!.split('\n').filter((l) => l.startsWith('skvm ')));
}

/** Lines under an "Examples" heading of any help text (the global one and every command's). */
function helpExamples(): string[] {
  const table = buildTable(operations, cliCommands);
  const texts = [globalHelp(table, '0.0.0'), ...table.map((e) => (e.kind === 'op' ? operationHelp(e.op) : e.command.help))];
  const out: string[] = [];
  for (const text of texts) {
    const lines = text.split('\n');
    for (let i = lines.findIndex((l) => l.startsWith('Examples')) + 1; i > 0 && i < lines.length && lines[i]!.trim(); i++) out.push(lines[i]!.trim());
  }
  return out;
}

function run(line: string): Promise<{ code: number | null; out: string; err: string }> {
  const serves = /^skvm sim serve\b/.test(line);
  return new Promise((resolve, reject) => {
    // exec: the shell becomes the command, so a server gets the SIGTERM itself.
    const child = spawn('sh', ['-c', serves ? `exec ${line}` : line], { cwd: work, env });
    let out = '';
    let err = '';
    let stopped = false;
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => {
      err += d;
      if (serves && !stopped && /Serving/.test(err)) stopped = child.kill('SIGTERM');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

describe('documented examples run as written', () => {
  it('every skvm line of the README, in order', async () => {
    const lines = readmeExamples();
    expect(lines.length).toBeGreaterThan(8);
    expect(lines.some((l) => l.startsWith('skvm profile compare'))).toBe(true);
    for (const line of lines) {
      const r = await run(line);
      expect(r.code, `${line}\n${r.err}`).toBe(0);
      if (line.includes('echo "exit code $?"')) expect(r.out).toMatch(/exit code 0\n$/);
      if (line.startsWith('skvm profile compare')) expect(r.out).toMatch(/qwen3\.5-122b-a10b/);
      if (line.startsWith('skvm bench')) expect(r.out).toMatch(/original/);
      if (line.startsWith('skvm profile --')) expect(r.out).toMatch(/reason\.arithmetic/);
      if (line.startsWith('skvm compile --')) expect(r.out).toMatch(/: published\n[\s\S]*gaps \(1\): gen\.code\.javascript needs L2, has L0[\s\S]*\n\+Copy this function as it is/);
    }
  }, 600_000);

  it('every example of every --help text', async () => {
    const lines = helpExamples();
    expect(lines.length).toBeGreaterThan(4);
    for (const line of lines) {
      expect(line).toMatch(/^skvm /);
      const r = await run(line);
      expect(r.code, `${line}\n${r.err}`).toBe(0);
    }
  }, 600_000);
});
