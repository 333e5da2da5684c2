import { cp, lines } from '../toolkit.js';
import type { ProbeCheckpoint } from '../types.js';

/**
 * Reading a text answer's labelled lines (`Answer: 42`, `**Status:** done`, the order on the
 * last line) whatever markdown decorates them, and grading a number read from one.
 */

/** A line without markdown emphasis or code ticks and without leading quote, heading or list markers. */
export function cleanLine(line: string): string {
  return line
    .replace(/[*`]/g, '')
    .replace(/^[\s>#-]+/, '')
    .trim();
}

/**
 * The text after `<label>:` (or `=`) on the last line that starts with the label, cleaned; up to
 * `maxGap` other characters may stand between the label and the colon (`Answer (in km): 12`).
 */
export function labelled(text: string, label: RegExp, maxGap = 40, clean: (line: string) => string = cleanLine): string | undefined {
  const re = new RegExp(`^(?:${label.source})\\b[^:=\\n]{0,${maxGap}}?[:=]\\s*(.*)$`, 'i');
  const ls = lines(text).map(clean);
  for (let i = ls.length - 1; i >= 0; i--) {
    const m = re.exec(ls[i]!);
    if (m) return m[1]!;
  }
  return undefined;
}

/** The reply's last line, cleaned, without a leading `Label:` (unless a comma comes before the colon). */
export function lastLineAnswer(text: string, clean: (line: string) => string = cleanLine): string {
  const ls = lines(text);
  let last = clean(ls[ls.length - 1] ?? '');
  const colon = last.indexOf(':');
  if (colon >= 0 && !last.slice(0, colon).includes(',')) last = last.slice(colon + 1);
  return last;
}

/** A number read from the answer, right within `tol`; `shown` is how the expected value is written in the reason. */
export function numberCheck(name: string, got: number | undefined, want: number, tol: number, shown: string): ProbeCheckpoint {
  if (got === undefined) return cp(name, false, `no number found (expected ${shown})`);
  return cp(name, Math.abs(got - want) <= tol + 1e-9, `expected ${shown}, got ${got}`);
}
