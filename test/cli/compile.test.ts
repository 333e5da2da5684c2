import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeConfigFile } from '../../src/engine/config/write.js';
import { scriptedPolicy, startSimServer, withLatency, type SimServer } from '../../src/engine/sim/index.js';
import { SLUG_RULES, compilerReplies } from '../compiler-sim.js';
import { CLI_ENTRY, outputOf, removeDir, tempDir } from '../e2e/harness.js';

/**
 * `skvm compile` as a user runs it: the built bin in its own process, the simulator playing the
 * compiler model (each reply 300 ms late, so every pass lasts longer than the piped progress
 * throttle and shows up on stderr). Progress per pass on stderr, the diff plain when piped and
 * coloured when colour is asked for, and the exit codes its --help documents.
 */

let root: string;
let cache: string;
let sims: SimServer[] = [];
const variants = () => path.join(cache, 'proposals', 'aot-compile', 'bare-agent', 'sim--target');

beforeAll(async () => {
  root = tempDir('cli-compile');
  cache = path.join(root, 'cache');
  const compiler = (commands: string[]) => startSimServer({ policy: withLatency(scriptedPolicy([compilerReplies({ ...SLUG_RULES, commands })], { whenExhausted: 'repeat-last' }), { fixedMs: 300 }) });
  // `sim/*` writes an env-setup.sh that passes in the sandbox; `nodeps/*` one needing a command no sandbox has.
  sims = [await compiler(['bash', 'python3']), await compiler(['skvm-no-such-command'])];
  await writeConfigFile(path.join(cache, 'skvm.config.json'), {
    providers: {
      routes: [
        { match: 'sim/*', kind: 'openai-compatible', baseUrl: sims[0]!.openaiBaseUrl, apiKey: '' },
        { match: 'nodeps/*', kind: 'openai-compatible', baseUrl: sims[1]!.openaiBaseUrl, apiKey: '' },
      ],
    },
  });
}, 30_000);

afterAll(async () => {
  for (const s of sims) await s.close();
  if (root) removeDir(root);
});

function skvm(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string; err: string }> {
  return outputOf(spawn(process.execPath, [CLI_ENTRY, 'compile', ...args], { cwd: root, env: { PATH: process.env.PATH ?? '', HOME: root, SKVM_CACHE: cache, ...env } }));
}

const ESC = '\x1b[';

describe('skvm compile (the built bin)', () => {
  it('--help says all three passes run by default, and documents the exit codes and examples', async () => {
    const { code, out } = await skvm(['--help']);
    expect(code).toBe(0);
    const text = out.replace(/\s+/g, ' ');
    expect(text).toContain('Passes: 1 rewrite-skill (needs a profile), 2 bind-env, 3 extract-parallelism; all three run by default.');
    expect(text).toContain('--passes=<string>[,...] Passes by number or id (default: all three — rewrite-skill, bind-env, extract-parallelism)');
    expect(text).toContain('For skvm compile: 0 the variant was published');
    expect(text).toMatch(/Examples \(a test runs each one\): skvm compile --skill=slug-rules .* --profile-if-missing/);
  });

  it('piped: a progress line per pass on stderr, the result with the plain diff on stdout, exit 0', async () => {
    const { code, out, err } = await skvm(['--skill=slug-rules', '--model=sim/target', '--passes=2,3', '--compiler-model=sim/compiler']);
    expect(code, err).toBe(0);
    const progress = err.split('\n').filter((l) => l.startsWith('progress '));
    const firstOf = (pass: string) => progress.findIndex((l) => l.includes(pass));
    expect(firstOf('pass 2 bind-env:')).toBeGreaterThanOrEqual(0);
    expect(firstOf('pass 3 extract-parallelism:')).toBeGreaterThan(firstOf('pass 2 bind-env:'));
    expect(progress.at(-1)).toBe('progress 2/2 publishing the variant');
    expect(err).not.toContain(ESC);

    expect(out).toContain('slug-rules for sim/target on bare-agent (p2p3): published');
    expect(out).toContain('  pass 2 bind-env: 2 dependencies; env script simulated ok in the sandbox in 1 attempt');
    expect(out).toContain('  pass 3 extract-parallelism: 1 parallel group (ILP)');
    expect(out).toContain('  plan: skvm://variants/bare-agent/sim--target/slug-rules/p2p3/compilation-plan.json');
    expect(out).toContain('--- a/SKILL.md\n+++ b/SKILL.md\n@@ ');
    expect(out).toContain('\n+**Parallel execution hints:**');
    expect(out).not.toContain(ESC);
    expect(readFileSync(path.join(variants(), 'slug-rules', 'p2p3', '_artifacts', 'SKILL.md.diff'), 'utf8')).toContain('+**Parallel execution hints:**');
  });

  it('colours the diff when colour is asked for (FORCE_COLOR; a terminal does it by itself), never the progress pipe', async () => {
    const { code, out, err } = await skvm(['--skill=slug-rules', '--model=sim/target', '--passes=3', '--compiler-model=sim/compiler', '--dry-run'], { FORCE_COLOR: '1' });
    expect(code, err).toBe(0);
    expect(out).toContain('slug-rules for sim/target on bare-agent (p3): dry run, nothing written');
    expect(out).toContain(`${ESC}1m--- a/SKILL.md${ESC}0m\n${ESC}1m+++ b/SKILL.md${ESC}0m\n${ESC}36m@@ `);
    expect(out).toContain(`\n${ESC}32m+**Parallel execution hints:** Some steps`);
    expect(err).not.toContain(ESC);
    // FORCE_COLOR=0 turns it off.
    const plain = await skvm(['--skill=slug-rules', '--model=sim/target', '--passes=3', '--compiler-model=sim/compiler', '--dry-run'], { FORCE_COLOR: '0' });
    expect(plain.code, plain.err).toBe(0);
    expect(plain.out).toContain('\n+**Parallel execution hints:**');
    expect(plain.out).not.toContain(ESC);
  });

  it('exit 1 when the guard rejects the result: nothing published, the violations and a hint on stderr', async () => {
    // Four lines: pass 3's hints section is more than twice as long, which the guard refuses.
    const skill = path.join(root, 'tiny');
    mkdirSync(skill, { recursive: true });
    writeFileSync(path.join(skill, 'SKILL.md'), '# Tiny\n\nReplace German letters, drop accents, then join.\n');
    const { code, out, err } = await skvm([`--skill=${skill}`, '--model=sim/target', '--passes=3', '--compiler-model=sim/compiler']);
    expect(code, err).toBe(1);
    expect(err).toMatch(/^error: Nothing was published: the compiled SKILL\.md failed the guard \(Length: added \d+ lines \(max 8, 4 original\)\)\.$/m);
    expect(err).toMatch(/^hint: Any earlier variant is unchanged\./m);
    expect(out).toBe('');
    expect(existsSync(path.join(variants(), 'tiny', 'p3'))).toBe(false);
  });

  it('exit 3 when env-setup.sh fails its simulation: published with it, the failure in the result', async () => {
    const { code, out, err } = await skvm(['--skill=slug-rules', '--model=sim/target', '--passes=2', '--compiler-model=nodeps/compiler']);
    expect(code, err).toBe(3);
    expect(out).toContain('slug-rules for sim/target on bare-agent (p2): published');
    expect(out).toMatch(/env-setup\.sh: simulation FAILED \(\d attempt\(s\)\)/);
    expect(existsSync(path.join(variants(), 'slug-rules', 'p2', 'env-setup.sh'))).toBe(true);
  }, 60_000);

  it('exit 1 when pass 1 needs a profile that is not cached, before anything is compiled', async () => {
    const calls = sims[0]!.stats().requests;
    const { code, out, err } = await skvm(['--skill=slug-rules', '--model=sim/unprofiled', '--compiler-model=sim/compiler']);
    expect(code).toBe(1);
    expect(err).toContain('Pass 1 (rewrite-skill) needs a complete capability profile of sim/unprofiled on bare-agent; no complete one is cached.');
    expect(err).toMatch(/^hint: .*Set --profile-if-missing to profile it first/m);
    expect(out).toBe('');
    expect(sims[0]!.stats().requests).toBe(calls);
    expect(existsSync(path.join(cache, 'proposals', 'aot-compile', 'bare-agent', 'sim--unprofiled'))).toBe(false);
  });
});
