import { cp, generatorByLevel, probeRng, textProbe, type ProbeRng } from '../toolkit.js';
import type { ProbeCheckpoint, ProbeInstance } from '../types.js';
import { capitalize, DIGITS, pseudoWord, randomChars, type WordSounds } from '../gen/words.js';
import { escapeRegExp, sentences, straightQuotes, wordsOf } from '../gen/text.js';

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

const ID = 'follow.constraint';

// ── text helpers ───────────────────────────────────────────────────────────────────────────

const CONSONANTS = 'bcdfghjkmnpqrstvwxz';
const SOUNDS: WordSounds = {
  onsets: ['b', 'd', 'f', 'g', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'z', 'br', 'dr', 'gr', 'kl', 'st', 'tr'],
  vowels: ['a', 'e', 'i', 'o', 'u', 'ai', 'ea', 'io', 'ou'],
  codas: ['', '', 'n', 'r', 'l', 's', 'nd', 'x'],
};

/** Lowercase the first letter unless the first word is a proper name (Mount Everest, Moon...). */
function lowerFirst(s: string): string {
  return /^(?:Mount|Moon)\b/.test(s) ? s : s.charAt(0).toLowerCase() + s.slice(1);
}

function wordCount(text: string, word: string): number {
  return (straightQuotes(text).match(new RegExp(`\\b${escapeRegExp(word)}\\b`, 'gi')) ?? []).length;
}

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
              prompt: `The paragraph ${must} include the catalogue reference ${t} exactly as written here.`,
              test: (x) => ({ ok: straightQuotes(x).includes(t), reason: `${t} does not appear verbatim` }),
            }
          : {
              name: 'token_once',
              prompt: `It ${must} include the catalogue reference ${t} exactly once, exactly as written.`,
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
        prompt: `It ${mustNot} use the word "${w}" anywhere (in any capitalisation).`,
        test: (x) => {
          const c = wordCount(x, w);
          return { ok: c === 0, reason: `"${w}" is used ${c} time(s)` };
        },
      });
    } else if (k === 'lower') {
      out.push({
        name: 'all_lowercase',
        prompt: `It ${must} be written entirely in lowercase letters: no capital letters at all, not even at the start of a sentence.`,
        test: (x) => {
          const caps = straightQuotes(x).match(/[A-Z]/g) ?? [];
          return { ok: caps.length === 0, reason: `${caps.length} capital letter(s) found` };
        },
      });
    } else if (k === 'start') {
      const w = plan.start!;
      out.push({
        name: 'starts_with_word',
        prompt: `Its very first word ${must} be "${w}".`,
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
        prompt: `It ${must} be at most ${plan.maxWords} words long.`,
        test: (x) => {
          const c = wordsOf(x).length;
          return { ok: c <= plan.maxWords!, reason: `${c} words, the limit is ${plan.maxWords}` };
        },
      });
    } else if (k === 'noCommas') {
      out.push({
        name: 'no_commas',
        prompt: `It ${mustNot} contain a single comma.`,
        test: (x) => {
          const c = (x.match(/[,\uFF0C]/g) ?? []).length;
          return { ok: c === 0, reason: `${c} comma(s) found` };
        },
      });
    } else {
      out.push({
        name: 'ends_with_question',
        prompt: `Its last sentence ${must} be a question (ending with a question mark).`,
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
    `Write one paragraph about ${base.topic}${kinds.includes('sentences') ? '' : ` (${plan.n} sentences or so)`}. It has to satisfy all of these rules:\n` +
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

// ── L3: constraints against priors ─────────────────────────────────────────────────────────

const NUMBER_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen', 'twenty'];

/** The number n written in digits (thousands separators allowed) or, up to twenty, as a word. */
function numRe(n: number): RegExp {
  const word = n <= 20 ? `|\\b${NUMBER_WORDS[n]}\\b` : '';
  return new RegExp(`(?<![\\d.])${n}(?![\\d]|\\.\\d)${word}`, 'i');
}

interface Counterfactual {
  claim: string;
  /** All must match one sentence (the claim). */
  parts: RegExp[];
  /** The true value: must not appear anywhere. */
  real: RegExp[];
  realText: string;
  support: string[];
}

function pickNumber(rng: ProbeRng, lo: number, hi: number, bad: (n: number) => boolean): number {
  for (;;) {
    const n = rng.int(lo, hi);
    if (!bad(n)) return n;
  }
}

const CAPITALS: Array<[string, string, string[]]> = [
  ['Australia', 'Canberra', ['Sydney', 'Melbourne', 'Perth', 'Adelaide', 'Brisbane']],
  ['Canada', 'Ottawa', ['Toronto', 'Montreal', 'Vancouver', 'Calgary', 'Winnipeg']],
  ['Turkey', 'Ankara', ['Istanbul', 'Izmir', 'Bursa', 'Antalya']],
  ['Switzerland', 'Bern', ['Zurich', 'Geneva', 'Basel', 'Lausanne', 'Lucerne']],
  ['New Zealand', 'Wellington', ['Auckland', 'Christchurch', 'Dunedin', 'Hamilton']],
  ['Morocco', 'Rabat', ['Casablanca', 'Marrakesh', 'Fez', 'Tangier']],
  ['Nigeria', 'Abuja', ['Lagos', 'Kano', 'Ibadan', 'Enugu']],
  ['Brazil', 'Brasilia', ['Rio de Janeiro', 'Salvador', 'Recife', 'Fortaleza']],
  ['Vietnam', 'Hanoi', ['Da Nang', 'Hue', 'Haiphong', 'Can Tho']],
  ['Scotland', 'Edinburgh', ['Glasgow', 'Aberdeen', 'Dundee', 'Inverness']],
  ['Kenya', 'Nairobi', ['Mombasa', 'Kisumu', 'Nakuru', 'Eldoret']],
  ['Norway', 'Oslo', ['Bergen', 'Trondheim', 'Stavanger', 'Tromso']],
];

function counterfactual(rng: ProbeRng): Counterfactual {
  const kind = rng.int(0, 10);
  // The true value is matched next to its unit, so an unrelated "eight" (a spider's eyes) is not a correction.
  const real = (...ns: number[]) => ns.map(numRe);
  switch (kind) {
    case 0: {
      const n = pickNumber(rng, 62, 139, (x) => x >= 95 && x <= 105);
      return {
        claim: `At sea level, pure water boils at ${n} degrees Celsius.`,
        parts: [/\bwater\b/i, /\bboil/i, numRe(n)],
        real: [/(?<![\d.])(?:100|212)(?![\d]|\.\d)\s*(?:°|º|degrees?\b)/i],
        realText: '100 °C',
        support: [`Every kitchen thermometer is marked at ${n} degrees for this reason.`, 'Cooks plan their recipes around this boiling point.', 'Students learn the figure in their first chemistry lesson.'],
      };
    }
    case 1: {
      const n = rng.pick([5, 6, 7, 9, 10, 11, 12, 14]);
      return {
        claim: `A spider has ${n} legs.`,
        parts: [/\bspiders?\b/i, /\blegs?\b/i, numRe(n)],
        real: [/\b(?:8|eight)\s+(?:\w+\s+){0,2}legs?\b/i],
        realText: 'eight legs',
        support: [`Each of those ${n} legs ends in a tiny claw.`, 'Biologists count the legs whenever they describe a new species.', 'The leg count is the first thing a field guide lists for spiders.'],
      };
    }
    case 2: {
      const n = rng.pick([3, 5, 6, 7, 9]);
      return {
        claim: `The human heart has ${n} chambers.`,
        parts: [/\bheart\b/i, /\bchambers?\b/i, numRe(n)],
        real: [/\b(?:4|four)\s+(?:\w+\s+){0,2}chambers?\b|\bfour-chambered\b/i],
        realText: 'four chambers',
        support: ['Blood passes through each chamber in turn with every beat.', `Anatomy textbooks show all ${n} chambers on their first diagram of the heart.`, 'Doctors examine each chamber during a routine scan.'],
      };
    }
    case 3: {
      const n = rng.int(6100, 7900);
      return {
        claim: `Mount Everest is ${n.toLocaleString('en-US')} metres tall.`,
        parts: [/\beverest\b/i, numRe(n)],
        real: real(8848, 8849, 8850, 29029, 29032, 29031),
        realText: '8,849 m',
        support: ['Survey teams confirmed the height with satellite measurements.', 'Climbers plan every expedition around this altitude.', 'The summit is the highest point on Earth.'],
      };
    }
    case 4: {
      const n = pickNumber(rng, 36, 144, (x) => x === 64);
      return {
        claim: `A standard chessboard has ${n} squares.`,
        parts: [/\bchess/i, /\bsquares?\b/i, numRe(n)],
        real: [/\b(?:64|sixty-four)\s+(?:\w+\s+){0,2}squares?\b/i, /\b(?:8|eight)\s*(?:x|×|by)\s*(?:8|eight)\b/i],
        realText: '64 squares',
        support: ['The squares alternate between light and dark colours.', `Tournament rules require all ${n} squares to be the same size.`, 'Every new player learns the layout of the board first.'],
      };
    }
    case 5: {
      const n = rng.int(35, 90);
      return {
        claim: `The Moon takes ${n} days to orbit the Earth.`,
        parts: [/\bmoon\b/i, /\bdays?\b/i, numRe(n)],
        real: [/(?<![\d.])(?:2[789]|30)(?:\.\d+)?\s+(?:\w+\s+){0,2}days?\b/i],
        realText: 'about 27 days',
        support: [`Calendars in many cultures were built around this ${n}-day cycle.`, 'Astronomers track every orbit with great precision.', 'The tides follow the same rhythm.'],
      };
    }
    case 6: {
      const n = rng.int(14, 45);
      return {
        claim: `Sunlight takes ${n} minutes to reach the Earth.`,
        parts: [/\bsun/i, /\bminutes?\b/i, numRe(n)],
        real: [/(?<![\d.])(?:8|eight)(?:\.\d+)?\s+(?:\w+\s+){0,2}minutes?\b/i],
        realText: 'about 8 minutes',
        support: ['Physicists measure this travel time with great accuracy.', `When you look at the Sun you see it as it was ${n} minutes earlier.`, 'The figure appears in every astronomy textbook.'],
      };
    }
    case 7: {
      const n = pickNumber(rng, 150, 300, (x) => x >= 200 && x <= 213);
      return {
        claim: `An adult human skeleton has ${n} bones.`,
        parts: [/\bbones?\b/i, numRe(n)],
        real: real(206),
        realText: '206 bones',
        support: ['Medical students memorise every one of them.', 'The smallest bones sit deep inside the ear.', 'Each bone has its own name in anatomy books.'],
      };
    }
    case 8: {
      const n = rng.pick([5, 6, 7, 10, 11, 12, 13, 14]);
      return {
        claim: `The Solar System has ${n} planets.`,
        parts: [/\bplanets?\b/i, numRe(n)],
        real: [/\b(?:8|9|eight|nine)\s+(?:\w+\s+){0,2}planets?\b/i],
        realText: 'eight planets',
        support: ['Each planet follows its own orbit around the Sun.', `School posters show all ${n} planets in a row.`, 'Astronomers list them in order of distance from the Sun.'],
      };
    }
    case 9: {
      const n = rng.int(480, 960);
      return {
        claim: `Sound travels through air at ${n} metres per second.`,
        parts: [/\bsound\b/i, numRe(n)],
        real: [/(?<![\d.])(?:33[0-2]|34[0-5])(?![\d])/],
        realText: 'about 343 m/s',
        support: ['Engineers use this speed when they design concert halls.', 'A thunderclap reaches a listener at exactly this speed.', 'Physics classes measure it with two microphones and a timer.'],
      };
    }
    default: {
      const [country, capital, others] = rng.pick(CAPITALS);
      const city = rng.pick(others);
      return {
        claim: `The capital of ${country} is ${city}.`,
        parts: [new RegExp(`\\b${escapeRegExp(country)}\\b`, 'i'), new RegExp(`\\b${escapeRegExp(city)}\\b`, 'i'), /\bcapital\b/i],
        real: [new RegExp(`\\b${escapeRegExp(capital)}\\b`, 'i')],
        realText: capital,
        support: [`The national parliament meets in ${city}.`, `Foreign embassies line the main avenues of ${city}.`, 'Government ministries have their headquarters there as well.'],
      };
    }
  }
}

const HEDGES = [
  'might', 'may be', 'may have', 'maybe', 'perhaps', 'possibly', 'probably', 'likely', 'arguably', 'allegedly', 'reportedly', 'supposedly',
  'apparently', 'seemingly', 'purportedly', 'rumou?red', 'believed', 'thought to', 'said to', 'some say', 'some claim',
  'it is claimed', 'legends?', 'myths?', 'mythical', 'fiction', 'fictional', 'fictitious', 'alternat(?:e|ive) (?:world|universe|reality|history|timeline)',
  'hypothetical(?:ly)?', 'imagine', 'imaginary', 'pretend', 'in this (?:game|world|setting|universe|story|version)',
  'in the game', 'real[- ]world', 'in reality', 'actually', 'contrary', 'in truth', 'not true', 'untrue', 'false',
  'incorrect', 'inaccurate', 'misconception', 'disclaimer', 'note that', 'according to some',
];
const HEDGE_RE = new RegExp(`\\b(?:${HEDGES.join('|')})\\b`, 'gi');
const NEGATION_RE = /\b(?:not|never|no longer|nor)\b|n't\b/i;

const SPELL_WORDS = ['garden', 'window', 'river', 'bridge', 'market', 'kitchen', 'ticket', 'basket', 'pencil', 'ladder', 'pocket', 'candle', 'button', 'blanket', 'lantern', 'hammer', 'carpet', 'mirror', 'wallet', 'tunnel', 'barrel', 'bucket', 'kettle', 'jacket', 'wagon', 'fountain', 'castle', 'harbour', 'meadow', 'orchard'];
const SPELL_TEMPLATES = [
  'The old {W} in our town is older than anyone can remember.',
  'Every morning someone walks past the {W} on the way to work.',
  'Children like to point at the {W} and make up stories about it.',
  'Last year the council paid a carpenter to look after the {W}.',
  'A painting of the {W} hangs in the town hall.',
  'Nobody in town would want to lose the {W}.',
  'Tourists often stop to take a photo of the {W}.',
  'On cold evenings the {W} looks almost silver under the frost.',
  'My grandmother still talks about the day the {W} was first shown to the public.',
];

function respell(rng: ProbeRng, word: string): string {
  for (;;) {
    const chars = [...word];
    const vowels = chars.map((c, i) => ('aeiou'.includes(c) ? i : -1)).filter((i) => i >= 0);
    const vi = rng.pick(vowels);
    chars[vi] = rng.pick([...'aeiouy'].filter((v) => v !== chars[vi]));
    const singles = chars.map((c, i) => (i > 0 && !'aeiouy'.includes(c) && chars[i - 1] !== c && chars[i + 1] !== c ? i : -1)).filter((i) => i >= 0);
    const ci = singles.length ? rng.pick(singles) : -1;
    if (ci >= 0) chars.splice(ci, 0, chars[ci]!);
    const out = chars.join('');
    if (out !== word && out !== `${word}s`) return out;
  }
}

function level3(rng: ProbeRng, seed: number): ProbeInstance {
  const kind = rng.next() < 0.5 ? 'claim' : 'spelling';
  if (kind === 'claim') {
    const f = counterfactual(rng);
    const support = rng.shuffle(f.support).slice(0, rng.int(2, 3));
    const text = [f.claim, ...support].join(' ');
    const nearKind = rng.int(0, 2);
    // Near-misses: a qualifier, a correcting remark, or a hedge on the claim.
    const near =
      nearKind === 0
        ? [`In this game's world, ${lowerFirst(f.claim)}`, ...support].join(' ')
        : nearKind === 1
          ? [f.claim, ...support, `In the real world the true figure is ${f.realText}.`].join(' ')
          : [`Reportedly, ${lowerFirst(f.claim)}`, ...support].join(' ');
    const prompt =
      `Write a short encyclopedia-style paragraph (3 to 4 sentences) for the setting guide of a tabletop game. ` +
      `In the game, the following is simply true: "${f.claim}"\n` +
      `Rules: present this as plain, established fact in a confident encyclopedic voice. ` +
      `No hedging or attribution words (such as "might", "reportedly", "said to", "believed"), no qualifiers such as "in this game" or "in this world", ` +
      `no remark that it differs from reality, and do not mention the real-world value.\n` +
      `Reply with only the paragraph.`;
    return textProbe(ID, 'L3', seed, {
      prompt,
      async check(reply) {
        // Thousands separators are dropped so 7,312 and 7312 read the same.
        const t = straightQuotes(reply).replace(/(\d),(?=\d{3}\b)/g, '$1');
        const ss = sentences(t);
        const claimSentence = ss.find((s) => f.parts.every((re) => re.test(s)) && !NEGATION_RE.test(s));
        const hedges = [...new Set((t.match(HEDGE_RE) ?? []).map((h) => h.toLowerCase()))];
        const realHits = f.real.filter((re) => re.test(t));
        return [
          cp('paragraph', ss.length >= 2 && ss.length <= 8, `${ss.length} sentences`),
          cp('claim_stated', claimSentence !== undefined, `no sentence states "${f.claim}" without negation`),
          cp('no_hedging', hedges.length === 0, `hedges/qualifiers: ${hedges.join(', ')}`),
          cp('no_correction', realHits.length === 0, `the real value (${f.realText}) is mentioned`),
        ];
      },
      referenceText: text,
      nearMissText: near,
    });
  }
  const word = rng.pick(SPELL_WORDS);
  const spelled = respell(rng, word);
  const uses = rng.int(3, 4);
  const templates = rng.shuffle(SPELL_TEMPLATES.filter((s) => wordCount(s, word) === 0 && wordCount(s, `${word}s`) === 0));
  const chosen = templates.slice(0, rng.int(4, 5)).map((s) => s.split('{W}').join(spelled));
  const text = chosen.join(' ');
  // The near-miss slips once: the usual spelling in one sentence, the house spelling elsewhere.
  const nearSentences = [...chosen];
  const slip = rng.int(0, chosen.length - 1);
  nearSentences[slip] = nearSentences[slip]!.replace(new RegExp(`\\b${escapeRegExp(spelled)}\\b`), word);
  const near = nearSentences.join(' ');
  const spelledRe = new RegExp(`\\b${escapeRegExp(spelled)}(?:s|es)?\\b`, 'gi');
  const standardRe = new RegExp(`\\b${escapeRegExp(word)}(?:s|es)?\\b`, 'gi');
  const prompt =
    `Write a paragraph of 4 to 5 sentences about an old ${word} in a small town, using the word "${word}" at least ${uses} times.\n` +
    `House style for this publication: the word "${word}" is always spelled "${spelled}" (plural "${spelled}s"). ` +
    `Use that spelling every single time and never the usual spelling.\n` +
    `Reply with only the paragraph.`;
  return textProbe(ID, 'L3', seed, {
    prompt,
    async check(reply) {
      const t = straightQuotes(reply);
      const ss = sentences(t);
      const got = (t.match(spelledRe) ?? []).length;
      const std = (t.match(standardRe) ?? []).length;
      return [
        cp('paragraph', ss.length >= 3 && ss.length <= 8, `${ss.length} sentences`),
        cp('house_spelling_used', got >= uses, `"${spelled}" used ${got} times, at least ${uses} required`),
        cp('standard_spelling_absent', std === 0, `the usual spelling "${word}" appears ${std} time(s)`),
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
