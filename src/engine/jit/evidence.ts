import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { AgentStep } from '../agent/types.js';
import { evidenceRunScore } from '../eval/scoring.js';
import { fixturePathProblem } from '../tasks/load.js';
import { writeFileAtomic, writeJsonAtomic } from '../util/fs.js';
import { mean } from '../util/mean.js';
import type { ConversationLogEntry, Evidence, EvidenceCriterion } from './types.js';

/**
 * Evidence bookkeeping for jit-optimize (spec runtime §5.4): taint, run and round scores, pass
 * totals, the work-dir snapshot, safe task ids and the durable evidence records. The criteria
 * themselves come from the graders via eval/scoring's buildEvidenceCriteria (the §5.4 weighting).
 */

export { buildEvidenceCriteria } from '../eval/scoring.js';

/** An evidence is infra-tainted when any criterion carries an infraError. */
export function isTainted(e: Pick<Evidence, 'criteria'>): boolean {
  return (e.criteria ?? []).some((c) => c.infraError !== undefined);
}

/** Σ score·(w/Σw) over the criteria without infraError; null when there are none. */
export function runScore(e: Pick<Evidence, 'criteria'>): number | null {
  return evidenceRunScore(e.criteria ?? []);
}

export interface EvidenceScores {
  /** Mean of the per-task means (each task weighs the same); null when no task had a clean run. */
  aggregate: number | null;
  /** Per task: mean over its clean runs with a score. Tasks without one are left out. */
  perTask: Record<string, number>;
}

export function scoreEvidences(evidences: readonly Evidence[]): EvidenceScores {
  const byTask = new Map<string, number[]>();
  for (const e of evidences) {
    if (!byTask.has(e.taskId)) byTask.set(e.taskId, []);
    if (isTainted(e)) continue;
    const s = runScore(e);
    if (s !== null) byTask.get(e.taskId)!.push(s);
  }
  const perTask: Record<string, number> = {};
  for (const [task, scores] of byTask) {
    const m = mean(scores);
    if (m !== null) perTask[task] = m;
  }
  return { aggregate: mean(Object.values(perTask)), perTask };
}

/** Clean evidences with criteria count; one passes when every criterion passed. */
export function passTotals(evidences: readonly Evidence[]): { passed: number; total: number } {
  let passed = 0;
  let total = 0;
  for (const e of evidences) {
    if (isTainted(e) || !e.criteria || e.criteria.length === 0) continue;
    total++;
    if (e.criteria.every((c) => c.passed)) passed++;
  }
  return { passed, total };
}

/** The one criterion of a run that was not evaluated (runStatus ≠ ok, or a thrown error). */
export function runtimeErrorCriterion(details: string, infraError?: string): EvidenceCriterion {
  return { id: 'runtime-error', name: 'runtime-error', method: 'custom', weight: 1, score: 0, passed: false, details, ...(infraError !== undefined ? { infraError } : {}) };
}

/** A run's conversation as evidence entries: the task prompt, then one entry per step. */
export function conversationFromSteps(prompt: string, steps: readonly AgentStep[], startedAt: number): ConversationLogEntry[] {
  const entries: ConversationLogEntry[] = [{ type: 'request', ts: new Date(startedAt).toISOString(), text: prompt }];
  for (const s of steps) {
    const entry: ConversationLogEntry = { type: s.role === 'assistant' ? 'response' : 'tool', ts: new Date(s.timestamp).toISOString() };
    if (s.text !== undefined) entry.text = s.text;
    if (s.toolCalls.length > 0) {
      entry.toolCalls = s.toolCalls.map((c) => ({ id: c.id, name: c.name, arguments: c.input, ...(c.output !== undefined ? { output: c.output } : {}), ...(c.exitCode !== undefined ? { exitCode: c.exitCode } : {}) }));
    }
    entries.push(entry);
  }
  return entries;
}

// ---------------------------------------------------------------------------------------------
// Work-dir snapshot

const BINARY_EXTENSIONS = new Set(['png', 'jpg', 'jpeg', 'gif', 'zip', 'tar', 'gz', 'bin', 'exe', 'pdf', 'wasm']);
export const SNAPSHOT_FILE_MAX_BYTES = 64 * 1024;
export const SNAPSHOT_TOTAL_MAX_BYTES = 512 * 1024;

/**
 * The text files an agent left: recursive, skipping dot-segments, binary extensions and files over
 * 64 KB, stopping once 512 KB are captured. Symlinks are not followed (a snapshot never reads
 * outside the work dir).
 */
export async function snapshotWorkDir(root: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  let total = 0;
  const walk = async (dir: string, rel: string): Promise<boolean> => {
    const entries = (await fsp.readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
    for (const ent of entries) {
      if (ent.name.startsWith('.')) continue;
      const r = rel ? `${rel}/${ent.name}` : ent.name;
      const abs = path.join(dir, ent.name);
      if (ent.isDirectory()) {
        if (!(await walk(abs, r))) return false;
        continue;
      }
      if (!ent.isFile()) continue;
      const ext = path.extname(ent.name).slice(1).toLowerCase();
      if (BINARY_EXTENSIONS.has(ext)) continue;
      const st = await fsp.stat(abs);
      if (st.size > SNAPSHOT_FILE_MAX_BYTES) continue;
      if (total + st.size > SNAPSHOT_TOTAL_MAX_BYTES) return false;
      files.set(r, await fsp.readFile(abs, 'utf8'));
      total += st.size;
    }
    return true;
  };
  await walk(root, '');
  return files;
}

// ---------------------------------------------------------------------------------------------
// Safe task ids and durable records

/**
 * File-system-safe names for task ids (§5.4): characters outside [A-Za-z0-9._-] become `-`,
 * runs collapsed, ends trimmed; empty or dots-only ⇒ `unnamed-task`; case-insensitive
 * collisions get `-2`, `-3`… in order of appearance. Returns id → safe id.
 */
export function safeTaskIds(ids: Iterable<string>): Map<string, string> {
  const out = new Map<string, string>();
  const taken = new Set<string>();
  for (const id of ids) {
    if (out.has(id)) continue;
    let base = id.replace(/[^A-Za-z0-9._-]/g, '-').replace(/-+/g, '-').replace(/^-+|-+$/g, '');
    if (base === '' || /^\.+$/.test(base)) base = 'unnamed-task';
    let name = base;
    for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${base}-${n}`;
    taken.add(name.toLowerCase());
    out.set(id, name);
  }
  return out;
}

/** `<proposal>/<roundLabel>-evidence/<train|test>/<safeTaskId>-run<k>/` */
export function evidenceRecordDir(proposalDir: string, roundLabel: string, split: 'train' | 'test', safeTaskId: string, runIdx: number): string {
  return path.join(proposalDir, `${roundLabel}-evidence`, split, `${safeTaskId}-run${runIdx}`);
}

/** Writes evidence.json (sidecar without log and snapshot), conversation.jsonl and workdir/. */
export async function writeEvidenceRecord(dir: string, e: Evidence): Promise<void> {
  await fsp.mkdir(dir, { recursive: true });
  const sidecar = { taskId: e.taskId, taskPrompt: e.taskPrompt, ...(e.criteria ? { criteria: e.criteria } : {}), ...(e.runMeta ? { runMeta: e.runMeta } : {}) };
  await writeJsonAtomic(path.join(dir, 'evidence.json'), sidecar);
  await writeFileAtomic(path.join(dir, 'conversation.jsonl'), e.conversationLog.map((l) => JSON.stringify(l)).join('\n') + (e.conversationLog.length ? '\n' : ''), undefined, { sync: false });
  for (const [rel, content] of e.workDirSnapshot?.files ?? []) {
    if (fixturePathProblem(rel) !== undefined) continue; // snapshots may come from transcripts
    const target = path.join(dir, 'workdir', rel);
    await fsp.mkdir(path.dirname(target), { recursive: true });
    await fsp.writeFile(target, content);
  }
}
