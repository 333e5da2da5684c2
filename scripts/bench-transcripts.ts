/**
 * npm run bench:transcripts — transcript parsing and session discovery at scale:
 *  1. a synthetic Claude Code session of 200 MB (16 KB tool outputs): parse time and peak RSS
 *     growth (every retained tool output is capped, so memory stays bounded);
 *  2. discovery over a fake home of 400 sessions of ~1 MB each (half Claude Code, half Codex):
 *     newest 10, newest 100, a project filter, and a skill filter that matches nothing (the
 *     worst case: every file is read, ~400 MB — searched for the name, and streamed line by line
 *     when the name occurs).
 * Prints figures; nothing is asserted (the machine may be shared).
 */
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { discoverTranscripts, parseTranscriptFile } from '../src/engine/transcripts/index.js';
import { writeLargeClaudeSession } from './large-session.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURES = path.join(REPO, 'test/fixtures/transcripts');
const MB = 1024 * 1024;

async function fakeHome(home: string, n: number): Promise<void> {
  const claude = await fsp.readFile(path.join(FIXTURES, 'claude-code-documented/session.jsonl'), 'utf8');
  const codex = await fsp.readFile(path.join(FIXTURES, 'codex-documented/rollout.jsonl'), 'utf8');
  const tail = `${JSON.stringify({ type: 'progress', sessionId: 'x', data: 'y'.repeat(2000) })}\n`.repeat(500);
  for (let i = 0; i < n; i++) {
    const isClaude = i % 2 === 0;
    const file = isClaude
      ? path.join(home, '.claude/projects', `-work-p${i % 20}`, `s${i}.jsonl`)
      : path.join(home, '.codex/sessions/2026/11', String(1 + (i % 28)).padStart(2, '0'), `rollout-2026-11-01T00-00-00-${i}.jsonl`);
    await fsp.mkdir(path.dirname(file), { recursive: true });
    await fsp.writeFile(file, (isClaude ? claude : codex).split('/work/demo').join(`/work/p${i % 20}`) + tail);
    const t = new Date(Date.now() - i * 1000);
    await fsp.utimes(file, t, t);
  }
}

const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'skvm-bench-transcripts-'));
try {
  const file = path.join(dir, 'big.jsonl');
  await writeLargeClaudeSession(file, 200 * MB);
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  const t0 = performance.now();
  const t = await parseTranscriptFile(file);
  clearInterval(sampler);
  const size = (await fsp.stat(file)).size;
  console.log(`parse: ${(size / MB).toFixed(0)} MB Claude Code session, ${t.turns.length} turns in ${(performance.now() - t0).toFixed(0)} ms; peak RSS growth ${((peak - before) / MB).toFixed(0)} MB`);
  await fsp.rm(file);

  const home = path.join(dir, 'home');
  await fakeHome(home, 400);
  const cases: Array<[string, Parameters<typeof discoverTranscripts>[0]]> = [
    ['newest 10', {}],
    ['newest 100', { limit: 100 }],
    ['project filter, 10', { project: '/work/p7' }],
    ['a skill no session names (every file searched)', { skill: 'none', limit: 100 }],
    ['a name every session mentions but none loads (every file streamed)', { skill: 'progress', limit: 100 }],
  ];
  for (const [label, opts] of cases) {
    const s0 = performance.now();
    const rows = await discoverTranscripts({ home, ...opts });
    console.log(`discover: 400 sessions of ~1 MB, ${label}: ${rows.length} rows in ${(performance.now() - s0).toFixed(0)} ms`);
  }
} finally {
  await fsp.rm(dir, { recursive: true, force: true });
}
