import { cp, generatorByLevel, textProbe, type ProbeRng } from '../toolkit.js';
import type { ProbeCheckpoint, ProbeInstance } from '../types.js';
import { capitalize, pseudoWord, type WordSounds } from '../gen/words.js';
import { sentences, straightQuotes, wordsOf } from '../gen/text.js';

/**
 * follow.style — writing in a requested style, measured by surface features a style implies
 * (the final answer is graded): contractions, exclamation marks, pronouns, marker words (word
 * boundaries), capital letters, punctuation, sentence length and count.
 *  L1  a short notice in a formal tone (no contractions, no "!", no chatty words) or a casual one
 *      (≥2 contractions, talks to "you", no stiff official phrases), with its facts.
 *  L2  a persona or register: a pirate captain (≥3 distinct pirate words, "ye"/"yer" never
 *      "you"/"your"), an old telegram (all capitals, no punctuation, sentences end in STOP), or
 *      an explanation for a five-year-old (short sentences, banned technical words, "you").
 *  L3  a 4–6-section guide that keeps one style (formal, pirate or casual) in every section: one
 *      style checkpoint per section, so drifting out of style late in a long answer fails.
 */

const ID = 'follow.style';

// ── helpers ────────────────────────────────────────────────────────────────────────────────

const SOUNDS: WordSounds = {
  onsets: ['b', 'd', 'f', 'g', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'z', 'br', 'dr', 'gr', 'st', 'tr'],
  vowels: ['a', 'e', 'i', 'o', 'u', 'ai', 'ea', 'ou'],
  codas: ['', 'n', 'r', 'l', 's', 'x', 'nd'],
};

/** Sentences of prose (markdown heading lines excluded). */
function proseSentences(text: string): string[] {
  return sentences(
    text
      .split(/\r?\n/)
      .filter((l) => !/^\s*#/.test(l))
      .join(' '),
  );
}

const CONTRACTION_RE = /\b(?:[a-z]+n't|i'm|(?:you|we|they|who|what)'re|(?:it|that|there|here|what|who|he|she|let|where|nobody|everybody|everyone|someone|something|nothing)'s|(?:i|you|we|they|who|would|could|should|might|must)'ve|(?:i|you|we|they|he|she|it|that|there|who)'ll|(?:i|you|we|they|he|she|it|that|there|who)'d|y'all|gonna|wanna|gotta)\b/gi;

function contractions(text: string): string[] {
  return straightQuotes(text).match(CONTRACTION_RE) ?? [];
}

function findWords(text: string, list: readonly string[]): string[] {
  const t = straightQuotes(text);
  return list.filter((w) => new RegExp(`\\b(?:${w.replace(/ /g, '\\s+')})\\b`, 'i').test(t));
}

const CHATTY = ['hey', 'hi there', 'guys', 'folks', 'gonna', 'wanna', 'kinda', 'sorta', 'awesome', 'super', 'yeah', 'yep', 'yup', 'okay', 'ok', 'heads up', 'lol', 'btw', 'totally', 'bummer', 'no worries', 'cheers'];
const STIFF = ['hereby', 'pursuant', 'kindly', 'henceforth', 'herein', 'aforementioned', 'regret to inform', 'please be advised', 'be advised', 'wish to inform', 'notwithstanding', 'accordingly', 'hereafter', 'we apologi[sz]e for any inconvenience', 'please note that'];
const PIRATE = ['ar{2,}(?:gh)?|argh', 'ahoy', 'aye', 'matey', 'mateys', 'me hearties', 'hearties', 'landlubber', 'landlubbers', 'booty', 'plunder', 'scallywag', 'scallywags', 'shiver me timbers', 'avast', 'yo ho', 'grog', 'sea dog', 'buccaneer', 'buccaneers', 'walk the plank', 'swab', 'doubloons', 'bilge rat'];
const YOU_RE = /\b(?:you|your|yours|yourself|yourselves)\b/gi;

function distinctPirate(text: string): string[] {
  // "me hearties" and "hearties" (and singular/plural) count once.
  const found = findWords(text, PIRATE).map((w) => (w.startsWith('ar{') ? 'arr' : w.replace(/^me /, '').replace(/s$/, '')));
  return [...new Set(found)];
}

function countCp(name: string, n: number, lo: number, hi: number): ProbeCheckpoint {
  return cp(name, n >= lo && n <= hi, `${n} sentences, expected ${lo}–${hi}`);
}

// ── L1: formal or casual notice ────────────────────────────────────────────────────────────

const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

function level1(rng: ProbeRng, seed: number): ProbeInstance {
  const name = capitalize(pseudoWord(rng, SOUNDS));
  const kind = rng.pick(['Street library', 'community pool', 'sports hall', 'town museum', 'youth centre', 'public archive', 'climbing gym', 'swimming baths']);
  const place = `the ${name} ${kind}`;
  const day = rng.pick(DAYS);
  const h1 = rng.int(8, 11);
  const h2 = h1 + rng.int(2, 5);
  const t1 = `${h1} am`;
  const t2 = h2 >= 12 ? `${h2 === 12 ? 12 : h2 - 12} pm` : `${h2} am`;
  const reason = rng.pick(['a water pipe repair', 'electrical maintenance', 'a floor replacement', 'a staff training day', 'a safety inspection', 'roof repairs', 'a new heating system being fitted']);
  const tone = rng.pick(['formal', 'casual'] as const);
  const formal = [
    `Please be aware that ${place} will be closed on ${day} from ${t1} to ${t2}.`,
    `The closure is required because of ${reason}.`,
    `Regular opening hours will resume at ${t2} on the same day.`,
    `The management regrets any disruption this closure may cause.`,
    `Questions may be directed to the reception desk.`,
  ];
  const casual = [
    `Quick heads up: ${place} is closed on ${day} from ${t1} to ${t2}.`,
    `It's all because of ${reason}, so there's not much we can do about it.`,
    `You'll be able to come back in right after ${t2}.`,
    `Thanks for bearing with us, and we'll see you soon.`,
  ];
  const facts = `${capitalize(place)} will be closed on ${day} from ${t1} to ${t2} because of ${reason}.`;
  const rules =
    tone === 'formal'
      ? 'Formal tone: no contractions, no exclamation marks, no chatty or slang words.'
      : 'Casual, friendly tone, like a note to neighbours: at least two contractions, address the reader as "you", no stiff official phrasing.';
  const prompt = `Write a notice of 3 to 5 sentences announcing: ${facts}\n${rules}\nReply with only the notice.`;
  const ref = (tone === 'formal' ? formal : casual).join(' ');
  let near: string;
  if (tone === 'formal') {
    const k = rng.int(0, 1);
    near =
      k === 0
        ? [...formal.slice(0, 3), `We're sorry for any disruption this closure may cause.`, formal[4]].join(' ')
        : [...formal.slice(0, 4), `Thank you for your patience!`].join(' ');
  } else {
    // Ignores the tone: a polite but stiff notice.
    near = [`Please note that ${place} will be closed on ${day} from ${t1} to ${t2}.`, `This is due to ${reason}.`, `Normal service will resume at ${t2}.`, `We apologise for any inconvenience.`].join(' ');
  }
  return textProbe(ID, 'L1', seed, {
    prompt,
    async check(reply) {
      const t = straightQuotes(reply);
      const n = proseSentences(t).length;
      const factsOk = t.toLowerCase().includes(name.toLowerCase()) && t.toLowerCase().includes(day.toLowerCase());
      const out: ProbeCheckpoint[] = [countCp('sentence_count', n, 3, 5), cp('facts_included', factsOk, `the notice must name ${name} and ${day}`)];
      if (tone === 'formal') {
        const c = contractions(t);
        const chatty = findWords(t, CHATTY);
        out.push(
          cp('no_contractions', c.length === 0, `contractions: ${c.join(', ')}`),
          cp('no_exclamations', !t.includes('!'), 'exclamation mark used'),
          cp('no_chatty_words', chatty.length === 0, `chatty words: ${chatty.join(', ')}`),
        );
      } else {
        const c = contractions(t);
        const you = t.match(YOU_RE) ?? [];
        const stiff = findWords(t, STIFF);
        out.push(
          cp('uses_contractions', c.length >= 2, `${c.length} contraction(s), at least 2 expected`),
          cp('addresses_reader', you.length > 0, 'never speaks to the reader as "you"'),
          cp('no_stiff_phrases', stiff.length === 0, `stiff phrasing: ${stiff.join(', ')}`),
        );
      }
      return out;
    },
    referenceText: ref,
    nearMissText: near,
  });
}

// ── L2: persona or register ────────────────────────────────────────────────────────────────

interface Concept {
  ask: string;
  jargon: string[];
  lines: string[];
}

const CONCEPTS: Concept[] = [
  {
    ask: 'why it rains',
    jargon: ['evaporation', 'condensation', 'precipitation', 'vapor', 'vapour', 'atmosphere', 'water cycle'],
    lines: ['The sun warms the water in puddles and seas.', 'The warm water floats up into the sky.', 'It is too tiny for you to see.', 'High up in the sky the air is cold.', 'The tiny drops hug together and make a cloud.', 'When the cloud gets too heavy, drops fall down.', 'That is the rain you splash in!'],
  },
  {
    ask: 'how a rainbow appears',
    jargon: ['refraction', 'spectrum', 'wavelength', 'prism', 'dispersion', 'photons'],
    lines: ['Sunlight looks white, but it hides many colors.', 'Rain drops can split the light apart.', 'Then each color goes its own way.', 'Red goes on top and purple goes at the bottom.', 'You see a rainbow when the sun is behind you.', 'Next time it rains on a sunny day, look up!'],
  },
  {
    ask: 'why the sea goes in and out at the beach',
    jargon: ['gravitational', 'gravity', 'lunar', 'orbit', 'bulge', 'tidal force'],
    lines: ['The sea moves up and down the beach every day.', 'The moon pulls on the sea like a gentle magnet.', 'Where the moon pulls, the water piles up a bit.', 'That makes the water come far up the sand.', 'Later the water slides back out again.', 'You can find crabs in the pools it leaves behind!'],
  },
  {
    ask: 'how plants get their food',
    jargon: ['photosynthesis', 'chlorophyll', 'glucose', 'carbon dioxide', 'nutrients'],
    lines: ['Plants cannot walk to the kitchen like you.', 'So they make their own food from sunlight.', 'Their green leaves catch the sunshine.', 'Their roots drink water from the ground.', 'They mix light, water and air into plant food.', 'That is why your plant needs a sunny window!'],
  },
  {
    ask: 'what an echo is',
    jargon: ['reflection', 'acoustic', 'frequency', 'vibration', 'sound waves', 'decibel'],
    lines: ['Sound can bounce, just like a ball.', 'When you shout, your voice flies through the air.', 'If it hits a big wall, it bounces back.', 'Then you hear your own voice again.', 'Big empty places like caves make the best echoes.', 'Try it next time you visit a tunnel!'],
  },
  {
    ask: 'why we have summer and winter',
    jargon: ['axis', 'tilt', 'orbit', 'hemisphere', 'solstice', 'equinox'],
    lines: ['The Earth is always leaning a little bit.', 'It goes around the sun once every year.', 'Sometimes your part of Earth leans toward the sun.', 'Then days are long and warm, and that is summer.', 'Later it leans away, and the days get cold.', 'That is winter, when you wear your warm coat!'],
  },
];

function level2(rng: ProbeRng, seed: number): ProbeInstance {
  const persona = rng.pick(['pirate', 'telegram', 'child'] as const);
  if (persona === 'pirate') {
    const captain = capitalize(pseudoWord(rng, SOUNDS));
    const ship = `${rng.pick(['Black', 'Salty', 'Crimson', 'Grey', 'Howling'])} ${capitalize(pseudoWord(rng, SOUNDS, 2))}`;
    const hour = rng.int(5, 11);
    const dock = rng.int(2, 19);
    const item = rng.pick(['a coil of rope', 'two lanterns', 'a sack of biscuits', 'a spare sail needle', 'a warm blanket', 'a bucket of tar']);
    const facts = `the ship ${ship} sails at ${hour} o'clock tomorrow from dock ${dock}, and every sailor must bring ${item}`;
    const prompt =
      `You are Captain ${captain}, an old pirate. In 4 to 6 sentences, tell your crew that ${facts}.\n` +
      `Stay in character: at least three different pirate words (e.g. arr, ahoy, aye, matey, hearties, landlubber, booty, scallywag, avast, grog), ` +
      `and always "ye"/"yer", never "you"/"your".\nReply with only the message.`;
    const lines = [
      'Ahoy, me hearties!',
      `The ${ship} sails at ${hour} o'clock tomorrow from dock ${dock}, so ye best not be late.`,
      `Every one of ye must bring ${item} aboard, arr.`,
      'Any scallywag who forgets shall swab the deck for a week.',
      `Now off with ye, and dream of booty, says Captain ${captain}.`,
    ];
    const k = rng.int(0, 1);
    const near =
      k === 0
        ? [lines[0]!, lines[1]!, `Every one of you must bring ${item} aboard, arr.`, lines[3]!, lines[4]!].join(' ')
        : ['Listen up, crew.', `The ${ship} sails at ${hour} o'clock tomorrow from dock ${dock}, so ye best not be late.`, `Every one of ye must bring ${item} aboard.`, 'Anyone who forgets will clean the deck for a week.', `See ye at the dock, arr.`].join(' ');
    return textProbe(ID, 'L2', seed, {
      prompt,
      async check(reply) {
        const t = straightQuotes(reply);
        const markers = distinctPirate(t);
        const you = t.match(YOU_RE) ?? [];
        const factsOk = new RegExp(`\\b${dock}\\b`).test(t) && t.toLowerCase().includes(ship.split(' ')[1]!.toLowerCase());
        return [
          countCp('sentence_count', proseSentences(t).length, 3, 7),
          cp('facts_included', factsOk, `the ship ${ship} and dock ${dock} must be named`),
          cp('pirate_words', markers.length >= 3, `${markers.length} distinct pirate word(s): ${markers.join(', ') || 'none'}`),
          cp('ye_not_you', you.length === 0, `uses ${[...new Set(you.map((y) => y.toLowerCase()))].join(', ')}`),
        ];
      },
      referenceText: lines.join(' '),
      nearMissText: near,
    });
  }
  if (persona === 'telegram') {
    const sender = capitalize(pseudoWord(rng, SOUNDS));
    const day = rng.pick(DAYS);
    const hour = rng.int(1, 11);
    const platform = rng.int(2, 14);
    const item = rng.pick(['the blue umbrella', 'my brown coat', 'two maps of the valley', 'the spare keys', 'a warm scarf', 'the old camera']);
    const prompt =
      `Write an old-fashioned telegram of 3 to 5 sentences from ${sender}: ${sender} arrives on ${day} on the ${hour} PM train at platform ${platform}; the reader should bring ${item}.\n` +
      `All capital letters, no punctuation at all, every sentence ending with the word STOP instead of a full stop.\nReply with only the telegram.`;
    const body = [`ARRIVING ${day.toUpperCase()} ON THE ${hour} PM TRAIN STOP`, `PLATFORM ${platform} STOP`, `PLEASE BRING ${item.toUpperCase()} STOP`, `REGARDS ${sender.toUpperCase()} STOP`];
    const k = rng.int(0, 2);
    const near =
      k === 0
        ? body.map((s) => s.replace(/ STOP$/, '. STOP')).join(' ')
        : k === 1
          ? [body[0], body[1], `PLEASE BRING ${item.toUpperCase()}, THANKS STOP`, body[3]].join(' ')
          : [body[0], body[1], body[2], `Regards ${sender} STOP`].join(' ');
    return textProbe(ID, 'L2', seed, {
      prompt,
      async check(reply) {
        const t = straightQuotes(reply).trim();
        const stops = t.match(/\bSTOP\b/g) ?? [];
        const punct = t.match(/[.,;:!?'"()\-–—]/g) ?? [];
        const lower = t.match(/[a-z]/g) ?? [];
        const factsOk = t.toUpperCase().includes(sender.toUpperCase()) && new RegExp(`\\b${platform}\\b`).test(t) && t.toUpperCase().includes(day.toUpperCase());
        return [
          cp('facts_included', factsOk, `must name ${sender}, ${day} and platform ${platform}`),
          cp('all_capitals', lower.length === 0, `${lower.length} lowercase letter(s)`),
          cp('no_punctuation', punct.length === 0, `punctuation used: ${[...new Set(punct)].join(' ')}`),
          cp('stop_sentences', stops.length >= 3 && stops.length <= 6 && /\bSTOP$/.test(t), `${stops.length} STOPs; the telegram must end with STOP`),
        ];
      },
      referenceText: body.join(' '),
      nearMissText: near,
    });
  }
  const concept = rng.pick(CONCEPTS);
  const banned = rng.sample(concept.jargon, Math.min(concept.jargon.length, rng.int(3, 5)));
  const maxLen = rng.int(10, 14);
  const text = concept.lines.join(' ');
  const k = rng.int(0, 1);
  let near: string;
  if (k === 0) {
    const lines = [...concept.lines];
    lines.splice(2, 0, `Grown-ups call this ${banned[0]}.`);
    near = lines.join(' ');
  } else {
    // Two or three sentences run together into one long one.
    const lines = [...concept.lines];
    let merged = lines.shift()!.replace(/[.!]$/, '');
    while (wordsOf(merged).length <= maxLen) merged += `, and ${lines.shift()!.replace(/^(\w)/, (m) => (m === 'I' ? m : m.toLowerCase())).replace(/[.!]$/, '')}`;
    near = [`${merged}.`, ...lines].join(' ');
  }
  const prompt =
    `Explain ${concept.ask} to a five-year-old in 4 to 8 sentences: each at most ${maxLen} words, address the child as "you", ` +
    `none of these words: ${banned.join(', ')}.\nReply with only the explanation.`;
  return textProbe(ID, 'L2', seed, {
    prompt,
    async check(reply) {
      const t = straightQuotes(reply);
      const ss = proseSentences(t);
      const longest = ss.reduce((m, s) => Math.max(m, wordsOf(s).length), 0);
      const used = findWords(t, banned);
      return [
        countCp('sentence_count', ss.length, 4, 8),
        cp('short_sentences', longest <= maxLen, `longest sentence has ${longest} words, limit ${maxLen}`),
        cp('no_jargon', used.length === 0, `banned words used: ${used.join(', ')}`),
        cp('addresses_child', (t.match(YOU_RE) ?? []).length > 0, 'never speaks to the child as "you"'),
      ];
    },
    referenceText: text,
    nearMissText: near,
  });
}

// ── L3: one style across a long, sectioned answer ──────────────────────────────────────────

type Style = 'formal' | 'pirate' | 'casual';

const BANKS: Record<Style, string[]> = {
  formal: [
    'This section describes {H} at {P}.',
    'Volunteers are expected to read this guidance before their first shift.',
    'The coordinator on duty is responsible for all questions regarding {H}.',
    'Any concerns should be reported to the front desk without delay.',
    'Records of each shift are kept in the logbook beside the entrance.',
    'The organisation values punctuality and careful attention to detail.',
    'Further guidance on {H} is available in the volunteer handbook.',
    'All equipment must be returned to its designated place after use.',
    'New volunteers will be paired with an experienced colleague during the first month.',
    'It is important to follow these procedures consistently.',
    'Visitors should be greeted politely and directed to the appropriate area.',
    'The team meets on the first Monday of each month to review {H}.',
    'These arrangements are reviewed annually by the management committee.',
    'Volunteers who are unable to attend should inform the coordinator in advance.',
    'Clear communication helps the whole team work efficiently.',
    'The current schedule is displayed on the notice board.',
  ],
  casual: [
    "So here's the deal with {H} at {P}.",
    "You'll pick it up way faster than you think.",
    "Don't stress if you forget something on your first go.",
    "We've all been there, so just ask whoever's around.",
    "It's honestly pretty relaxed once you get the hang of it.",
    'You can grab a coffee in the back room whenever you like.',
    "If you're not sure about {H}, just give us a shout.",
    "There's a sign-up sheet by the door, so you won't miss anything.",
    "We're a friendly bunch, and you'll fit right in.",
    "Nobody's going to judge you for asking questions.",
    "You'll find most of what you need for {H} on the big shelf.",
    "Honestly, it's the best part of the week for a lot of us.",
    "Can't find something? Check the lost-and-found box.",
    "You're going to love it here.",
    "Keep your phone handy, since we'll text you about schedule changes.",
  ],
  pirate: [
    'Ahoy, this be the part about {H} at {P}.',
    "Listen well, me hearties, for ye'll need this knowledge.",
    'Any scallywag who skips this lesson will swab the deck for a week.',
    'Arr, keep yer tools stowed tight when the work be done.',
    'The quartermaster keeps the logbook and guards it like buried booty.',
    'Aye, even an old sea dog asks questions now and then.',
    "Don't be a landlubber about {H}, matey.",
    'Avast, check the notice board before ye set sail each morning.',
    'There be grog in the galley for every honest hand, arr.',
    "Mind yer manners with visitors, or ye'll walk the plank.",
    "Shiver me timbers, ye'll learn the ropes faster than a gull.",
    'Share yer plunder of knowledge with the new crew, matey.',
    'A true buccaneer never leaves a mess on the deck.',
    'Yo ho, the captain meets the crew on the first Monday of each month.',
    'Ahoy, any doubloons ye find belong in the lost-and-found chest.',
  ],
};

const HEADINGS = ['Welcome', 'Getting There', 'Your First Day', 'Tools and Equipment', 'Safety', 'Working with Others', 'Common Mistakes', 'Breaks and Meals', 'Who to Ask', 'Looking After the Space', 'Ending Your Shift', 'Next Steps'];
const PLACES = ['community garden', 'repair cafe', 'food bank', 'bike workshop', 'animal shelter', 'museum shop', 'book exchange', 'river clean-up crew'];

function styleRule(style: Style): string {
  if (style === 'formal') return 'a formal register: no contractions, exclamation marks, chatty or slang words, or first person singular (I, me, my)';
  if (style === 'pirate') return 'an old pirate\'s voice: each section has at least two different pirate words (e.g. arr, ahoy, aye, matey, hearties, landlubber, booty, scallywag, avast, grog), and the reader is always "ye"/"yer", never "you"/"your"';
  return 'a casual, chatty register: each section addresses the reader as "you" and uses contractions (you\'ll, it\'s, don\'t), no stiff official phrasing';
}

function sectionStyle(style: Style, body: string): { ok: boolean; reason: string } {
  if (style === 'formal') {
    const c = contractions(body);
    const chatty = findWords(body, CHATTY);
    const fp = straightQuotes(body).match(/\b(?:I|me|my|mine|myself)\b/gi) ?? [];
    const bad = [...(c.length ? [`contractions ${c.join(', ')}`] : []), ...(body.includes('!') ? ['exclamation mark'] : []), ...(chatty.length ? [`chatty ${chatty.join(', ')}`] : []), ...(fp.length ? [`first person ${fp.join(', ')}`] : [])];
    return { ok: bad.length === 0, reason: bad.join('; ') };
  }
  if (style === 'pirate') {
    const m = distinctPirate(body);
    const you = body.match(YOU_RE) ?? [];
    const bad = [...(m.length < 2 ? [`${m.length} distinct pirate word(s)`] : []), ...(you.length ? [`uses ${you[0]}`] : [])];
    return { ok: bad.length === 0, reason: bad.join('; ') };
  }
  const c = contractions(body);
  const you = body.match(YOU_RE) ?? [];
  const stiff = findWords(body, STIFF);
  const bad = [...(c.length === 0 ? ['no contractions'] : []), ...(you.length === 0 ? ['never says "you"'] : []), ...(stiff.length ? [`stiff ${stiff.join(', ')}`] : [])];
  return { ok: bad.length === 0, reason: bad.join('; ') };
}

/** Split a markdown answer at `## ` headings: heading text → body. */
function splitSections(text: string): Array<{ heading: string; body: string }> {
  const out: Array<{ heading: string; body: string }> = [];
  let cur: { heading: string; body: string } | undefined;
  for (const line of straightQuotes(text).split(/\r?\n/)) {
    const m = /^\s*#{1,3}\s+(.*?)\s*#*\s*$/.exec(line);
    if (m) {
      cur = { heading: m[1]!.replace(/[*_]/g, '').trim(), body: '' };
      out.push(cur);
    } else if (cur) cur.body += `${line}\n`;
  }
  return out;
}

function level3(rng: ProbeRng, seed: number): ProbeInstance {
  const style = rng.pick(['formal', 'pirate', 'casual'] as const);
  const placeName = `the ${capitalize(pseudoWord(rng, SOUNDS))} ${rng.pick(PLACES)}`;
  const s = rng.int(4, 6);
  // Pirate guides get headings without "your" (the reader is "ye" throughout).
  const headings = rng.sample(HEADINGS.slice(1).filter((h) => style !== 'pirate' || !/\byour\b/i.test(h)), s - 1);
  headings.unshift('Welcome');
  const fill = (tpl: string, h: string) => tpl.split('{H}').join(h.toLowerCase()).split('{P}').join(placeName);
  const sectionText = (st: Style, h: string, avoid: Set<string>): string => {
    for (let tries = 0; ; tries++) {
      // Fresh sentences while the bank has enough left, then any (always 4–5 sentences).
      const fresh = BANKS[st].filter((x) => !avoid.has(x));
      const picked = rng.sample(fresh.length >= 8 && tries < 30 ? fresh : BANKS[st], rng.int(4, 5));
      const body = picked.map((x) => fill(x, h)).join(' ');
      if (sectionStyle(st, body).ok || tries > 200) {
        picked.forEach((x) => avoid.add(x));
        return body;
      }
    }
  };
  const used = new Set<string>();
  const bodies = headings.map((h) => sectionText(style, h, used));
  const doc = (bs: string[]) => `# Volunteer guide: ${placeName}\n\n` + headings.map((h, i) => `## ${h}\n\n${bs[i]}`).join('\n\n') + '\n';
  const drift: Style = style === 'casual' ? 'formal' : 'casual';
  const nearBodies = [...bodies.slice(0, -1), sectionText(drift, headings[s - 1]!, new Set())];
  const prompt =
    `Write a volunteer guide for ${placeName} in Markdown: exactly these ${s} sections in order, each a \`## \` heading: ` +
    headings.map((h) => `"${h}"`).join(', ') +
    `. Each section 4 to 6 sentences of prose.\n` +
    `Keep every section, first to last, in ${styleRule(style)}.\n` +
    `Reply with only the guide.`;
  return textProbe(ID, 'L3', seed, {
    prompt,
    async check(reply) {
      const secs = splitSections(reply);
      const key = (h: string) => h.toLowerCase().replace(/[^a-z ]/g, '').replace(/\s+/g, ' ').trim();
      const found = headings.map((h) => secs.find((x) => key(x.heading) === key(h)));
      const missing = headings.filter((_, i) => !found[i]);
      const positions = found.map((f) => (f ? secs.indexOf(f) : -1));
      const inOrder = positions.every((p, i) => i === 0 || p > positions[i - 1]!);
      const short = found.map((f, i) => (f && proseSentences(f.body).length < 3 ? headings[i] : undefined)).filter((x) => x !== undefined);
      const total = wordsOf(found.map((f) => f?.body ?? '').join(' ')).length;
      const out: ProbeCheckpoint[] = [
        cp('sections_present', missing.length === 0 && inOrder, missing.length ? `missing sections: ${missing.join(', ')}` : 'sections out of order'),
        cp('section_length', short.length === 0, `sections with fewer than 3 sentences: ${short.join(', ')}`),
        cp('total_length', total >= 25 * s, `${total} words of prose, expected at least ${25 * s}`),
      ];
      headings.forEach((h, i) => {
        const f = found[i];
        const r = f ? sectionStyle(style, f.body) : { ok: false, reason: 'section missing' };
        out.push(cp(`style_section_${i + 1}`, r.ok, `"${h}": ${r.reason}`));
      });
      return out;
    },
    referenceText: doc(bodies),
    nearMissText: doc(nearBodies),
  });
}

export const generator = generatorByLevel(ID, {
  L1: 'A 3–5-sentence notice in a formal tone (no contractions, "!" or chatty words) or a casual one (contractions, "you", no stiff phrasing), with its facts; each feature checked.',
  L2: 'A persona or register: a pirate captain (pirate words, "ye" never "you"), an old telegram (capitals, no punctuation, STOP), or a five-year-old explanation (short sentences, banned jargon, "you").',
  L3: 'A 4–6-section Markdown guide kept in one style (formal, pirate or casual) throughout; sections, lengths and one style checkpoint per section, so late drift fails.',
}, { L1: level1, L2: level2, L3: level3 });
