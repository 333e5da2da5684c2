import { escapeRegExp, straightQuotes } from '../../gen/text.js';

export const ID = 'follow.constraint';

/** Lowercase the first letter unless the first word is a proper name (Mount Everest, Moon...). */
export function lowerFirst(s: string): string {
  return /^(?:Mount|Moon)\b/.test(s) ? s : s.charAt(0).toLowerCase() + s.slice(1);
}

/** Whole-word occurrences of `word`, case-insensitively. */
export function wordCount(text: string, word: string): number {
  return (straightQuotes(text).match(new RegExp(`\\b${escapeRegExp(word)}\\b`, 'gi')) ?? []).length;
}
