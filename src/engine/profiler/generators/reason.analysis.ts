import { call, cp, generatorByLevel, lines, numbersIn, probeRng, solution, textProbe, type ProbeRng } from '../toolkit.js';
import type { ProbeCheckpoint, ProbeInstance } from '../types.js';
import { cleanLine, labelled } from '../gen/answer.js';
import { pseudoWord, type WordSounds } from '../gen/words.js';

/**
 * reason.analysis — reading code (text pattern: the answer is the agent's final text). All
 * code is generated: families of functions with drawn names, constants, inputs and bugs, so no
 * fixed snippet pool can be memorised.
 *  L1  a short Python or JavaScript function: pick the matching description among four (the
 *      distractors are close variants: ≥ vs >, index vs value, left vs right…) and state what a
 *      given call returns. Near-miss: the closest distractor and the value it would give.
 *  L2  a Python module (in the work dir) with three documented functions, one of which has a
 *      single wrong line (off-by-one range, wrong divisor, inverted comparison…): name that line.
 *      Near-miss: the neighbouring line.
 *  L3  a small multi-file Python program (entry point, loader, records, filter, config,
 *      helpers, stats, report) and the traceback it prints: name the file and line of the root
 *      cause, which is never the line that raises (a wrong delimiter, a missing conversion, a
 *      typo'd status, a helper returning the wrong thing…). Near-miss: the raising line, or the
 *      right file one line off.
 */

const ID = 'reason.analysis';

/** Replace `{key}` placeholders. */
function fill(template: string, vars: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
}

const ORD = ['zeroth', 'first', 'second', 'third', 'fourth'];

// ---------------------------------------------------------------------------------------------
// L1 — what does this function do?

type Lang = 'python' | 'javascript';
type Value = number | number[];

interface L1Case {
  lang: Lang;
  code: string;
  /** The call as written in the prompt (same syntax in both languages). */
  callText: string;
  expected: Value;
  nearValue: Value;
  correct: string;
  near: string;
  others: [string, string];
}

interface Names {
  fn: string;
  xs: string;
  v: string;
  i: string;
  acc: string;
  a: string;
  b: string;
}

function l1Names(rng: ProbeRng): Names {
  const fn = `${rng.pick(['proc', 'calc', 'handle', 'compute', 'step', 'walk', 'fold', 'scan', 'apply', 'crunch', 'work', 'pass'])}${rng.pick(['', '_a', '_b', '2', '_x', '_v', '_it', '_q'])}`;
  const [a, b] = rng.pick([
    ['a', 'b'],
    ['p', 'q'],
    ['u', 'w'],
    ['m', 'n'],
    ['left', 'right'],
  ] as const);
  return {
    fn,
    xs: rng.pick(['xs', 'items', 'vals', 'data', 'seq', 'arr', 'nums', 'values', 'src']),
    v: rng.pick(['v', 'x', 'e', 'item', 'cur', 'el']),
    i: rng.pick(['i', 'j', 'k', 'pos', 'idx']),
    acc: rng.pick(['acc', 'r', 'res', 'out', 't', 'tally', 'agg']),
    a,
    b,
  };
}

const ints = (rng: ProbeRng, n: number, lo: number, hi: number): number[] => Array.from({ length: n }, () => rng.int(lo, hi));
const listLit = (xs: number[]): string => `[${xs.join(', ')}]`;
const sameValue = (a: Value, b: Value): boolean => JSON.stringify(a) === JSON.stringify(b);

type L1Family = (rng: ProbeRng, lang: Lang, n: Names) => L1Case | undefined;

const CMP_WORDS: Record<string, string> = { '>': 'greater than', '>=': 'greater than or equal to', '<': 'less than', '<=': 'less than or equal to' };
const TOGGLE: Record<string, string> = { '>': '>=', '>=': '>', '<': '<=', '<=': '<' };
const cmp = (x: number, op: string, t: number): boolean => (op === '>' ? x > t : op === '>=' ? x >= t : op === '<' ? x < t : x <= t);

const familyCount: L1Family = (rng, lang, n) => {
  const op = rng.pick(['>', '>=', '<', '<=']);
  const t = rng.int(8, 22);
  const xs = rng.shuffle([...ints(rng, rng.int(6, 8), 0, 30), t]);
  const code =
    lang === 'python'
      ? `def {fn}({xs}):\n    {acc} = 0\n    for {v} in {xs}:\n        if {v} ${op} ${t}:\n            {acc} += 1\n    return {acc}`
      : `function {fn}({xs}) {\n  let {acc} = 0;\n  for (const {v} of {xs}) {\n    if ({v} ${op} ${t}) {\n      {acc} += 1;\n    }\n  }\n  return {acc};\n}`;
  const near = TOGGLE[op]!;
  return {
    lang,
    code: fill(code, { ...n }),
    callText: `${n.fn}(${listLit(xs)})`,
    expected: xs.filter((x) => cmp(x, op, t)).length,
    nearValue: xs.filter((x) => cmp(x, near, t)).length,
    correct: `Counts how many elements are ${CMP_WORDS[op]} ${t}.`,
    near: `Counts how many elements are ${CMP_WORDS[near]} ${t}.`,
    others: [`Returns the sum of the elements that are ${CMP_WORDS[op]} ${t}.`, `Returns the first element that is ${CMP_WORDS[op]} ${t}.`],
  };
};

const familyStride: L1Family = (rng, lang, n) => {
  const start = rng.int(0, 1);
  const step = rng.int(2, 3);
  const xs = ints(rng, rng.int(7, 9), 1, 20);
  const sum = (s: number): number => xs.filter((_, i) => i >= s && (i - s) % step === 0).reduce((a, b) => a + b, 0);
  const nearStart = 1 - start;
  if (sum(start) === sum(nearStart)) return undefined;
  const code =
    lang === 'python'
      ? `def {fn}({xs}):\n    {acc} = 0\n    for {i} in range(${start}, len({xs}), ${step}):\n        {acc} += {xs}[{i}]\n    return {acc}`
      : `function {fn}({xs}) {\n  let {acc} = 0;\n  for (let {i} = ${start}; {i} < {xs}.length; {i} += ${step}) {\n    {acc} += {xs}[{i}];\n  }\n  return {acc};\n}`;
  const say = (s: number): string => `Adds up every ${ORD[step]} element of the list, starting with the ${ORD[s + 1]} element.`;
  return {
    lang,
    code: fill(code, { ...n }),
    callText: `${n.fn}(${listLit(xs)})`,
    expected: sum(start),
    nearValue: sum(nearStart),
    correct: say(start),
    near: say(nearStart),
    others: ['Adds up the elements whose values are even.', `Counts how many elements sit at every ${ORD[step]} position.`],
  };
};

const familySpread: L1Family = (rng, lang, n) => {
  const xs = ints(rng, rng.int(6, 8), -20, 40);
  const want = Math.max(...xs) - Math.min(...xs);
  const near = xs[xs.length - 1]! - xs[0]!;
  if (want === near) return undefined;
  const code =
    lang === 'python'
      ? `def {fn}({xs}):\n    {a} = {xs}[0]\n    {b} = {xs}[0]\n    for {v} in {xs}[1:]:\n        if {v} < {a}:\n            {a} = {v}\n        if {v} > {b}:\n            {b} = {v}\n    return {b} - {a}`
      : `function {fn}({xs}) {\n  let {a} = {xs}[0];\n  let {b} = {xs}[0];\n  for (const {v} of {xs}.slice(1)) {\n    if ({v} < {a}) {a} = {v};\n    if ({v} > {b}) {b} = {v};\n  }\n  return {b} - {a};\n}`;
  return {
    lang,
    code: fill(code, { ...n }),
    callText: `${n.fn}(${listLit(xs)})`,
    expected: want,
    nearValue: near,
    correct: 'Returns the difference between the largest and the smallest element.',
    near: 'Returns the difference between the last and the first element.',
    others: ['Returns the largest element.', 'Returns the sum of the largest and the smallest element.'],
  };
};

const familyDedupe: L1Family = (rng, lang, n) => {
  const xs = ints(rng, rng.int(8, 10), 1, 9);
  const seen = new Set<number>();
  const want: number[] = [];
  for (const x of xs) if (!seen.has(x)) (seen.add(x), want.push(x));
  const dup = want.filter((x) => xs.filter((y) => y === x).length > 1);
  if (dup.length === 0 || want.length === xs.length) return undefined;
  const code =
    lang === 'python'
      ? `def {fn}({xs}):\n    {b} = set()\n    {acc} = []\n    for {v} in {xs}:\n        if {v} not in {b}:\n            {b}.add({v})\n            {acc}.append({v})\n    return {acc}`
      : `function {fn}({xs}) {\n  const {b} = new Set();\n  const {acc} = [];\n  for (const {v} of {xs}) {\n    if (!{b}.has({v})) {\n      {b}.add({v});\n      {acc}.push({v});\n    }\n  }\n  return {acc};\n}`;
  return {
    lang,
    code: fill(code, { ...n }),
    callText: `${n.fn}(${listLit(xs)})`,
    expected: want,
    nearValue: dup,
    correct: 'Returns the values with repeats removed, keeping the order in which each value first appears.',
    near: 'Returns only the values that occur more than once, each listed once in order of first appearance.',
    others: ['Returns the distinct values sorted in ascending order.', 'Returns how many distinct values there are.'],
  };
};

const familyRunningMax: L1Family = (rng, lang, n) => {
  const xs = ints(rng, rng.int(6, 8), 1, 30);
  const want: number[] = [];
  let m = -Infinity;
  for (const x of xs) want.push((m = Math.max(m, x)));
  const near: number[] = [];
  let s = 0;
  for (const x of xs) near.push((s += x));
  const code =
    lang === 'python'
      ? `def {fn}({xs}):\n    {acc} = []\n    {a} = None\n    for {v} in {xs}:\n        if {a} is None or {v} > {a}:\n            {a} = {v}\n        {acc}.append({a})\n    return {acc}`
      : `function {fn}({xs}) {\n  const {acc} = [];\n  let {a} = null;\n  for (const {v} of {xs}) {\n    if ({a} === null || {v} > {a}) {\n      {a} = {v};\n    }\n    {acc}.push({a});\n  }\n  return {acc};\n}`;
  return {
    lang,
    code: fill(code, { ...n }),
    callText: `${n.fn}(${listLit(xs)})`,
    expected: want,
    nearValue: near,
    correct: 'Returns a list in which each position holds the largest value seen up to and including that position.',
    near: 'Returns a list in which each position holds the sum of the values up to and including that position.',
    others: ['Returns the values sorted in ascending order.', 'Returns the largest value.'],
  };
};

const familyFirstMultiple: L1Family = (rng, lang, n) => {
  const k = rng.int(3, 9);
  const xs = ints(rng, rng.int(6, 8), 1, 60);
  const idx = xs.findIndex((x) => x % k === 0);
  if (idx < 1 || xs[idx] === idx) return undefined;
  const code =
    lang === 'python'
      ? `def {fn}({xs}):\n    for {i} in range(len({xs})):\n        if {xs}[{i}] % ${k} == 0:\n            return {i}\n    return -1`
      : `function {fn}({xs}) {\n  for (let {i} = 0; {i} < {xs}.length; {i}++) {\n    if ({xs}[{i}] % ${k} === 0) {\n      return {i};\n    }\n  }\n  return -1;\n}`;
  return {
    lang,
    code: fill(code, { ...n }),
    callText: `${n.fn}(${listLit(xs)})`,
    expected: idx,
    nearValue: xs[idx]!,
    correct: `Returns the position (counting from 0) of the first element divisible by ${k}, or -1 if there is none.`,
    near: `Returns the first element that is divisible by ${k} (the element itself), or -1 if there is none.`,
    others: [`Returns the position (counting from 0) of the last element divisible by ${k}, or -1 if there is none.`, `Counts the elements divisible by ${k}.`],
  };
};

const familyDigits: L1Family = (rng, lang, n) => {
  const x = rng.int(10000, 999999);
  const digits = String(x).split('').map(Number);
  const code =
    lang === 'python'
      ? `def {fn}({a}):\n    {acc} = 0\n    while {a} > 0:\n        {acc} += {a} % 10\n        {a} //= 10\n    return {acc}`
      : `function {fn}({a}) {\n  let {acc} = 0;\n  while ({a} > 0) {\n    {acc} += {a} % 10;\n    {a} = Math.floor({a} / 10);\n  }\n  return {acc};\n}`;
  return {
    lang,
    code: fill(code, { ...n }),
    callText: `${n.fn}(${x})`,
    expected: digits.reduce((a, b) => a + b, 0),
    nearValue: digits.length,
    correct: 'Returns the sum of the decimal digits of its (positive integer) argument.',
    near: 'Returns the number of decimal digits of its (positive integer) argument.',
    others: ['Returns its argument with the digits in reverse order.', 'Returns the product of the decimal digits of its argument.'],
  };
};

const familyRotate: L1Family = (rng, lang, n) => {
  const k = rng.int(1, 3);
  const xs = rng.sample(Array.from({ length: 40 }, (_, i) => i + 1), rng.int(5, 7));
  const len = xs.length;
  const want = xs.map((_, i) => xs[(i + k) % len]!);
  const near = xs.map((_, i) => xs[(i - k + len) % len]!);
  const code =
    lang === 'python'
      ? `def {fn}({xs}):\n    {acc} = []\n    for {i} in range(len({xs})):\n        {acc}.append({xs}[({i} + ${k}) % len({xs})])\n    return {acc}`
      : `function {fn}({xs}) {\n  const {acc} = [];\n  for (let {i} = 0; {i} < {xs}.length; {i}++) {\n    {acc}.push({xs}[({i} + ${k}) % {xs}.length]);\n  }\n  return {acc};\n}`;
  const places = k === 1 ? 'one place' : `${k} places`;
  return {
    lang,
    code: fill(code, { ...n }),
    callText: `${n.fn}(${listLit(xs)})`,
    expected: want,
    nearValue: near,
    correct: `Returns the list rotated ${places} to the left (the first ${k === 1 ? 'element moves' : `${k} elements move`} to the end).`,
    near: `Returns the list rotated ${places} to the right (the last ${k === 1 ? 'element moves' : `${k} elements move`} to the front).`,
    others: [`Returns the list without its first ${k === 1 ? 'element' : `${k} elements`}.`, 'Returns the list in reverse order.'],
  };
};

/** Consonant + vowel syllables, each closed by a consonant now and then. */
const SOUNDS: WordSounds = { onsets: [...'bcdfghklmnprstvwz'], vowels: [...'aeiou'], codas: [...'bcdfghklmnprstvwz'], codaChance: 0.3, codaEverySyllable: true };

const familyVowels: L1Family = (rng, lang, n) => {
  const words = Array.from({ length: rng.int(3, 4) }, () => pseudoWord(rng, SOUNDS));
  words[0] = words[0]![0]!.toUpperCase() + words[0]!.slice(1);
  const s = words.join(' ');
  const letters = s.replace(/[^A-Za-z]/g, '');
  const vowels = letters.split('').filter((ch) => 'aeiou'.includes(ch.toLowerCase())).length;
  const code =
    lang === 'python'
      ? `def {fn}({xs}):\n    {acc} = 0\n    for {v} in {xs}.lower():\n        if {v} in "aeiou":\n            {acc} += 1\n    return {acc}`
      : `function {fn}({xs}) {\n  let {acc} = 0;\n  for (const {v} of {xs}.toLowerCase()) {\n    if ("aeiou".includes({v})) {\n      {acc} += 1;\n    }\n  }\n  return {acc};\n}`;
  return {
    lang,
    code: fill(code, { ...n }),
    callText: `${n.fn}("${s}")`,
    expected: vowels,
    nearValue: letters.length - vowels,
    correct: 'Counts the vowels (a, e, i, o, u) in the string, ignoring case.',
    near: 'Counts the consonants (letters other than a, e, i, o, u) in the string, ignoring case.',
    others: ['Returns the string with its vowels removed.', 'Counts the words in the string.'],
  };
};

const familyChunks: L1Family = (rng, lang, n) => {
  const k = rng.int(2, 3);
  const xs = ints(rng, rng.int(7, 9), 1, 15);
  if (xs.length % k === 0) return undefined;
  const want: number[] = [];
  for (let i = 0; i < xs.length; i += k) want.push(xs.slice(i, i + k).reduce((a, b) => a + b, 0));
  const near: number[] = [];
  for (let i = 0; i + k <= xs.length; i++) near.push(xs.slice(i, i + k).reduce((a, b) => a + b, 0));
  const code =
    lang === 'python'
      ? `def {fn}({xs}):\n    {acc} = []\n    for {i} in range(0, len({xs}), ${k}):\n        {acc}.append(sum({xs}[{i}:{i} + ${k}]))\n    return {acc}`
      : `function {fn}({xs}) {\n  const {acc} = [];\n  for (let {i} = 0; {i} < {xs}.length; {i} += ${k}) {\n    {acc}.push({xs}.slice({i}, {i} + ${k}).reduce((s, y) => s + y, 0));\n  }\n  return {acc};\n}`;
  return {
    lang,
    code: fill(code, { ...n }),
    callText: `${n.fn}(${listLit(xs)})`,
    expected: want,
    nearValue: near,
    correct: `Returns the sums of consecutive, non-overlapping groups of ${k} elements (the last group may be shorter).`,
    near: `Returns the sums of every run of ${k} consecutive elements, with the runs overlapping (a sliding window).`,
    others: [`Returns every ${ORD[k]} element.`, `Returns the sum of the first ${k} elements.`],
  };
};

const familyGcd: L1Family = (rng, lang, n) => {
  const g = rng.int(2, 12);
  const x = rng.int(2, 15);
  const y = rng.int(2, 15);
  const gcd = (p: number, q: number): number => (q === 0 ? p : gcd(q, p % q));
  if (x === y || gcd(x, y) !== 1) return undefined;
  const a = g * x;
  const b = g * y;
  const code =
    lang === 'python'
      ? `def {fn}({a}, {b}):\n    while {b} != 0:\n        {a}, {b} = {b}, {a} % {b}\n    return {a}`
      : `function {fn}({a}, {b}) {\n  while ({b} !== 0) {\n    const {acc} = {a} % {b};\n    {a} = {b};\n    {b} = {acc};\n  }\n  return {a};\n}`;
  return {
    lang,
    code: fill(code, { ...n }),
    callText: `${n.fn}(${a}, ${b})`,
    expected: g,
    nearValue: (a * b) / g,
    correct: 'Returns the greatest common divisor of its two (positive integer) arguments.',
    near: 'Returns the least common multiple of its two (positive integer) arguments.',
    others: ['Returns the remainder of the first argument divided by the second.', 'Returns the smaller of its two arguments.'],
  };
};

const L1_FAMILIES: L1Family[] = [familyCount, familyStride, familySpread, familyDedupe, familyRunningMax, familyFirstMultiple, familyDigits, familyRotate, familyVowels, familyChunks, familyGcd];

function l1Case(rng: ProbeRng): L1Case {
  for (;;) {
    const lang: Lang = rng.next() < 0.5 ? 'python' : 'javascript';
    const c = rng.pick(L1_FAMILIES)(rng, lang, l1Names(rng));
    if (c && !sameValue(c.expected, c.nearValue)) return c;
  }
}

function valueText(v: Value): string {
  return Array.isArray(v) ? `[${v.join(', ')}]` : String(v);
}

function level1(rng: ProbeRng, seed: number): ProbeInstance {
  const c = l1Case(rng);
  const options = rng.shuffle([
    { text: c.correct, kind: 'correct' },
    { text: c.near, kind: 'near' },
    { text: c.others[0], kind: 'other' },
    { text: c.others[1], kind: 'other' },
  ]);
  const letters = ['A', 'B', 'C', 'D'];
  const right = letters[options.findIndex((o) => o.kind === 'correct')]!;
  const nearLetter = letters[options.findIndex((o) => o.kind === 'near')]!;
  const langName = c.lang === 'python' ? 'Python' : 'JavaScript';
  const prompt =
    `Here is a short ${langName} function:\n\n\`\`\`${c.lang}\n${c.code}\n\`\`\`\n\n` +
    `1. Which description fits what it does?\n${options.map((o, i) => `   ${letters[i]}. ${o.text}`).join('\n')}\n` +
    `2. What does \`${c.callText}\` return?\n\n` +
    `Explain briefly, then end your reply with exactly two lines:\n\`Choice: <letter>\`\n\`Result: <value>\``;
  const wantNums = Array.isArray(c.expected) ? c.expected : [c.expected];
  return textProbe(ID, 'L1', seed, {
    prompt,
    async check(reply) {
      const choice = (labelled(reply, /choice|answer|option/, 30) ?? '').match(/\b([A-D])\b/)?.[1];
      const resultLine = labelled(reply, /result|returns?|return value|output/, 30);
      const got = resultLine === undefined ? [] : numbersIn(resultLine.replace(/\u2212/g, '-'));
      const valueOk = Array.isArray(c.expected) ? got.length === wantNums.length && got.every((g, i) => g === wantNums[i]) : got.length > 0 && got[0] === c.expected;
      return [
        cp('description_correct', choice === right, `expected ${right}, got ${choice ?? 'no letter'}`),
        cp('result_correct', valueOk, `expected ${valueText(c.expected)}, got "${resultLine ?? ''}"`),
      ];
    },
    referenceText: `Tracing the loop on the given input confirms the behaviour.\n\nChoice: ${right}\nResult: ${valueText(c.expected)}`,
    nearMissText: `Reading the loop, it matches option ${nearLetter}.\n\nChoice: ${nearLetter}\nResult: ${valueText(c.nearValue)}`,
  });
}

// ---------------------------------------------------------------------------------------------
// L2 — find the wrong line

interface BugFamily {
  /** Function lines with placeholders; the docstring states the intended behaviour. */
  lines: string[];
  /** Placeholder → candidate names. */
  names: Record<string, string[]>;
  /** Constants drawn per instance. */
  consts?: (rng: ProbeRng) => Record<string, number>;
  /** Index into `lines` and the wrong replacement. */
  bugs: Array<{ at: number; line: string }>;
  /** Python asserts of the documented behaviour (use the placeholders); at least one fails for each bug. */
  asserts: string[];
}

const BUG_FAMILIES: BugFamily[] = [
  {
    names: { fn: ['window_sums', 'rolling_totals', 'run_sums', 'sliding_sums'], vals: ['values', 'series', 'readings', 'xs'], k: ['k', 'width', 'size', 'span'], out: ['out', 'sums', 'result'], i: ['i', 'start', 'pos'] },
    lines: [
      'def {fn}({vals}, {k}):',
      '    """Return the sums of every run of {k} consecutive items of {vals}, in order.',
      '',
      '    A list of n items has n - {k} + 1 such runs (none when {k} > n).',
      '    """',
      '    {out} = []',
      '    for {i} in range(len({vals}) - {k} + 1):',
      '        {out}.append(sum({vals}[{i}:{i} + {k}]))',
      '    return {out}',
    ],
    bugs: [
      { at: 6, line: '    for {i} in range(len({vals}) - {k}):' },
      { at: 7, line: '        {out}.append(sum({vals}[{i}:{i} + {k} - 1]))' },
    ],
    asserts: ['{fn}([1, 2, 3, 4], 2) == [3, 5, 7]', '{fn}([5, 1, 2], 3) == [8]', '{fn}([1, 2], 3) == []'],
  },
  {
    names: { fn: ['average_valid', 'mean_of_scores', 'clean_average', 'valid_mean'], scores: ['scores', 'marks', 'entries', 'points'], total: ['total', 'running', 'acc'], n: ['count', 'n', 'used'], s: ['s', 'x', 'value'] },
    lines: [
      'def {fn}({scores}):',
      '    """Average of the entries that are not None and not negative (0 is a valid entry).',
      '',
      '    Returns 0.0 when no entry is valid.',
      '    """',
      '    {total} = 0',
      '    {n} = 0',
      '    for {s} in {scores}:',
      '        if {s} is None or {s} < 0:',
      '            continue',
      '        {total} += {s}',
      '        {n} += 1',
      '    if {n} == 0:',
      '        return 0.0',
      '    return {total} / {n}',
    ],
    bugs: [
      { at: 8, line: '        if {s} is None or {s} <= 0:' },
      { at: 14, line: '    return {total} / len({scores})' },
    ],
    asserts: ['{fn}([4, None, 0, -3, 8]) == 4.0', '{fn}([None, -1]) == 0.0', '{fn}([10, 20]) == 15.0'],
  },
  {
    names: { fn: ['find_index', 'locate', 'search_sorted', 'position_of'], items: ['items', 'sorted_vals', 'keys', 'table'], target: ['target', 'wanted', 'key', 'needle'], lo: ['lo', 'low', 'left'], hi: ['hi', 'high', 'right'], mid: ['mid', 'middle', 'm'] },
    lines: [
      'def {fn}({items}, {target}):',
      '    """Return the index of {target} in the ascending list {items}, or -1 if it is absent."""',
      '    {lo}, {hi} = 0, len({items}) - 1',
      '    while {lo} <= {hi}:',
      '        {mid} = ({lo} + {hi}) // 2',
      '        if {items}[{mid}] == {target}:',
      '            return {mid}',
      '        if {items}[{mid}] < {target}:',
      '            {lo} = {mid} + 1',
      '        else:',
      '            {hi} = {mid} - 1',
      '    return -1',
    ],
    bugs: [
      { at: 3, line: '    while {lo} < {hi}:' },
      { at: 7, line: '        if {items}[{mid}] > {target}:' },
    ],
    asserts: ['{fn}([1, 3, 5, 7, 9], 9) == 4', '{fn}([1, 3, 5, 7, 9], 1) == 0', '{fn}([1, 3, 5, 7, 9], 4) == -1', '{fn}([2], 2) == 0', '{fn}([1, 3, 5, 7, 9], 7) == 3'],
  },
  {
    names: { fn: ['percent_changes', 'step_growth', 'relative_moves', 'pct_deltas'], prices: ['prices', 'levels', 'quotes', 'counts'], out: ['out', 'changes', 'moves'], i: ['i', 'day', 't'], prev: ['prev', 'before', 'old'], cur: ['cur', 'after', 'new'] },
    lines: [
      'def {fn}({prices}):',
      '    """Percentage change from each value to the next, relative to the earlier value.',
      '',
      '    Each change is rounded to 1 decimal; n values give n - 1 changes.',
      '    """',
      '    {out} = []',
      '    for {i} in range(1, len({prices})):',
      '        {prev}, {cur} = {prices}[{i} - 1], {prices}[{i}]',
      '        {out}.append(round(({cur} - {prev}) / {prev} * 100, 1))',
      '    return {out}',
    ],
    bugs: [
      { at: 8, line: '        {out}.append(round(({cur} - {prev}) / {cur} * 100, 1))' },
      { at: 6, line: '    for {i} in range(2, len({prices})):' },
    ],
    asserts: ['{fn}([100, 110, 99]) == [10.0, -10.0]', '{fn}([50, 75]) == [50.0]', '{fn}([8]) == []'],
  },
  {
    names: { fn: ['word_counts', 'tally_words', 'count_terms', 'frequencies'], text: ['text', 'body', 'passage', 'doc'], counts: ['counts', 'freq', 'seen'], raw: ['raw', 'token', 'piece'], w: ['w', 'word', 'term'] },
    lines: [
      'def {fn}({text}):',
      '    """Count how often each word occurs, case-insensitively.',
      '',
      '    Surrounding punctuation (.,;:!?) is not part of a word; words are lower-cased keys.',
      '    """',
      '    {counts} = {}',
      '    for {raw} in {text}.split():',
      '        {w} = {raw}.strip(".,;:!?").lower()',
      '        if not {w}:',
      '            continue',
      '        {counts}[{w}] = {counts}.get({w}, 0) + 1',
      '    return {counts}',
    ],
    bugs: [
      { at: 7, line: '        {w} = {raw}.strip(".,;:!?")' },
      { at: 10, line: '        {counts}[{w}] = {counts}.get({w}, 1) + 1' },
    ],
    asserts: ['{fn}("The cat saw the dog.") == {"the": 2, "cat": 1, "saw": 1, "dog": 1}', '{fn}("Hi! hi, HI?") == {"hi": 3}'],
  },
  {
    names: { fn: ['chunk', 'split_batches', 'in_groups', 'paginate'], xs: ['xs', 'records', 'rows', 'queue'], size: ['size', 'per_page', 'batch', 'n'], chunks: ['chunks', 'pages', 'groups'], start: ['start', 'offset', 'first'] },
    lines: [
      'def {fn}({xs}, {size}):',
      '    """Split {xs} into consecutive chunks of {size} items, in order.',
      '',
      '    The last chunk may be shorter; no item is dropped or repeated.',
      '    """',
      '    {chunks} = []',
      '    for {start} in range(0, len({xs}), {size}):',
      '        {chunks}.append({xs}[{start}:{start} + {size}])',
      '    return {chunks}',
    ],
    bugs: [
      { at: 6, line: '    for {start} in range(0, len({xs}) - {size}, {size}):' },
      { at: 7, line: '        {chunks}.append({xs}[{start}:{size}])' },
    ],
    asserts: ['{fn}([1, 2, 3, 4, 5], 2) == [[1, 2], [3, 4], [5]]', '{fn}([1, 2, 3, 4], 2) == [[1, 2], [3, 4]]', '{fn}([], 3) == []'],
  },
  {
    names: { fn: ['is_leap', 'leap_year', 'has_feb_29', 'is_long_year'], year: ['year', 'y', 'yr'] },
    lines: [
      'def {fn}({year}):',
      '    """True for Gregorian leap years.',
      '',
      '    A year divisible by 4 is a leap year, except years divisible by 100,',
      '    which are leap years only when also divisible by 400.',
      '    """',
      '    if {year} % 400 == 0:',
      '        return True',
      '    if {year} % 100 == 0:',
      '        return False',
      '    return {year} % 4 == 0',
    ],
    bugs: [
      { at: 9, line: '        return True' },
      { at: 10, line: '    return {year} % 4 != 0' },
      { at: 6, line: '    if {year} % 40 == 0:' },
    ],
    asserts: ['{fn}(2000) is True', '{fn}(1900) is False', '{fn}(2024) is True', '{fn}(2023) is False', '{fn}(1960) is True', '{fn}(2400) is True'],
  },
  {
    names: { fn: ['median', 'middle_value', 'median_of', 'central'], values: ['values', 'samples', 'data', 'xs'], s: ['s', 'ordered', 'ranked'], n: ['n', 'count', 'size'], mid: ['mid', 'half', 'h'] },
    lines: [
      'def {fn}({values}):',
      '    """Median of a non-empty list of numbers.',
      '',
      '    With an even count it is the mean of the two middle values of the sorted list.',
      '    """',
      '    {s} = sorted({values})',
      '    {n} = len({s})',
      '    {mid} = {n} // 2',
      '    if {n} % 2 == 1:',
      '        return {s}[{mid}]',
      '    return ({s}[{mid} - 1] + {s}[{mid}]) / 2',
    ],
    bugs: [
      { at: 5, line: '    {s} = list({values})' },
      { at: 10, line: '    return ({s}[{mid}] + {s}[{mid} + 1]) / 2' },
      { at: 8, line: '    if {n} % 2 == 0:' },
    ],
    asserts: ['{fn}([3, 1, 2]) == 2', '{fn}([4, 1, 3, 2]) == 2.5', '{fn}([7]) == 7', '{fn}([9, 1, 5, 3, 7, 11]) == 6.0'],
  },
  {
    names: { fn: ['normalise', 'scale_unit', 'to_fraction', 'rescale'], values: ['values', 'levels', 'raw'], low: ['low', 'lo', 'floor'], high: ['high', 'hi', 'ceiling'], out: ['out', 'scaled', 'result'], v: ['v', 'x', 'level'] },
    lines: [
      'def {fn}({values}, {low}, {high}):',
      '    """Map each value linearly from [{low}, {high}] onto [0, 1].',
      '',
      '    Values below {low} become 0.0 and values above {high} become 1.0.',
      '    """',
      '    {out} = []',
      '    for {v} in {values}:',
      '        {v} = max({low}, min({high}, {v}))',
      '        {out}.append(({v} - {low}) / ({high} - {low}))',
      '    return {out}',
    ],
    bugs: [
      { at: 8, line: '        {out}.append(({v} - {low}) / {high})' },
      { at: 7, line: '        {v} = min({low}, max({high}, {v}))' },
    ],
    asserts: ['{fn}([10, 15, 20], 10, 20) == [0.0, 0.5, 1.0]', '{fn}([5, 25], 10, 20) == [0.0, 1.0]', '{fn}([14], 12, 16) == [0.5]'],
  },
  {
    names: { fn: ['to_fahrenheit', 'c_to_f', 'convert_readings', 'fahrenheit_series'], readings: ['readings', 'temps', 'celsius'], out: ['out', 'converted', 'result'], c: ['c', 't', 'deg'] },
    lines: [
      'def {fn}({readings}):',
      '    """Convert Celsius readings to Fahrenheit (F = C * 9 / 5 + 32), rounded to 1 decimal.',
      '',
      '    Missing readings (None) are skipped; the others keep their order.',
      '    """',
      '    {out} = []',
      '    for {c} in {readings}:',
      '        if {c} is None:',
      '            continue',
      '        {out}.append(round({c} * 9 / 5 + 32, 1))',
      '    return {out}',
    ],
    bugs: [
      { at: 8, line: '            break' },
      { at: 9, line: '        {out}.append(round({c} * 5 / 9 + 32, 1))' },
    ],
    asserts: ['{fn}([0, None, 100]) == [32.0, 212.0]', '{fn}([-40]) == [-40.0]', '{fn}([None, 37]) == [98.6]'],
  },
  {
    names: { fn: ['final_balance', 'apply_transactions', 'settle', 'run_ledger'], start: ['start', 'opening', 'initial'], amounts: ['amounts', 'moves', 'entries'], fee: ['fee', 'penalty', 'charge'], bal: ['bal', 'balance', 'cash'], a: ['a', 'amt', 'step'] },
    lines: [
      'def {fn}({start}, {amounts}, {fee}):',
      '    """Apply deposits (positive) and withdrawals (negative) in order, starting from {start}.',
      '',
      '    Each withdrawal that leaves the balance below zero is charged {fee} once.',
      '    Deposits are never charged. Returns the final balance.',
      '    """',
      '    {bal} = {start}',
      '    for {a} in {amounts}:',
      '        {bal} += {a}',
      '        if {a} < 0 and {bal} < 0:',
      '            {bal} -= {fee}',
      '    return {bal}',
    ],
    bugs: [
      { at: 9, line: '        if {a} < 0 or {bal} < 0:' },
      { at: 10, line: '            {bal} += {fee}' },
      { at: 9, line: '        if {a} < 0 and {bal} <= 0:' },
    ],
    asserts: ['{fn}(10, [-20, 5], 3) == -8', '{fn}(0, [-5, 2], 1) == -4', '{fn}(5, [-5], 2) == 0', '{fn}(100, [-30, 40], 9) == 110'],
  },
  {
    names: { fn: ['factorial', 'product_upto', 'fact', 'arrangements'], n: ['n', 'count', 'k'], result: ['result', 'prod', 'acc'], i: ['i', 'factor', 'j'] },
    lines: [
      'def {fn}({n}):',
      '    """Return {n}! = 1 * 2 * ... * {n} for a non-negative integer {n} (0! is 1)."""',
      '    {result} = 1',
      '    for {i} in range(2, {n} + 1):',
      '        {result} *= {i}',
      '    return {result}',
    ],
    bugs: [
      { at: 3, line: '    for {i} in range(2, {n}):' },
      { at: 2, line: '    {result} = 0' },
    ],
    asserts: ['{fn}(0) == 1', '{fn}(1) == 1', '{fn}(5) == 120', '{fn}(3) == 6'],
  },
];

const MODULE_DOCS = [
  'Small numeric and text helpers used by the nightly export.',
  'Utility functions shared by the reporting scripts.',
  'Helpers for the data-cleaning step of the pipeline.',
  'Assorted routines for the dashboard backend.',
  'Functions used by the billing and metrics jobs.',
];

export interface AnalysisL2Case {
  text: string;
  /** 1-based line number of the wrong line. */
  bugLine: number;
  /** The same file with the wrong line corrected. */
  fixedText: string;
  /** Python asserts of the documented behaviour of the function with the wrong line. */
  asserts: string[];
  /** The other two functions' asserts, which hold in both versions. */
  otherAsserts: string[];
  /** The functions' names, in file order. */
  functions: string[];
}

export function analysisL2Case(rng: ProbeRng): AnalysisL2Case {
  const fams = rng.sample(BUG_FAMILIES, 3);
  const buggy = rng.int(0, 2);
  const out: string[] = [];
  out.push(`"""${rng.pick(MODULE_DOCS)}"""`);
  if (rng.next() < 0.5) out.push('', `__version__ = "${rng.int(0, 3)}.${rng.int(0, 19)}"`);
  let bugLine = 0;
  let correctLine = '';
  const asserts: string[][] = [];
  const functions: string[] = [];
  fams.forEach((fam, fi) => {
    const vars: Record<string, string> = {};
    const used = new Set<string>();
    for (const [k, pool] of Object.entries(fam.names)) {
      const options = pool.filter((p) => !used.has(p));
      const v = rng.pick(options.length ? options : pool);
      used.add(v);
      vars[k] = v;
    }
    out.push('', '');
    if (rng.next() < 0.4) out.push(`# ${rng.pick(['Kept small on purpose.', 'See the data notes for the input format.', 'Pure function: no I/O.', 'Used by two call sites.'])}`);
    const bug = fi === buggy ? rng.pick(fam.bugs) : undefined;
    fam.lines.forEach((l, li) => {
      if (bug && li === bug.at) {
        out.push(fill(bug.line, vars));
        bugLine = out.length;
        correctLine = fill(l, vars);
      } else out.push(fill(l, vars));
    });
    asserts.push(fam.asserts.map((a) => fill(a, vars)));
    functions.push(vars.fn!);
  });
  out.push('');
  const fixed = [...out];
  fixed[bugLine - 1] = correctLine;
  return { text: out.join('\n'), bugLine, fixedText: fixed.join('\n'), asserts: asserts[buggy]!, otherAsserts: asserts.filter((_, i) => i !== buggy).flat(), functions };
}

/** The number right after `Line` on the last line that starts with it (`Line: 12`, `**Line 12**`, `Line #12: …`). */
function lineAnswer(text: string): number | undefined {
  const ls = lines(text).map(cleanLine);
  for (let i = ls.length - 1; i >= 0; i--) {
    const m = /^line(?:\s+number)?\s*[:=#]?\s*(\d+)/i.exec(ls[i]!);
    if (m) return Number(m[1]);
  }
  return undefined;
}

function level2(rng: ProbeRng, seed: number): ProbeInstance {
  const c = analysisL2Case(rng);
  const fileName = `${rng.pick(['helpers', 'utils', 'toolkit', 'routines', 'common', 'calc'])}_${rng.pick(['core', 'misc', 'lib', 'v2', 'ops'])}.py`;
  const total = c.text.split('\n').length;
  const nearLine = c.bugLine - 1 >= 1 && c.text.split('\n')[c.bugLine - 2]!.trim() !== '' ? c.bugLine - 1 : c.bugLine + 1;
  const prompt =
    `The file \`${fileName}\` in the current directory defines three functions (${c.functions.map((f) => `\`${f}\``).join(', ')}). Each has a docstring that states exactly what it must do. ` +
    `Exactly one line in the file makes its function behave differently from its docstring.\n\n` +
    `Find that line. Explain the problem in a sentence or two, then end your reply with a line \`Line: <number>\` giving its line number in \`${fileName}\` (the first line of the file is line 1).`;
  return {
    primitiveId: ID,
    level: 'L2',
    seed,
    prompt,
    setupFiles: { [fileName]: c.text },
    requires: [],
    async check(ctx) {
      const n = lineAnswer(ctx.finalText);
      return [cp('line_correct', n === c.bugLine, `expected line ${c.bugLine} of ${total}, got ${n ?? 'no Line: answer'}`)];
    },
    reference: solution({ toolCalls: [call.read(fileName)] }, { text: `Line ${c.bugLine} contradicts the docstring of its function.\n\nLine: ${c.bugLine}` }),
    nearMiss: solution({ toolCalls: [call.read(fileName)] }, { text: `The faulty statement is the one at line ${nearLine}.\n\nLine: ${nearLine}` }),
  };
}

// ---------------------------------------------------------------------------------------------
// L3 — multi-file root cause

class Src {
  readonly lines: string[] = [];
  readonly tags = new Map<string, number>();
  add(line: string, tag?: string): this {
    this.lines.push(line);
    if (tag) this.tags.set(tag, this.lines.length);
    return this;
  }
  blank(n = 1): this {
    for (let i = 0; i < n; i++) this.lines.push('');
    return this;
  }
  line(tag: string): number {
    const n = this.tags.get(tag);
    if (n === undefined) throw new Error(`no line tagged ${tag}`);
    return n;
  }
  src(tag: string): string {
    return this.lines[this.line(tag) - 1]!.trim();
  }
  text(): string {
    return this.lines.join('\n') + '\n';
  }
}

type RootKind = 'delimiter' | 'conversion' | 'statusConfig' | 'statusFilter' | 'argmax' | 'groupItems';

export interface AnalysisL3Case {
  kind: RootKind;
  files: Record<string, string>;
  /** The files with the root-cause line corrected (only the changed file differs). */
  fixedFiles: Record<string, string>;
  traceback: string;
  frames: Array<{ file: string; line: number; fn: string }>;
  errorLine: string;
  root: { file: string; line: number };
  raise: { file: string; line: number };
}

function typo(word: string, rng: ProbeRng): string {
  const kind = rng.int(0, 2);
  if (kind === 0 && word.length >= 4) {
    const i = rng.int(1, word.length - 3);
    return word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2);
  }
  if (kind === 1 && word.length >= 4) {
    const i = rng.int(1, word.length - 2);
    return word.slice(0, i) + word.slice(i + 1);
  }
  return word[0]!.toUpperCase() + word.slice(1);
}

function comment(rng: ProbeRng, src: Src): void {
  if (rng.next() < 0.5) return;
  src.add(
    `# ${rng.pick([
      'Keep this module free of side effects.',
      'Part of the weekly summary job.',
      'Inputs come from the export in data/.',
      'Do not reorder: the report relies on it.',
      'Checked by the nightly run.',
      'Simple on purpose; profile before optimising.',
    ])}`,
  );
}

export function analysisL3Case(rng: ProbeRng): AnalysisL3Case {
  for (;;) {
    const kind = rng.pick(['delimiter', 'conversion', 'statusConfig', 'statusFilter', 'argmax', 'groupItems'] as const);
    const mod = {
      config: rng.pick(['config', 'settings', 'options']),
      loader: rng.pick(['loader', 'reader', 'ingest', 'source']),
      records: rng.pick(['records', 'rows', 'model', 'parsing']),
      filters: rng.pick(['filters', 'selection', 'rules', 'criteria']),
      helpers: rng.pick(['helpers', 'util', 'common', 'tools']),
      stats: rng.pick(['stats', 'metrics', 'calc', 'figures']),
      report: rng.pick(['report', 'summary', 'render', 'output']),
    };
    const fn = {
      read: rng.pick(['read_table', 'load_rows', 'read_rows', 'load_table']),
      parse: rng.pick(['to_records', 'parse_rows', 'build_records', 'as_records']),
      keep: rng.pick(['keep_wanted', 'select_rows', 'only_current', 'filter_status']),
      build: rng.pick(['build_report', 'render_report', 'summarise', 'make_summary']),
      group: rng.pick(['group_by', 'bucket_by', 'partition_by']),
      argmax: rng.pick(['index_of_max', 'argmax', 'position_of_largest']),
      total: rng.pick(['total', 'sum_all', 'add_up']),
      mean: rng.pick(['mean', 'average', 'avg']),
    };
    const f = {
      name: rng.pick(['name', 'label', 'code', 'item']),
      group: rng.pick(['region', 'team', 'category', 'site', 'branch', 'carrier']),
      amount: rng.pick(['amount', 'value', 'weight', 'price', 'score', 'hours']),
      status: rng.pick(['status', 'state']),
    };
    const [wantedStatus, otherStatus] = rng.pick([
      ['active', 'retired'],
      ['open', 'closed'],
      ['live', 'archived'],
      ['paid', 'pending'],
      ['valid', 'expired'],
      ['shipped', 'returned'],
    ] as const);
    const badStatus = typo(wantedStatus, rng);
    if (badStatus === wantedStatus || badStatus === otherStatus) continue;

    // --- data
    const columns = rng.shuffle([f.name, f.group, f.amount, f.status]);
    const col = (k: string): number => columns.indexOf(k);
    const groups = Array.from(new Set(Array.from({ length: 6 }, () => pseudoWord(rng, SOUNDS)))).slice(0, 3);
    if (groups.length < 3) continue;
    const nRows = rng.int(8, 13);
    const rows = Array.from({ length: nRows }, () => ({
      name: pseudoWord(rng, SOUNDS),
      group: rng.pick(groups),
      amount: rng.int(100, 9999) / 100,
      status: rng.next() < 0.65 ? wantedStatus : otherStatus,
    }));
    const wanted = rows.filter((r) => r.status === wantedStatus);
    if (wanted.length < 3) continue;
    if (kind === 'argmax') {
      // The largest wanted amount is the last wanted row, strictly.
      const last = wanted[wanted.length - 1]!;
      last.amount = Math.max(...wanted.map((r) => r.amount)) + rng.int(1, 500) / 100;
      last.amount = Math.round(last.amount * 100) / 100;
      // The wrong update (best = i + 1) must run past the end, i.e. the program really crashes.
      const vals = wanted.map((r) => r.amount);
      let best = 0;
      for (let i = 1; i < vals.length && best < vals.length; i++) if (vals[i]! > vals[best]!) best = i + 1;
      if (best !== vals.length) continue;
    }
    const csvRow = (r: (typeof rows)[number]): string =>
      columns.map((c) => (c === f.name ? r.name : c === f.group ? r.group : c === f.amount ? r.amount.toFixed(2) : r.status)).join(',');
    const dataFile = `data/${rng.pick(['export', 'records', 'latest', 'batch'])}_${rng.int(10, 99)}.csv`;
    const csv = [columns.join(','), ...rows.map(csvRow)].join('\n') + '\n';

    // --- config
    const cfg = new Src();
    cfg.add(`"""Settings for the ${rng.pick(['weekly', 'nightly', 'monthly'])} summary."""`).blank();
    cfg.add(`DATA_FILE = "${dataFile}"`);
    cfg.add(`DECIMALS = 2`);
    cfg.add(`# Only rows in this state are summarised.`);
    cfg.add(`WANTED_STATUS = "${kind === 'statusConfig' ? badStatus : wantedStatus}"`, 'status');
    const cfgFixed = `WANTED_STATUS = "${wantedStatus}"`;

    // --- loader
    const ld = new Src();
    ld.add(`"""Reading the raw export."""`).blank(2);
    comment(rng, ld);
    ld.add(`def ${fn.read}(path):`);
    ld.add(`    """Return the rows of a comma-separated file as lists of fields (header included)."""`);
    ld.add(`    table = []`);
    ld.add(`    with open(path) as fh:`);
    ld.add(`        for line in fh:`);
    ld.add(`            line = line.strip()`);
    ld.add(`            if line:`);
    ld.add(`                table.append(line.split("${kind === 'delimiter' ? ';' : ','}"))`, 'split');
    ld.add(`    return table`);
    const ldFixed = `                table.append(line.split(","))`;

    // --- records
    const rc = new Src();
    rc.add(`"""Turning raw rows into records."""`).blank(2);
    rc.add(`${f.name.toUpperCase()}_COL = ${col(f.name)}`);
    rc.add(`${f.group.toUpperCase()}_COL = ${col(f.group)}`);
    rc.add(`${f.amount.toUpperCase()}_COL = ${col(f.amount)}`);
    rc.add(`${f.status.toUpperCase()}_COL = ${col(f.status)}`);
    rc.blank(2);
    comment(rng, rc);
    rc.add(`def ${fn.parse}(table):`);
    rc.add(`    """One dict per data row (the header row is skipped); ${f.amount} becomes a float."""`);
    rc.add(`    out = []`);
    rc.add(`    for parts in table[1:]:`);
    rc.add(`        rec = {}`);
    rc.add(`        rec["${f.name}"] = parts[${f.name.toUpperCase()}_COL].strip()`, `f:${f.name}`);
    rc.add(`        rec["${f.group}"] = parts[${f.group.toUpperCase()}_COL].strip()`, `f:${f.group}`);
    rc.add(
      kind === 'conversion' ? `        rec["${f.amount}"] = parts[${f.amount.toUpperCase()}_COL].strip()` : `        rec["${f.amount}"] = float(parts[${f.amount.toUpperCase()}_COL])`,
      `f:${f.amount}`,
    );
    rc.add(`        rec["${f.status}"] = parts[${f.status.toUpperCase()}_COL].strip()`, `f:${f.status}`);
    rc.add(`        out.append(rec)`);
    rc.add(`    return out`);
    const rcFixed = `        rec["${f.amount}"] = float(parts[${f.amount.toUpperCase()}_COL])`;
    // With the wrong delimiter every row has one field: the first access to a column ≥ 1 raises.
    const firstBad = [f.name, f.group, f.amount, f.status].find((k) => col(k) >= 1)!;

    // --- filters
    const fl = new Src();
    fl.add(`"""Which records take part in the summary."""`).blank();
    fl.add(`from ${mod.config} import WANTED_STATUS`).blank(2);
    comment(rng, fl);
    fl.add(`def ${fn.keep}(records):`);
    fl.add(`    """The records whose ${f.status} is the wanted one, in their original order."""`);
    if (kind === 'statusFilter') fl.add(`    return [r for r in records if r["${f.status}"] == "${badStatus}"]`, 'cmp');
    else fl.add(`    return [r for r in records if r["${f.status}"] == WANTED_STATUS]`, 'cmp');
    const flFixed = `    return [r for r in records if r["${f.status}"] == WANTED_STATUS]`;

    // --- helpers
    const hp = new Src();
    hp.add(`"""Generic helpers."""`).blank(2);
    hp.add(`def ${fn.group}(records, key):`);
    hp.add(`    """A dict mapping each value of records[i][key] to the list of records having it."""`);
    hp.add(`    groups = {}`);
    hp.add(`    for r in records:`);
    hp.add(`        groups.setdefault(r[key], []).append(r)`);
    hp.add(kind === 'groupItems' ? `    return groups.items()` : `    return groups`, 'groupReturn');
    hp.blank(2);
    comment(rng, hp);
    hp.add(`def ${fn.argmax}(values):`);
    hp.add(`    """Index of the largest value (the first one if several are equal)."""`);
    hp.add(`    best = 0`);
    hp.add(`    for i in range(1, len(values)):`);
    hp.add(`        if values[i] > values[best]:`);
    hp.add(kind === 'argmax' ? `            best = i + 1` : `            best = i`, 'argmaxSet');
    hp.add(`    return best`);
    const hpFixed = kind === 'groupItems' ? `    return groups` : `            best = i`;

    // --- stats
    const st = new Src();
    st.add(`"""Numeric summaries."""`).blank(2);
    st.add(`def ${fn.total}(values):`);
    st.add(`    acc = 0`);
    st.add(`    for v in values:`);
    st.add(`        acc += v`, 'acc');
    st.add(`    return acc`);
    st.blank(2);
    st.add(`def ${fn.mean}(values):`);
    st.add(`    return ${fn.total}(values) / len(values)`, 'div');
    if (rng.next() < 0.5) {
      st.blank(2);
      st.add(`def spread(values):`);
      st.add(`    return max(values) - min(values)`);
    }

    // --- report
    const rp = new Src();
    rp.add(`"""Plain-text summary."""`).blank();
    rp.add(`from ${mod.config} import DECIMALS`);
    rp.add(`from ${mod.helpers} import ${fn.group}, ${fn.argmax}`);
    rp.add(`from ${mod.stats} import ${fn.total}, ${fn.mean}`).blank(2);
    comment(rng, rp);
    rp.add(`def ${fn.build}(records):`);
    rp.add(`    amounts = [r["${f.amount}"] for r in records]`);
    rp.add(`    lines = ["records: %d" % len(records)]`);
    rp.add(`    lines.append("total: %.*f" % (DECIMALS, ${fn.total}(amounts)))`, 'callTotal');
    rp.add(`    lines.append("mean: %.*f" % (DECIMALS, ${fn.mean}(amounts)))`, 'callMean');
    rp.add(`    top = records[${fn.argmax}(amounts)]`, 'top');
    rp.add(`    lines.append("largest: %s" % top["${f.name}"])`);
    rp.add(`    groups = ${fn.group}(records, "${f.group}")`);
    rp.add(`    for key in sorted(groups):`);
    rp.add(`        part = [r["${f.amount}"] for r in groups[key]]`, 'groupIndex');
    rp.add(`        lines.append("%s: %.*f" % (key, DECIMALS, ${fn.total}(part)))`);
    rp.add(`    return "\\n".join(lines)`);

    // --- main
    const mn = new Src();
    mn.add(`"""Entry point: python3 main.py"""`).blank();
    mn.add(`from ${mod.config} import DATA_FILE`);
    mn.add(`from ${mod.loader} import ${fn.read}`);
    mn.add(`from ${mod.records} import ${fn.parse}`);
    mn.add(`from ${mod.filters} import ${fn.keep}`);
    mn.add(`from ${mod.report} import ${fn.build}`).blank(2);
    mn.add(`def main():`);
    mn.add(`    table = ${fn.read}(DATA_FILE)`);
    mn.add(`    records = ${fn.parse}(table)`, 'callParse');
    mn.add(`    chosen = ${fn.keep}(records)`);
    mn.add(`    print(${fn.build}(chosen))`, 'callBuild').blank(2);
    mn.add(`if __name__ == "__main__":`);
    mn.add(`    main()`, 'callMain');

    const file = (m: string): string => `${m}.py`;
    const sources: Record<string, Src> = {
      'main.py': mn,
      [file(mod.config)]: cfg,
      [file(mod.loader)]: ld,
      [file(mod.records)]: rc,
      [file(mod.filters)]: fl,
      [file(mod.helpers)]: hp,
      [file(mod.stats)]: st,
      [file(mod.report)]: rp,
    };
    const files: Record<string, string> = { [dataFile]: csv };
    for (const [name, s] of Object.entries(sources)) files[name] = s.text();

    // Frames (outermost first) and the error, by kind.
    type Frame = { file: string; src: Src; tag: string; fn: string };
    const outer: Frame[] = [{ file: 'main.py', src: mn, tag: 'callMain', fn: '<module>' }];
    let frames: Frame[];
    let errorLine: string;
    let root: { file: string; src: Src; tag: string; fixed: string };
    if (kind === 'delimiter') {
      frames = [...outer, { file: 'main.py', src: mn, tag: 'callParse', fn: 'main' }, { file: file(mod.records), src: rc, tag: `f:${firstBad}`, fn: fn.parse }];
      errorLine = 'IndexError: list index out of range';
      root = { file: file(mod.loader), src: ld, tag: 'split', fixed: ldFixed };
    } else if (kind === 'conversion') {
      frames = [...outer, { file: 'main.py', src: mn, tag: 'callBuild', fn: 'main' }, { file: file(mod.report), src: rp, tag: 'callTotal', fn: fn.build }, { file: file(mod.stats), src: st, tag: 'acc', fn: fn.total }];
      errorLine = "TypeError: unsupported operand type(s) for +=: 'int' and 'str'";
      root = { file: file(mod.records), src: rc, tag: `f:${f.amount}`, fixed: rcFixed };
    } else if (kind === 'statusConfig' || kind === 'statusFilter') {
      frames = [...outer, { file: 'main.py', src: mn, tag: 'callBuild', fn: 'main' }, { file: file(mod.report), src: rp, tag: 'callMean', fn: fn.build }, { file: file(mod.stats), src: st, tag: 'div', fn: fn.mean }];
      errorLine = 'ZeroDivisionError: division by zero';
      root = kind === 'statusConfig' ? { file: file(mod.config), src: cfg, tag: 'status', fixed: cfgFixed } : { file: file(mod.filters), src: fl, tag: 'cmp', fixed: flFixed };
    } else if (kind === 'argmax') {
      frames = [...outer, { file: 'main.py', src: mn, tag: 'callBuild', fn: 'main' }, { file: file(mod.report), src: rp, tag: 'top', fn: fn.build }];
      errorLine = 'IndexError: list index out of range';
      root = { file: file(mod.helpers), src: hp, tag: 'argmaxSet', fixed: hpFixed };
    } else {
      frames = [...outer, { file: 'main.py', src: mn, tag: 'callBuild', fn: 'main' }, { file: file(mod.report), src: rp, tag: 'groupIndex', fn: fn.build }];
      errorLine = "TypeError: 'dict_items' object is not subscriptable";
      root = { file: file(mod.helpers), src: hp, tag: 'groupReturn', fixed: hpFixed };
    }
    const traceback = [
      'Traceback (most recent call last):',
      ...frames.flatMap((fr) => [`  File "${fr.file}", line ${fr.src.line(fr.tag)}, in ${fr.fn}`, `    ${fr.src.src(fr.tag)}`]),
      errorLine,
    ].join('\n');
    const fixedSrc = [...root.src.lines];
    fixedSrc[root.src.line(root.tag) - 1] = root.fixed;
    const fixedFiles = { ...files, [root.file]: fixedSrc.join('\n') + '\n' };
    const last = frames[frames.length - 1]!;
    return {
      kind,
      files,
      fixedFiles,
      traceback,
      frames: frames.map((fr) => ({ file: fr.file, line: fr.src.line(fr.tag), fn: fr.fn })),
      errorLine,
      root: { file: root.file, line: root.src.line(root.tag) },
      raise: { file: last.file, line: last.src.line(last.tag) },
    };
  }
}

/** `file.py:12`, `file.py line 12`, `./file.py, line 12` on the last line that names a .py file. */
function fileAndLine(text: string): { file: string; line: number } | undefined {
  const ls = lines(text).map(cleanLine);
  for (let i = ls.length - 1; i >= 0; i--) {
    const m = /([A-Za-z0-9_./-]+\.py)["']?\s*(?::|,)?\s*(?:line\s*)?(\d+)/i.exec(ls[i]!);
    if (m) return { file: m[1]!.replace(/^.*\//, ''), line: Number(m[2]) };
  }
  return undefined;
}

function level3(rng: ProbeRng, seed: number): ProbeInstance {
  const c = analysisL3Case(rng);
  const offByOne = rng.next() < 0.5;
  const near = offByOne ? { file: c.root.file, line: c.root.line + (c.root.line > 2 ? -1 : 1) } : c.raise;
  const pyFiles = Object.keys(c.files).filter((f) => f.endsWith('.py'));
  const prompt =
    `The current directory holds a small Python program (${pyFiles.map((f) => `\`${f}\``).join(', ')}) and its input data under \`data/\`. ` +
    `It is meant to print a summary of the records in the wanted state. Running \`python3 main.py\` fails instead:\n\n` +
    '```\n' +
    c.traceback +
    '\n```\n\n' +
    `Find the root cause: the single line that must be changed to fix this failure. It is not necessarily the line where the exception is raised. ` +
    `Do not modify the files. Explain the chain of events briefly, then end your reply with a line of the form \`<file>:<line>\` (for example \`main.py:7\`).`;
  return {
    primitiveId: ID,
    level: 'L3',
    seed,
    prompt,
    setupFiles: c.files,
    requires: [],
    async check(ctx) {
      const got = fileAndLine(ctx.finalText);
      const out: ProbeCheckpoint[] = [
        cp('file_correct', got?.file === c.root.file, `expected ${c.root.file}, got ${got ? got.file : 'no file:line'}`),
        cp('line_correct', got?.file === c.root.file && got.line === c.root.line, `expected ${c.root.file}:${c.root.line}, got ${got ? `${got.file}:${got.line}` : 'nothing'}`),
      ];
      return out;
    },
    reference: solution(
      { toolCalls: pyFiles.map((f) => call.read(f)) },
      { text: `The exception surfaces in ${c.raise.file} at line ${c.raise.line}, but the bad value originates earlier.\n\n${c.root.file}:${c.root.line}` },
    ),
    nearMiss: solution({ toolCalls: [call.read(c.raise.file)] }, { text: `The traceback points at the failing statement.\n\n${near.file}:${near.line}` }),
  };
}

export const generator = generatorByLevel(ID, {
  L1: 'A generated short Python/JavaScript function: choose the matching description among close variants and give the return value of a call.',
  L2: 'A generated three-function Python module with one wrong line (off-by-one, wrong divisor, inverted test…): give its line number.',
  L3: 'A generated multi-file Python program and its traceback: name the file:line of the root cause, which is not where the exception is raised.',
}, { L1: level1, L2: level2, L3: level3 });

/** For tests: the L1 case behind an instance (same draws as generate). */
export function analysisL1CaseFor(seed: number): L1Case {
  return l1Case(probeRng(`${ID}:L1:${seed}`));
}
export function analysisL2CaseFor(seed: number): AnalysisL2Case {
  return analysisL2Case(probeRng(`${ID}:L2:${seed}`));
}
export function analysisL3CaseFor(seed: number): AnalysisL3Case {
  return analysisL3Case(probeRng(`${ID}:L3:${seed}`));
}
