import type { WordSounds } from '../../gen/words.js';

export const ID = 'reason.analysis';

/** Consonant + vowel syllables, each closed by a consonant now and then. */
export const SOUNDS: WordSounds = { onsets: [...'bcdfghklmnprstvwz'], vowels: [...'aeiou'], codas: [...'bcdfghklmnprstvwz'], codaChance: 0.3, codaEverySyllable: true };
