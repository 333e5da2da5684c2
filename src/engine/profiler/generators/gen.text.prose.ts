import { cp, generatorByLevel, textProbe, type ProbeRng } from '../toolkit.js';
import type { ProbeCheckpoint, ProbeInstance } from '../types.js';
import { capitalize } from '../gen/words.js';
import { hasWord } from '../gen/text.js';

/**
 * gen.text.prose — the answer is the agent's final text, checked with text measures: L1 one
 * coherent paragraph with a sentence range and required words; L2 several paragraphs that keep
 * one register throughout (checkable markers: pronouns, contractions, exclamation marks) and
 * carry a given word each; L3 a long sectioned piece whose sections open with a transition that
 * refers back to the previous section's key term.
 */

const PRIMITIVE_ID = 'gen.text.prose';

// ── content helpers ────────────────────────────────────────────────────────────────────────

const SUBJECTS = [
  'community gardens', 'night trains', 'public libraries', 'repair cafés', 'tide pools', 'street markets', 'village bakeries', 'bicycle lanes', 'rooftop beehives', 'seed banks', 'lighthouses',
  'public baths', 'weather stations', 'tool libraries', 'river ferries', 'school orchards', 'paper maps', 'pipe organs', 'stone bridges', 'allotments', 'observatories', 'canal locks', 'windmills',
  'town archives', 'ceramic kilns', 'coastal paths', 'mountain huts', 'city parks', 'letterpress studios', 'food co-ops',
];
const ANGLES = ['why they matter to a small town', 'how they changed over the last century', 'what they teach children', 'how they could be run better', 'what a first visit is like', 'why they are worth keeping', 'how they bring neighbours together', 'what they cost and what they return'];
const WORDS = [
  'patience', 'harvest', 'ledger', 'lantern', 'volunteer', 'season', 'budget', 'weather', 'craft', 'silence', 'schedule', 'history', 'neighbour', 'routine', 'journey', 'workshop', 'festival', 'timber',
  'compass', 'recipe', 'archive', 'river', 'meadow', 'market', 'signal', 'balance', 'harbour', 'thread', 'kettle', 'orchard', 'courage', 'habit', 'rhythm', 'shelter', 'horizon', 'margin', 'ritual',
];
const CONNECT = ['Moreover', 'In addition', 'At the same time', 'For this reason', 'Even so', 'Beyond that', 'In the end', 'Above all'];

/** The word pool without words that occur in the subject (so a word is never satisfied by the subject alone). */
function wordsFor(subject: string): string[] {
  return WORDS.filter((w) => !subject.toLowerCase().includes(w));
}

function words(text: string): string[] {
  return text.match(/[A-Za-zÀ-ÿ'’-]+/g) ?? [];
}

/** Sentences: text split after . ! ? (and closing quotes) followed by space or end. */
function sentences(text: string): string[] {
  return text
    .replace(/\s+/g, ' ')
    .split(/(?<=[.!?]["'”’)]?)\s+(?=[A-Z0-9"“'‘(])/)
    .map((s) => s.trim())
    .filter((s) => /[A-Za-z]/.test(s));
}

function paragraphs(text: string): string[] {
  return text
    .replace(/\r\n/g, '\n')
    .split(/\n[ \t]*\n/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
}

const CONTRACTION = /\b\w+(?:n['’]t|['’](?:re|ve|ll|d|m))\b|\b(?:it|that|there|what|here|who|he|she|let|where|how)['’]s\b/i;
const FIRST_SECOND = /\b(i|me|my|mine|we|us|our|ours|you|your|yours)\b/i;
const FIRST_SINGULAR = /\b(i|me|my|mine)\b/i;
const SECOND = /\b(you|your|yours)\b/i;

/** Generated plain sentences about a subject that carry a word (no pronouns, contractions or "!"). */
function plainSentence(rng: ProbeRng, subject: string, word?: string): string {
  const w = word ?? rng.pick(wordsFor(subject));
  const t = rng.int(0, 5);
  switch (t) {
    case 0:
      return `Many towns discovered that ${subject} depend on ${w} more than on money.`;
    case 1:
      return `The idea of ${w} sits at the centre of how ${subject} are run from one year to the next.`;
    case 2:
      return `Visitors often remark on the ${w} that ${subject} seem to bring to an ordinary street.`;
    case 3:
      return `Local records describe ${subject} as places where ${w} is learned slowly and shared freely.`;
    case 4:
      return `Few people notice the quiet ${w} behind ${subject} until something goes wrong.`;
    default:
      return `Planners who study ${subject} tend to mention ${w} when they explain why such places last.`;
  }
}

function directSentence(rng: ProbeRng, subject: string, word?: string): string {
  const w = word ?? rng.pick(wordsFor(subject));
  const t = rng.int(0, 4);
  switch (t) {
    case 0:
      return `When you first walk into one of the ${subject} near your home, you may notice the ${w} right away.`;
    case 1:
      return `You can learn a great deal about ${w} simply by spending an afternoon at the ${subject}.`;
    case 2:
      return `If you ask the people who run ${subject}, they will tell you that ${w} is what keeps the doors open.`;
    case 3:
      return `Your own street could gain a sense of ${w} from ${subject}, and it costs less than you think.`;
    default:
      return `You will find that ${subject} reward your ${w} with friendships that last for years.`;
  }
}

// ── L1: one paragraph ──────────────────────────────────────────────────────────────────────

function generateL1(rng: ProbeRng, seed: number): ProbeInstance {
  const subject = rng.pick(SUBJECTS);
  const angle = rng.pick(ANGLES);
  const minS = rng.int(4, 7);
  const maxS = minS + 3;
  const keys = rng.sample(wordsFor(subject), rng.int(2, 3));
  const variant = rng.int(0, 2);

  const prompt = `Reply with only one coherent paragraph (no headings, lists or blank lines) of ${minS} to ${maxS} sentences about ${subject}: ${angle}. Use each of these words: ${keys.join(', ')}.`;

  const build = (n: number, useKeys: string[]) => {
    const ss: string[] = [];
    for (let i = 0; i < n; i++) ss.push(plainSentence(rng, subject, useKeys[i]));
    return ss;
  };
  const ref = build(minS + 1, keys).join(' ');
  const wrongSs = variant === 2 ? build(minS - 1, keys) : build(minS + 1, variant === 1 ? keys.slice(0, -1) : keys);
  const wrong = variant === 0 ? `${wrongSs.slice(0, 2).join(' ')}\n\n${wrongSs.slice(2).join(' ')}` : wrongSs.join(' ');
  // The dropped word must really be absent from the near-miss.
  const fixWrong = variant === 1 ? wrong.replace(new RegExp(`\\b${keys[keys.length - 1]}(s|es)?\\b`, 'gi'), 'care') : wrong;

  const check = (reply: string): ProbeCheckpoint[] => {
    const text = reply.trim();
    const ps = paragraphs(text);
    const structural = ps.length === 1 && !/^\s*(#|[-*+]\s|\d+[.)]\s)/m.test(text);
    const n = sentences(text).length;
    const missing = keys.filter((k) => !hasWord(text, k));
    return [
      cp('single_paragraph', structural, `${ps.length} paragraph(s)${structural ? '' : ' or a heading/list line'}`),
      cp('sentence_count', n >= minS && n <= maxS, `${n} sentences, expected ${minS}–${maxS}`),
      cp('keywords', missing.length === 0, `missing: ${missing.join(', ')}`),
      cp('length_ok', text.length >= 200 && text.length <= 2000, `${text.length} characters`),
    ];
  };

  return textProbe(PRIMITIVE_ID, 'L1', seed, { prompt, check, referenceText: ref, nearMissText: fixWrong });
}

// ── L2: several paragraphs in one register ─────────────────────────────────────────────────

type Register = 'formal' | 'direct';

function registerProblems(p: string, reg: Register): string[] {
  const out: string[] = [];
  if (reg === 'formal') {
    const m = FIRST_SECOND.exec(p);
    if (m) out.push(`uses the pronoun "${m[0]}"`);
    const c = CONTRACTION.exec(p);
    if (c) out.push(`uses the contraction "${c[0]}"`);
    if (p.includes('!')) out.push('uses an exclamation mark');
  } else {
    if (!SECOND.test(p)) out.push('does not address the reader as "you"');
    const m = FIRST_SINGULAR.exec(p);
    if (m) out.push(`uses the first person "${m[0]}"`);
    if (p.includes('!')) out.push('uses an exclamation mark');
  }
  return out;
}

function generateL2(rng: ProbeRng, seed: number): ProbeInstance {
  const subject = rng.pick(SUBJECTS);
  const angle = rng.pick(ANGLES);
  const n = rng.int(3, 5);
  const keys = rng.sample(wordsFor(subject), n);
  const reg: Register = rng.next() < 0.5 ? 'formal' : 'direct';
  const rules =
    reg === 'formal'
      ? 'formal and impersonal: no I, me, my, we, us, our, you or your; no contractions; no exclamation marks'
      : 'warm and direct: every paragraph addresses the reader as "you"; no I, me or my; no exclamation marks';

  const prompt = [
    `Write exactly ${n} paragraphs about ${subject}: ${angle}; reply with them only. Blank line between paragraphs, no headings or lists, 3 to 6 sentences each; paragraph i uses the i-th of: ${keys.join(', ')}.`,
    `Keep one tone throughout, ${rules}.`,
  ].join('\n');

  const para = (i: number, r: Register) => {
    const make = r === 'formal' ? plainSentence : directSentence;
    const k = rng.int(3, 5);
    const ss = Array.from({ length: k }, (_, j) => make(rng, subject, j === 0 ? keys[i] : undefined));
    if (i > 0 && r === 'formal') ss[1] = `${rng.pick(CONNECT)}, ${ss[1]!.charAt(0).toLowerCase()}${ss[1]!.slice(1)}`;
    return ss.join(' ');
  };
  const ref = keys.map((_, i) => para(i, reg)).join('\n\n');
  // The tone slips in the last paragraph: an aside in the other register.
  const slip =
    reg === 'formal'
      ? `Honestly, you'd be surprised how much ${keys[n - 1]} they need!`
      : `I think the ${keys[n - 1]} matters most, and I have seen it myself.`;
  const lastPlain = Array.from({ length: 3 }, (_, j) => plainSentence(rng, subject, j === 0 ? keys[n - 1] : undefined)).join(' ');
  const wrong = [...keys.slice(0, -1).map((_, i) => para(i, reg)), reg === 'formal' ? `${para(n - 1, reg)} ${slip}` : `${lastPlain} ${slip}`].join('\n\n');

  const check = (reply: string): ProbeCheckpoint[] => {
    const text = reply.trim();
    const ps = paragraphs(text);
    const out: ProbeCheckpoint[] = [cp('paragraph_count', ps.length === n && !ps.some((p) => /^(#|[-*+]\s|\d+[.)]\s)/.test(p)), `${ps.length} paragraph(s), expected ${n} without headings or lists`)];
    const counts = ps.map((p) => sentences(p).length);
    out.push(cp('sentences_per_paragraph', counts.every((c) => c >= 3 && c <= 6), `sentences per paragraph: ${JSON.stringify(counts)}`));
    const missing = keys.filter((k, i) => !(ps[i] && hasWord(ps[i]!, k)));
    out.push(cp('keywords_in_order', missing.length === 0, `paragraphs missing their word: ${missing.join(', ')}`));
    const tone = ps.flatMap((p, i) => registerProblems(p, reg).map((x) => `paragraph ${i + 1} ${x}`));
    out.push(cp('consistent_tone', tone.length === 0, tone.slice(0, 3).join('; ')));
    return out;
  };

  return textProbe(PRIMITIVE_ID, 'L2', seed, { prompt, check, referenceText: ref, nearMissText: wrong });
}

// ── L3: long form with sections and transitions ────────────────────────────────────────────

function generateL3(rng: ProbeRng, seed: number): ProbeInstance {
  const subject = rng.pick(SUBJECTS);
  const genre = rng.pick(['an essay', 'a feature article', 'a report for a town council', 'a magazine long read']);
  const s = rng.int(3, 5);
  const pool = wordsFor(subject);
  const terms = rng.sample(pool, s);
  const headings = terms.map((t) => `${capitalize(t)} ${rng.pick(['and its limits', 'in practice', 'over time', 'as a question', 'at the margins', 'seen up close'])}`);
  const title = `${capitalize(subject)}: ${rng.pick(['a closer look', 'notes from the field', 'what the numbers hide', 'a case for patience'])}`;
  const minWords = rng.int(7, 9) * 100;

  const prompt = [
    `Write ${genre} about ${subject} in Markdown, at least ${minWords} words; reply with the document only. Use exactly these headings, in order:`,
    `# ${title}`,
    ...['Introduction', ...headings, 'Conclusion'].map((h) => `## ${h}`),
    `Each section has at least two paragraphs; each body section discusses its heading's first word. The first sentence of every section from "${headings[1]}" on, the Conclusion too, is a transition using the previous body section's word (e.g. under "${headings[1]}": "${terms[0]}").`,
  ].join('\n');

  const others = pool.filter((w) => !terms.includes(w));
  const bodyPara = (term: string, k: number) => Array.from({ length: k }, (_, j) => plainSentence(rng, subject, j === 0 ? term : rng.pick(others))).join(' ');
  const transition = (prev: string, next: string) =>
    rng.pick([
      `Having looked at ${prev}, it is worth turning to ${next}.`,
      `If ${prev} explains part of the picture, ${next} explains much of the rest.`,
      `The discussion of ${prev} leads naturally to the question of ${next}.`,
      `Beyond ${prev}, the story of ${subject} also depends on ${next}.`,
    ]);
  const build = (withTransitions: boolean) => {
    const parts = [`# ${title}`, '## Introduction', bodyPara(rng.pick(others), 5), bodyPara(rng.pick(others), 5)];
    terms.forEach((t, i) => {
      parts.push(`## ${headings[i]}`);
      const opener = withTransitions && i > 0 ? `${transition(terms[i - 1]!, t)} ` : '';
      parts.push(opener + bodyPara(t, 5), bodyPara(t, 5), bodyPara(t, 4));
    });
    parts.push('## Conclusion', `${withTransitions ? `${transition(terms[s - 1]!, `what ${subject} need next`)} ` : ''}${bodyPara(rng.pick(others), 4)}`, bodyPara(rng.pick(others), 4));
    return parts.join('\n\n');
  };
  let ref = build(true);
  for (let i = 0; words(ref).length < minWords + 50 && i < 20; i++) ref = ref.replace('## Introduction\n\n', `## Introduction\n\n${bodyPara(rng.pick(others), 5)}\n\n`);
  let wrong = build(false);
  for (let i = 0; words(wrong).length < minWords + 50 && i < 20; i++) wrong = wrong.replace('## Introduction\n\n', `## Introduction\n\n${bodyPara(rng.pick(others), 5)}\n\n`);

  const check = (reply: string): ProbeCheckpoint[] => {
    const text = reply.trim().replace(/\r\n/g, '\n');
    const lines = text.split('\n');
    const out: ProbeCheckpoint[] = [cp('title', lines.find((l) => l.trim())?.trim() === `# ${title}`, 'the first line is not the title')];
    const wantHeads = ['Introduction', ...headings, 'Conclusion'];
    const heads: Array<{ name: string; at: number }> = [];
    lines.forEach((l, i) => {
      const m = /^##\s+(.+?)\s*#*\s*$/.exec(l.trim());
      if (m && !l.trim().startsWith('###')) heads.push({ name: m[1]!, at: i });
    });
    const names = heads.map((h) => h.name);
    out.push(cp('sections', names.length === wantHeads.length && names.every((n, i) => n === wantHeads[i]), `level-2 headings: ${JSON.stringify(names)}`));
    const bodies = heads.map((h, i) => lines.slice(h.at + 1, i + 1 < heads.length ? heads[i + 1]!.at : lines.length).join('\n'));
    const thin = bodies.map((b, i) => ({ n: paragraphs(b).length, name: names[i] })).filter((x) => x.n < 2);
    out.push(cp('paragraphs_per_section', bodies.length > 0 && thin.length === 0, `sections with fewer than two paragraphs: ${thin.map((x) => x.name).join(', ')}`));
    const missing: string[] = [];
    if (names.length === wantHeads.length) {
      // Body sections 2..s and the Conclusion open with a reference to the previous body term.
      for (let i = 2; i < wantHeads.length; i++) {
        const first = sentences(bodies[i] ?? '')[0] ?? '';
        if (!hasWord(first, terms[i - 2]!)) missing.push(`"${wantHeads[i]}" does not open by referring to ${terms[i - 2]}`);
      }
    } else missing.push('the section structure is wrong');
    out.push(cp('transitions', missing.length === 0, missing.slice(0, 3).join('; ')));
    const n = words(text).length;
    out.push(cp('length', n >= minWords, `${n} words, expected at least ${minWords}`));
    return out;
  };

  return textProbe(PRIMITIVE_ID, 'L3', seed, { prompt, check, referenceText: ref, nearMissText: wrong });
}

export const generator = generatorByLevel(PRIMITIVE_ID, {
  L1: 'Write one coherent paragraph on a given topic within a sentence range, using given words.',
  L2: 'Write several paragraphs that keep one stated register throughout (pronouns, contractions, punctuation), each carrying a given word.',
  L3: 'Write a long sectioned Markdown piece (introduction, given sections, conclusion) whose sections open with transitions back to the previous section.',
}, { L1: generateL1, L2: generateL2, L3: generateL3 });
