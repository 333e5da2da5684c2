import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DependencyEntry } from '../../types.js';
import { SCRIPT_TEMPLATE } from './prompts.js';
import { scriptFromAnswer } from './script.js';
import { checkSyntax, policyViolations, staticProblems, uncoveredDependencies } from './validate.js';

describe('checkSyntax (bash -n)', () => {
  it('accepts a valid script and reports bash’s complaint for a broken one', async () => {
    expect(await checkSyntax('#!/bin/bash\nif true; then echo ok; fi\n')).toEqual({ ok: true });
    const bad = await checkSyntax('#!/bin/bash\nif true; then echo ok\n');
    expect(bad.ok).toBe(false);
    expect(bad.error).toMatch(/syntax error|unexpected end of file/);
  });

  it('executes nothing', async () => {
    const marker = path.join(os.tmpdir(), `skvm-bash-n-${process.pid}-${Date.now()}`);
    expect(await checkSyntax(`touch ${marker}\n`)).toEqual({ ok: true });
    await expect(fsp.access(marker)).rejects.toThrow();
  });
});

describe('policyViolations', () => {
  it.each(['apt-get update', 'sudo apt update && apt-get install -y jq', 'yum -y upgrade', 'dnf update', 'brew upgrade', 'choco upgrade all', 'winget upgrade --all', 'pacman -Syu', 'apk update', 'apt-get -q dist-upgrade'])(
    'rejects %j',
    (line) => {
      expect(policyViolations(`#!/bin/bash\n${line}\n`)).toEqual([`line 2: ${line}`]);
    },
  );

  it('passes our own template (the reference template failed its own check)', () => {
    expect(policyViolations(SCRIPT_TEMPLATE)).toEqual([]);
  });

  it('ignores comments and installs', () => {
    expect(policyViolations('#!/bin/bash\n# never run apt-get update here\napt-get install -y jq  # not brew upgrade\npython3 -m pip install -U x\n')).toEqual([]);
  });
});

describe('uncoveredDependencies and staticProblems', () => {
  const deps: DependencyEntry[] = [
    { name: 'pandas>=2', type: 'pip', checkCommand: 'x', required: true, source: 'model', confidence: 0.7 },
    { name: 'jq', type: 'system', checkCommand: 'command -v jq', required: true, source: 'model', confidence: 0.7 },
  ];
  it('names the dependencies a script has no block for (pip by its bare name)', () => {
    expect(uncoveredDependencies('python3 -m pip show pandas', deps)).toEqual(['jq']);
  });
  it('collects every problem, syntax verdict included', async () => {
    const r = await staticProblems('#!/bin/bash\napt-get update\nif then\n', deps);
    expect(r.syntax.ok).toBe(false);
    expect(r.problems.map((p) => p.split(':')[0])).toEqual(['bash -n', 'Policy violation', 'The script has no block for']);
  });
});

describe('scriptFromAnswer', () => {
  it('takes the script out of a fence wrapped in prose and adds a shebang when missing', () => {
    expect(scriptFromAnswer('Here it is:\n```bash\nset -e\necho hi\n```\nDone.')).toBe('#!/bin/bash\nset -e\necho hi\n');
    expect(scriptFromAnswer('#!/usr/bin/env bash\necho hi')).toBe('#!/usr/bin/env bash\necho hi\n');
    expect(scriptFromAnswer('```\n#!/bin/bash\nexit 0\n```')).toBe('#!/bin/bash\nexit 0\n');
  });
});
