import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { AdapterError, AgentStep, ToolCallRecord } from '../agent/types.js';
import type { FailureReport } from '../profiles/schema.js';

/**
 * Failure diagnostics (spec §2.8, MUST compat): the FailureReport element of
 * failure-reports.json, the enriched details string stored in the TCP's `failureDetails`, the
 * one-line console hint and the log block.
 *
 * Steps: the bare agent records an assistant step (the calls it asked for) followed by a tool
 * step (the same calls with outputs and exit codes). A report step is one assistant turn with
 * its calls merged with their results, like the reference adapters' steps; a tool step whose
 * calls match no assistant call (a runtime hook answered) is kept as its own step.
 */

export const STEP_TEXT_MAX = 500;
export const TOOL_INPUT_MAX = 300;
export const TOOL_OUTPUT_MAX = 500;
export const ERROR_OUTPUT_MAX = 200;
/** Files the runner itself writes into the work dir, never counted as the agent's changes. */
const RUNNER_FILES = new Set(['response.txt']);

export type FileChanges = {
  created: string[];
  modified: string[];
  deleted: string[];
};

export type ReportStep = {
  index: number;
  role: string;
  text?: string;
  toolCalls: Array<{ name: string; input: string; output?: string; exitCode?: number }>;
};

export type ToolCallSummary = {
  totalCalls: number;
  byTool: Record<string, number>;
  errors: Array<{ step: number; tool: string; exitCode: number; output?: string }>;
};

function cut(s: string, n: number): string {
  return s.length > n ? s.slice(0, n) : s;
}

function inputText(input: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(input) ?? '';
  } catch {
    s = String(input);
  }
  return cut(s, TOOL_INPUT_MAX);
}

/** Assistant turns with each call's result merged in (see the module comment). */
export function mergedSteps(steps: readonly AgentStep[]): Array<{ role: string; text?: string; calls: ToolCallRecord[] }> {
  const results = new Map<string, ToolCallRecord>();
  for (const s of steps) if (s.role === 'tool') for (const c of s.toolCalls) results.set(c.id, c);
  const used = new Set<string>();
  const out: Array<{ role: string; text?: string; calls: ToolCallRecord[] }> = [];
  for (const s of steps) {
    if (s.role === 'assistant') {
      const calls = s.toolCalls.map((c) => {
        const r = results.get(c.id);
        if (r) used.add(c.id);
        return r ? { ...c, ...r, input: c.input } : c;
      });
      out.push({ role: 'assistant', ...(s.text ? { text: s.text } : {}), calls });
    } else {
      const orphan = s.toolCalls.filter((c) => !used.has(c.id));
      if (orphan.length > 0) out.push({ role: 'tool', calls: orphan });
    }
  }
  return out;
}

export function reportSteps(steps: readonly AgentStep[]): ReportStep[] {
  return mergedSteps(steps).map((s, index) => ({
    index,
    role: s.role,
    ...(s.text !== undefined ? { text: cut(s.text, STEP_TEXT_MAX) } : {}),
    toolCalls: s.calls.map((c) => ({
      name: c.name,
      input: inputText(c.input),
      ...(c.output !== undefined ? { output: cut(c.output, TOOL_OUTPUT_MAX) } : {}),
      ...(c.exitCode !== undefined ? { exitCode: c.exitCode } : {}),
    })),
  }));
}

/** Calls by tool and the calls that failed (a defined, non-zero exit code). */
export function summarizeToolCalls(steps: readonly AgentStep[]): ToolCallSummary {
  const byTool: Record<string, number> = {};
  const errors: ToolCallSummary['errors'] = [];
  let totalCalls = 0;
  mergedSteps(steps).forEach((s, index) => {
    for (const c of s.calls) {
      totalCalls++;
      byTool[c.name] = (byTool[c.name] ?? 0) + 1;
      if (c.exitCode !== undefined && c.exitCode !== 0) {
        errors.push({ step: index, tool: c.name, exitCode: c.exitCode, ...(c.output !== undefined ? { output: cut(c.output, ERROR_OUTPUT_MAX) } : {}) });
      }
    }
  });
  return { totalCalls, byTool, errors };
}

/** Every regular file under `dir`, relative, forward slashes (symlinks are listed, not followed). */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    let entries;
    try {
      entries = await fsp.readdir(path.join(dir, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(r);
      else out.push(r);
    }
  };
  await walk('');
  return out.sort();
}

/** created = files not among the setup files (runner files ignored); modified/deleted = setup files changed/missing. */
export async function computeFileChanges(workDir: string, setupFiles: Readonly<Record<string, string>>): Promise<FileChanges> {
  const norm = (p: string) => p.replace(/\\/g, '/').replace(/^\.\//, '');
  const setup = new Map(Object.entries(setupFiles).map(([k, v]) => [norm(k), v]));
  const present = await listFiles(workDir);
  const presentSet = new Set(present);
  const created = present.filter((f) => !setup.has(f) && !RUNNER_FILES.has(f));
  const modified: string[] = [];
  const deleted: string[] = [];
  for (const [rel, content] of setup) {
    if (!presentSet.has(rel)) {
      deleted.push(rel);
      continue;
    }
    try {
      if ((await fsp.readFile(path.join(workDir, rel), 'utf8')) !== content) modified.push(rel);
    } catch {
      modified.push(rel);
    }
  }
  return { created, modified: modified.sort(), deleted: deleted.sort() };
}

export interface FailureReportInput {
  primitiveId: string;
  level: string;
  instance: number;
  evalDetails: string;
  agentText: string;
  steps: readonly AgentStep[];
  adapterError?: AdapterError;
  fileChanges: FileChanges;
  durationMs: number;
  /** Extra (loose) fields: the instance seed, the run status. */
  extra?: Record<string, unknown>;
}

export function buildFailureReport(a: FailureReportInput): FailureReport {
  return {
    primitiveId: a.primitiveId,
    level: a.level,
    instance: a.instance,
    evalDetails: a.evalDetails,
    agentText: a.agentText,
    ...(a.adapterError ? { adapterError: { exitCode: a.adapterError.exitCode, stderr: a.adapterError.stderr, ...(a.adapterError.diagnosis ? { diagnosis: a.adapterError.diagnosis } : {}) } } : {}),
    steps: reportSteps(a.steps),
    toolCallSummary: summarizeToolCalls(a.steps),
    fileChanges: a.fileChanges,
    durationMs: a.durationMs,
    ...(a.extra ?? {}),
  };
}

/** `<evalDetails> | <steps> steps, <calls> calls[ (<n> err)][, adapter exit=N], files: +a ~m -d` (spec §2.8). */
export function enrichedDetails(report: FailureReport): string {
  const errs = report.toolCallSummary.errors.length;
  const adapter = report.adapterError ? `, adapter exit=${report.adapterError.exitCode}` : '';
  const f = report.fileChanges;
  return (
    `${report.evalDetails} | ${report.steps.length} steps, ${report.toolCallSummary.totalCalls} calls${errs > 0 ? ` (${errs} err)` : ''}${adapter}, ` +
    `files: +${f.created.length} ~${f.modified.length} -${f.deleted.length}`
  );
}

/** The short console hint of the reference (spec §2.8). */
export function consoleHint(report: FailureReport): string {
  const s = report.toolCallSummary;
  if (report.steps.length === 0) {
    return report.adapterError ? `(0 steps, adapter exit=${report.adapterError.exitCode})` : '(0 steps, no response)';
  }
  const firstErr = s.errors[0];
  if (firstErr) return `(${s.totalCalls} calls, error: ${firstErr.tool}${firstErr.exitCode !== undefined ? ` exit=${firstErr.exitCode}` : ''})`;
  const writes = s.byTool.write_file ?? s.byTool.write ?? 0;
  return `(${s.totalCalls} calls, ${writes} writes, ${report.fileChanges.created.length} files created)`;
}

/** The multi-line log block (written to the log only, never the console summary). */
export function failureLogBlock(report: FailureReport): string {
  const lines = [`--- Failure diagnostics for ${report.primitiveId} ${report.level} instance ${report.instance} ---`, `Eval: ${report.evalDetails}`];
  if (report.adapterError) {
    const d = report.adapterError.diagnosis as { summary?: string; source?: string; hint?: string } | undefined;
    if (d?.summary) lines.push(`Adapter error: ${d.summary}${d.source ? ` [${d.source}]` : ''}${d.hint ? ` — ${d.hint}` : ''}`);
    else lines.push(`Adapter error: exit ${report.adapterError.exitCode}: ${cut(report.adapterError.stderr, 500)}`);
  }
  const by = Object.entries(report.toolCallSummary.byTool)
    .map(([k, v]) => `${k}×${v}`)
    .join(', ');
  lines.push(`Tool calls: ${report.toolCallSummary.totalCalls}${by ? ` (${by})` : ''}, errors: ${report.toolCallSummary.errors.length}`);
  const f = report.fileChanges;
  lines.push(`Files: created [${f.created.join(', ')}], modified [${f.modified.join(', ')}], deleted [${f.deleted.join(', ')}]`);
  lines.push('Trace:');
  for (const s of report.steps) {
    if (s.text) lines.push(`  [${s.index}] ${s.role}: ${cut(s.text, 300)}`);
    for (const c of s.toolCalls) {
      lines.push(`  [${s.index}] ${c.name}(${cut(c.input, 300)})${c.exitCode !== undefined ? ` exit=${c.exitCode}` : ''}`);
      if (c.output !== undefined) lines.push(`      → ${cut(c.output, 300).replace(/\n/g, '\n        ')}`);
    }
  }
  lines.push('---');
  return lines.join('\n');
}
