import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findInstallRoot } from '../../src/engine/config/paths.js';
import { harnessTaskPolicy, type HarnessTaskOptions } from '../../src/engine/sim/policies/harness-task.js';
import type { SimRequest } from '../../src/engine/sim/policy.js';
import { startSimServer } from '../../src/engine/sim/server.js';
import type { InstalledHarnessCli } from '../harness-cli/install.js';
import type { FixtureDirs, FixtureHarness } from './harnesses.js';

/**
 * Runs one real harness CLI against the simulator (policy `harness-task`) in a fresh project
 * with a skill installed where the harness discovers skills, and returns the transcripts it
 * wrote. Paths are fixed (`<tmp>/skvm-transcript-fixtures/<harness>/…`) rather than random, so
 * regenerated fixtures differ only in session ids and timestamps and need no scrubbing.
 */

/** The skill the fixtures' harnesses load — the demo optimizes the same one from the Claude Code session. */
export const FIXTURE_SKILL = {
  name: 'tidy-notes',
  body: readFileSync(join(findInstallRoot(), 'skvm-data', 'sim', 'tidy-notes', 'SKILL.md'), 'utf8'),
};

export const FIXTURE_PROMPT =
  'Use the tidy-notes skill: write a short note to notes.txt, try to read missing-input.txt, then read notes.txt back and report.';

export interface ProducedFixture {
  files: Record<string, string>;
  /** How it was made, written beside the fixture as fixture.json. */
  record: {
    cli: string;
    version: string;
    command: string[];
    env: string[];
    policy: { type: 'harness-task' } & HarnessTaskOptions;
    prompt: string;
    generatedAt: string;
    exitCode: number | null;
    /** What the CLI sent the simulator, per request (auth headers are never seen by policies). */
    requests: Array<{ api: string; model: string; stream: boolean; tools: number; userAgent?: string }>;
  };
}

function fixtureDirs(harness: string): FixtureDirs {
  const root = join(tmpdir(), 'skvm-transcript-fixtures', harness);
  return { project: join(root, 'project'), home: join(root, 'home') };
}

function runCli(bin: string, argv: string[], env: NodeJS.ProcessEnv, cwd: string, timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // stdin closed: Codex otherwise waits to read a prompt from it.
    const child = spawn(bin, argv, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export async function produceFixture(harness: FixtureHarness, cli: InstalledHarnessCli, opts: { timeoutMs?: number } = {}): Promise<ProducedFixture> {
  const dirs = fixtureDirs(harness.name);
  await rm(join(dirs.project, '..'), { recursive: true, force: true });
  const skillDir = join(dirs.project, harness.skillsDir, FIXTURE_SKILL.name);
  await mkdir(skillDir, { recursive: true });
  await mkdir(dirs.home, { recursive: true });
  await writeFile(join(skillDir, 'SKILL.md'), FIXTURE_SKILL.body);

  const policyOptions: HarnessTaskOptions = { projectDir: dirs.project, skill: FIXTURE_SKILL.name };
  const seen: SimRequest[] = [];
  const policy = harnessTaskPolicy(policyOptions);
  const sim = await startSimServer({
    policy: {
      name: policy.name,
      respond(req, ctx) {
        seen.push(req);
        return policy.respond(req, ctx);
      },
    },
  });
  try {
    const run = await harness.prepare(dirs, sim.url, FIXTURE_PROMPT);
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dirs.home, ...run.env };
    const result = await runCli(cli.binPath, run.argv, env, dirs.project, opts.timeoutMs ?? 180_000);
    if (result.code !== 0) {
      throw new Error(`${harness.name} exited with ${result.code}.\nstderr: ${result.stderr.slice(-2000)}\nstdout: ${result.stdout.slice(-2000)}`);
    }
    const rerun = async (argv: string[]): Promise<string> => {
      const again = await runCli(cli.binPath, argv, env, dirs.project, opts.timeoutMs ?? 180_000);
      if (again.code !== 0) throw new Error(`${harness.name} ${argv.join(' ')} exited with ${again.code}.\nstderr: ${again.stderr.slice(-2000)}`);
      return again.stdout;
    };
    const files = await harness.collect(dirs, result.stdout, rerun);
    return {
      files,
      record: {
        cli: cli.pkg,
        version: cli.version,
        command: [cli.bin, ...run.argv],
        env: Object.keys(env).sort(),
        policy: { type: 'harness-task', ...policyOptions },
        prompt: FIXTURE_PROMPT,
        generatedAt: new Date().toISOString(),
        exitCode: result.code,
        requests: seen.map((r) => ({
          api: r.api,
          model: r.model,
          stream: r.stream,
          tools: r.tools.length,
          ...(r.headers['user-agent'] !== undefined ? { userAgent: r.headers['user-agent'] } : {}),
        })),
      },
    };
  } finally {
    await sim.close();
  }
}
