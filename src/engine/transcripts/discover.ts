import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { shorten } from '../util/shorten.js';
import { TranscriptBuilder } from './builder.js';
import type { FormatDef } from './format.js';
import { headLines, parseObjectLine, textLines } from './lines.js';
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
  /** Only sessions that loaded this skill (anywhere in the session, not only in the head). */
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
    if (opts.skill && !s.skillsLoaded.includes(opts.skill)) {
      if (c.size <= DISCOVERY_HEAD_BYTES || !(await loadsSkillAnywhere(c, opts.skill, opts.signal))) continue;
      s.skillsLoaded = [...s.skillsLoaded, opts.skill];
    }
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

/**
 * Whether a skill load appears anywhere in the session, for the skill filter when the head did
 * not show one (a skill loaded late in a long session). Streams the file and parses only the
 * lines that mention the skill's name, each on its own: every load signal lives on one line.
 */
async function loadsSkillAnywhere(c: Candidate, skill: string, signal: AbortSignal | undefined): Promise<boolean> {
  if (!(await fileMentions(c.path, skill, signal))) return false;
  const b = new TranscriptBuilder(formatOf(c).format);
  const reader = formatOf(c).lines!.open(b);
  for await (const line of textLines(c.path, signal)) {
    if (!line.includes(skill)) continue;
    const item = parseObjectLine(line);
    if (item.kind !== 'object') continue;
    reader.line(item.value);
    if (b.hasSkill(skill)) return true;
  }
  return false;
}

/** A byte search over the whole file in 1 MB chunks: most sessions never name the skill and need no parsing. */
async function fileMentions(file: string, text: string, signal: AbortSignal | undefined): Promise<boolean> {
  const READ = 1024 * 1024;
  const needle = Buffer.from(text);
  const chunk = Buffer.alloc(READ + needle.length);
  const fh = await fsp.open(file, 'r');
  try {
    let carry = 0;
    for (let pos = 0; ; ) {
      signal?.throwIfAborted();
      const { bytesRead } = await fh.read(chunk, carry, READ, pos);
      if (bytesRead === 0) return false;
      const filled = carry + bytesRead;
      if (chunk.subarray(0, filled).includes(needle)) return true;
      pos += bytesRead;
      // Keep the tail, so a match split across two reads is still found.
      carry = Math.min(needle.length - 1, filled);
      chunk.copy(chunk, 0, filled - carry, filled);
    }
  } finally {
    await fh.close();
  }
}

function formatOf(c: Candidate): FormatDef {
  return c.harness === 'claude-code' ? claudeCodeSession : codexRollout;
}

/** Runs the harness's own parser over the head of the file (its last, possibly cut, line dropped). */
async function summarize(c: Candidate): Promise<TranscriptSummary | undefined> {
  const def = formatOf(c);
  let lines: string[];
  try {
    lines = await headLines(c.path, DISCOVERY_HEAD_BYTES);
  } catch {
    return undefined; // vanished or unreadable since it was listed
  }
  const b = new TranscriptBuilder(def.format);
  const reader = def.lines!.open(b);
  for (const line of lines) {
    const item = parseObjectLine(line);
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
