import { cp, generatorByLevel, lines, numbersIn, textProbe, type ProbeRng } from '../toolkit.js';
import type { ProbeCheckpoint, ProbeInstance } from '../types.js';
import { cleanLine, lastLineAnswer } from '../gen/answer.js';
import { pseudoWord, type WordSounds } from '../gen/words.js';

/**
 * reason.logic — deduction (text pattern: the answer is the agent's final text).
 *  L1  categorical if-then statements over invented words (so no world knowledge helps), one
 *      question: Yes / No / Unknown, as the reply's first word. Includes the classic traps
 *      (affirming the consequent, denying the antecedent), which the brute-forced truth table
 *      settles; the near-miss gives the trap's answer.
 *  L2  a 5–6 seat row with 4–8 clues, unique arrangement by construction (brute-forced, clues
 *      redrawn and minimised until exactly one arrangement fits); the last line must be the full
 *      order, checked exactly — listing everyone in some other order fails. The near-miss is an
 *      arrangement that breaks exactly one clue.
 *  L3  assign 5 tasks to 5 workers at minimum total cost under 2–3 side constraints, unique
 *      optimum by brute force, and the unconstrained optimum is infeasible; the near-miss is
 *      that unconstrained optimum.
 */

const ID = 'reason.logic';

const NAMES = [
  'Alma', 'Bruno', 'Chiara', 'Dmitri', 'Esme', 'Farid', 'Gwen', 'Hector', 'Ilse', 'Jamal', 'Kirsten', 'Lorenzo', 'Mirela', 'Nikhil',
  'Odette', 'Pavel', 'Quinn', 'Rosalind', 'Soren', 'Tamsin', 'Ulrich', 'Vesna', 'Wendell', 'Ximena', 'Yusuf', 'Zora', 'Anouk', 'Bastian',
  'Celeste', 'Dario', 'Elif', 'Florin', 'Greer', 'Hamid', 'Ingrid', 'Joaquin', 'Katya', 'Leander', 'Marisol', 'Nadia', 'Orson', 'Petra',
];

/** cleanLine, with underscores (markdown emphasis) removed too. */
function cleanLogicLine(line: string): string {
  return cleanLine(line.replace(/_/g, ''));
}

/** Every permutation of 0..n-1. */
function permutations(n: number): number[][] {
  const out: number[][] = [];
  const a = Array.from({ length: n }, (_, i) => i);
  const rec = (k: number): void => {
    if (k === n) {
      out.push([...a]);
      return;
    }
    for (let i = k; i < n; i++) {
      [a[k], a[i]] = [a[i]!, a[k]!];
      rec(k + 1);
      [a[k], a[i]] = [a[i]!, a[k]!];
    }
  };
  rec(0);
  return out;
}

// ---------------------------------------------------------------------------------------------
// L1 — categorical deduction over invented words

const SOUNDS: WordSounds = {
  onsets: ['b', 'd', 'f', 'g', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'z', 'br', 'dr', 'gl', 'pl', 'sk', 'tr', 'fl', 'gr'],
  vowels: ['a', 'e', 'i', 'o', 'u', 'ai', 'ou'],
  codas: ['', '', 'n', 'r', 'x', 'k', 'sh', 'm'],
};

const article = (w: string): string => (/^[aeiou]/.test(w) ? `an ${w}` : `a ${w}`);

type Rule = { kind: 'imp'; a: number; b: number } | { kind: 'excl'; a: number; b: number };
type Fact = { p: number; value: boolean };

function renderRule(rng: ProbeRng, r: Rule, w: string[]): string {
  const a = w[r.a]!;
  const b = w[r.b]!;
  if (r.kind === 'imp') {
    return rng.pick([
      `Every ${a} is ${article(b)}.`,
      `All ${a}s are ${b}s.`,
      `Anything that is ${article(a)} is also ${article(b)}.`,
      `If something is ${article(a)}, then it is ${article(b)}.`,
    ]);
  }
  return rng.pick([`No ${a} is ${article(b)}.`, `Nothing that is ${article(a)} is ${article(b)}.`, `A ${a} is never ${article(b)}.`]);
}

/** Yes / No / Unknown for "is x a q?" over every truth assignment consistent with rules and facts. */
function decide(k: number, rules: Rule[], facts: Fact[], q: number): 'Yes' | 'No' | 'Unknown' | 'Inconsistent' {
  let canTrue = false;
  let canFalse = false;
  for (let m = 0; m < 1 << k; m++) {
    const v = (p: number): boolean => ((m >> p) & 1) === 1;
    if (!facts.every((f) => v(f.p) === f.value)) continue;
    if (!rules.every((r) => (r.kind === 'imp' ? !v(r.a) || v(r.b) : !(v(r.a) && v(r.b))))) continue;
    if (v(q)) canTrue = true;
    else canFalse = true;
  }
  if (canTrue && canFalse) return 'Unknown';
  if (canTrue) return 'Yes';
  if (canFalse) return 'No';
  return 'Inconsistent';
}

function level1(rng: ProbeRng, seed: number): ProbeInstance {
  for (;;) {
    const kind = rng.pick(['chain-yes', 'tollens', 'exclusion', 'affirm-consequent', 'deny-antecedent'] as const);
    const len = rng.int(2, 3);
    const k = len + 1 + rng.int(2, 3);
    const words = new Set<string>();
    while (words.size < k) words.add(pseudoWord(rng, SOUNDS));
    const w = [...words];
    // Chain over properties 0..len; further properties are for exclusion and distractors.
    const rules: Rule[] = [];
    for (let i = 0; i < len; i++) rules.push({ kind: 'imp', a: i, b: i + 1 });
    let facts: Fact[];
    let q: number;
    let want: 'Yes' | 'No' | 'Unknown';
    let trap: 'Yes' | 'No' | 'Unknown';
    const top = len;
    if (kind === 'chain-yes') {
      facts = [{ p: 0, value: true }];
      q = top;
      want = 'Yes';
      trap = 'Unknown';
    } else if (kind === 'tollens') {
      facts = [{ p: top, value: false }];
      q = 0;
      want = 'No';
      trap = 'Unknown';
    } else if (kind === 'exclusion') {
      const other = len + 1;
      rules.push({ kind: 'excl', a: top, b: other });
      facts = [{ p: 0, value: true }];
      q = other;
      want = 'No';
      trap = 'Unknown';
    } else if (kind === 'affirm-consequent') {
      facts = [{ p: top, value: true }];
      q = 0;
      want = 'Unknown';
      trap = 'Yes';
    } else {
      facts = [{ p: 0, value: false }];
      q = top;
      want = 'Unknown';
      trap = 'No';
    }
    // Distractors: rules touching the unused properties (and sometimes the chain), plus a fact.
    const free = Array.from({ length: k }, (_, i) => i).filter((i) => !rules.some((r) => r.a === i || r.b === i));
    for (let d = rng.int(2, 3); d > 0; d--) {
      const a = rng.pick(free.length ? free : [0]);
      const b = rng.int(0, k - 1);
      if (a === b) continue;
      rules.push(rng.next() < 0.6 ? { kind: 'imp', a: rng.next() < 0.5 ? a : b, b: rng.next() < 0.5 ? b : a } : { kind: 'excl', a, b });
    }
    const extra = rng.pick(free.length ? free : [k - 1]);
    if (extra !== q && !facts.some((f) => f.p === extra) && rng.next() < 0.5) facts.push({ p: extra, value: rng.next() < 0.5 });
    const clean = rules.filter((r) => r.a !== r.b);
    if (decide(k, clean, facts, q) !== want) continue;
    // The fact alone must not answer the question (no property is asked about directly).
    if (facts.some((f) => f.p === q)) continue;
    const who = rng.pick(NAMES);
    const statements = rng.shuffle([
      ...clean.map((r) => renderRule(rng, r, w)),
      ...facts.map((f) => (f.value ? `${who} is ${article(w[f.p]!)}.` : `${who} is not ${article(w[f.p]!)}.`)),
    ]);
    const prompt =
      `The category words are made up: use only these statements.\n${statements.map((s) => `- ${s}`).join('\n')}\n` +
      `Is ${who} ${article(w[q]!)}? Start your reply with one word, Yes (proved), No (disproved) or Unknown (not settled), then justify briefly.`;
    const explain = (ans: string): string => `${ans}. Following the statements about ${who}, the question ${ans === 'Unknown' ? 'is not settled' : 'is settled'} by the rules given.`;
    return textProbe(ID, 'L1', seed, {
      prompt,
      async check(answerText) {
        let first = (cleanLogicLine(answerText.trim().split(/\n/)[0] ?? '').match(/[A-Za-z]+/g) ?? []).slice(0, 2);
        if (first[0]?.toLowerCase() === 'answer') first = first.slice(1);
        const got = first[0] ?? '';
        return [cp('answer_correct', got.toLowerCase() === want.toLowerCase(), `expected the reply to start with ${want}, got "${got}"`)];
      },
      referenceText: explain(want),
      nearMissText: explain(trap),
    });
  }
}

// ---------------------------------------------------------------------------------------------
// L2 — seating with a unique arrangement

type Clue =
  | { t: 'seat'; x: number; k: number }
  | { t: 'notSeat'; x: number; k: number }
  | { t: 'end'; x: number }
  | { t: 'notEnd'; x: number }
  | { t: 'adj'; x: number; y: number }
  | { t: 'notAdj'; x: number; y: number }
  | { t: 'immLeft'; x: number; y: number }
  | { t: 'leftOf'; x: number; y: number }
  | { t: 'gap'; x: number; y: number; g: number };

/** pos[person] = seat index (0-based) */
function holds(c: Clue, pos: number[], n: number): boolean {
  switch (c.t) {
    case 'seat':
      return pos[c.x] === c.k;
    case 'notSeat':
      return pos[c.x] !== c.k;
    case 'end':
      return pos[c.x] === 0 || pos[c.x] === n - 1;
    case 'notEnd':
      return pos[c.x] !== 0 && pos[c.x] !== n - 1;
    case 'adj':
      return Math.abs(pos[c.x]! - pos[c.y]!) === 1;
    case 'notAdj':
      return Math.abs(pos[c.x]! - pos[c.y]!) !== 1;
    case 'immLeft':
      return pos[c.y]! - pos[c.x]! === 1;
    case 'leftOf':
      return pos[c.x]! < pos[c.y]!;
    case 'gap':
      return Math.abs(pos[c.x]! - pos[c.y]!) === c.g + 1;
  }
}

function renderClue(c: Clue, names: string[]): string {
  const X = names[c.x]!;
  switch (c.t) {
    case 'seat':
      return `${X} sits in seat ${c.k + 1}.`;
    case 'notSeat':
      return `${X} does not sit in seat ${c.k + 1}.`;
    case 'end':
      return `${X} sits at an end of the row.`;
    case 'notEnd':
      return `${X} sits at neither end of the row.`;
    case 'adj':
      return `${X} and ${names[c.y]} sit next to each other.`;
    case 'notAdj':
      return `${X} and ${names[c.y]} do not sit next to each other.`;
    case 'immLeft':
      return `${X} sits immediately left of ${names[c.y]}.`;
    case 'leftOf':
      return `${X} sits somewhere left of ${names[c.y]}.`;
    case 'gap':
      return `Exactly ${c.g === 1 ? 'one person sits' : `${c.g} people sit`} between ${X} and ${names[c.y]}.`;
  }
}

/** Every clue that is true of the hidden arrangement. */
function trueClues(pos: number[], n: number): Clue[] {
  const out: Clue[] = [];
  for (let x = 0; x < n; x++) {
    out.push({ t: 'seat', x, k: pos[x]! });
    for (let k = 0; k < n; k++) if (k !== pos[x]) out.push({ t: 'notSeat', x, k });
    out.push(pos[x] === 0 || pos[x] === n - 1 ? { t: 'end', x } : { t: 'notEnd', x });
    for (let y = 0; y < n; y++) {
      if (y === x) continue;
      const d = pos[y]! - pos[x]!;
      if (x < y) out.push(Math.abs(d) === 1 ? { t: 'adj', x, y } : { t: 'notAdj', x, y });
      if (d === 1) out.push({ t: 'immLeft', x, y });
      if (d > 1) out.push({ t: 'leftOf', x, y });
      if (x < y && Math.abs(d) >= 2) out.push({ t: 'gap', x, y, g: Math.abs(d) - 1 });
    }
  }
  return out;
}

interface Seating {
  n: number;
  clues: Clue[];
  /** order[seat] = person */
  order: number[];
  /** An arrangement that breaks exactly one clue (as few as possible). */
  wrong: number[];
}

function makeSeating(rng: ProbeRng, n: number): Seating {
  const perms = permutations(n);
  const posOf = (order: number[]): number[] => {
    const p = new Array<number>(n);
    order.forEach((person, seat) => (p[person] = seat));
    return p;
  };
  const allPos = perms.map(posOf);
  for (;;) {
    const order = rng.shuffle(Array.from({ length: n }, (_, i) => i));
    const pos = posOf(order);
    // Weighted draw: seat and notSeat clues are rarer, relational clues more common.
    const pool = trueClues(pos, n)
      .map((c) => ({ c, key: weight(c, rng) }))
      .sort((a, b) => b.key - a.key)
      .map((e) => e.c);
    const chosen: Clue[] = [];
    let alive = allPos.map((_, i) => i);
    for (const c of pool) {
      if (alive.length === 1) break;
      if (c.t === 'seat' && chosen.some((d) => d.t === 'seat')) continue;
      const next = alive.filter((i) => holds(c, allPos[i]!, n));
      if (next.length < alive.length) {
        chosen.push(c);
        alive = next;
      }
    }
    if (alive.length !== 1) continue;
    // Drop clues that are not needed.
    let clues = [...chosen];
    for (const c of rng.shuffle(chosen)) {
      const without = clues.filter((d) => d !== c);
      const count = allPos.filter((p) => without.every((d) => holds(d, p, n))).length;
      if (count === 1) clues = without;
    }
    if (clues.length < 4 || clues.length > 8) continue;
    // The near-miss: an arrangement violating exactly one clue.
    const oneOff = perms.filter((_, i) => clues.filter((c) => !holds(c, allPos[i]!, n)).length === 1);
    if (!oneOff.length) continue;
    return { n, clues: rng.shuffle(clues), order, wrong: rng.pick(oneOff) };
  }
}

function weight(c: Clue, rng: ProbeRng): number {
  const base = { seat: 0.15, notSeat: 0.35, end: 0.5, notEnd: 0.5, adj: 0.8, notAdj: 0.7, immLeft: 0.8, leftOf: 0.9, gap: 0.8 }[c.t];
  return base * rng.next();
}

/** The names on the reply's last line, in order (label, markdown, numbering and final period removed). */
function orderOnLastLine(text: string): string[] {
  return lastLineAnswer(text, cleanLogicLine)
    .replace(/\.\s*$/, '')
    .split(/\s*(?:,|;|->|→|\|)\s*/)
    .map((s) => s.replace(/^\(?(?:seat\s*)?\d+\s*[).:=-]?\s*/i, '').trim())
    .filter((s) => s.length > 0);
}

function level2(rng: ProbeRng, seed: number): ProbeInstance {
  const n = rng.int(5, 6);
  const s = makeSeating(rng, n);
  const names = rng.sample(NAMES, n);
  const want = s.order.map((p) => names[p]!);
  const wrong = s.wrong.map((p) => names[p]!);
  const alphabetical = [...names].sort();
  const prompt =
    `${alphabetical.join(', ')} sit one per seat in a row of seats numbered 1 to ${n} from left to right.\n${s.clues.map((c) => `- ${renderClue(c, names)}`).join('\n')}\n` +
    `Exactly one arrangement fits. End with a line of only the ${n} names from seat 1 to seat ${n}, comma-separated.`;
  return textProbe(ID, 'L2', seed, {
    prompt,
    async check(reply) {
      const got = orderOnLastLine(reply);
      const lower = got.map((g) => g.toLowerCase());
      const known = new Set(names.map((x) => x.toLowerCase()));
      const formatOk = lower.length === n && lower.every((g) => known.has(g)) && new Set(lower).size === n;
      return [
        cp('order_format', formatOk, `the last line should list the ${n} names once each, comma-separated; got "${got.join(', ')}"`),
        cp('order_correct', formatOk && lower.every((g, i) => g === want[i]!.toLowerCase()), `expected ${want.join(', ')}`),
      ];
    },
    referenceText: `Working through the clues leaves a single arrangement.\n\n${want.join(', ')}`,
    nearMissText: `Placing everyone clue by clue gives this order.\n\n${wrong.join(', ')}`,
  });
}

// ---------------------------------------------------------------------------------------------
// L3 — constrained assignment with a unique optimum

const JOBS = [
  'welding', 'painting', 'wiring', 'plumbing', 'tiling', 'roofing', 'framing', 'glazing', 'flooring', 'insulation', 'landscaping',
  'masonry', 'paving', 'inspection', 'cabinetry', 'demolition', 'excavation', 'fencing', 'plastering', 'surveying', 'ventilation',
  'waterproofing', 'scaffolding', 'drainage', 'signage', 'lighting',
];

type AssignRule = { t: 'forbid'; w: number; task: number } | { t: 'oneOf'; w: number; tasks: [number, number] } | { t: 'notBoth'; w1: number; t1: number; w2: number; t2: number };

function assignOk(r: AssignRule, perm: number[]): boolean {
  // perm[task] = worker
  if (r.t === 'forbid') return perm[r.task] !== r.w;
  if (r.t === 'oneOf') return perm[r.tasks[0]] === r.w || perm[r.tasks[1]] === r.w;
  return !(perm[r.t1] === r.w1 && perm[r.t2] === r.w2);
}

function renderAssignRule(r: AssignRule, workers: string[], tasks: string[]): string {
  if (r.t === 'forbid') return `${workers[r.w]} cannot do ${tasks[r.task]}.`;
  if (r.t === 'oneOf') return `${workers[r.w]} must do ${tasks[r.tasks[0]]} or ${tasks[r.tasks[1]]}.`;
  return `If ${workers[r.w1]} does ${tasks[r.t1]}, ${workers[r.w2]} cannot do ${tasks[r.t2]}.`;
}

function level3(rng: ProbeRng, seed: number): ProbeInstance {
  const n = 5;
  const perms = permutations(n);
  for (;;) {
    const cost = Array.from({ length: n }, () => Array.from({ length: n }, () => rng.int(4, 29)));
    // cost[worker][task]
    const total = (p: number[]): number => p.reduce((s, w, task) => s + cost[w]![task]!, 0);
    const byCost = [...perms].sort((a, b) => total(a) - total(b));
    const free = byCost[0]!;
    // Rules: the unconstrained optimum must break at least one of them.
    const rules: AssignRule[] = [];
    const t0 = rng.int(0, n - 1);
    rules.push({ t: 'forbid', w: free[t0]!, task: t0 });
    const extras = rng.int(1, 2);
    for (let i = 0; i < extras; i++) {
      const kind = rng.pick(['forbid', 'oneOf', 'notBoth'] as const);
      const w = rng.int(0, n - 1);
      const [a, b] = rng.sample(Array.from({ length: n }, (_, j) => j), 2) as [number, number];
      if (kind === 'forbid') rules.push({ t: 'forbid', w, task: a });
      else if (kind === 'oneOf') rules.push({ t: 'oneOf', w, tasks: [a, b] });
      else {
        const w2 = (w + rng.int(1, n - 1)) % n;
        rules.push({ t: 'notBoth', w1: w, t1: a, w2, t2: b });
      }
    }
    const feasible = byCost.filter((p) => rules.every((r) => assignOk(r, p)));
    if (feasible.length < 3) continue;
    const best = feasible[0]!;
    if (total(feasible[1]!) === total(best)) continue;
    if (total(free) === total(best)) continue;
    // Every rule matters: without any one of them the optimum would be different.
    const optimumWithout = (r: AssignRule): number[] | undefined => byCost.find((p) => rules.every((q) => q === r || assignOk(q, p)));
    if (rules.some((r) => optimumWithout(r) === best)) continue;
    const workers = rng.sample(NAMES, n);
    const tasks = rng.sample(JOBS, n);
    const rows = workers.map((w, i) => `${w}: ${cost[i]!.join(' ')}`).join('\n');
    const want = tasks.map((_, task) => workers[best[task]!]!);
    const wantCost = total(best);
    const prompt =
      `Give each of ${n} jobs to a different worker. Costs in hundreds of dollars, per job in the order ${tasks.join(', ')}:\n${rows}\n` +
      `Rules:\n${rules.map((r) => `- ${renderAssignRule(r, workers, tasks)}`).join('\n')}\n` +
      `Find the cheapest assignment that follows every rule (it is unique). End with one line per job, \`<job>: <worker>\`, in the order above, then \`Total: <cost>\` in hundreds of dollars.`;
    const answerBlock = (p: number[]): string => `${tasks.map((t, task) => `${t}: ${workers[p[task]!]}`).join('\n')}\nTotal: ${total(p)}`;
    return textProbe(ID, 'L3', seed, {
      prompt,
      async check(reply) {
        const got = new Map<string, string>();
        let totalLine: string | undefined;
        const lowTasks = tasks.map((t) => t.toLowerCase());
        const lowWorkers = workers.map((w) => w.toLowerCase());
        for (const raw of lines(reply)) {
          const l = cleanLogicLine(raw).toLowerCase();
          if (/^total\b/.test(l)) totalLine = l;
          const ts = lowTasks.filter((t) => new RegExp(`\\b${t}\\b`).test(l));
          const ws = lowWorkers.filter((w) => new RegExp(`\\b${w}\\b`).test(l));
          if (ts.length === 1 && ws.length === 1) got.set(ts[0]!, ws[0]!);
        }
        const wrongJobs = tasks.filter((t, i) => got.get(t.toLowerCase()) !== want[i]!.toLowerCase());
        const ns = totalLine ? numbersIn(totalLine) : [];
        const out: ProbeCheckpoint[] = [
          cp('assignment_correct', wrongJobs.length === 0, `wrong or missing worker for ${wrongJobs.join(', ')}`),
          cp('cost_correct', ns.length > 0 && ns[0] === wantCost, `expected Total: ${wantCost}${totalLine ? `, got "${totalLine}"` : ', no Total line'}`),
        ];
        return out;
      },
      referenceText: `Checking every assignment that respects the rules, the cheapest is:\n\n${answerBlock(best)}`,
      nearMissText: `Picking the cheapest combination from the table:\n\n${answerBlock(free)}`,
    });
  }
}

export const generator = generatorByLevel(ID, {
  L1: 'Categorical if-then statements over invented words (incl. affirming-the-consequent / denying-the-antecedent traps); reply starts with Yes, No or Unknown.',
  L2: 'Seat 5–6 people from 4–8 clues with a unique arrangement (brute-forced); the last line must be exactly the full seat order.',
  L3: 'Assign 5 jobs to 5 workers at minimum cost under 2–3 rules (unique optimum; the unconstrained optimum breaks a rule); job→worker lines and the total.',
}, { L1: level1, L2: level2, L3: level3 });
