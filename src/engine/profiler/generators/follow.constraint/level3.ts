import { cp, textProbe, type ProbeRng } from '../../toolkit.js';
import type { ProbeInstance } from '../../types.js';
import { escapeRegExp, sentences, straightQuotes } from '../../gen/text.js';
import { ID, lowerFirst, wordCount } from './common.js';

/**
 * follow.constraint L3 — constraints against priors: state a generated counterfactual (a wrong
 * number or capital) as plain fact with no hedge, qualifier or correction; or use a generated
 * misspelling of a common word every time, never the standard spelling.
 */

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

export function level3(rng: ProbeRng, seed: number): ProbeInstance {
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
      `Write an encyclopedia-style paragraph (3 to 4 sentences) for a tabletop game's setting guide. ` +
      `In the game this is simply true: "${f.claim}"\n` +
      `State it as plain, established fact in a confident voice: no hedging or attribution words (e.g. "might", "reportedly", "said to", "believed"), ` +
      `no qualifiers like "in this game" or "in this world", no remark that it differs from reality, no mention of the real-world value.\n` +
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
    `Write a paragraph of 4 to 5 sentences about an old ${word} in a small town, using that word at least ${uses} times.\n` +
    `House style: "${word}" is always spelled "${spelled}" (plural "${spelled}s"), every time; never the usual spelling.\n` +
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
