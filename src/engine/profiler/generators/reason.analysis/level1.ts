import { cp, numbersIn, textProbe, type ProbeRng } from '../../toolkit.js';
import type { ProbeInstance } from '../../types.js';
import { labelled } from '../../gen/answer.js';
import { fillTemplate } from '../../gen/text.js';
import { pseudoWord } from '../../gen/words.js';
import { ID, SOUNDS } from './common.js';

/**
 * reason.analysis L1 — what does this function do? A short generated Python or JavaScript
 * function: pick the matching description among four close variants and give a call's value.
 */

const ORD = ['zeroth', 'first', 'second', 'third', 'fourth'];

type Lang = 'python' | 'javascript';
type Value = number | number[];

export interface L1Case {
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
    code: fillTemplate(code, { ...n }),
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
    code: fillTemplate(code, { ...n }),
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
    code: fillTemplate(code, { ...n }),
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
    code: fillTemplate(code, { ...n }),
    callText: `${n.fn}(${listLit(xs)})`,
    expected: want,
    nearValue: dup,
    correct: 'Returns the values with repeats removed, in order of first appearance.',
    near: 'Returns only the values that occur more than once, each once, in order of first appearance.',
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
    code: fillTemplate(code, { ...n }),
    callText: `${n.fn}(${listLit(xs)})`,
    expected: want,
    nearValue: near,
    correct: 'Returns, for each position, the largest value up to and including it.',
    near: 'Returns, for each position, the sum of the values up to and including it.',
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
    code: fillTemplate(code, { ...n }),
    callText: `${n.fn}(${listLit(xs)})`,
    expected: idx,
    nearValue: xs[idx]!,
    correct: `Returns the index (from 0) of the first element divisible by ${k}, or -1 if none.`,
    near: `Returns the first element divisible by ${k} (the element itself), or -1 if none.`,
    others: [`Returns the index (from 0) of the last element divisible by ${k}, or -1 if none.`, `Counts the elements divisible by ${k}.`],
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
    code: fillTemplate(code, { ...n }),
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
    code: fillTemplate(code, { ...n }),
    callText: `${n.fn}(${listLit(xs)})`,
    expected: want,
    nearValue: near,
    correct: `Returns the list rotated ${places} to the left (the first ${k === 1 ? 'element moves' : `${k} elements move`} to the end).`,
    near: `Returns the list rotated ${places} to the right (the last ${k === 1 ? 'element moves' : `${k} elements move`} to the front).`,
    others: [`Returns the list without its first ${k === 1 ? 'element' : `${k} elements`}.`, 'Returns the list in reverse order.'],
  };
};

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
    code: fillTemplate(code, { ...n }),
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
    code: fillTemplate(code, { ...n }),
    callText: `${n.fn}(${listLit(xs)})`,
    expected: want,
    nearValue: near,
    correct: `Returns the sums of consecutive non-overlapping groups of ${k} elements (the last may be shorter).`,
    near: `Returns the sums of every window of ${k} consecutive elements, windows overlapping.`,
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
    code: fillTemplate(code, { ...n }),
    callText: `${n.fn}(${a}, ${b})`,
    expected: g,
    nearValue: (a * b) / g,
    correct: 'Returns the greatest common divisor of its two (positive integer) arguments.',
    near: 'Returns the least common multiple of its two (positive integer) arguments.',
    others: ['Returns the remainder of the first argument divided by the second.', 'Returns the smaller of its two arguments.'],
  };
};

const L1_FAMILIES: L1Family[] = [familyCount, familyStride, familySpread, familyDedupe, familyRunningMax, familyFirstMultiple, familyDigits, familyRotate, familyVowels, familyChunks, familyGcd];

export function l1Case(rng: ProbeRng): L1Case {
  for (;;) {
    const lang: Lang = rng.next() < 0.5 ? 'python' : 'javascript';
    const c = rng.pick(L1_FAMILIES)(rng, lang, l1Names(rng));
    if (c && !sameValue(c.expected, c.nearValue)) return c;
  }
}

function valueText(v: Value): string {
  return Array.isArray(v) ? `[${v.join(', ')}]` : String(v);
}

export function level1(rng: ProbeRng, seed: number): ProbeInstance {
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
  const prompt =
    `\`\`\`${c.lang}\n${c.code}\n\`\`\`\n` +
    `1. Which description fits this function?\n${options.map((o, i) => `${letters[i]}. ${o.text}`).join('\n')}\n` +
    `2. What does \`${c.callText}\` return?\n` +
    `Explain briefly, then end with exactly these lines:\n\`Choice: <letter>\`\n\`Result: <value>\``;
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
