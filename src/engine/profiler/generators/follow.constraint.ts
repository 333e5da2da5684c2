import { cp, generatorByLevel, probeRng, textProbe, type ProbeRng } from '../toolkit.js';
import type { ProbeCheckpoint, ProbeInstance } from '../types.js';
import { capitalize, DIGITS, pseudoWord, randomChars, type WordSounds } from '../gen/words.js';
import { sentences, straightQuotes, wordsOf } from '../gen/text.js';
import { ID, lowerFirst, wordCount } from './follow.constraint/common.js';
import { level3 } from './follow.constraint/level3.js';

/**
 * follow.constraint — writing a short paragraph under explicit constraints (the final answer is
 * graded).
 *  L1  one MUST constraint, drawn from: include a mixed-case reference code verbatim, end with an
 *      exact sentence, never use a given common word, write all in lowercase, start with a word.
 *  L2  3–5 of those constraints at once (plus: exactly N sentences, at most M words, no commas,
 *      the token exactly once, end with a question) — one checkpoint per constraint.
 *  L3  constraints that go against the model's habits: state a generated counterfactual (a
 *      wrong number or capital) as plain fact with no hedging, qualifier or correction; or use a
 *      generated misspelling of a common word every time, never the standard spelling.
 */

// ── text helpers ───────────────────────────────────────────────────────────────────────────

const CONSONANTS = 'bcdfghjkmnpqrstvwxz';
const SOUNDS: WordSounds = {
  onsets: ['b', 'd', 'f', 'g', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'z', 'br', 'dr', 'gr', 'kl', 'st', 'tr'],
  vowels: ['a', 'e', 'i', 'o', 'u', 'ai', 'ea', 'io', 'ou'],
  codas: ['', '', 'n', 'r', 'l', 's', 'nd', 'x'],
};

const TOPICS: Array<[string, string]> = [
  ['lighthouses', 'lighthouse'],
  ['beehives', 'beehive'],
  ['community gardens', 'garden'],
  ['night trains', 'train'],
  ['public libraries', 'librar'],
  ['sourdough starters', 'sourdough'],
  ['city parks', 'park'],
  ['paper maps', 'map'],
  ['wind farms', 'wind'],
  ['canal boats', 'canal'],
  ['street markets', 'market'],
  ['hiking trails', 'trail'],
  ['board games', 'game'],
  ['vintage bicycles', 'bicycle'],
  ['tide pools', 'tide pool'],
  ['clock towers', 'clock'],
  ['mountain huts', 'hut'],
  ['school orchestras', 'orchestra'],
  ['river ferries', 'ferr'],
  ['repair cafes', 'repair'],
  ['weather stations', 'weather station'],
  ['chess clubs', 'chess'],
  ['allotment plots', 'allotment'],
  ['tram lines', 'tram'],
];

/** Neutral sentences about a plural topic {T}: no commas, no "and", no numbers, no questions. */
const BANK = [
  '{T} have a longer history than most visitors expect.',
  'Local communities depend on {T} in quiet ways.',
  'Careful planning makes {T} easier to run over many years.',
  'Visitors tend to remember {T} long after a trip ends.',
  'The cost of keeping {T} in good shape varies from place to place.',
  'Small details decide whether {T} work well over time.',
  'Many towns treat {T} as a source of local pride.',
  'Volunteers play a large part in looking after {T}.',
  'Good records show how {T} have changed over the decades.',
  'Newcomers usually learn the basics of {T} within a few weeks.',
  'Weather can shape the daily routine around {T}.',
  'Younger residents are finding fresh reasons to care about {T}.',
  'Simple habits keep {T} useful for the next generation.',
  'Stories about {T} are passed down in many families.',
  'Each region adds its own character to {T}.',
  'Modern tools have made {T} safer to manage.',
];

function fill(template: string, topic: string): string {
  const s = template.split('{T}').join(topic);
  return capitalize(s);
}

// ── L1 / L2: composable constraints ────────────────────────────────────────────────────────

type Kind = 'token' | 'end' | 'avoid' | 'lower' | 'start' | 'sentences' | 'maxWords' | 'noCommas' | 'question';

/** A sentence that uses the avoided word (for near-misses). */
const AVOID_USE: Record<string, string> = {
  and: '{T} are practical and affordable.',
  the: 'The future of {T} looks bright.',
  very: '{T} are very popular today.',
  also: '{T} also bring visitors to an area.',
  many: 'Many residents enjoy {T}.',
  in: 'Interest in {T} keeps growing.',
  often: '{T} are often overlooked.',
  their: 'Their appeal keeps {T} busy.',
};
const START_WORDS = ['Surprisingly', 'Historically', 'Today', 'Curiously', 'Quietly', 'Notably', 'Admittedly', 'Traditionally', 'Elsewhere', 'Lately'];

interface Plan {
  topic: string;
  stem: string;
  kinds: Kind[];
  n: number;
  token?: string;
  endSentence?: string;
  avoid?: string;
  start?: string;
  maxWords?: number;
}

function compose(rng: ProbeRng, plan: Plan, violate?: Kind): string {
  const has = (k: Kind) => plan.kinds.includes(k);
  const bank = BANK.filter((s) => !plan.avoid || wordCount(s, plan.avoid) === 0).map((s) => fill(s, plan.topic));
  const picked = rng.sample(bank, bank.length);
  const tokenSentence = (t: string) => `Their catalogue reference is ${t}.`;
  const question = `Would you spend an afternoon learning about ${plan.topic}?`;
  const tail: string[] = [];
  if (has('question') && violate !== 'question') tail.push(question);
  if (has('end')) tail.push(plan.endSentence!);
  const head: string[] = [];
  if (has('token')) head.push(tokenSentence(plan.token!));
  const bodyCount = plan.n - head.length - tail.length + (violate === 'sentences' ? 1 : 0);
  const body = picked.slice(0, Math.max(1, bodyCount));
  let out = [body[0]!, ...head, ...body.slice(1), ...tail];
  if (violate === 'token') out[out.length - 1 - tail.length] = `Ask for ${plan.token} at the front desk.`;
  if (violate === 'avoid') out[out.length - 1 - tail.length] = fill(AVOID_USE[plan.avoid!]!, plan.topic);
  if (violate === 'noCommas') out[out.length - 1 - tail.length] = `Over time, ${lowerFirst(out[out.length - 1 - tail.length]!)}`;
  if (violate === 'end') out = [...out.slice(0, -1), plan.endSentence!, 'Thanks for reading.'].filter((s, i, a) => a.indexOf(s) === i);
  // The near-miss opens with a plain sentence and uses the required first word one sentence later.
  if (has('start')) {
    const at = violate === 'start' ? 1 : 0;
    out[at] = `${plan.start} ${lowerFirst(out[at]!)}`;
  }
  if (violate === 'maxWords') {
    const extra = ' across the whole region for a great many long years now';
    let i = 0;
    while (wordsOf(out.join(' ')).length <= plan.maxWords!) {
      const j = i++ % out.length;
      out[j] = out[j]!.replace(/([.?!])$/, `${extra}$1`);
    }
  }
  let text = out.join(' ');
  if (has('lower') && violate !== 'lower') text = text.toLowerCase();
  return text;
}

interface Rule {
  name: string;
  prompt: string;
  test(text: string): { ok: boolean; reason: string };
}

function rulesFor(plan: Plan, single: boolean): Rule[] {
  const must = single ? 'MUST' : 'must';
  const mustNot = single ? 'MUST NOT' : 'must not';
  const out: Rule[] = [];
  for (const k of plan.kinds) {
    if (k === 'token') {
      const t = plan.token!;
      out.push(
        single
          ? {
              name: 'token_included',
              prompt: `It ${must} include the catalogue reference ${t} exactly as written.`,
              test: (x) => ({ ok: straightQuotes(x).includes(t), reason: `${t} does not appear verbatim` }),
            }
          : {
              name: 'token_once',
              prompt: `It ${must} include the catalogue reference ${t} exactly once, as written.`,
              test: (x) => {
                const c = straightQuotes(x).split(t).length - 1;
                return { ok: c === 1, reason: `${t} appears ${c} times` };
              },
            },
      );
    } else if (k === 'end') {
      const want = plan.endSentence!;
      const key = (s: string) => s.toLowerCase().replace(/[^a-z0-9 ]/g, '').replace(/\s+/g, ' ').trim();
      out.push({
        name: 'ends_with_sentence',
        prompt: `Its last sentence ${must} be exactly: "${want}"`,
        test: (x) => {
          const ss = sentences(x);
          const last = ss[ss.length - 1] ?? '';
          return { ok: key(last) === key(want), reason: `the last sentence is ${JSON.stringify(last)}` };
        },
      });
    } else if (k === 'avoid') {
      const w = plan.avoid!;
      out.push({
        name: 'word_avoided',
        prompt: `It ${mustNot} use the word "${w}" (in any capitalisation).`,
        test: (x) => {
          const c = wordCount(x, w);
          return { ok: c === 0, reason: `"${w}" is used ${c} time(s)` };
        },
      });
    } else if (k === 'lower') {
      out.push({
        name: 'all_lowercase',
        prompt: `It ${must} be all lowercase: no capital letters, not even at sentence starts.`,
        test: (x) => {
          const caps = straightQuotes(x).match(/[A-Z]/g) ?? [];
          return { ok: caps.length === 0, reason: `${caps.length} capital letter(s) found` };
        },
      });
    } else if (k === 'start') {
      const w = plan.start!;
      out.push({
        name: 'starts_with_word',
        prompt: `Its first word ${must} be "${w}".`,
        test: (x) => {
          const first = (wordsOf(x)[0] ?? '').replace(/^[^A-Za-z]+|[^A-Za-z]+$/g, '');
          return { ok: first.toLowerCase() === w.toLowerCase(), reason: `the first word is ${JSON.stringify(first)}` };
        },
      });
    } else if (k === 'sentences') {
      out.push({
        name: 'sentence_count',
        prompt: `It ${must} have exactly ${plan.n} sentences.`,
        test: (x) => {
          const c = sentences(x).length;
          return { ok: c === plan.n, reason: `${c} sentences, expected ${plan.n}` };
        },
      });
    } else if (k === 'maxWords') {
      out.push({
        name: 'max_words',
        prompt: `It ${must} be at most ${plan.maxWords} words.`,
        test: (x) => {
          const c = wordsOf(x).length;
          return { ok: c <= plan.maxWords!, reason: `${c} words, the limit is ${plan.maxWords}` };
        },
      });
    } else if (k === 'noCommas') {
      out.push({
        name: 'no_commas',
        prompt: `It ${mustNot} contain any comma.`,
        test: (x) => {
          const c = (x.match(/[,\uFF0C]/g) ?? []).length;
          return { ok: c === 0, reason: `${c} comma(s) found` };
        },
      });
    } else {
      out.push({
        name: 'ends_with_question',
        prompt: `Its last sentence ${must} be a question (ending with "?").`,
        test: (x) => ({ ok: /\?["')\]]?$/.test(straightQuotes(x).trim()), reason: 'the paragraph does not end with a question mark' }),
      });
    }
  }
  return out;
}

function paragraphCheck(stem: string, minSentences: number) {
  return (text: string): ProbeCheckpoint[] => {
    const ss = sentences(text).length;
    const ws = wordsOf(text).length;
    return [
      cp('is_paragraph', ss >= minSentences && ws >= 15, `${ss} sentences / ${ws} words is not a paragraph`),
      cp('on_topic', straightQuotes(text).toLowerCase().includes(stem), `the topic (${stem}) is never mentioned`),
    ];
  };
}

function planBase(rng: ProbeRng): Pick<Plan, 'topic' | 'stem'> {
  const [topic, stem] = rng.pick(TOPICS);
  return { topic, stem };
}

function makeToken(rng: ProbeRng, lower: boolean): string {
  const t = `${randomChars(rng, CONSONANTS, 2).toUpperCase()}${randomChars(rng, DIGITS, 3)}-${randomChars(rng, CONSONANTS, 3)}`;
  return lower ? t.toLowerCase() : t;
}

function makeEnd(rng: ProbeRng): string {
  return `${rng.pick(['Remember', 'Ask about', 'Look for', 'Write to'])} ${capitalize(pseudoWord(rng, SOUNDS))} ${rng.pick(['before you go', 'next spring', 'at the front desk', 'on the first Monday'])}.`;
}

function level1(rng: ProbeRng, seed: number): ProbeInstance {
  const base = planBase(rng);
  const kind = rng.pick(['token', 'end', 'avoid', 'lower', 'start'] as const);
  const plan: Plan = { ...base, kinds: [kind], n: rng.int(3, 5) };
  if (kind === 'token') plan.token = makeToken(rng, false);
  if (kind === 'end') plan.endSentence = makeEnd(rng);
  if (kind === 'avoid') plan.avoid = rng.pick(Object.keys(AVOID_USE));
  if (kind === 'start') plan.start = rng.pick(START_WORDS);
  const rule = rulesFor(plan, true)[0]!;
  const text = compose(rng, plan);
  let near = compose(rng, plan, kind);
  // For a code that differs only by a missing hyphen the near-miss writes it with a space.
  if (kind === 'token') near = text.replace(plan.token!, plan.token!.replace('-', ' '));
  // Lowercase everywhere except the first letter.
  if (kind === 'lower') near = capitalize(text);
  const para = paragraphCheck(base.stem, 2);
  const prompt = `Write one paragraph of ${plan.n === 3 ? '3 to 4' : `${plan.n - 1} to ${plan.n}`} sentences about ${base.topic}.\n${rule.prompt}\nReply with only the paragraph.`;
  return textProbe(ID, 'L1', seed, {
    prompt,
    async check(reply) {
      const t = reply;
      const r = rule.test(t);
      return [...para(t), cp(rule.name, r.ok, r.reason)];
    },
    referenceText: text,
    nearMissText: near,
  });
}

function level2(rng: ProbeRng, seed: number): ProbeInstance {
  const base = planBase(rng);
  const k = rng.int(3, 5);
  const pool: Kind[] = ['token', 'start', 'sentences', 'maxWords', 'noCommas', 'avoid', 'question', 'lower'];
  const kinds = rng.sample(pool, k);
  const plan: Plan = { ...base, kinds, n: rng.int(4, 6) };
  if (kinds.includes('token')) plan.token = makeToken(rng, kinds.includes('lower'));
  if (kinds.includes('start')) {
    const w = rng.pick(START_WORDS);
    plan.start = kinds.includes('lower') ? w.toLowerCase() : w;
  }
  if (kinds.includes('avoid')) plan.avoid = rng.pick(Object.keys(AVOID_USE).filter((w) => !(kinds.includes('token') && w === 'their')));
  // The word limit is set from a draft of the answer, with some room to spare.
  const draftRng = probeRng(`${ID}:L2:draft:${seed}`);
  const draftWords = wordsOf(compose(draftRng, { ...plan, kinds: kinds.filter((x) => x !== 'maxWords') })).length;
  if (kinds.includes('maxWords')) plan.maxWords = draftWords + rng.int(4, 12);
  const text = compose(probeRng(`${ID}:L2:draft:${seed}`), plan);
  const violate = rng.pick(kinds);
  const near = compose(probeRng(`${ID}:L2:draft:${seed}`), plan, violate);
  const rules = rulesFor(plan, false);
  const para = paragraphCheck(base.stem, 3);
  const prompt =
    `Write one paragraph about ${base.topic}${kinds.includes('sentences') ? '' : ` (${plan.n} sentences or so)`}, obeying all these rules:\n` +
    rules.map((r, i) => `${i + 1}. ${r.prompt}`).join('\n') +
    `\nReply with only the paragraph.`;
  return textProbe(ID, 'L2', seed, {
    prompt,
    async check(reply) {
      const t = reply;
      return [
        ...para(t),
        ...rules.map((r) => {
          const x = r.test(t);
          return cp(r.name, x.ok, x.reason);
        }),
      ];
    },
    referenceText: text,
    nearMissText: near,
  });
}

export const generator = generatorByLevel(ID, {
  L1: 'One paragraph on a topic under a single MUST constraint (verbatim mixed-case code, exact last sentence, a banned common word, all lowercase, or a required first word); checks the constraint and that it is an on-topic paragraph.',
  L2: 'One paragraph under 3–5 simultaneous constraints (token exactly once, first word, exact sentence count, word limit, no commas, banned word, final question, lowercase); one checkpoint per constraint.',
  L3: 'Constraints against priors: state a generated counterfactual (wrong number or capital) as plain fact with no hedge, qualifier or correction; or use a generated misspelling of a common word every time, never the usual spelling.',
}, { L1: level1, L2: level2, L3: level3 });
