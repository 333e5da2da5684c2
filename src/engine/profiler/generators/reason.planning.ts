import { cp, generatorByLevel, lines, numbersIn, solution, textProbe, type ProbeRng } from '../toolkit.js';
import type { ProbeCheckpoint, ProbeInstance } from '../types.js';
import { cleanLine, labelled, lastLineAnswer } from '../gen/answer.js';

/**
 * reason.planning — ordering, parallelism, branches and recovery (text pattern: the answer is
 * the agent's final text). Every task set is generated (names, dependency graphs, durations,
 * failure rules), so nothing can be memorised.
 *  L1  4–5 tasks with dependencies: any valid order on the last line; near-miss swaps one
 *      dependent adjacent pair.
 *  L2  6–8 tasks with durations and a layered DAG: the stages of tasks that can run in
 *      parallel, and the shortest completion time with unlimited workers (critical path).
 *      Near-miss: stage-by-stage time (sum of each stage's longest task), or a task placed a
 *      stage too early.
 *  L3  a runbook of 6–8 steps with failure policies (abort, retry n, continue, recovery step),
 *      conditional steps, an on-abort step and a final always-run step, plus a scenario of which
 *      attempts fail: the exact execution trace, the failed steps, the steps never started, and
 *      the status. A step that ran and failed is "failed", not "skipped". Near-miss: one of the
 *      classic slips (retry count off by one, failed step reported as not run, a condition read as
 *      "failed at some attempt", the final step dropped after an abort).
 */

const ID = 'reason.planning';

const VERBS = [
  'fetch', 'build', 'lint', 'package', 'sign', 'upload', 'migrate', 'seed', 'deploy', 'verify', 'scan', 'compress', 'index', 'publish',
  'tag', 'warm', 'snapshot', 'sync', 'render', 'validate', 'collect', 'merge', 'encrypt', 'mirror', 'prune', 'translate', 'measure', 'order',
];
const OBJECTS = [
  'sources', 'image', 'schema', 'cache', 'docs', 'assets', 'bundle', 'config', 'database', 'release', 'report', 'metrics', 'backups',
  'certs', 'tables', 'catalog', 'fonts', 'manifest', 'samples', 'invoices', 'labels', 'drivers', 'sitemap', 'thumbnails', 'logs', 'quotas',
];

function taskNames(rng: ProbeRng, n: number, taken = new Set<string>()): string[] {
  const out: string[] = [];
  const usedObjects = new Set<string>();
  while (out.length < n) {
    const o = rng.pick(OBJECTS);
    const name = `${rng.pick(VERBS)}-${o}`;
    if (taken.has(name) || out.includes(name) || usedObjects.has(o)) continue;
    usedObjects.add(o);
    out.push(name);
  }
  return out;
}

/** A comma/arrow separated list of names, lower-cased; "none" or empty is []. */
function nameList(fragment: string | undefined): string[] {
  if (fragment === undefined) return [];
  const t = fragment.replace(/\.\s*$/, '').trim();
  if (/^(none|nothing|-|—|n\/a)?$/i.test(t)) return [];
  return t
    .split(/\s*(?:,|;|->|→|=>)\s*/)
    .map((s) =>
      s
        .replace(/^\(?\d+[).:]?\s+/, '')
        .replace(/\s*\(.*\)\s*$/, '')
        .trim()
        .toLowerCase(),
    )
    .filter((s) => s.length > 0);
}

const sameSet = (a: string[], b: string[]): boolean => a.length === b.length && new Set(a).size === a.length && a.every((x) => b.includes(x));

// ---------------------------------------------------------------------------------------------
// L1 — a valid order

function sayDep(rng: ProbeRng, after: string, before: string): string {
  return rng.pick([`${after} starts only after ${before} finishes.`, `${before} must be done before ${after}.`, `${after} needs the output of ${before}.`, `Before ${after} begins, ${before} must be complete.`]);
}

function level1(rng: ProbeRng, seed: number): ProbeInstance {
  const n = rng.int(4, 5);
  const names = taskNames(rng, n);
  const order = rng.shuffle(names); // hidden valid order
  const deps: Array<[string, string]> = []; // [before, after]
  for (let i = 1; i < n; i++) {
    const earlier = order.slice(0, i);
    for (const b of rng.sample(earlier, Math.min(earlier.length, rng.int(1, 2)))) deps.push([b, order[i]!]);
  }
  // One adjacent pair of the hidden order is a direct dependency (the near-miss swaps it).
  const k = rng.int(0, n - 2);
  if (!deps.some(([b, a]) => b === order[k] && a === order[k + 1])) deps.push([order[k]!, order[k + 1]!]);
  const wrong = [...order];
  [wrong[k], wrong[k + 1]] = [wrong[k + 1]!, wrong[k]!];
  const listed = rng.shuffle(names);
  const prompt =
    `Do these ${n} tasks one at a time: ${listed.join(', ')}.\n` +
    rng
      .shuffle(deps)
      .map(([b, a]) => `- ${sayDep(rng, a, b)}`)
      .join('\n') +
    `\nEnd with a line of only all ${n} tasks in an order that keeps every constraint, comma-separated.`;
  return textProbe(ID, 'L1', seed, {
    prompt,
    async check(reply) {
      const got = nameList(lastLineAnswer(reply));
      const complete = sameSet(got, names);
      const broken = deps.filter(([b, a]) => !(got.indexOf(b) >= 0 && got.indexOf(a) > got.indexOf(b)));
      return [
        cp('tasks_complete', complete, `the last line should name each of the ${n} tasks exactly once; got "${got.join(', ')}"`),
        cp('order_valid', complete && broken.length === 0, broken.map(([b, a]) => `${b} must come before ${a}`).join('; ')),
      ];
    },
    referenceText: `Starting with the tasks that have no prerequisites and adding each task once its prerequisites are placed:\n\n${order.join(', ')}`,
    nearMissText: `Ordering the tasks by their dependencies:\n\n${wrong.join(', ')}`,
  });
}

// ---------------------------------------------------------------------------------------------
// L2 — stages and the critical path

function level2(rng: ProbeRng, seed: number): ProbeInstance {
  for (;;) {
    const n = rng.int(6, 8);
    const S = rng.int(3, 4);
    if (n < S + 1) continue;
    const names = taskNames(rng, n);
    // Stage sizes: each ≥ 1, total n, at least one ≥ 2.
    const sizes = new Array<number>(S).fill(1);
    for (let i = S; i < n; i++) sizes[rng.int(0, S - 1)]!++;
    const stageOf = new Map<string, number>();
    const stages: string[][] = [];
    let idx = 0;
    for (let s = 0; s < S; s++) {
      stages.push(names.slice(idx, idx + sizes[s]!));
      for (const t of stages[s]!) stageOf.set(t, s);
      idx += sizes[s]!;
    }
    const pre = new Map<string, string[]>();
    for (let s = 1; s < S; s++) {
      for (const t of stages[s]!) {
        const must = rng.pick(stages[s - 1]!);
        const earlier = stages.slice(0, s).flat().filter((x) => x !== must);
        const extra = rng.sample(earlier, rng.int(0, Math.min(2, earlier.length)));
        pre.set(t, [must, ...extra]);
      }
    }
    const dur = new Map(names.map((t) => [t, rng.int(1, 9)] as const));
    const finish = new Map<string, number>();
    for (const s of stages) for (const t of s) finish.set(t, dur.get(t)! + Math.max(0, ...(pre.get(t) ?? []).map((p) => finish.get(p)!)));
    const total = Math.max(...finish.values());
    const stageSum = stages.reduce((acc, s) => acc + Math.max(...s.map((t) => dur.get(t)!)), 0);
    const sequential = [...dur.values()].reduce((a, b) => a + b, 0);
    if (stageSum === total || sequential === total) continue;
    // A task with a prerequisite in the stage just before, to be pulled one stage early in the near-miss.
    const movable = names.filter((t) => stageOf.get(t)! >= 1);
    const moved = rng.pick(movable);
    const wrongStages = stages.map((s) => s.filter((t) => t !== moved));
    wrongStages[stageOf.get(moved)! - 1]!.push(moved);
    if (wrongStages.some((s) => s.length === 0)) continue;
    const listing = rng.shuffle(names).map((t) => {
      const p = pre.get(t);
      return `- ${t}: ${dur.get(t)} h; ${p ? `after ${rng.shuffle(p).join(', ')}` : 'no prerequisites'}`;
    });
    const prompt =
      `Tasks with their durations and the tasks that must finish before they start:\n${listing.join('\n')}\n` +
      `1. Group the tasks into parallel stages: stage 1 is every task without prerequisites; each later stage is every task whose prerequisites are all in earlier stages, at least one in the stage just before.\n` +
      `2. With unlimited people, each task starting as soon as its prerequisites finish, what is the shortest total time in hours?\n` +
      `End with one line per stage, \`Stage <k>: <task>, <task>, …\`, then \`Total: <hours>\`.`;
    const block = (st: string[][], tot: number): string => `${st.map((s, i) => `Stage ${i + 1}: ${s.join(', ')}`).join('\n')}\nTotal: ${tot}`;
    const nearTime = rng.next() < 0.5;
    return {
      primitiveId: ID,
      level: 'L2',
      seed,
      prompt,
      setupFiles: {},
      requires: [],
      async check(ctx) {
        const got = new Map<number, string[]>();
        let totalLine: string | undefined;
        for (const raw of lines(ctx.finalText)) {
          const l = cleanLine(raw);
          const m = /^stage\s*(\d+)\s*[:=—–-]\s*(.*)$/i.exec(l);
          if (m) got.set(Number(m[1]), nameList(m[2]));
          if (/^total\b/i.test(l)) totalLine = l;
        }
        const bad = stages.map((s, i) => (sameSet(got.get(i + 1) ?? [], s) ? '' : `stage ${i + 1} should be ${s.join(', ')}`)).filter(Boolean);
        if (got.size !== S) bad.push(`expected ${S} stages, got ${got.size}`);
        const ns = totalLine ? numbersIn(totalLine) : [];
        const out: ProbeCheckpoint[] = [
          cp('stages_correct', bad.length === 0, bad.join('; ')),
          cp('total_correct', ns.length > 0 && Math.abs(ns[0]! - total) < 1e-9, `expected Total: ${total}${totalLine ? `, got "${totalLine}"` : ', no Total line'}`),
        ];
        return out;
      },
      reference: solution({ text: `Earliest finish times: ${names.map((t) => `${t} ${finish.get(t)}`).join(', ')}.\n\n${block(stages, total)}` }),
      nearMiss: nearTime
        ? solution({ text: `Each stage takes as long as its longest task.\n\n${block(stages, stageSum)}` })
        : solution({ text: `Grouping by prerequisites:\n\n${block(wrongStages, total)}` }),
    };
  }
}

// ---------------------------------------------------------------------------------------------
// L3 — branches, retries and recovery

type Policy = { k: 'abort' } | { k: 'retry'; n: number } | { k: 'continue' } | { k: 'recover'; step: string };

interface Step {
  name: string;
  policy: Policy;
  cond?: { on: string; when: 'failed' | 'succeeded' };
}

interface Trace {
  executed: string[];
  failed: string[];
  notRun: string[];
  status: 'completed' | 'aborted';
  /** Conditional steps whose condition was looked at (not cut off by an abort). */
  condChecked: string[];
}

type Slip = 'none' | 'retryTotal' | 'failedAsNotRun' | 'everFailed' | 'noFinalAfterAbort';

function simulate(steps: Step[], fails: Map<string, number>, rollback: string, finals: string[], slip: Slip): Trace {
  const executed: string[] = [];
  const failed: string[] = [];
  const notRun: string[] = [];
  const outcome = new Map<string, 'ok' | 'failed'>();
  const everFailed = new Set<string>();
  const condChecked: string[] = [];
  let aborted = false;
  for (const s of steps) {
    if (aborted) {
      notRun.push(s.name);
      continue;
    }
    if (s.cond) {
      condChecked.push(s.name);
      const o = slip === 'everFailed' && everFailed.has(s.cond.on) ? 'failed' : outcome.get(s.cond.on);
      const wanted = s.cond.when === 'failed' ? 'failed' : 'ok';
      if (o !== wanted) {
        notRun.push(s.name);
        continue;
      }
    }
    const failCount = fails.get(s.name) ?? 0;
    const maxAttempts = s.policy.k === 'retry' ? (slip === 'retryTotal' ? s.policy.n : s.policy.n + 1) : 1;
    let attempt = 0;
    let ok = false;
    while (attempt < maxAttempts) {
      attempt++;
      executed.push(s.name);
      if (attempt > failCount) {
        ok = true;
        break;
      }
      everFailed.add(s.name);
    }
    if (ok) {
      outcome.set(s.name, 'ok');
      continue;
    }
    outcome.set(s.name, 'failed');
    failed.push(s.name);
    if (s.policy.k === 'abort' || s.policy.k === 'retry') aborted = true;
    else if (s.policy.k === 'recover') executed.push(s.policy.step);
  }
  if (aborted) executed.push(rollback);
  if (!(aborted && slip === 'noFinalAfterAbort')) executed.push(...finals);
  if (slip === 'failedAsNotRun') {
    // The failed step's attempts are dropped and it is reported as not run.
    const f = new Set(failed);
    return { executed: executed.filter((e) => !f.has(e)), failed: [], notRun: [...notRun, ...failed], status: aborted ? 'aborted' : 'completed', condChecked };
  }
  return { executed, failed, notRun, status: aborted ? 'aborted' : 'completed', condChecked };
}

function sayPolicy(p: Policy): string {
  switch (p.k) {
    case 'abort':
      return 'abort';
    case 'retry':
      return `retry up to ${p.n} more time${p.n === 1 ? '' : 's'}, then abort`;
    case 'continue':
      return 'continue';
    case 'recover':
      return `run ${p.step}, then continue`;
  }
}

function level3(rng: ProbeRng, seed: number): ProbeInstance {
  for (;;) {
    const m = rng.int(6, 8);
    const names = taskNames(rng, m + 4);
    const main = names.slice(0, m);
    const [recoverName, rollback, final1] = [
      `restore-${names[m]!.split('-')[1]}`,
      `rollback-${names[m + 1]!.split('-')[1]}`,
      `${rng.pick(['clean', 'unlock', 'report'])}-${names[m + 2]!.split('-')[1]}`,
    ] as [string, string, string];
    const finals = [final1];
    // Conditional steps: 1–2 at positions ≥ 2, each watching an earlier unconditional step.
    const condIdx = rng.sample(Array.from({ length: m - 2 }, (_, i) => i + 2), rng.int(1, 2)).sort((a, b) => a - b);
    const steps: Step[] = main.map((name) => ({ name, policy: { k: 'abort' } as Policy }));
    const uncond = main.map((_, i) => i).filter((i) => !condIdx.includes(i));
    for (const i of uncond) {
      const k = rng.pick(['abort', 'retry', 'retry', 'continue', 'recover'] as const);
      steps[i]!.policy = k === 'retry' ? { k, n: rng.int(1, 3) } : k === 'recover' ? { k, step: recoverName } : { k };
    }
    const retryIdx = uncond.filter((i) => steps[i]!.policy.k === 'retry');
    const softIdx = uncond.filter((i) => steps[i]!.policy.k === 'continue' || steps[i]!.policy.k === 'recover');
    if (!retryIdx.length || !softIdx.length) continue;
    if (uncond.filter((i) => steps[i]!.policy.k === 'recover').length > 1) continue;
    for (const c of condIdx) {
      const earlier = uncond.filter((i) => i < c);
      if (!earlier.length) continue;
      steps[c]!.cond = { on: main[rng.pick(earlier)]!, when: rng.pick(['failed', 'succeeded'] as const) };
      steps[c]!.policy = { k: 'continue' };
    }
    if (condIdx.some((c) => !steps[c]!.cond)) continue;
    // Scenario: a retry step that fails some attempts; a soft step that always fails; maybe a fatal failure.
    const fails = new Map<string, number>();
    const r = rng.pick(retryIdx);
    const rn = (steps[r]!.policy as { n: number }).n;
    fails.set(main[r]!, rng.next() < 0.65 ? rn : rn + 1);
    fails.set(main[rng.pick(softIdx)]!, 99);
    if (rng.next() < 0.4) {
      const other = uncond.filter((i) => !fails.has(main[i]!) && i > r);
      if (other.length) fails.set(main[rng.pick(other)]!, 99);
    }
    const truth = simulate(steps, fails, rollback, finals, 'none');
    if (!truth.failed.length) continue;
    // At least four numbered steps start, and some condition is actually evaluated.
    if (m - truth.notRun.length < 4) continue;
    if (!truth.condChecked.length) continue;
    const slips = rng.shuffle(['retryTotal', 'failedAsNotRun', 'everFailed', 'noFinalAfterAbort'] as const);
    const key = (t: Trace): string => JSON.stringify([t.executed, [...t.failed].sort(), [...t.notRun].sort(), t.status]);
    const wrong = slips.map((s) => simulate(steps, fails, rollback, finals, s)).find((t) => key(t) !== key(truth));
    if (!wrong) continue;

    const sayFail = (name: string): string => {
      const f = fails.get(name)!;
      return f >= 99 ? `${name} fails every attempt` : `${name} fails its first ${f === 1 ? 'attempt' : `${f} attempts`}, then succeeds`;
    };
    const numbered = steps.map((s, i) => {
      if (s.cond) return `${i + 1}. ${s.name}: runs only if ${s.cond.on} ${s.cond.when === 'failed' ? 'failed' : 'succeeded'}, else skipped; succeeds when run`;
      return `${i + 1}. ${s.name}: ${sayPolicy(s.policy)}`;
    });
    const failing = rng.shuffle([...fails.keys()]).map(sayFail);
    const prompt =
      `A maintenance run executes these steps in order; after each, what happens if it fails:\n${numbered.join('\n')}\n` +
      `On abort no further numbered step starts and ${rollback} runs. ${final1} always runs last, aborted or not.\n` +
      `A step failed if its last attempt failed (even if the run continued), succeeded if its last attempt succeeded. Up to n more times means at most 1 + n attempts.\n` +
      `Today: ${failing.join('; ')}. Every other step, ${recoverName}, ${rollback} and ${final1} included, succeeds first time.\n` +
      `End with exactly these four lines:\n` +
      `\`Executed: <every attempt in order, comma-separated, a step once per attempt, with any recovery, rollback and final step>\`\n` +
      `\`Failed: <numbered steps that failed, or none>\`\n` +
      `\`Not run: <numbered steps never started, or none>\`\n` +
      `\`Status: <completed or aborted>\``;
    const block = (t: Trace): string =>
      `Executed: ${t.executed.join(', ')}\nFailed: ${t.failed.length ? t.failed.join(', ') : 'none'}\nNot run: ${t.notRun.length ? t.notRun.join(', ') : 'none'}\nStatus: ${t.status}`;
    return textProbe(ID, 'L3', seed, {
      prompt,
      async check(reply) {
        const text = reply;
        const executed = nameList(labelled(text, /executed|execution(?: order)?/, 30));
        const failed = nameList(labelled(text, /failed(?: steps)?/, 30));
        const notRun = nameList(labelled(text, /not run|never (?:started|run)/, 30));
        const statusFrag = labelled(text, /status/, 30) ?? '';
        const status = /\babort/i.test(statusFrag) ? 'aborted' : /\bcomplet/i.test(statusFrag) ? 'completed' : '';
        return [
          cp('trace_correct', executed.length === truth.executed.length && executed.every((e, i) => e === truth.executed[i]), `expected Executed: ${truth.executed.join(', ')}`),
          cp('failed_correct', sameSet(failed, truth.failed), `expected Failed: ${truth.failed.join(', ') || 'none'}`),
          cp('not_run_correct', sameSet(notRun, truth.notRun), `expected Not run: ${truth.notRun.join(', ') || 'none'}`),
          cp('status_correct', status === truth.status, `expected Status: ${truth.status}`),
        ];
      },
      referenceText: `Walking through the steps with the failure rules applied:\n\n${block(truth)}`,
      nearMissText: `Tracing the run step by step:\n\n${block(wrong)}`,
    });
  }
}

export const generator = generatorByLevel(ID, {
  L1: 'Order 4–5 generated tasks with dependencies; the last line must list every task once in a valid order.',
  L2: 'Group 6–8 tasks with durations into parallel stages and give the shortest completion time with unlimited workers (critical path).',
  L3: 'Trace a generated runbook with retries, abort/continue/recovery rules, conditional steps, rollback and a final step under a failure scenario: execution trace, failed steps, steps never started, status.',
}, { L1: level1, L2: level2, L3: level3 });
