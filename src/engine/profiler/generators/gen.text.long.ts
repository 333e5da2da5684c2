import { cp, generatorByLevel, lines, stripFences, textProbe, type ProbeRng } from '../toolkit.js';
import type { ProbeCheckpoint, ProbeInstance } from '../types.js';
import { capitalize, pseudoWord, type WordSounds } from '../gen/words.js';
import { hasWord, utf8Bytes } from '../gen/text.js';

/**
 * gen.text.long — the answer is the agent's final text, checked for completeness and structure
 * at a size: L1 a complete marked list under 1 KB (really < 1024 bytes), L2 a 1–5 KB document
 * whose headed sections and bullet counts are all present, L3 a document over 5 KB made of
 * delimited parts whose begin/end markers must all be intact, in order and balanced.
 */

const PRIMITIVE_ID = 'gen.text.long';

// ── content helpers ────────────────────────────────────────────────────────────────────────

const NOUNS = [
  'lantern', 'compass', 'harvest', 'river', 'ledger', 'signal', 'orchard', 'bridge', 'furnace', 'meadow', 'archive', 'beacon', 'canal', 'granary', 'harbor', 'kiln', 'loom', 'market', 'mill',
  'observatory', 'pantry', 'quarry', 'railway', 'schooner', 'tannery', 'vineyard', 'workshop', 'glacier', 'hedgerow', 'island', 'journal', 'kettle', 'ladder', 'mirror', 'needle', 'oven', 'paddock',
  'quilt', 'saddle', 'telescope', 'umbrella', 'valley', 'wagon', 'yarn', 'anchor', 'barrel', 'candle', 'drum', 'engine', 'fountain', 'garden', 'helmet', 'inkwell', 'jetty', 'keel', 'lighthouse',
  'mosaic', 'notebook', 'pendulum', 'satchel', 'thimble', 'windmill', 'chimney', 'ferry', 'greenhouse', 'hammock', 'pottery', 'rooftop', 'spindle', 'trellis', 'sundial', 'cellar', 'bellows',
];
const VERBS = ['shapes', 'supports', 'changes', 'reveals', 'protects', 'connects', 'measures', 'improves', 'organises', 'records', 'guides', 'balances'];
const ADJS = ['quiet', 'steady', 'careful', 'practical', 'durable', 'simple', 'patient', 'useful', 'modest', 'reliable', 'clear', 'familiar'];
const OBJECTS = ['daily routines', 'local trade', 'the working week', 'shared spaces', 'small workshops', 'seasonal plans', 'family budgets', 'village life', 'long journeys', 'careful planning'];

/** Open syllables only: codes and ids are made of these. */
const SOUNDS: WordSounds = {
  onsets: ['b', 'd', 'f', 'g', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'z', 'br', 'dr', 'kl', 'st', 'tr'],
  vowels: ['a', 'e', 'i', 'o', 'u', 'ai', 'ou'],
};

/** One plain sentence about `topic` (about 60–110 characters). */
function sentence(rng: ProbeRng, topic: string): string {
  const t = rng.int(0, 5);
  const a = rng.pick(ADJS);
  const o = rng.pick(OBJECTS);
  const v = rng.pick(VERBS);
  switch (t) {
    case 0:
      return `A ${a} ${topic} ${v} ${o} more than most people expect.`;
    case 1:
      return `Over time the ${topic} ${v} ${o} in ways that are easy to overlook.`;
    case 2:
      return `Anyone who studies the ${topic} soon notices how it ${v} ${o}.`;
    case 3:
      return `The ${a} design of the ${topic} ${v} ${o} without much fuss.`;
    case 4:
      return `Records show that the ${topic} ${v} ${o} across many seasons.`;
    default:
      return `In practice, the ${topic} ${v} ${o} and rewards ${a} attention.`;
  }
}

function paragraph(rng: ProbeRng, topic: string, n: number): string {
  return Array.from({ length: n }, () => sentence(rng, topic)).join(' ');
}

// ── L1: a complete marked list under 1 KB ──────────────────────────────────────────────────

function generateL1(rng: ProbeRng, seed: number): ProbeInstance {
  const code = `${pseudoWord(rng, SOUNDS, 2).toUpperCase()}-${rng.int(10, 99)}`;
  const [open, close] = rng.pick([
    [`<<BEGIN ${code}>>`, `<<END ${code}>>`],
    [`=== START ${code} ===`, `=== STOP ${code} ===`],
    [`[[${code}:OPEN]]`, `[[${code}:CLOSE]]`],
    [`--- ${code} BEGINS ---`, `--- ${code} ENDS ---`],
  ]) as [string, string];
  const k = rng.int(5, 9);
  const keywords = rng.sample(NOUNS, k);
  const theme = rng.pick(['a small museum', 'a coastal town', 'a night market', 'a repair café', 'a mountain hut', 'a city library', 'a ferry crossing']);
  const variant = rng.int(0, 1);

  const prompt = `Reply with only a numbered list of exactly ${k} one-sentence tips for visitors to ${theme}, one per line, tip i using the i-th of: ${keywords.join(', ')}. Put the line ${open} first and ${close} last. Keep it under 1 KB (1024 bytes).`;

  const item = (i: number, long: boolean) =>
    long ? `${i + 1}. ${capitalize(`the ${keywords[i]}`)} deserves a visit: ${sentence(rng, keywords[i]!)} ${sentence(rng, keywords[i]!)} ${sentence(rng, 'visit')}` : `${i + 1}. Look for the ${keywords[i]} near the entrance.`;
  const ref = [open, ...keywords.map((_, i) => item(i, false)), close].join('\n');
  const wrong = variant === 0 ? [open, ...keywords.map((_, i) => item(i, true)), close].join('\n') : [open, ...keywords.slice(0, -1).map((_, i) => item(i, false)), close].join('\n');

  const check = (reply: string): ProbeCheckpoint[] => {
    const text = stripFences(reply);
    const ls = lines(text);
    const out: ProbeCheckpoint[] = [cp('start_marker', ls[0] === open, `first line is ${JSON.stringify(ls[0]?.slice(0, 60))}`), cp('end_marker', ls[ls.length - 1] === close, `last line is ${JSON.stringify(ls[ls.length - 1]?.slice(0, 60))}`)];
    const a = ls.indexOf(open);
    const b = ls.lastIndexOf(close);
    const inner = a >= 0 && b > a ? ls.slice(a + 1, b) : [];
    const items = inner.map((l) => /^(\d+)[.)]\s+(.+)$/.exec(l));
    const numbered = items.length === k && items.every((m, i) => m && Number(m[1]) === i + 1);
    out.push(cp('item_count', numbered, `between the markers: ${inner.length} line(s), expected ${k} items numbered 1 to ${k}`));
    const missing = keywords.filter((kw, i) => !(items[i] && hasWord(items[i]![2]!, kw)));
    out.push(cp('items_in_order', numbered && missing.length === 0, `items missing their word: ${missing.join(', ')}`));
    const size = utf8Bytes(reply.trim());
    out.push(cp('byte_size', size < 1024, `${size} bytes, expected under 1024`));
    return out;
  };

  return textProbe(PRIMITIVE_ID, 'L1', seed, { prompt, check, referenceText: ref, nearMissText: wrong });
}

// ── L2: a 1–5 KB document with sections and bullets ────────────────────────────────────────

function generateL2(rng: ProbeRng, seed: number): ProbeInstance {
  const subject = rng.pick(NOUNS);
  const title = `${rng.pick(['Field guide to the', 'Notes on the', 'Working with the', 'A handbook for the'])} ${subject}`;
  const s = rng.int(3, 5);
  const bulletsPer = rng.int(3, 5);
  const topics = rng.sample(
    NOUNS.filter((n) => n !== subject),
    s,
  );
  const sections = topics.map((t) => `${capitalize(t)} ${rng.pick(['basics', 'in practice', 'and its uses', 'care', 'history', 'checklist'])}`);

  const prompt = [`Reply with only a Markdown document of 1,024 to 5,120 bytes: the line "# ${title}", then exactly these ${s} sections in order, each a short paragraph followed by exactly ${bulletsPer} bullet points ("- "):`, ...sections.map((x) => `## ${x}`)].join('\n');

  const sectionText = (i: number) => [`## ${sections[i]}`, '', paragraph(rng, topics[i]!, rng.int(2, 3)), '', ...Array.from({ length: bulletsPer }, () => `- ${sentence(rng, topics[i]!)}`)].join('\n');
  const parts = sections.map((_, i) => sectionText(i));
  let ref = [`# ${title}`, '', ...parts].join('\n\n');
  // Pad with more introduction if the document came out short (it never exceeds 5 KB).
  while (utf8Bytes(ref) < 1300) ref = ref.replace(`# ${title}\n\n`, `# ${title}\n\n${paragraph(rng, subject, 3)}\n\n`);
  const wrong = [`# ${title}`, '', ...parts.slice(0, -1)].join('\n\n');

  const check = (reply: string): ProbeCheckpoint[] => {
    const text = stripFences(reply);
    const ls = lines(text);
    const out: ProbeCheckpoint[] = [cp('title', ls[0] === `# ${title}`, `first line is ${JSON.stringify(ls[0]?.slice(0, 80))}`)];
    const heads = ls.map((l, i) => ({ l, i })).filter(({ l }) => /^##\s+/.test(l) && !/^###/.test(l));
    const names = heads.map(({ l }) => l.replace(/^##\s+/, '').trim());
    out.push(cp('sections', names.length === s && names.every((n, i) => n === sections[i]), `level-2 headings: ${JSON.stringify(names)}`));
    const counts = heads.map(({ i }, j) => ls.slice(i + 1, j + 1 < heads.length ? heads[j + 1]!.i : ls.length).filter((l) => /^[-*]\s+\S/.test(l)).length);
    out.push(cp('bullets_per_section', counts.length === s && counts.every((c) => c === bulletsPer), `bullets per section: ${JSON.stringify(counts)}, expected ${bulletsPer} each`));
    const size = utf8Bytes(reply.trim());
    out.push(cp('byte_size', size >= 1024 && size <= 5120, `${size} bytes, expected 1024–5120`));
    return out;
  };

  return textProbe(PRIMITIVE_ID, 'L2', seed, { prompt, check, referenceText: ref, nearMissText: wrong });
}

// ── L3: over 5 KB of delimited parts ───────────────────────────────────────────────────────

function generateL3(rng: ProbeRng, seed: number): ProbeInstance {
  const id = `${pseudoWord(rng, SOUNDS, 2).toUpperCase()}${rng.int(100, 999)}`;
  const p = rng.int(6, 9);
  const topics = rng.sample(NOUNS, p);
  const titles = topics.map((t) => `${rng.pick(['The', 'On the', 'Keeping the', 'Inside the', 'Around the'])} ${t}`);
  const style = rng.pick([
    { begin: (n: number) => `>>> PART ${n}/${p} BEGIN`, end: (n: number) => `<<< PART ${n}/${p} END` },
    { begin: (n: number) => `[part ${n} of ${p}: open]`, end: (n: number) => `[part ${n} of ${p}: close]` },
    { begin: (n: number) => `%% SECTION ${n} START %%`, end: (n: number) => `%% SECTION ${n} FINISH %%` },
  ]);
  const docOpen = `#### ${id} DOCUMENT START ####`;
  const docClose = `#### ${id} DOCUMENT END ####`;
  const variant = rng.int(0, 1);

  const prompt = [
    `Reply with only a plain-text document of at least 5,500 bytes: the line ${docOpen}, then ${p} parts, then the line ${docClose}.`,
    `Part n: the line ${style.begin(1).replace('1', 'n')}, its title line, at least two paragraphs mentioning the title's last word, then the line ${style.end(1).replace('1', 'n')}. Each marker line once, in order, each part closed before the next opens.`,
    'Titles, in order:',
    ...titles,
  ].join('\n');

  const part = (i: number, close = true) => [style.begin(i + 1), titles[i]!, '', paragraph(rng, topics[i]!, rng.int(5, 7)), '', paragraph(rng, topics[i]!, rng.int(5, 7)), ...(close ? ['', style.end(i + 1)] : [])].join('\n');
  const build = (dropClose: number) => [docOpen, '', ...topics.map((_, i) => part(i, i !== dropClose)), '', docClose].join('\n\n');
  let ref = build(-1);
  while (utf8Bytes(ref) < 5600) ref = build(-1);
  const wrong = variant === 0 ? build(rng.int(1, p - 2)) : [docOpen, '', ...topics.map((_, i) => [style.begin(i + 1), titles[i]!, '', sentence(rng, topics[i]!), '', style.end(i + 1)].join('\n')), '', docClose].join('\n\n');

  const check = (reply: string): ProbeCheckpoint[] => {
    const text = stripFences(reply);
    const ls = lines(text);
    const out: ProbeCheckpoint[] = [cp('document_markers', ls[0] === docOpen && ls[ls.length - 1] === docClose && ls.filter((l) => l === docOpen || l === docClose).length === 2, 'the first/last lines are not the document markers (exactly once each)')];
    // Walk the marker lines: they must be exactly begin1, end1, begin2, end2, ….
    const markers = new Map<string, string>();
    for (let i = 0; i < p; i++) {
      markers.set(style.begin(i + 1), `begin ${i + 1}`);
      markers.set(style.end(i + 1), `end ${i + 1}`);
    }
    const seen = ls.filter((l) => markers.has(l)).map((l) => markers.get(l)!);
    const expected = Array.from({ length: p }, (_, i) => [`begin ${i + 1}`, `end ${i + 1}`]).flat();
    const firstBad = expected.findIndex((e, i) => seen[i] !== e);
    out.push(cp('part_markers', seen.length === expected.length && firstBad < 0, `marker sequence broken at ${firstBad >= 0 ? `${expected[firstBad]} (found ${seen[firstBad] ?? 'nothing'})` : `an extra marker (${seen.length} markers, expected ${expected.length})`}`));
    // Contents: each part holds its title and mentions its topic in at least two paragraphs.
    const problems: string[] = [];
    for (let i = 0; i < p; i++) {
      const a = ls.indexOf(style.begin(i + 1));
      const b = ls.indexOf(style.end(i + 1));
      if (a < 0 || b < a) {
        problems.push(`part ${i + 1} is not delimited`);
        continue;
      }
      const inner = ls.slice(a + 1, b);
      if (inner[0] !== titles[i]) problems.push(`part ${i + 1} does not start with its title`);
      if (inner.slice(1).filter((l) => hasWord(l, topics[i]!)).length < 2) problems.push(`part ${i + 1} has fewer than two paragraphs about ${topics[i]}`);
    }
    out.push(cp('part_contents', problems.length === 0, problems.slice(0, 3).join('; ')));
    const size = utf8Bytes(reply.trim());
    out.push(cp('byte_size', size > 5120, `${size} bytes, expected over 5120`));
    return out;
  };

  return textProbe(PRIMITIVE_ID, 'L3', seed, { prompt, check, referenceText: ref, nearMissText: wrong });
}

export const generator = generatorByLevel(PRIMITIVE_ID, {
  L1: 'Reply with a complete numbered list between given start/end marker lines, one required word per item, in under 1 KB.',
  L2: 'Reply with a 1–5 KB Markdown document with a given title, exact section headings in order and an exact bullet count per section.',
  L3: 'Reply with a document over 5 KB of several delimited parts whose begin/end marker lines all stay intact, ordered and balanced.',
}, { L1: generateL1, L2: generateL2, L3: generateL3 });
