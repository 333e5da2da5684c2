import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { AgentStep, RunResult } from '../agent/types.js';
import type { LlmJudgeCriterion } from '../tasks/criteria.js';
import type { JudgeInputs } from './types.js';

/**
 * What an LLM judge sees (spec runtime §3.3): the agent's trace, its final output and the text
 * files it left in the work dir. Captured once, at run time, so the deferred judge sees exactly
 * what a synchronous judge would have.
 */

export const TRACE_INPUT_CHARS = 500;
export const TRACE_OUTPUT_CHARS = 1000;
export const FILE_CHARS = 10_000;
export const FILES_TOTAL_CHARS = 30_000;

/** Harness injections, never the agent's work. */
export const JUDGE_SKIP_NAMES: ReadonlySet<string> = new Set(['SOUL.md', 'BOOTSTRAP.md', 'USER.md', 'IDENTITY.md', 'HEARTBEAT.md', 'TOOLS.md', 'AGENTS.md']);
export const JUDGE_SKIP_TOP_DIRS: ReadonlySet<string> = new Set(['.git', '.openclaw', 'skills', 'node_modules']);
export const JUDGE_BINARY_EXTENSIONS: ReadonlySet<string> = new Set(['.png', '.jpg', '.jpeg', '.gif', '.pdf', '.zip', '.tar', '.gz', '.bin', '.exe', '.wasm']);

/** Files bigger than this are read only in part (the judge sees at most FILE_CHARS of them anyway). */
const FULL_READ_BYTES = 4 * 1024 * 1024;

export async function collectJudgeInputs(runResult: RunResult, workDir: string): Promise<JudgeInputs> {
  return {
    trace: formatTrace(runResult.steps),
    finalOutput: runResult.text ?? '',
    workDirFiles: await collectWorkDirFiles(workDir),
  };
}

export function formatTrace(steps: readonly AgentStep[]): string {
  const blocks = steps.map((step, i) => {
    const lines = [`Step ${i + 1} (${step.role}):`];
    if (step.text) lines.push(step.text);
    for (const call of step.toolCalls ?? []) {
      let input: string;
      try {
        input = JSON.stringify(call.input ?? {}) ?? '';
      } catch {
        input = String(call.input);
      }
      lines.push(`  Tool: ${call.name}(${input.slice(0, TRACE_INPUT_CHARS)})`);
      if (call.output !== undefined) lines.push(`  Output: ${call.output.slice(0, TRACE_OUTPUT_CHARS)}`);
    }
    return lines.join('\n');
  });
  return blocks.join('\n\n');
}

/** Text files of the work dir as `### <rel>` + fenced content, with the skip rules and size limits. */
export async function collectWorkDirFiles(workDir: string): Promise<string> {
  const files = await listJudgeFiles(workDir);
  const parts: string[] = [];
  let total = 0;
  let omitted = 0;
  for (const rel of files) {
    if (total >= FILES_TOTAL_CHARS) {
      omitted++;
      continue;
    }
    const text = await readText(path.join(workDir, rel));
    if (text === undefined) continue;
    let body = text.content;
    if (text.totalChars > FILE_CHARS || text.partial) {
      body = `${body.slice(0, FILE_CHARS)}\n... (truncated, ${text.totalChars} total ${text.partial ? 'bytes' : 'chars'})`;
    }
    const fence = fenceFor(body);
    parts.push(`### ${rel}\n${fence}\n${body}\n${fence}`);
    total += body.length;
  }
  if (omitted > 0) parts.push(`(${omitted} more file${omitted === 1 ? '' : 's'} not shown: size limit reached)`);
  return parts.join('\n\n');
}

/** Relative `/` paths of the files the judge may see, sorted. Symlinks are never followed. */
export async function listJudgeFiles(workDir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string, rel: string): Promise<void> => {
    let entries;
    try {
      entries = await fsp.readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.name.startsWith('.')) continue;
      if (e.isDirectory()) {
        if (!rel && JUDGE_SKIP_TOP_DIRS.has(e.name)) continue;
        await walk(path.join(dir, e.name), r);
      } else if (e.isFile()) {
        if (JUDGE_SKIP_NAMES.has(e.name)) continue;
        if (JUDGE_BINARY_EXTENSIONS.has(path.extname(e.name).toLowerCase())) continue;
        out.push(r);
      }
    }
  };
  await walk(workDir, '');
  return out;
}

async function readText(file: string): Promise<{ content: string; totalChars: number; partial: boolean } | undefined> {
  try {
    const st = await fsp.stat(file);
    if (st.size <= FULL_READ_BYTES) {
      const buf = await fsp.readFile(file);
      if (buf.includes(0)) return undefined;
      const content = buf.toString('utf8');
      return { content, totalChars: content.length, partial: false };
    }
    const handle = await fsp.open(file, 'r');
    try {
      const buf = Buffer.alloc(FILE_CHARS * 4);
      const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
      const head = buf.subarray(0, bytesRead);
      if (head.includes(0)) return undefined;
      return { content: head.toString('utf8'), totalChars: st.size, partial: true };
    } finally {
      await handle.close();
    }
  } catch {
    return undefined;
  }
}

function fenceFor(body: string): string {
  let fence = '```';
  while (body.includes(fence)) fence += '`';
  return fence;
}

/** A record rubric becomes `Score <k>: <description>` lines, highest numeric key first. */
export function renderRubric(rubric: LlmJudgeCriterion['rubric']): string {
  if (typeof rubric === 'string') return rubric;
  const entries = Object.entries(rubric);
  const num = (k: string): number => {
    const n = Number(k);
    return Number.isFinite(n) ? n : Number.NEGATIVE_INFINITY;
  };
  return entries
    .map((e, i) => ({ e, i }))
    .sort((a, b) => num(b.e[0]) - num(a.e[0]) || a.i - b.i)
    .map(({ e: [k, v] }) => `Score ${k}: ${v}`)
    .join('\n');
}
