/**
 * Measuring and comparing text: quotes made straight, sentences, words, whole-word search,
 * byte size, and line-by-line comparison of files or outputs with what was expected.
 */

/** Curly single quotes and the modifier apostrophe as ', curly double quotes as ". */
export function straightQuotes(text: string): string {
  return text.replace(/[\u2018\u2019\u02BC]/g, "'").replace(/[\u201C\u201D]/g, '"');
}

/** Sentences: split after . ! ? (optionally followed by a closing quote or bracket) and whitespace. */
export function sentences(text: string): string[] {
  return straightQuotes(text)
    .replace(/\s+/g, ' ')
    .split(/(?<=[.!?]["')\]]?)\s+(?=\S)/)
    .map((s) => s.trim())
    .filter((s) => /[A-Za-z0-9]/.test(s));
}

/** Whitespace-separated words (punctuation attached), ignoring pieces with no letter or digit. */
export function wordsOf(text: string): string[] {
  return straightQuotes(text)
    .split(/\s+/)
    .filter((w) => /[A-Za-z0-9]/.test(w));
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Whether the text holds the word as a whole word, case-insensitively, also with a plural -s or -es. */
export function hasWord(text: string, word: string): boolean {
  return new RegExp(`\\b${escapeRegExp(word)}(s|es)?\\b`, 'i').test(text);
}

export function utf8Bytes(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** Runs of whitespace as one space, trimmed (the text a browser shows). */
export function squashSpaces(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** Non-empty lines, each trimmed with inner runs of whitespace as one space. */
export function squashedLines(text: string): string[] {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map(squashSpaces)
    .filter((l) => l !== '');
}

/** Lines without \r, trailing blanks or trailing empty lines: harmless variation in a copied file. */
export function trimmedLines(text: string): string[] {
  const ls = text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => l.replace(/\s+$/, ''));
  while (ls.length && ls[ls.length - 1] === '') ls.pop();
  return ls;
}

/** Where two line lists first differ, for a checkpoint reason ('identical' when they do not). */
export function firstLineDiff(got: readonly string[], want: readonly string[]): string {
  for (let i = 0; i < Math.max(got.length, want.length); i++) {
    if (got[i] !== want[i]) return `line ${i + 1}: expected ${JSON.stringify(want[i] ?? '(nothing)')}, got ${JSON.stringify(got[i] ?? '(nothing)')}`;
  }
  return 'identical';
}

/** Alphabetical either by code point (Python's sorted, JS sort) or by locale collation. */
export function isAlphabetical(xs: readonly string[]): boolean {
  const byCode = xs.every((x, i) => i === 0 || xs[i - 1]! <= x);
  const byLocale = xs.every((x, i) => i === 0 || xs[i - 1]!.localeCompare(x) <= 0);
  return byCode || byLocale;
}

/** Replaces `{key}` placeholders with their values; unknown keys stay as written. */
export function fillTemplate(template: string, vars: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
}
