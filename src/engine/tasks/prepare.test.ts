import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDirs } from '../../../test/tmp.js';
import { createWorkDir } from '../sandbox/index.js';
import type { SandboxMode } from '../sandbox/types.js';
import { loadSkill } from '../skills/load.js';
import { CancelledError } from '../util/errors.js';
import { loadTask, resolveTaskSkills } from './load.js';
import { FixtureError, SetupScriptError, prepareWorkDir } from './prepare.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const BUNDLED_TASKS = path.join(repo, 'skvm-data', 'tasks');
const tmp = tempDirs('skvm-prepare-test-');
const sandbox = { mode: 'auto' as SandboxMode, network: false, timeoutMs: 30_000 };

function write(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/** Every file under `dir` (relative paths, symlinks listed, not followed). */
function tree(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...tree(dir, r));
    else out.push(r);
  }
  return out.sort();
}

function grepTree(dir: string, needle: string): string[] {
  return tree(dir).filter((r) => {
    const p = path.join(dir, r);
    return lstatSync(p).isFile() && readFileSync(p, 'utf8').includes(needle);
  });
}

async function newWorkDir(): Promise<string> {
  return createWorkDir({ tmpRoot: tmp(), prefix: 'skvm-prep-' });
}

describe('prepareWorkDir', () => {
  it('writes inline fixtures, copies fixtures/ (not _setup.sh), runs _setup.sh in the work dir without leaving it there, stages bundles', async () => {
    const root = tmp();
    const taskDir = path.join(root, 'task');
    write(path.join(taskDir, 'fixtures', 'data', 'input.txt'), 'from the fixtures tree\n');
    write(path.join(taskDir, 'fixtures', 'top.txt'), 'top\n');
    chmodSync(path.join(taskDir, 'fixtures', 'top.txt'), 0o444);
    write(path.join(taskDir, 'fixtures', 'sub', '_setup.sh'), 'only the root _setup.sh is special\n');
    const marker = 'SETUP-MARKER-7f3a';
    write(
      path.join(taskDir, 'fixtures', '_setup.sh'),
      [
        '#!/usr/bin/env bash',
        `# ${marker}`,
        'set -eu',
        'cd "$(dirname "$0")"',
        'pwd > setup-cwd.txt',
        'echo "$0" > setup-name.txt',
        'cat inline/a.txt data/input.txt > combined.txt',
        'ls -a > listing.txt',
        'echo "setup ran"',
        'echo "a warning" >&2',
      ].join('\n'),
    );
    const skillDir = path.join(root, 'skill');
    write(path.join(skillDir, 'SKILL.md'), '---\nname: helper\n---\nUse helper.py.\n');
    write(path.join(skillDir, 'helper.py'), 'print("hi")\n');
    write(path.join(skillDir, 'ref', 'table.csv'), 'a,b\n');
    const skill = await loadSkill(skillDir);

    const workDir = await newWorkDir();
    const res = await prepareWorkDir({
      task: { id: 't', dir: taskDir, fixtures: { 'inline/a.txt': 'inline A\n', 'b.txt': 'B' } },
      workDir,
      skills: [skill],
      stageBundles: true,
      sandbox,
    });

    expect(res.inlineFixtures).toEqual(['inline/a.txt', 'b.txt']);
    expect(res.fixtureFiles).toEqual(['data/input.txt', 'sub/_setup.sh', 'top.txt']);
    expect(res.staged).toEqual([
      { skill: 'helper', file: 'helper.py' },
      { skill: 'helper', file: 'ref/table.csv' },
    ]);
    expect(res.setup).toMatchObject({ exitCode: 0, timedOut: false, via: 'env' });
    expect(res.setup!.outputTail).toMatch(/setup ran[\s\S]*\[stderr\]\na warning/);

    // The setup script ran with the work dir as cwd, after the fixtures were in place.
    expect(readFileSync(path.join(workDir, 'combined.txt'), 'utf8')).toBe('inline A\nfrom the fixtures tree\n');
    const cwdSeen = readFileSync(path.join(workDir, 'setup-cwd.txt'), 'utf8').trim();
    expect(cwdSeen === workDir || res.setup!.sandboxed).toBe(true);
    expect(readFileSync(path.join(workDir, 'setup-name.txt'), 'utf8').trim()).toBe('_setup.sh');
    // …and is not, and was not, a file in the work dir.
    expect(readFileSync(path.join(workDir, 'listing.txt'), 'utf8').split('\n')).not.toContain('_setup.sh');
    expect(existsSync(path.join(workDir, '_setup.sh'))).toBe(false);
    expect(grepTree(workDir, marker)).toEqual([]);

    expect(tree(workDir)).toEqual(
      ['b.txt', 'combined.txt', 'data/input.txt', 'helper.py', 'inline/a.txt', 'listing.txt', 'ref/table.csv', 'setup-cwd.txt', 'setup-name.txt', 'sub/_setup.sh', 'top.txt'].sort(),
    );
    // Read-only dataset files arrive owner-writable.
    expect(statSync(path.join(workDir, 'top.txt')).mode & 0o200).toBe(0o200);
    expect(existsSync(path.join(workDir, 'SKILL.md'))).toBe(false);
  });

  it('stages nothing when stageBundles is false, and works for a task without a folder', async () => {
    const skillDir = path.join(tmp(), 'skill');
    write(path.join(skillDir, 'SKILL.md'), 'x');
    write(path.join(skillDir, 'extra.txt'), 'x');
    const workDir = await newWorkDir();
    const res = await prepareWorkDir({ task: { id: 'inline-only', fixtures: { 'x.txt': 'x' } }, workDir, skills: [await loadSkill(skillDir)], stageBundles: false, sandbox });
    expect(res).toMatchObject({ inlineFixtures: ['x.txt'], fixtureFiles: [], staged: [], notes: [] });
    expect(res.setup).toBeUndefined();
    expect(tree(workDir)).toEqual(['x.txt']);
  });

  it('refuses inline fixture paths escaping the work dir, and writes nothing outside', async () => {
    const root = tmp();
    const workDir = await createWorkDir({ tmpRoot: root, prefix: 'skvm-prep-' });
    for (const rel of ['../escape.txt', '/tmp/skvm-escape-abs.txt', 'a/../../escape2.txt']) {
      const err = await prepareWorkDir({ task: { id: 't', fixtures: { [rel]: 'x' } }, workDir, stageBundles: false, sandbox }).catch((e: unknown) => e);
      expect(err, rel).toBeInstanceOf(FixtureError);
      expect((err as Error).message).toMatch(/must stay inside the work directory/);
    }
    expect(existsSync(path.join(root, 'escape.txt'))).toBe(false);
    expect(existsSync(path.join(root, 'escape2.txt'))).toBe(false);
    expect(existsSync('/tmp/skvm-escape-abs.txt')).toBe(false);

    // A symlinked directory in the work dir leading outside is refused too (confinement, not just lexical checks).
    const outside = path.join(root, 'outside');
    mkdirSync(outside);
    symlinkSync(outside, path.join(workDir, 'link'));
    const err = await prepareWorkDir({ task: { id: 't', fixtures: { 'link/x.txt': 'x' } }, workDir, stageBundles: false, sandbox }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FixtureError);
    expect(readdirSync(outside)).toEqual([]);
  });

  it('does not follow symlinks out of fixtures/, and replaces a symlink a setup script left at a staging target', async () => {
    const root = tmp();
    const taskDir = path.join(root, 'task');
    write(path.join(root, 'secret.txt'), 'secret');
    write(path.join(taskDir, 'fixtures', 'real.txt'), 'real');
    symlinkSync(path.join(root, 'secret.txt'), path.join(taskDir, 'fixtures', 'leak.txt'));
    symlinkSync('real.txt', path.join(taskDir, 'fixtures', 'alias.txt'));
    // The setup script plants a symlink where a bundle file will be staged.
    write(path.join(root, 'victim.txt'), 'untouched');
    write(path.join(taskDir, 'fixtures', '_setup.sh'), `ln -s ${JSON.stringify(path.join(root, 'victim.txt'))} notes.md\n`);
    const skillDir = path.join(root, 'skill');
    write(path.join(skillDir, 'SKILL.md'), 'x');
    write(path.join(skillDir, 'notes.md'), 'bundle notes');
    const workDir = await newWorkDir();
    const res = await prepareWorkDir({ task: { id: 't', dir: taskDir }, workDir, skills: [await loadSkill(skillDir)], stageBundles: true, sandbox: { ...sandbox, mode: 'none' } });
    expect(res.fixtureFiles).toEqual(['alias.txt', 'real.txt']);
    expect(res.notes.join()).toMatch(/leak\.txt: symlink points outside/);
    expect(existsSync(path.join(workDir, 'leak.txt'))).toBe(false);
    expect(readFileSync(path.join(workDir, 'alias.txt'), 'utf8')).toBe('real');
    expect(lstatSync(path.join(workDir, 'notes.md')).isSymbolicLink()).toBe(false);
    expect(readFileSync(path.join(workDir, 'notes.md'), 'utf8')).toBe('bundle notes');
    expect(readFileSync(path.join(root, 'victim.txt'), 'utf8')).toBe('untouched');
  });

  it('a failing _setup.sh is a SetupScriptError with the exit code and output tail', async () => {
    const taskDir = path.join(tmp(), 'task');
    write(path.join(taskDir, 'fixtures', '_setup.sh'), 'echo "installing"\necho "no such package" >&2\nexit 3\n');
    const err = await prepareWorkDir({ task: { id: 'broken', dir: taskDir }, workDir: await newWorkDir(), stageBundles: false, sandbox }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SetupScriptError);
    const e = err as SetupScriptError;
    expect(e.code).toBe('setup_failed');
    expect(e.setup.exitCode).toBe(3);
    expect(e.message).toMatch(/Task "broken": fixtures\/_setup\.sh exited with code 3/);
    expect(e.message).toMatch(/no such package/);
    expect(e.hint).toMatch(/not a score for the agent/);
  });

  it('a _setup.sh past its time limit fails as timed out', async () => {
    const taskDir = path.join(tmp(), 'task');
    write(path.join(taskDir, 'fixtures', '_setup.sh'), 'sleep 20\n');
    const err = await prepareWorkDir({ task: { id: 'slow', dir: taskDir }, workDir: await newWorkDir(), stageBundles: false, sandbox: { ...sandbox, timeoutMs: 500 } }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SetupScriptError);
    expect((err as SetupScriptError).setup.timedOut).toBe(true);
    expect((err as Error).message).toMatch(/timed out/);
  });

  it('feeds a very large _setup.sh on stdin', async () => {
    const taskDir = path.join(tmp(), 'task');
    const filler = `# ${'x'.repeat(120)}\n`.repeat(1000);
    write(path.join(taskDir, 'fixtures', '_setup.sh'), `${filler}echo big > big.txt\n`);
    const workDir = await newWorkDir();
    const res = await prepareWorkDir({ task: { id: 'big', dir: taskDir }, workDir, stageBundles: false, sandbox });
    expect(res.setup).toMatchObject({ exitCode: 0, via: 'stdin' });
    expect(readFileSync(path.join(workDir, 'big.txt'), 'utf8')).toBe('big\n');
    expect(tree(workDir)).toEqual(['big.txt']);
  });

  it('honours cancellation', async () => {
    const ac = new AbortController();
    ac.abort('stop');
    await expect(prepareWorkDir({ task: { id: 't', fixtures: { 'a.txt': 'a' } }, workDir: await newWorkDir(), stageBundles: false, sandbox, signal: ac.signal })).rejects.toBeInstanceOf(
      CancelledError,
    );
    const taskDir = path.join(tmp(), 'task');
    write(path.join(taskDir, 'fixtures', '_setup.sh'), 'sleep 20\n');
    const ac2 = new AbortController();
    setTimeout(() => ac2.abort('stop'), 300);
    await expect(prepareWorkDir({ task: { id: 't', dir: taskDir }, workDir: await newWorkDir(), stageBundles: false, sandbox, signal: ac2.signal })).rejects.toBeInstanceOf(CancelledError);
  });
});

describe('prepareWorkDir on the bundled tasks', () => {
  it('log-triage: _setup.sh generates logs/app.log', async () => {
    const task = await loadTask(path.join(BUNDLED_TASKS, 'log-triage'));
    const workDir = await newWorkDir();
    const res = await prepareWorkDir({ task, workDir, skills: await resolveTaskSkills(task), stageBundles: true, sandbox });
    expect(res.setup?.exitCode).toBe(0);
    const log = readFileSync(path.join(workDir, 'logs', 'app.log'), 'utf8').trimEnd().split('\n');
    expect(log).toHaveLength(36);
    expect(log.filter((l) => / (ERROR|FATAL) /.test(l) && !l.endsWith(' (repeated)'))).toHaveLength(8);
    expect(tree(workDir)).toEqual(['logs/app.log']);
  });

  it('sales-summary: inline sales.csv plus the staged schema; slugify: the test file', async () => {
    const sales = await loadTask(path.join(BUNDLED_TASKS, 'sales-summary'));
    const wd1 = await newWorkDir();
    await prepareWorkDir({ task: sales, workDir: wd1, skills: await resolveTaskSkills(sales), stageBundles: true, sandbox });
    expect(tree(wd1)).toEqual(['sales.csv', 'schema/sales-summary.v1.json']);
    const slug = await loadTask(path.join(BUNDLED_TASKS, 'slugify'));
    const wd2 = await newWorkDir();
    await prepareWorkDir({ task: slug, workDir: wd2, skills: await resolveTaskSkills(slug), stageBundles: true, sandbox });
    expect(tree(wd2)).toEqual(['slug.test.mjs']);
  });
});
