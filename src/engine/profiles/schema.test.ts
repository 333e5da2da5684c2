import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FailureReportsFileSchema, TcpSchema } from './schema.js';
import { requireUpstream } from '../../../test/upstream.js';

const UPSTREAM_PROFILES = path.join(requireUpstream(), 'profiles');

function upstreamFiles(pred: (name: string) => boolean): string[] {
  const out: string[] = [];
  for (const h of readdirSync(UPSTREAM_PROFILES)) {
    for (const m of readdirSync(path.join(UPSTREAM_PROFILES, h))) {
      for (const f of readdirSync(path.join(UPSTREAM_PROFILES, h, m))) if (pred(f)) out.push(path.join(UPSTREAM_PROFILES, h, m, f));
    }
  }
  return out.sort();
}

type Json = Record<string, unknown>;

/** The original plus exactly the documented defaults the schema may add. */
function withTcpDefaults(original: Json): Json {
  const copy = structuredClone(original) as Json;
  if (!('isPartial' in copy)) copy.isPartial = false;
  const tokens = (copy.cost as Json).totalTokens as Json;
  if (!('cacheRead' in tokens)) tokens.cacheRead = 0;
  if (!('cacheWrite' in tokens)) tokens.cacheWrite = 0;
  for (const d of copy.details as Json[]) {
    for (const lr of d.levelResults as Json[]) {
      if (!('skipCount' in lr)) lr.skipCount = 0;
      if (!('costUsd' in lr)) lr.costUsd = 0;
      if (!('testDescription' in lr)) lr.testDescription = '';
      if (!('failureDetails' in lr)) lr.failureDetails = [];
    }
  }
  return copy;
}

describe('TCP schema', () => {
  const files = upstreamFiles((f) => f === 'latest.json' || /^v_.*\.json$/.test(f));

  it('finds the upstream profiles', () => {
    expect(UPSTREAM_PROFILES).toBeTruthy();
    expect(files.length).toBe(62);
  });

  it('round-trips every upstream profile without loss (only documented defaults added)', () => {
    let roundTripped = 0;
    let gainedIsPartial = 0;
    let gainedSkipCount = 0;
    for (const file of files) {
      const original = JSON.parse(readFileSync(file, 'utf8')) as Json;
      const parsed = TcpSchema.parse(original);
      const back = JSON.parse(JSON.stringify(parsed)) as Json;
      expect(back, path.relative(UPSTREAM_PROFILES, file)).toStrictEqual(withTcpDefaults(original));
      // Key order of capabilities (completion order) survives too.
      expect(Object.keys(back.capabilities as Json)).toEqual(Object.keys(original.capabilities as Json));
      if (!('isPartial' in original)) gainedIsPartial++;
      if ((original.details as Json[]).some((d) => (d.levelResults as Json[]).some((l) => !('skipCount' in l)))) gainedSkipCount++;
      roundTripped++;
    }
    console.log(`TCP round trip: ${roundTripped} upstream profiles (${gainedIsPartial} gained isPartial:false, ${gainedSkipCount} gained skipCount:0)`);
    expect(roundTripped).toBe(62);
    expect(gainedIsPartial).toBe(6);
  });

  it('keeps unknown keys at every level', () => {
    const original = JSON.parse(readFileSync(files[0]!, 'utf8')) as Json;
    original.futureTop = { a: 1 };
    (original.cost as Json).currency = 'USD';
    ((original.cost as Json).totalTokens as Json).reasoning = 7;
    const d0 = (original.details as Json[])[0]!;
    d0.extraDetail = 'x';
    const lr0 = (d0.levelResults as Json[])[0]!;
    lr0.seed = 42;
    const back = JSON.parse(JSON.stringify(TcpSchema.parse(original))) as Json;
    expect(back).toStrictEqual(withTcpDefaults(original));
  });

  it('rejects what is not a TCP', () => {
    const good = JSON.parse(readFileSync(files[0]!, 'utf8')) as Json;
    expect(TcpSchema.safeParse({ ...good, version: '2.0' }).success).toBe(false);
    expect(TcpSchema.safeParse({ ...good, capabilities: { 'gen.regex': 'L4' } }).success).toBe(false);
    const { model: _m, ...noModel } = good;
    expect(TcpSchema.safeParse(noModel).success).toBe(false);
    expect(TcpSchema.safeParse({ foo: 1 }).success).toBe(false);
  });

  it('accepts the minimal spec example and fills defaults', () => {
    const tcp = TcpSchema.parse({
      version: '1.0',
      model: 'openrouter/qwen/qwen3.5-35b-a3b',
      harness: 'bare-agent',
      profiledAt: '2026-04-08T13:37:07.086Z',
      capabilities: { 'gen.code.shell': 'L2' },
      details: [
        {
          primitiveId: 'gen.code.shell',
          highestLevel: 'L2',
          levelResults: [{ level: 'L1', passed: true, passCount: 3, totalCount: 3, durationMs: 1 }],
        },
      ],
      cost: { totalUsd: 0, totalTokens: { input: 0, output: 0 }, durationMs: 5 },
    });
    expect(tcp.isPartial).toBe(false);
    expect(tcp.details[0]!.levelResults[0]).toMatchObject({ skipCount: 0, costUsd: 0, testDescription: '', failureDetails: [] });
    expect(tcp.details[0]!.levelResults[0]!.failureArtifacts).toBeUndefined();
    expect(tcp.cost.totalTokens).toEqual({ input: 0, output: 0, cacheRead: 0, cacheWrite: 0 });
  });
});

describe('failure-reports schema', () => {
  const files = upstreamFiles((f) => f === 'failure-reports.json');

  it('round-trips every upstream sidecar exactly', () => {
    expect(files.length).toBe(3);
    for (const file of files) {
      const original = JSON.parse(readFileSync(file, 'utf8')) as unknown;
      const back = JSON.parse(JSON.stringify(FailureReportsFileSchema.parse(original))) as unknown;
      expect(back).toStrictEqual(original);
    }
  });

  it('accepts an adapter error and rejects a malformed report', () => {
    const report = {
      primitiveId: 'tool.exec',
      level: 'L1',
      instance: 0,
      evalDetails: 'x',
      agentText: '',
      adapterError: { exitCode: 137, stderr: 'killed', diagnosis: { summary: 'oom' } },
      steps: [],
      toolCallSummary: { totalCalls: 0, byTool: {}, errors: [] },
      fileChanges: { created: [], modified: [], deleted: [] },
      durationMs: 3,
    };
    expect(FailureReportsFileSchema.safeParse({ profiledAt: 'x', reports: { 'tool.exec/L1': [report] } }).success).toBe(true);
    expect(FailureReportsFileSchema.safeParse({ profiledAt: 'x', reports: { 'tool.exec/L1': [{ primitiveId: 'tool.exec' }] } }).success).toBe(false);
  });
});
