import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirs } from '../../../../../test/tmp.js';
import { UPSTREAM_PROFILES, requireUpstream } from '../../../../../test/upstream.js';
import { loadFailureReports, loadProfile } from '../../../profiles/load.js';
import type { TCP } from '../../../profiles/schema.js';
import { bundleFiles } from './bundle-files.js';
import { collectEvidence } from './evidence.js';

const tmp = tempDirs('skvm-p1-evidence-');
requireUpstream();

/** A profile log folder with real files for reason.planning L1 and one artifact outside it. */
function fixture(tcp: TCP) {
  const logs = tmp();
  const work = tmp();
  const outside = tmp();
  writeFileSync(path.join(outside, 'secret.txt'), 'do not copy');
  const detail = tcp.details.find((d) => d.primitiveId === 'reason.planning')!;
  const l1 = detail.levelResults.find((l) => l.level === 'L1')!;
  const dir = path.join(logs, 'reason.planning', 'L1');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'instance-0.jsonl'), Array.from({ length: 400 }, (_, i) => JSON.stringify({ i, text: 'x'.repeat(60) })).join('\n') + '\n');
  writeFileSync(path.join(dir, 'instance-0-eval.sh'), '#!/bin/sh\necho checking\n');
  symlinkSync(path.join(outside, 'secret.txt'), path.join(dir, 'instance-2.jsonl'));
  l1.failureArtifacts = [
    { convLog: path.join(dir, 'instance-0.jsonl'), evalScript: path.join(dir, 'instance-0-eval.sh') },
    { convLog: path.join(dir, 'instance-2.jsonl'), evalScript: path.join(outside, 'secret.txt') },
  ];
  return { logs, work };
}

describe('collectEvidence', () => {
  it('copies bounded excerpts of gap primitives only, from inside the profile log folder only', async () => {
    const { tcp } = await loadProfile(UPSTREAM_PROFILES, 'bare-agent', 'openrouter--qwen--qwen3.5-35b-a3b');
    const { logs, work } = fixture(tcp);
    const ev = await collectEvidence({ primitives: ['reason.planning'], tcp, profileLogDir: logs, workDir: work, budgetBytes: 8 * 1024 });
    const planning = ev.byPrimitive.get('reason.planning')!;
    expect(planning.levels.map((l) => `${l.level}:${l.passed}:${l.passCount}/${l.totalCount}`)).toEqual(['L1:false:1/3', 'L2:false:2/3', 'L3:false:0/3']);
    expect(planning.levels[0]!.testDescription).toMatch(/topological/);
    expect(planning.levels[0]!.failureDetails.every((d) => d.length <= 201)).toBe(true);
    // L1: both real files copied, the conversation log cut to its share; the symlink and the outside path refused.
    expect(planning.files.map((f) => f.rel)).toEqual(['_profiling/reason.planning/L1/failure-0.jsonl', '_profiling/reason.planning/L1/failure-0-eval.sh']);
    const conv = readFileSync(path.join(work, planning.files[0]!.rel), 'utf8');
    expect(planning.files[0]!.truncated).toBe(true);
    expect(Buffer.byteLength(conv)).toBeLessThanOrEqual(4 * 1024);
    expect(conv.endsWith('\n')).toBe(true);
    expect(readFileSync(path.join(work, planning.files[1]!.rel), 'utf8')).toBe('#!/bin/sh\necho checking\n');
    // Refused: the two at L1, and the other machine's paths of L2 (one failed instance, 2 files)
    // and L3 (three failed, only the first two used: 4 files).
    expect(ev.refused).toBe(2 + 2 + 4);
    expect(ev.copiedBytes).toBeLessThanOrEqual(8 * 1024);
    expect(existsSync(path.join(work, '_profiling', 'reason.planning', 'L1', 'failure-1.jsonl'))).toBe(false);
  });

  it('without a profile log folder nothing is followed; level results and failure reports still count', async () => {
    const loaded = await loadProfile(UPSTREAM_PROFILES, 'bare-agent', 'z-ai--glm-5-turbo');
    const reports = await loadFailureReports(UPSTREAM_PROFILES, 'bare-agent', 'z-ai--glm-5-turbo');
    const work = tmp();
    const key = Object.keys(reports!.reports)[0]!;
    const prim = key.split('/')[0]!;
    const ev = await collectEvidence({ primitives: [prim], tcp: loaded.tcp, failureReports: reports!, workDir: work });
    const e = ev.byPrimitive.get(prim)!;
    expect(e.files).toEqual([]);
    expect(e.failures.length).toBeGreaterThan(0);
    expect(e.failures[0]!.evalDetails.length).toBeGreaterThan(0);
    expect(existsSync(path.join(work, '_profiling'))).toBe(false);
  });

  it('a primitive the profile has no details for gives empty evidence, not an error', async () => {
    const { tcp } = await loadProfile(UPSTREAM_PROFILES, 'bare-agent', 'openrouter--qwen--qwen3.5-35b-a3b');
    const ev = await collectEvidence({ primitives: ['tool.web'], tcp, workDir: tmp() });
    expect(ev.byPrimitive.get('tool.web')).toEqual({ primitiveId: 'tool.web', levels: [], failures: [], files: [] });
  });
});

describe('bundleFiles', () => {
  it('inlines text files, skips compiler outputs and SKILL.md, cuts the big one and names what did not fit', async () => {
    const work = tmp();
    const w = (rel: string, text: string) => {
      mkdirSync(path.dirname(path.join(work, rel)), { recursive: true });
      writeFileSync(path.join(work, rel), text);
    };
    w('SKILL.md', '# skill');
    w('scripts/run.py', 'print(1)\n');
    w('reference/big.md', 'line\n'.repeat(1000));
    w('reference/z.txt', 'late');
    w('image.png', 'not text');
    w('_artifacts/scr.json', '{}');
    w('_profiling/a/L1/failure-0.jsonl', '{}');
    w('env-setup.sh', 'echo');
    w('.skvm-env-setup-attempt-1.sh', 'echo');
    const r = await bundleFiles(work, { fileMax: 1000, totalMax: 1100 });
    expect(r.files.map((f) => [f.rel, f.truncated])).toEqual([
      ['reference/big.md', true],
      ['reference/z.txt', false],
      ['scripts/run.py', false],
    ]);
    expect(r.files[0]!.text.length).toBeLessThanOrEqual(1000);
    expect(r.notInlined).toEqual([]);
    const tight = await bundleFiles(work, { fileMax: 1000, totalMax: 1000 });
    expect(tight.files.map((f) => f.rel)).toEqual(['reference/big.md']);
    expect(tight.notInlined).toEqual(['reference/z.txt', 'scripts/run.py']);
  });
});
