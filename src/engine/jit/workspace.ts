import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { copyContained, walkContained } from '../skills/walk.js';
import { fixturePathProblem } from '../tasks/load.js';
import { mean } from '../util/mean.js';
import { isTainted, runScore, safeTaskIds, SNAPSHOT_FILE_MAX_BYTES, SNAPSHOT_TOTAL_MAX_BYTES } from './evidence.js';
import type { Evidence, EvidenceCriterion, HistoryEntry } from './types.js';
import { jsonFileText } from '../util/fs.js';

/**
 * The optimizer's workspace (spec runtime §5.5): a copy of the skill plus `.optimize/`, the
 * task-first evidence layout the optimizer prompt points at. File names are the reference's
 * (MUST compat: people and the reference's tools read them). Also the workspace-vs-skill diff.
 */

export const OPTIMIZE_DIR = '.optimize';
export const SUBMISSION_FILE = 'submission.json';

/** Kept from the optimizer (the reference's workspace copy leaves them out) and never part of the diff. */
const HIDDEN_FILES = new Set(['LICENSE.txt', '_meta.json']);
const SKIPPED_NAMES = new Set([...HIDDEN_FILES, '.git', '.DS_Store']);
const MAX_SKILL_FILES = 5000;
/** Conversation entries rendered per run: all up to 400, else the first 240 and the last 160. */
const LOG_ALL = 400;
const LOG_HEAD = 240;
const LOG_TAIL = 160;
const INLINE_FILE_CHARS = 4000;

/** Copies a skill folder (symlinks followed only inside it) without LICENSE.txt, _meta.json, .git, .DS_Store. */
export function copySkillTree(from: string, to: string): Promise<string[]> {
  return copyContained(from, to, { maxFiles: MAX_SKILL_FILES, skip: (_rel, name) => SKIPPED_NAMES.has(name) || name === OPTIMIZE_DIR, addMode: 0o200 });
}

/**
 * Puts the skill's LICENSE.txt and _meta.json back into an edited workspace before it becomes a
 * round: the optimizer never saw them, and a round without them would read as deleting them when
 * the proposal is accepted (accept applies deletions).
 */
export async function restoreHiddenFiles(from: string, to: string): Promise<void> {
  const walked = await walkContained(from, { maxFiles: MAX_SKILL_FILES, skip: (_rel, name) => name === '.git' || name === OPTIMIZE_DIR });
  for (const f of walked.files) {
    if (!HIDDEN_FILES.has(path.posix.basename(f.rel))) continue;
    const target = path.join(to, f.rel);
    await fsp.mkdir(path.dirname(target), { recursive: true });
    await fsp.rm(target, { force: true, recursive: true });
    await fsp.copyFile(f.source, target);
  }
}

// ---------------------------------------------------------------------------------------------
// Diff

export interface WorkspaceDiff {
  added: string[];
  modified: string[];
  removed: string[];
}

/** Files of a skill tree for the diff: dot-entries, LICENSE.txt and _meta.json are not part of it. */
async function diffableFiles(root: string): Promise<Map<string, string>> {
  const walked = await walkContained(root, { maxFiles: MAX_SKILL_FILES, skip: (_rel, name) => name.startsWith('.') || SKIPPED_NAMES.has(name) });
  return new Map(walked.files.map((f) => [f.rel, f.source]));
}

export async function diffSkillTrees(before: string, after: string): Promise<WorkspaceDiff & { changed: boolean }> {
  const a = await diffableFiles(before);
  const b = await diffableFiles(after);
  const added: string[] = [];
  const modified: string[] = [];
  const removed = [...a.keys()].filter((rel) => !b.has(rel));
  for (const [rel, src] of b) {
    const old = a.get(rel);
    if (old === undefined) added.push(rel);
    else if (!(await fsp.readFile(old)).equals(await fsp.readFile(src))) modified.push(rel);
  }
  return { added, modified, removed, changed: added.length + modified.length + removed.length > 0 };
}

// ---------------------------------------------------------------------------------------------
// .optimize/ rendering

/** UNSCORED (ours): runs without any criteria, e.g. a transcript with no outcome — the conversation is the evidence. */
type TaskStatus = 'PASSING' | 'MARGINAL' | 'FAILING' | 'TAINTED' | 'UNSCORED';

interface TaskGroup {
  taskId: string;
  safeId: string;
  /** Global evidence indices, in order. */
  indices: number[];
  mean: number | null;
  status: TaskStatus;
  worst: { label: string; score: number } | null;
}

function statusOf(m: number | null): TaskStatus {
  if (m === null) return 'TAINTED';
  if (m >= 0.9) return 'PASSING';
  if (m < 0.5) return 'FAILING';
  return 'MARGINAL';
}

const label = (c: EvidenceCriterion) => c.name ?? c.id;
const fmt = (x: number | null) => (x === null ? 'n/a' : x.toFixed(3));

function groupTasks(evidences: readonly Evidence[]): TaskGroup[] {
  const safe = safeTaskIds(evidences.map((e) => e.taskId));
  const groups = new Map<string, TaskGroup>();
  evidences.forEach((e, i) => {
    let g = groups.get(e.taskId);
    if (!g) groups.set(e.taskId, (g = { taskId: e.taskId, safeId: safe.get(e.taskId)!, indices: [], mean: null, status: 'TAINTED', worst: null }));
    g.indices.push(i);
  });
  for (const g of groups.values()) {
    const clean = g.indices.map((i) => evidences[i]!).filter((e) => !isTainted(e) && runScore(e) !== null);
    g.mean = mean(clean.map((e) => runScore(e)!));
    const runs = g.indices.map((i) => evidences[i]!);
    g.status = g.mean === null && runs.every((e) => !isTainted(e) && (e.criteria ?? []).length === 0) ? 'UNSCORED' : statusOf(g.mean);
    for (const c of clean.flatMap((e) => e.criteria ?? [])) if (!g.worst || c.score < g.worst.score) g.worst = { label: label(c), score: c.score };
  }
  // Worst first; tainted tasks last.
  return [...groups.values()].sort((a, b) => (a.mean ?? Number.POSITIVE_INFINITY) - (b.mean ?? Number.POSITIVE_INFINITY));
}

function perTaskSummary(groups: readonly TaskGroup[], evidences: readonly Evidence[]): string {
  const rows = groups.map((g) => `| ${g.status} | ${g.taskId} | ${g.indices.length} | ${fmt(g.mean)} | tasks/${g.safeId}/ | ${g.worst ? `${g.worst.label} (${g.worst.score.toFixed(2)})` : '-'} | ${g.indices.join(', ')} |`);
  return [
    '# Per-task summary',
    '',
    `${groups.length} task(s), ${evidences.length} run(s), worst first. PASSING = mean ≥ 0.9, FAILING = mean < 0.5, MARGINAL in between, TAINTED = no run could be scored (infrastructure problem), UNSCORED = no criteria recorded (read the conversation to judge what went wrong).`,
    '',
    '| Status | Task ID | Runs | Mean | Dir | Worst Criterion | Evidence Indices |',
    '|---|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

function readme(groups: readonly TaskGroup[], evidences: readonly Evidence[], historyCount: number): string {
  const count = (s: TaskStatus) => groups.filter((g) => g.status === s).length;
  return [
    '# Optimization workspace',
    '',
    'The folder above this one is the skill. Edit it in place: the files you leave there are your proposal.',
    '',
    '## Where things are',
    '- `PER_TASK_SUMMARY.md` — one row per task, worst first. Start there.',
    '- UNSCORED tasks have no grader results: their conversations show what went wrong.',
    '- `tasks/<task>/summary.md` — that task\'s runs and scores.',
    '- `tasks/<task>/run-<n>.md` — one run: the criteria (failed first), run metadata, the conversation, the files the agent left.',
    '- `tasks/<task>/run-<n>.json` — the same run as data; `run-<n>-workdir/` — the files themselves.',
    historyCount > 0 ? '- `history.md` / `history.json` — what earlier rounds changed and whether it helped.' : '- No earlier rounds yet.',
    '- `submission.template.json` — the three shapes `submission.json` can take.',
    '',
    `## Counts\n${evidences.length} run(s) of ${groups.length} task(s): ${count('FAILING')} FAILING, ${count('MARGINAL')} MARGINAL, ${count('PASSING')} PASSING, ${count('TAINTED')} TAINTED, ${count('UNSCORED')} UNSCORED.`,
    '',
    '## Rules',
    '1. Generalize: change the skill so a whole class of tasks goes better, never so that one task\'s answer is written into it.',
    '2. No trade-offs: a change that helps a failing task must not make a passing task worse.',
    '3. Keep the skill\'s scope: do not turn it into a different skill.',
    '4. Stay concise: rewrite the section that misled the agent rather than appending new ones.',
    '5. Diagnose first: name the cause of a failure in the skill before editing anything.',
    '6. If the skill is already right and failures come from the agent or the task, write `{"noChanges": true, ...}`.',
    '7. If runs failed for infrastructure reasons (missing tools, provider errors, timeouts unrelated to the skill), write `{"infraBlocked": true, "blockedEvidenceIds": [...], "blockedReason": "..."}` and change nothing.',
    '8. Never edit anything under `.optimize/` except `submission.json`.',
    '',
  ].join('\n');
}

const SUBMISSION_TEMPLATE = {
  _comment: 'Write exactly one of these shapes to .optimize/submission.json (without the _shape keys).',
  _shape_1_edit: {
    rootCause: 'What in the skill caused the failures, and why.',
    reasoning: 'Why the edit fixes that class of failure without hurting passing tasks.',
    confidence: 0.7,
    changedFiles: ['SKILL.md'],
    changes: [{ file: 'SKILL.md', section: 'Steps', description: 'What changed.', generality: 'Another task that benefits, and why.', linesDelta: 3 }],
  },
  _shape_2_no_changes: { noChanges: true, rootCause: 'Why the skill is not at fault.', reasoning: 'What the failures come from instead.', confidence: 0.8 },
  _shape_3_infra_blocked: { infraBlocked: true, blockedEvidenceIds: ['0', '2'], blockedReason: 'What infrastructure problem made these runs useless.' },
};

function renderLog(entries: readonly unknown[]): string {
  const block = (e: unknown) => '```json\n' + JSON.stringify(e, null, 2) + '\n```';
  if (entries.length <= LOG_ALL) return entries.map(block).join('\n\n');
  return [...entries.slice(0, LOG_HEAD).map(block), `… ${entries.length - LOG_HEAD - LOG_TAIL} entries left out …`, ...entries.slice(-LOG_TAIL).map(block)].join('\n\n');
}

function runMarkdown(e: Evidence, index: number, g: TaskGroup, runNo: number): string {
  const lines = [`# ${g.taskId} — run ${runNo}`, '', `Evidence Index: ${index}`, `Task status: ${g.status} (mean ${fmt(g.mean)})`, '', '## Task prompt', '', e.taskPrompt, '', '## Criteria', ''];
  const criteria = [...(e.criteria ?? [])].sort((a, b) => Number(a.passed) - Number(b.passed) || b.weight - a.weight);
  if (criteria.length === 0) lines.push('(no criteria recorded)', '');
  for (const c of criteria) {
    lines.push(`### ${c.passed ? '✓' : '✗'} ${label(c)} — ${c.score.toFixed(2)} (weight ${c.weight.toFixed(2)})`, `- id: ${c.id}`, `- method: ${c.method}`);
    if (c.description) lines.push(`- what it tests: ${c.description}`);
    if (c.details) lines.push(`- why below max: ${c.details}`);
    if (c.infraError) lines.push(`- INFRA ERROR: ${c.infraError}`);
    lines.push('');
  }
  lines.push('## Run Metadata', '');
  const m = e.runMeta;
  if (!m) lines.push('(none: the run did not complete)');
  else {
    lines.push(`runStatus: ${m.runStatus ?? 'ok'}`);
    if (m.runStatus && m.runStatus !== 'ok') lines.push(`NOTE: the run ended with ${m.runStatus}${m.statusDetail ? ` (${m.statusDetail})` : ''}; it was not evaluated.`);
    lines.push(`duration: ${m.durationMs} ms`, `tokens: ${m.tokens.input} in, ${m.tokens.output} out`);
    if (m.skillLoaded === false) lines.push('WARNING: skill was not loaded');
    if (m.adapterError) lines.push(`adapter error: exit ${m.adapterError.exitCode}: ${m.adapterError.stderr.slice(0, 2000)}`, ...(m.adapterError.diagnosis ? [`diagnosis: ${m.adapterError.diagnosis.summary}`] : []));
  }
  lines.push('', `## Conversation (${e.conversationLog.length} entries)`, '', renderLog(e.conversationLog), '', '## Work directory', '');
  const files = [...(e.workDirSnapshot?.files ?? new Map<string, string>())];
  if (files.length === 0) lines.push('(no files captured)');
  for (const [rel, content] of files) {
    lines.push(`### ${rel}`, '');
    lines.push(content.length <= INLINE_FILE_CHARS ? '```\n' + content + '\n```' : `(${content.length} characters: see run-${runNo}-workdir/${rel})`, '');
  }
  return lines.join('\n') + '\n';
}

function taskSummary(g: TaskGroup, evidences: readonly Evidence[]): string {
  const rows = g.indices.map((i, k) => {
    const e = evidences[i]!;
    const s = runScore(e);
    return `| ${k} | ${i} | ${fmt(isTainted(e) ? null : s)} | ${isTainted(e) ? 'INFRA-TAINTED' : s === null ? 'no-data' : 'scored'} |`;
  });
  return [`# ${g.taskId}`, '', `Status: ${g.status}`, `Runs: ${g.indices.length}`, `Mean: ${fmt(g.mean)}`, `Worst criterion: ${g.worst ? `${g.worst.label} (${g.worst.score.toFixed(2)})` : '-'}`, '', '| Local | Evidence Index | Score | Status |', '|---|---|---|---|', ...rows, ''].join('\n');
}

export function historyMarkdown(history: readonly HistoryEntry[]): string {
  const out = ['# Optimization history', ''];
  for (const h of history) {
    const verdict = h.improved === null ? 'pending' : h.improved ? 'IMPROVED' : 'did NOT improve';
    const net = h.changes.reduce((s, c) => s + (c.linesDelta ?? 0), 0);
    out.push(`## Round ${h.round} — ${verdict}`, '', ...(h.basedOnRound !== undefined ? [`edited round ${h.basedOnRound}'s skill`] : []), `confidence: ${h.confidence}; train ${fmt(h.trainScore)}; test ${fmt(h.testScore)}`);
    if (h.infraBlocked) out.push(`INFRA-BLOCKED: ${h.blockedReason ?? ''} (evidence ${(h.blockedEvidenceIds ?? []).join(', ')})`);
    out.push(`root cause: ${h.rootCause || '(none given)'}`, `changed files: ${h.changedFiles.join(', ') || '(none)'}; net line delta ${net >= 0 ? '+' : ''}${net}`);
    for (const c of h.changes) out.push(`- ${c.file}${c.section ? ` § ${c.section}` : ''}: ${c.description}${c.generality ? ` (generality: ${c.generality})` : ''}`);
    out.push('', `reasoning: ${h.reasoning || '(none given)'}`, '');
  }
  return out.join('\n');
}

/** Scratch files of a throw-away workspace: no fsync or atomic rename needed. */
const writeJson = (file: string, value: unknown) => fsp.writeFile(file, jsonFileText(value));

/** Writes `<workspace>/.optimize/` for these evidences (flat indices = positions in the array) and history. */
export async function writeOptimizeDir(workspace: string, evidences: readonly Evidence[], history: readonly HistoryEntry[]): Promise<void> {
  const dir = path.join(workspace, OPTIMIZE_DIR);
  await fsp.mkdir(dir, { recursive: true });
  const groups = groupTasks(evidences);
  await fsp.writeFile(path.join(dir, 'README.md'), readme(groups, evidences, history.length));
  await fsp.writeFile(path.join(dir, 'PER_TASK_SUMMARY.md'), perTaskSummary(groups, evidences));
  await writeJson(path.join(dir, 'submission.template.json'), SUBMISSION_TEMPLATE);
  for (const g of groups) {
    const tdir = path.join(dir, 'tasks', g.safeId);
    await fsp.mkdir(tdir, { recursive: true });
    await fsp.writeFile(path.join(tdir, 'summary.md'), taskSummary(g, evidences));
    for (const [k, i] of g.indices.entries()) {
      const e = evidences[i]!;
      const files = e.workDirSnapshot?.files ?? new Map<string, string>();
      await writeJson(path.join(tdir, `run-${k}.json`), {
        taskId: e.taskId,
        taskPrompt: e.taskPrompt,
        criteria: e.criteria ?? null,
        runMeta: e.runMeta ?? null,
        conversationLogEntries: e.conversationLog.length,
        workDirFileCount: files.size,
        conversationLog: e.conversationLog,
      });
      await fsp.writeFile(path.join(tdir, `run-${k}.md`), runMarkdown(e, i, g, k));
      let total = 0;
      for (const [rel, content] of files) {
        const size = Buffer.byteLength(content);
        if (size > SNAPSHOT_FILE_MAX_BYTES || fixturePathProblem(rel) !== undefined) continue;
        if ((total += size) > SNAPSHOT_TOTAL_MAX_BYTES) break;
        const target = path.join(tdir, `run-${k}-workdir`, rel);
        await fsp.mkdir(path.dirname(target), { recursive: true });
        await fsp.writeFile(target, content);
      }
    }
  }
  if (history.length > 0) {
    await writeJson(path.join(dir, 'history.json'), history);
    await fsp.writeFile(path.join(dir, 'history.md'), historyMarkdown(history));
  }
}
