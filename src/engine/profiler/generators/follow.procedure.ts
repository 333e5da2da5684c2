import { cp, generatorByLevel, stripFences, textProbe, type ProbeRng } from '../toolkit.js';
import type { ProbeCheckpoint, ProbeInstance } from '../types.js';
import { distinctWords, pseudoWord, type WordSounds } from '../gen/words.js';

/**
 * follow.procedure — carrying out a written procedure exactly; the answer is the lines the
 * procedure writes (the final answer is graded line by line).
 *  L1  3 sequential steps, each writing one line; later steps use the earlier results.
 *  L2  6–7 steps over a running number with 4–5 conditional branches (parity, thresholds set at
 *      the boundary, divisibility, digit tests); one checkpoint per step.
 *  L3  a loop: rounds that update a number under generated rules with a running count shown on
 *      every line, a stop condition (value or round cap), then summary lines and a final
 *      verification line.
 * The arithmetic is kept small on purpose: what is tested is following the steps.
 */

const ID = 'follow.procedure';

const SOUNDS: WordSounds = {
  onsets: ['b', 'd', 'f', 'g', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'z', 'br', 'dr', 'gr', 'st', 'tr'],
  vowels: ['a', 'e', 'i', 'o', 'u'],
  codas: ['', 'n', 'r', 'l', 's', 'x'],
};

/** Answer lines: fences stripped, blank lines dropped, whitespace collapsed, upper-cased for comparison. */
function answerLines(text: string): string[] {
  return stripFences(text)
    .split(/\r?\n/)
    // Harmless decoration is ignored: backticks, bold markers, a bullet or list number in front.
    .map((l) => l.replace(/^\s*[`*]+|[`*]+\s*$/g, '').trim().replace(/^(?:[-*\u2022]\s+|\d+[.)]\s+)/, '').replace(/\s+/g, ' '))
    .filter((l) => l !== '');
}
const norm = (l: string | undefined) => (l ?? '').toUpperCase().replace(/\s*([:,()=])\s*/g, '$1').trim();

function lineCheckpoints(got: string[], want: string[], names: string[]): ProbeCheckpoint[] {
  const out: ProbeCheckpoint[] = [cp('line_count', got.length === want.length, `expected ${want.length} lines, got ${got.length}`)];
  want.forEach((w, i) => {
    out.push(cp(names[i]!, norm(got[i]) === norm(w), `line ${i + 1}: expected ${JSON.stringify(w)}, got ${JSON.stringify(got[i] ?? '(nothing)')}`));
  });
  return out;
}

// ── L1: three sequential steps ─────────────────────────────────────────────────────────────

function level1(rng: ProbeRng, seed: number): ProbeInstance {
  const label = pseudoWord(rng, SOUNDS, 3).toUpperCase();
  const mode = rng.pick(['count', 'sort', 'reverse'] as const);
  const steps: string[] = [];
  const want: string[] = [];
  let nearWant: string[];
  steps.push(`Write \`BEGIN ${label}\`.`);
  want.push(`BEGIN ${label}`);
  if (mode === 'count') {
    const by = rng.int(2, 7);
    const from = rng.int(3, 40);
    const n = rng.int(4, 7);
    const to = from + by * (n - 1) + rng.int(0, by - 1);
    const items = Array.from({ length: n }, (_, i) => from + by * i);
    steps.push(`Write the numbers from ${from} up to ${to} in steps of ${by} (start at ${from}, never past ${to}), space-separated.`);
    steps.push(`Write \`END <s>\`, s = the sum of the step-2 numbers.`);
    want.push(items.join(' '), `END ${items.reduce((a, b) => a + b, 0)}`);
    // Near-miss: one step too many (runs past the end).
    const over = [...items, from + by * n];
    nearWant = [want[0]!, over.join(' '), `END ${over.reduce((a, b) => a + b, 0)}`];
  } else {
    let words = distinctWords(rng, rng.int(4, 6), SOUNDS);
    if (mode === 'sort' && words.join() === [...words].sort().join()) words = [...words].reverse();
    const ordered = mode === 'sort' ? [...words].sort() : [...words].reverse();
    steps.push(
      mode === 'sort'
        ? `Write these words in alphabetical order, space-separated: ${words.join(', ')}.`
        : `Write these words in reverse order (last first), space-separated: ${words.join(', ')}.`,
    );
    const pick = rng.pick(['first', 'last'] as const);
    const chosen = pick === 'first' ? ordered[0]! : ordered[ordered.length - 1]!;
    steps.push(`Write \`END <W>\`, W = the ${pick} word of your step-2 line, in capitals.`);
    want.push(ordered.join(' '), `END ${chosen.toUpperCase()}`);
    // Near-miss: step 3 reads the original list instead of the step-2 line; when that happens to
    // give the same word, step 2 is the one skipped (the list copied unchanged).
    const fromOriginal = pick === 'first' ? words[0]! : words[words.length - 1]!;
    nearWant = fromOriginal !== chosen ? [want[0]!, want[1]!, `END ${fromOriginal.toUpperCase()}`] : [want[0]!, words.join(' '), want[2]!];
  }
  const prompt =
    `Do these steps in order; each writes one line.\n` +
    steps.map((s, i) => `${i + 1}. ${s}`).join('\n') +
    `\nReply with only the ${want.length} lines.`;
  return textProbe(ID, 'L1', seed, {
    prompt,
    async check(reply) {
      return lineCheckpoints(answerLines(reply), want, ['step_1', 'step_2', 'step_3']);
    },
    referenceText: want.join('\n'),
    nearMissText: nearWant.join('\n'),
  });
}

// ── L2: steps with conditional branches ────────────────────────────────────────────────────

interface BranchStep {
  text: string;
  /** Applies the step to the value; `flip` takes the other branch (for the near-miss). */
  apply(v: number, flip: boolean): { v: number; line: string };
  conditional: boolean;
}

function level2(rng: ProbeRng, seed: number): ProbeInstance {
  const start = rng.int(40, 99);
  // Build steps against a trace so thresholds can sit right at the boundary.
  const steps: BranchStep[] = [];
  let v = start;
  steps.push({ text: `Write \`START <n>\`.`, apply: (x) => ({ v: x, line: `START ${x}` }), conditional: false });
  const pool = rng.shuffle(['parity', 'threshold', 'divisible', 'digit', 'compare'] as const);
  const nCond = rng.int(4, 5);
  for (const kind of pool.slice(0, nCond)) {
    let step: BranchStep;
    if (kind === 'parity') {
      const add = rng.pick([1, 3, 5, 7]);
      step = {
        text: `If n is even, halve it, write \`HALF <n>\`; else add ${add}, write \`ADD <n>\`.`,
        apply: (x, flip) => ((x % 2 === 0) !== flip ? { v: x / 2 | 0, line: `HALF ${(x / 2) | 0}` } : { v: x + add, line: `ADD ${x + add}` }),
        conditional: true,
      };
    } else if (kind === 'threshold') {
      const t = v + rng.pick([-1, 0, 0, 1]);
      const sub = rng.int(3, 12);
      const add = rng.int(3, 12);
      step = {
        text: `If n > ${t}, subtract ${sub}, write \`HIGH <n>\`; else add ${add}, write \`LOW <n>\`.`,
        apply: (x, flip) => (x > t !== flip ? { v: x - sub, line: `HIGH ${x - sub}` } : { v: x + add, line: `LOW ${x + add}` }),
        conditional: true,
      };
    } else if (kind === 'divisible') {
      const m = rng.pick([3, 4, 5]);
      step = {
        text: `If n is divisible by ${m}, write \`DIV ${m}\`; else write \`REM <r>\`, r = the remainder of n / ${m}. n is unchanged.`,
        apply: (x, flip) => (x % m === 0 ? (flip ? { v: x, line: `REM 0` } : { v: x, line: `DIV ${m}` }) : flip ? { v: x, line: `DIV ${m}` } : { v: x, line: `REM ${x % m}` }),
        conditional: true,
      };
    } else if (kind === 'digit') {
      const d = rng.int(1, 9);
      const mul = rng.int(2, 3);
      step = {
        text: `If n contains the digit ${d}, multiply it by ${mul}, write \`HAS <n>\`; else write \`NONE <n>\` (n unchanged).`,
        apply: (x, flip) => (String(x).includes(String(d)) !== flip ? { v: x * mul, line: `HAS ${x * mul}` } : { v: x, line: `NONE ${x}` }),
        conditional: true,
      };
    } else {
      const add = rng.int(2, 9);
      step = {
        text: `If n < ${start} (the start), add ${add}, write \`UP <n>\`; else write \`SAME <n>\` (n unchanged).`,
        apply: (x, flip) => (x < start !== flip ? { v: x + add, line: `UP ${x + add}` } : { v: x, line: `SAME ${x}` }),
        conditional: true,
      };
    }
    steps.push(step);
    v = step.apply(v, false).v;
  }
  const tag = pseudoWord(rng, SOUNDS, 2).toUpperCase();
  steps.push({ text: `Write \`END ${tag} <n>\`.`, apply: (x) => ({ v: x, line: `END ${tag} ${x}` }), conditional: false });

  const run = (flipAt: number) => {
    let x = start;
    return steps.map((s, i) => {
      const r = s.apply(x, i === flipAt);
      x = r.v;
      return r.line;
    });
  };
  const want = run(-1);
  const condIdx = steps.map((s, i) => (s.conditional ? i : -1)).filter((i) => i >= 0);
  let nearWant = run(rng.pick(condIdx));
  for (const i of condIdx) if (nearWant.join() === want.join()) nearWant = run(i);
  const prompt =
    `Start with n = ${start}. Do these steps in order; each writes one line, <n> being n after the step.\n` +
    steps.map((s, i) => `${i + 1}. ${s.text}`).join('\n') +
    `\nReply with only the ${steps.length} lines.`;
  return textProbe(ID, 'L2', seed, {
    prompt,
    async check(reply) {
      return lineCheckpoints(
        answerLines(reply),
        want,
        want.map((_, i) => `step_${i + 1}`),
      );
    },
    referenceText: want.join('\n'),
    nearMissText: nearWant.join('\n'),
  });
}

// ── L3: a loop with a running count and a final check ──────────────────────────────────────

interface LoopParams {
  start: number;
  p: number;
  q: number;
  floor: number;
  cap: number;
  mod: number;
}

interface LoopTrace {
  values: number[];
  counts: number[];
  divisions: number;
  sum: number;
}

function runLoop(x: LoopParams, variant: 'ok' | 'count-all-even' = 'ok'): LoopTrace {
  let n = x.start;
  let c = 0;
  const values: number[] = [];
  const counts: number[] = [];
  for (let round = 1; round <= x.cap; round++) {
    if (n % x.p === 0) {
      n = n / x.p;
      c++;
    } else {
      n = n + x.q;
      if (variant === 'count-all-even' && n % 2 === 0) c++;
    }
    values.push(n);
    counts.push(c);
    if (n <= x.floor) break;
  }
  return { values, counts, divisions: c, sum: values.reduce((a, b) => a + b, 0) };
}

function loopLines(x: LoopParams, t: LoopTrace, tag: string): string[] {
  return [
    ...t.values.map((v, i) => `Round ${i + 1}: ${v} (${tag} ${t.counts[i]})`),
    `Rounds: ${t.values.length}`,
    `Divisions: ${t.divisions}`,
    `Sum: ${t.sum}`,
    `Check: ${t.sum % x.mod === 0 ? 'PASS' : 'FAIL'}`,
  ];
}

function level3(rng: ProbeRng, seed: number): ProbeInstance {
  let x: LoopParams | undefined;
  let trace: LoopTrace | undefined;
  for (let tries = 0; tries < 500; tries++) {
    const cand: LoopParams = { start: rng.int(30, 160), p: rng.pick([2, 3]), q: rng.int(1, 9), floor: rng.int(4, 20), cap: rng.int(8, 12), mod: rng.pick([3, 4, 5, 6, 7]) };
    if (cand.q % cand.p === 0) continue;
    const t = runLoop(cand);
    // 6+ rounds with both kinds of update; the stop rule must matter (either way out is fine).
    if (t.values.length < 6 || t.divisions < 2 || t.divisions === t.values.length) continue;
    x = cand;
    trace = t;
    break;
  }
  if (!x || !trace) throw new Error('follow.procedure L3: no loop parameters found');
  const tag = rng.pick(['divided so far:', 'divisions so far:', 'splits so far:']);
  const want = loopLines(x, trace, tag);
  const nearKind = rng.int(0, 2);
  let near: string[];
  if (nearKind === 0) {
    // Counts the starting value as a round line too.
    near = [`Round 0: ${x.start} (${tag} 0)`, ...want];
  } else if (nearKind === 1) {
    // Wrong running count: also counts additions that land on an even number.
    const t = runLoop(x, 'count-all-even');
    near = t.divisions === trace.divisions ? [...want.slice(0, -2), `Sum: ${trace.sum + 1}`, want[want.length - 1]!] : loopLines(x, t, tag);
  } else {
    // Verification skipped: the check line is written as PASS without doing the test.
    near = [...want.slice(0, -1), `Check: PASS`];
    if (near.join() === want.join()) near = [...want.slice(0, -2), `Sum: ${trace.sum - x.q}`, want[want.length - 1]!];
  }
  const prompt =
    `Start with n = ${x.start}, c = 0. Repeat rounds i = 1, 2, 3, ...:\n` +
    `a. If n is divisible by ${x.p}, divide n by ${x.p} and add 1 to c; else add ${x.q} to n.\n` +
    `b. Write \`Round <i>: <n> (${tag} <c>)\` with the new n and c.\n` +
    `c. Stop if now n ≤ ${x.floor} or this was round ${x.cap}.\n` +
    `Then write:\n` +
    `\`Rounds: <rounds done>\`\n` +
    `\`Divisions: <final c>\`\n` +
    `\`Sum: <sum of n over all Round lines>\`\n` +
    `\`Check: PASS\` if that sum is divisible by ${x.mod}, else \`Check: FAIL\`\n` +
    `Reply with only these lines.`;
  const roundRe = /^ROUND ?(\d+):(-?\d+)\((.*?)(-?\d+)\)$/;
  const isRound = (l: string) => /^ROUND ?\d/.test(l);
  return textProbe(ID, 'L3', seed, {
    prompt,
    async check(reply) {
      const got = answerLines(reply).map(norm);
      const w = want.map(norm);
      const gotRounds = got.filter((l) => isRound(l));
      const wantRounds = w.filter((l) => isRound(l));
      const parse = (ls: string[]) => ls.map((l) => roundRe.exec(l)).map((m) => (m ? { i: Number(m[1]), n: Number(m[2]), c: Number(m[4]) } : undefined));
      const g = parse(gotRounds);
      const e = parse(wantRounds);
      const valuesOk = g.length === e.length && g.every((r, i) => r !== undefined && r.i === e[i]!.i && r.n === e[i]!.n);
      const countsOk = g.length === e.length && g.every((r, i) => r !== undefined && r.c === e[i]!.c);
      const firstBad = g.findIndex((r, i) => !r || !e[i] || r.n !== e[i]!.n || r.i !== e[i]!.i || r.c !== e[i]!.c);
      const tail = got.filter((l) => !isRound(l));
      const find = (k: string) => tail.find((l) => l.startsWith(`${k}:`));
      const wantTail = w.filter((l) => !isRound(l));
      const [wRounds, wDiv, wSum, wCheck] = wantTail;
      const order = got.length === w.length && got.every((l, i) => isRound(l) === isRound(w[i]!) && l.split(':')[0] === w[i]!.split(':')[0]);
      return [
        cp('round_values', valuesOk, `expected ${e.length} round lines; first difference at round line ${firstBad + 1}: got ${JSON.stringify(gotRounds[firstBad] ?? '(nothing)')}, expected ${JSON.stringify(wantRounds[firstBad] ?? '(nothing)')}`),
        cp('running_count', countsOk, 'the running counter on the Round lines is wrong'),
        cp('rounds_line', find('ROUNDS') === wRounds, `expected ${wRounds}, got ${find('ROUNDS') ?? '(nothing)'}`),
        cp('divisions_line', find('DIVISIONS') === wDiv, `expected ${wDiv}, got ${find('DIVISIONS') ?? '(nothing)'}`),
        cp('sum_line', find('SUM') === wSum, `expected ${wSum}, got ${find('SUM') ?? '(nothing)'}`),
        cp('check_line', find('CHECK') === wCheck, `expected ${wCheck}, got ${find('CHECK') ?? '(nothing)'}`),
        cp('layout', order, `expected ${w.length} lines: the Round lines, then Rounds, Divisions, Sum, Check`),
      ];
    },
    referenceText: want.join('\n'),
    nearMissText: near.join('\n'),
  });
}

export const generator = generatorByLevel(ID, {
  L1: 'Three sequential steps writing one line each, later steps using earlier results (counting in steps and summing, or ordering words and picking one); exact lines checked.',
  L2: 'Six or seven steps over a running number with 4–5 conditional branches (parity, boundary thresholds, divisibility, digit tests); one checkpoint per step.',
  L3: 'A loop of rounds updating a number by generated rules with a running counter on every line, a stop condition, summary lines and a final verification line; each part checked.',
}, { L1: level1, L2: level2, L3: level3 });
