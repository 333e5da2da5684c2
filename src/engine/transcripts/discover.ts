import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { shorten } from '../util/shorten.js';
import { TranscriptBuilder } from './builder.js';
import type { FormatDef } from './format.js';
import { parseObjectLine } from './lines.js';
import { claudeCodeSession } from './formats/claude-code-session.js';
import { codexRollout } from './formats/codex-rollout.js';
import type { DiscoverableHarness, TranscriptSummary } from './types.js';

/** Bytes of each session read for its cwd, first prompt and skills: the start of a session holds them. */
export const DISCOVERY_HEAD_BYTES = 256 * 1024;
const FIRST_PROMPT_MAX = 200;

export interface DiscoverOptions {
  /** Home directory to scan (default: the user's; `CLAUDE_CONFIG_DIR` / `CODEX_HOME` apply only then). */
  home?: string;
  /** Only sessions whose working directory is this directory or inside it. */
  project?: string;
  limit?: number;
  harness?: DiscoverableHarness;
  /** Only sessions that loaded this skill. */
  skill?: string;
  signal?: AbortSignal;
}

interface Candidate {
  path: string;
  harness: DiscoverableHarness;
  mtimeMs: number;
  size: number;
}

/**
 * Recent Claude Code (`~/.claude/projects/<dir>/<session>.jsonl`) and Codex
 * (`~/.codex/sessions/YYYY/MM/DD/rollout-*.jsonl`) sessions, newest first by modification time.
 * Only file metadata is read for all of them; heads are read newest first until `limit`
 * sessions pass the filters, so a home with hundreds of sessions costs a few reads.
 */
export async function discoverTranscripts(opts: DiscoverOptions = {}): Promise<TranscriptSummary[]> {
  const limit = opts.limit ?? 10;
  const roots = harnessRoots(opts.home);
  const found: Candidate[] = [];
  if (opts.harness !== 'codex') found.push(...(await claudeSessions(roots.claude)));
  if (opts.harness !== 'claude-code') found.push(...(await codexSessions(roots.codex)));
  found.sort((a, b) => b.mtimeMs - a.mtimeMs);
  const project = opts.project ? path.resolve(opts.project) : undefined;
  const out: TranscriptSummary[] = [];
  for (const c of found) {
    if (out.length >= limit) break;
    opts.signal?.throwIfAborted();
    const s = await summarize(c);
    if (!s) continue;
    if (project && !inProject(s, c, project)) continue;
    if (opts.skill && !s.skillsLoaded.includes(opts.skill)) continue;
    out.push(s);
  }
  return out;
}

function harnessRoots(home: string | undefined): { claude: string; codex: string } {
  if (home) return { claude: path.join(home, '.claude'), codex: path.join(home, '.codex') };
  const h = os.homedir();
  return { claude: process.env.CLAUDE_CONFIG_DIR || path.join(h, '.claude'), codex: process.env.CODEX_HOME || path.join(h, '.codex') };
}

async function claudeSessions(root: string): Promise<Candidate[]> {
  const projects = path.join(root, 'projects');
  const out: Candidate[] = [];
  for (const dir of await listDir(projects)) {
    for (const name of await listDir(path.join(projects, dir))) {
      if (name.endsWith('.jsonl')) await pushFile(out, path.join(projects, dir, name), 'claude-code');
    }
  }
  return out;
}

async function codexSessions(root: string): Promise<Candidate[]> {
  const sessions = path.join(root, 'sessions');
  const out: Candidate[] = [];
  let names: string[] = [];
  try {
    names = await fsp.readdir(sessions, { recursive: true });
  } catch {
    return out;
  }
  for (const rel of names) {
    const base = path.basename(rel);
    if (base.startsWith('rollout-') && base.endsWith('.jsonl')) await pushFile(out, path.join(sessions, rel), 'codex');
  }
  return out;
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return await fsp.readdir(dir);
  } catch {
    return [];
  }
}

async function pushFile(out: Candidate[], file: string, harness: DiscoverableHarness): Promise<void> {
  const st = await fsp.lstat(file).catch(() => undefined);
  if (st?.isFile()) out.push({ path: file, harness, mtimeMs: st.mtimeMs, size: st.size });
}

/** Runs the harness's own parser over the head of the file (its last, possibly cut, line dropped). */
async function summarize(c: Candidate): Promise<TranscriptSummary | undefined> {
  const def: FormatDef = c.harness === 'claude-code' ? claudeCodeSession : codexRollout;
  let head: string;
  try {
    const fh = await fsp.open(c.path, 'r');
    try {
      const buf = Buffer.alloc(Math.min(DISCOVERY_HEAD_BYTES, c.size));
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      head = buf.subarray(0, bytesRead).toString('utf8');
    } finally {
      await fh.close();
    }
  } catch {
    return undefined; // vanished or unreadable since it was listed
  }
  const lines = head.replace(/^\uFEFF/, '').split('\n');
  if (c.size > DISCOVERY_HEAD_BYTES) lines.pop();
  const b = new TranscriptBuilder(def.format);
  const reader = def.lines!.open(b);
  for (const line of lines) {
    const item = parseObjectLine(line.trim());
    if (item.kind === 'object') reader.line(item.value);
  }
  reader.end?.();
  const t = b.build(c.path);
  const s: TranscriptSummary = { path: c.path, harness: c.harness, modifiedAt: new Date(c.mtimeMs).toISOString(), sizeBytes: c.size, skillsLoaded: t.skillsLoaded };
  if (t.sessionId) s.sessionId = t.sessionId;
  if (t.cwd) s.project = t.cwd;
  if (t.taskPrompt) s.firstPrompt = shorten(t.taskPrompt, FIRST_PROMPT_MAX);
  return s;
}

function inProject(s: TranscriptSummary, c: Candidate, project: string): boolean {
  if (s.project) {
    const rel = path.relative(project, path.resolve(s.project));
    return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
  }
  // No cwd line in the head: Claude Code's folder name is the cwd with every non-alphanumeric as "-".
  return c.harness === 'claude-code' && path.basename(path.dirname(c.path)) === project.replace(/[^A-Za-z0-9]/g, '-');
}
