import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { RunResult } from '../agent/types.js';
import { CancelledError } from '../util/errors.js';
import { which } from '../util/which.js';
import { describeExit, firstChars, runGraderCommand, shellQuote } from './exec.js';
import { withEvalSpace } from './space.js';
import type { Checkpoint, CustomEvaluator } from './types.js';

/**
 * `python-grade` (spec runtime §3.4): the task's grade.py defines `grade(transcript, workspace_path)`
 * returning a list of `{id, score, weight, description?, details?}` records. It runs in a private
 * copy of the work dir; the runner, the grade.py copy and the transcript live in the eval space's
 * grader dir, never in the agent's work dir nor in the workspace the grader inspects.
 */

export const PYTHON_GRADE_ID = 'python-grade';
export const GRADE_PY = 'grade.py';

/** The transcript entries grade() receives. */
export interface GradeTranscriptEntry {
  type: 'message';
  message: { role: 'assistant' | 'toolResult'; content: Array<Record<string, unknown>> };
}

export function buildGradeTranscript(run: Pick<RunResult, 'steps'>): GradeTranscriptEntry[] {
  // Ids of calls whose output is reported by a tool step; outputs paired onto assistant calls
  // (harnesses that record no separate tool step) are emitted as toolResult right after.
  const reported = new Set<string>();
  for (const s of run.steps) if (s.role === 'tool') for (const c of s.toolCalls ?? []) if (c.id) reported.add(c.id);

  const out: GradeTranscriptEntry[] = [];
  for (const step of run.steps) {
    if (step.role === 'assistant') {
      const content: Array<Record<string, unknown>> = [];
      if (step.text) content.push({ type: 'text', text: step.text });
      for (const c of step.toolCalls ?? []) content.push({ type: 'toolCall', name: c.name, params: c.input ?? {} });
      out.push({ type: 'message', message: { role: 'assistant', content } });
      for (const c of step.toolCalls ?? []) {
        if (c.output !== undefined && !(c.id && reported.has(c.id))) {
          out.push({ type: 'message', message: { role: 'toolResult', content: [{ output: c.output }] } });
        }
      }
    } else {
      for (const c of step.toolCalls ?? []) out.push({ type: 'message', message: { role: 'toolResult', content: [{ output: c.output ?? '' }] } });
    }
  }
  return out;
}

/** The runner: loads grade.py, calls grade(), validates the records, prints one JSON line. */
export const GRADE_RUNNER_PY = String.raw`import importlib.util
import json
import math
import sys
import traceback


def emit(obj):
    sys.stdout.write("\n" + json.dumps(obj) + "\n")
    sys.stdout.flush()


def fail(message):
    emit({"error": message, "records": [], "avg": 0})
    sys.exit(0)


def is_number(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def main():
    grade_path, transcript_path, workspace = sys.argv[1], sys.argv[2], sys.argv[3]
    sys.path.insert(0, workspace)
    try:
        with open(transcript_path, encoding="utf-8") as f:
            transcript = json.load(f)
    except Exception as e:
        fail("could not read the transcript: %s" % e)
    try:
        spec = importlib.util.spec_from_file_location("grade_under_test", grade_path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    except BaseException as e:
        traceback.print_exc()
        fail("grade.py could not be loaded: %s: %s" % (type(e).__name__, e))
    grade = getattr(module, "grade", None)
    if not callable(grade):
        fail("grade.py defines no grade(transcript, workspace_path) function")
    try:
        result = grade(transcript, workspace)
    except BaseException as e:
        traceback.print_exc()
        fail("grade() raised %s: %s" % (type(e).__name__, e))

    if not isinstance(result, list):
        fail("grade() must return a list of records (dicts with id, score, weight), got %s" % type(result).__name__)
    records = []
    seen = set()
    for i, r in enumerate(result):
        if not isinstance(r, dict):
            fail("record %d must be a dict, got %s" % (i, type(r).__name__))
        for key in ("id", "score", "weight"):
            if key not in r:
                fail("record %d has no '%s'" % (i, key))
        rid = r["id"]
        if isinstance(rid, bool) or not isinstance(rid, (str, int)) or str(rid) == "":
            fail("record %d: id must be a non-empty string" % i)
        rid = str(rid)
        if rid in seen:
            fail("duplicate record id '%s'" % rid)
        seen.add(rid)
        score, weight = r["score"], r["weight"]
        if not is_number(score) or score < 0 or score > 1:
            fail("record '%s': score must be a number in [0, 1], got %r" % (rid, score))
        if not is_number(weight) or weight < 0:
            fail("record '%s': weight must be a number >= 0, got %r" % (rid, weight))
        rec = {"id": rid, "score": float(score), "weight": float(weight)}
        for key in ("description", "details"):
            if r.get(key) is not None:
                rec[key] = str(r[key])
        records.append(rec)
    if not records:
        fail("grade() returned an empty list")
    total = sum(r["weight"] for r in records)
    if abs(total - 1.0) > 1e-3:
        fail("record weights must sum to 1 (got %.6g)" % total)
    emit({"records": records, "avg": sum(r["score"] * r["weight"] for r in records)})


main()
`;

interface GradeRecord {
  id: string;
  score: number;
  weight: number;
  description?: string;
  details?: string;
}

/** The runner's report: the last stdout line that is a JSON object with a `records` array. */
export function readGradeReport(stdout: string): { records: GradeRecord[]; avg: number; error?: string } | undefined {
  const lines = stdout.split(/\r?\n/);
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!.trim();
    if (!line.startsWith('{')) continue;
    try {
      const v = JSON.parse(line) as { records?: unknown; avg?: unknown; error?: unknown };
      if (!v || !Array.isArray(v.records)) continue;
      return {
        records: v.records as GradeRecord[],
        avg: typeof v.avg === 'number' && Number.isFinite(v.avg) ? v.avg : 0,
        ...(typeof v.error === 'string' ? { error: v.error } : {}),
      };
    } catch {
      // not the report
    }
  }
  return undefined;
}

export const pythonGradeEvaluator: CustomEvaluator = {
  id: PYTHON_GRADE_ID,

  validatePayload(payload) {
    if (typeof payload !== 'string' || payload.trim() === '') {
      throw new Error(`python-grade needs the grade.py source as its payload (a non-empty string; put it in ${GRADE_PY} beside task.json)`);
    }
  },

  async loadPayload(taskDir) {
    try {
      return await fsp.readFile(path.join(taskDir, GRADE_PY), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  },

  async run(criterion, ctx) {
    let source = criterion.payload;
    if ((typeof source !== 'string' || !source.trim()) && ctx.taskDir) source = await pythonGradeEvaluator.loadPayload!(ctx.taskDir);
    if (typeof source !== 'string' || !source.trim()) {
      const msg = `python-grade has no grade.py (no payload in task.json and no ${GRADE_PY} in the task directory)`;
      return { pass: false, score: 0, details: `Error: ${msg}`, infraError: msg };
    }
    if (!which('python3')) {
      const msg = 'python3 is not installed or not on PATH (python-grade needs it)';
      return { pass: false, score: 0, details: `Error: ${msg}`, infraError: msg };
    }
    const grade = source;
    const timeoutMs = ctx.sandbox.timeoutMs;

    const r = await withEvalSpace(ctx, async (space, c) => {
      const fn = path.join(space.graderDir, '_grade_fn.py');
      const runner = path.join(space.graderDir, '_grade_runner.py');
      const transcript = path.join(space.graderDir, '_transcript.json');
      await fsp.writeFile(fn, grade);
      await fsp.writeFile(runner, GRADE_RUNNER_PY);
      await fsp.writeFile(transcript, JSON.stringify(buildGradeTranscript(c.runResult)));
      const cmd = ['python3', runner, fn, transcript, space.workspace].map(shellQuote).join(' ');
      return runGraderCommand(space, c, cmd, { timeoutMs, env: { PYTHONDONTWRITEBYTECODE: '1', PYTHONIOENCODING: 'utf-8' } });
    });
    if (r.cancelled) throw new CancelledError('evaluation cancelled');
    if (r.timedOut) return { pass: false, score: 0, details: `Error: grade.py timed out after ${timeoutMs} ms` };
    if (r.exitCode === 127 && /not found/i.test(r.stderr)) {
      const msg = `python3 could not be started for python-grade: ${firstChars(r.stderr, 200)}`;
      return { pass: false, score: 0, details: `Error: ${msg}`, infraError: msg };
    }
    const report = readGradeReport(r.stdout);
    if (!report) {
      const err = r.stderr.trim() ? `: ${firstChars(r.stderr.trim().split('\n').slice(-5).join('\n'), 500)}` : '';
      return { pass: false, score: 0, details: `Error: grade.py produced no result (${describeExit(r)})${err}` };
    }
    if (report.error !== undefined) return { pass: false, score: 0, details: `Error: ${report.error}` };

    const avg = Math.min(1, Math.max(0, report.avg));
    const checkpoints: Checkpoint[] = report.records.map((rec) => {
      const cp: Checkpoint = { name: rec.id, score: rec.score, weight: rec.weight };
      if (rec.description !== undefined) cp.description = rec.description;
      const reason = rec.details ?? (rec.score < 1 ? `scored ${rec.score.toFixed(2)}` : undefined);
      if (reason !== undefined) cp.reason = reason;
      return cp;
    });
    const details = `${report.records.map((rec) => `${rec.id}: ${rec.score.toFixed(2)}`).join(', ')} (avg=${avg.toFixed(2)})`;
    return { pass: avg >= 0.5, score: avg, details, checkpoints };
  },
};
