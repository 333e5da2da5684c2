import type { ScriptCriterion } from '../tasks/criteria.js';
import { CancelledError } from '../util/errors.js';
import { firstChars, runGraderCommand } from './exec.js';
import { withEvalSpace } from './space.js';
import type { Checkpoint, EvalContext, EvalResult } from './types.js';

/**
 * `script` criteria (spec runtime §3.3): a shell command run in a private copy of the work dir,
 * with the sandbox's timeout. Exit code against the expected one, then the command's last JSON
 * line (`infraError` / `checkpoints`), then `expectedOutput`.
 */

export type EvaluatorOutcome = Omit<EvalResult, 'criterion'>;

export async function evaluateScript(criterion: ScriptCriterion, ctx: EvalContext): Promise<EvaluatorOutcome> {
  const command = rewritePythonDashC(criterion.command);
  const expected = criterion.expectedExitCode ?? 0;
  const r = await withEvalSpace(ctx, (space, c) => runGraderCommand(space, c, command));
  if (r.cancelled) throw new CancelledError('evaluation cancelled');
  if (r.timedOut) {
    return { pass: false, score: 0, details: `Script timed out after ${ctx.sandbox.timeoutMs} ms (command killed).` };
  }
  if (r.exitCode !== expected) {
    const got = r.exitCode === null ? `none (killed by ${r.signal ?? 'a signal'})` : String(r.exitCode);
    const stderr = r.stderr.trim() ? `\n${r.stderr.trim().slice(0, 200)}` : '';
    return { pass: false, score: 0, details: `Exit code: ${got} (expected ${expected})${stderr}` };
  }

  const report = readScriptReport(r.stdout);
  if (report?.kind === 'infra') return { pass: false, score: 0, details: `Infrastructure error: ${report.infraError}`, infraError: report.infraError };
  if (report?.kind === 'checkpoints') {
    const cps = report.checkpoints;
    const score = cps.reduce((s, c) => s + c.score, 0) / cps.length;
    const pass = cps.every((c) => c.score >= 0.5);
    const passed = cps.filter((c) => c.score >= 0.5).length;
    const failing = cps.filter((c) => c.score < 0.5).map((c) => (c.reason ? `${c.name} (${c.reason})` : c.name));
    const details = `${passed}/${cps.length} checkpoints passed` + (failing.length ? `; failed: ${failing.join(', ')}` : '');
    return { pass, score, details, checkpoints: cps };
  }

  if (criterion.expectedOutput !== undefined) {
    const got = r.stdout.trim();
    const want = criterion.expectedOutput.trim();
    if (got === want) return { pass: true, score: 1, details: 'Output matches the expected output.' };
    return { pass: false, score: 0, details: `Output mismatch: expected ${JSON.stringify(firstChars(want, 200))}, got ${JSON.stringify(firstChars(got, 200))}` };
  }
  return { pass: true, score: 1, details: `Exit code ${expected} as expected.` };
}

type ScriptReport = { kind: 'infra'; infraError: string } | { kind: 'checkpoints'; checkpoints: Checkpoint[] };

/**
 * The script's structured report: of the stdout lines that start with `{` and parse as a JSON
 * object, the last one with a non-empty string `infraError` wins; otherwise the last one with a
 * non-empty `checkpoints` array.
 */
export function readScriptReport(stdout: string): ScriptReport | undefined {
  const objects: Record<string, unknown>[] = [];
  const lines = stdout.split(/\r?\n/);
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!.trim();
    if (!line.startsWith('{')) continue;
    try {
      const v: unknown = JSON.parse(line);
      if (v && typeof v === 'object' && !Array.isArray(v)) objects.push(v as Record<string, unknown>);
    } catch {
      // not a report line
    }
  }
  const infra = objects.find((o) => typeof o.infraError === 'string' && o.infraError.trim() !== '');
  if (infra) return { kind: 'infra', infraError: infra.infraError as string };
  const withCps = objects.find((o) => Array.isArray(o.checkpoints) && o.checkpoints.length > 0);
  if (!withCps) return undefined;
  const checkpoints = (withCps.checkpoints as unknown[]).map((raw, i): Checkpoint => {
    const o = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
    const name = typeof o.name === 'string' && o.name ? o.name : `check_${i}`;
    const n = typeof o.score === 'number' ? o.score : typeof o.score === 'boolean' ? (o.score ? 1 : 0) : Number(o.score);
    const cp: Checkpoint = { name, score: Number.isFinite(n) ? Math.min(1, Math.max(0, n)) : 0 };
    if (typeof o.weight === 'number' && Number.isFinite(o.weight) && o.weight >= 0) cp.weight = o.weight;
    if (typeof o.description === 'string') cp.description = o.description;
    if (typeof o.reason === 'string') cp.reason = o.reason;
    return cp;
  });
  return { kind: 'checkpoints', checkpoints };
}

/**
 * A command ending in `python3 -c "<code>"` becomes `python3 << 'PYEOF'` with the code in a
 * quoted heredoc, so the shell no longer expands `$`, backticks or backslashes inside the code.
 * The double-quote escapes the author had to write (`\"`, `\\`, `\$`, `` \` ``, `\<newline>`)
 * are undone first. A python reading piped stdin (`… | python3 -c "…"`) keeps its stdin and is
 * left alone.
 */
export function rewritePythonDashC(command: string): string {
  const m = /^([\s\S]*?)\bpython3\s+-c\s+"((?:[^"\\]|\\[\s\S])*)"\s*$/.exec(command);
  if (!m) return command;
  const prefix = m[1]!;
  if (/\|\s*$/.test(prefix)) return command;
  const code = m[2]!.replace(/\\([\\"$`\n])/g, (_all, ch: string) => (ch === '\n' ? '' : ch));
  let tag = 'PYEOF';
  while (code.split('\n').some((l) => l === tag)) tag += '_';
  return `${prefix}python3 << '${tag}'\n${code}\n${tag}\n`;
}
