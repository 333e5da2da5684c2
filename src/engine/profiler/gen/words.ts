import type { ProbeRng } from '../toolkit.js';

/**
 * Made-up words and names for generated content (so no answer can be memorised), distinct
 * draws, and random strings over an alphabet. Every function draws from the given random
 * source in a fixed order, so generators stay deterministic per seed.
 */

/** The sounds a pseudo-word is built from: syllables of onset + vowel, and an optional ending. */
export interface WordSounds {
  onsets: readonly string[];
  vowels: readonly string[];
  /** Endings ('' entries make a bare ending likelier); no ending at all when absent. */
  codas?: readonly string[];
  /** Chance that an ending is added; always added when absent. */
  codaChance?: number;
  /** Draw an ending after every syllable instead of only after the last. */
  codaEverySyllable?: boolean;
}

/** Clustered onsets and digraphs (br, st, sh, th…), diphthongs, and an ending on the last syllable. */
export const RICH_SOUNDS: WordSounds = {
  onsets: ['b', 'c', 'd', 'f', 'g', 'h', 'j', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'w', 'z', 'br', 'cr', 'dr', 'fl', 'gr', 'kl', 'pr', 'st', 'tr', 'sh', 'ch', 'th'],
  vowels: ['a', 'e', 'i', 'o', 'u', 'ai', 'ea', 'io', 'ou', 'ia'],
  codas: ['', '', '', 'n', 'r', 'l', 's', 'x', 'm', 'nd', 'rt'],
};

/** Plain consonant + vowel syllables; now and then an n, r, s or l at the end. */
export const SIMPLE_SOUNDS: WordSounds = {
  onsets: [...'bdfgklmnprstvz'],
  vowels: [...'aeiou'],
  codas: [...'nrsl'],
  codaChance: 0.3,
};

/** A pronounceable made-up lowercase word of `syllables` syllables (2–3, drawn first, by default). */
export function pseudoWord(rng: ProbeRng, sounds: WordSounds, syllables = rng.int(2, 3)): string {
  let w = '';
  for (let i = 0; i < syllables; i++) {
    w += rng.pick(sounds.onsets) + rng.pick(sounds.vowels);
    if (sounds.codas && (sounds.codaEverySyllable || i === syllables - 1) && (sounds.codaChance === undefined || rng.next() < sounds.codaChance)) w += rng.pick(sounds.codas);
  }
  return w;
}

/** A pseudo-word of RICH_SOUNDS. */
export function richWord(rng: ProbeRng, syllables?: number): string {
  return pseudoWord(rng, RICH_SOUNDS, syllables);
}

/** A pseudo-word of SIMPLE_SOUNDS. */
export function simpleWord(rng: ProbeRng, syllables?: number): string {
  return pseudoWord(rng, SIMPLE_SOUNDS, syllables);
}

export function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/**
 * `n` distinct values of `make()`, in the order first made. Values with the same key count
 * once; keys in `seen` are taken already, and the keys drawn are added to it.
 */
export function distinct<T>(n: number, make: () => T, key: (x: T) => string = (x) => (typeof x === 'string' ? x : JSON.stringify(x)), seen = new Set<string>()): T[] {
  const out: T[] = [];
  for (let guard = 0; out.length < n && guard < 10_000; guard++) {
    const x = make();
    const k = key(x);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(x);
  }
  return out;
}

export interface DistinctWordOptions {
  /** Syllable range, drawn per word (default 2–3). */
  syllables?: [number, number];
  /** Words taken already; the words drawn are added to it. */
  taken?: Set<string>;
  /** Words to leave out. */
  avoid?: (w: string) => boolean;
}

/** `n` distinct pseudo-words. */
export function distinctWords(rng: ProbeRng, n: number, sounds: WordSounds, opts: DistinctWordOptions = {}): string[] {
  const [lo, hi] = opts.syllables ?? [2, 3];
  const make = (): string => {
    for (;;) {
      const w = pseudoWord(rng, sounds, rng.int(lo, hi));
      if (!opts.avoid?.(w)) return w;
    }
  };
  return distinct(n, make, String, opts.taken);
}

/** `n` distinct capitalised pseudo-words of 2–3 syllables (names of people, places, groups). */
export function distinctNames(rng: ProbeRng, n: number, sounds: WordSounds, taken = new Set<string>()): string[] {
  return distinct(n, () => capitalize(pseudoWord(rng, sounds)), String, taken);
}

export const DIGITS = '0123456789';

/** `n` characters drawn from `alphabet`. */
export function randomChars(rng: ProbeRng, alphabet: string, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[rng.int(0, alphabet.length - 1)]!;
  return s;
}
