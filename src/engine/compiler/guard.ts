/**
 * The guard (spec §4.6): a compiled SKILL.md may not grow past a budget, drop a code block,
 * touch the front matter, or add, remove or rename a heading. All checks run; violations
 * accumulate. Unlike the reference, a failed guard stops the variant from being published, and
 * headings are compared in both directions whatever the counts.
 */

export interface GuardVerdict {
  passed: boolean;
  violations: string[];
}

const FENCE_BLOCK = /```[\w+-]*\n([\s\S]*?)```/g;
const FRONT_MATTER = /^---\r?\n[\s\S]*?\r?\n---(?:\r?\n|$)/;
const HEADING = /^#{1,6}\s+/;
/** Code blocks this short (after trimming) are not protected: too small to be a recipe. */
const TRIVIAL_BLOCK_CHARS = 10;

export function lineBudget(originalLines: number): number {
  const factor = originalLines < 100 ? 2 : originalLines < 200 ? 1 : 0.5;
  return Math.ceil(originalLines * factor);
}

export function validateGuard(original: string, compiled: string): GuardVerdict {
  const violations: string[] = [];

  const originalLines = original.split('\n').length;
  const added = compiled.split('\n').length - originalLines;
  const max = lineBudget(originalLines);
  if (added > max) violations.push(`Length: added ${added} lines (max ${max}, ${originalLines} original)`);

  for (const body of codeBlocks(original)) {
    if (body.length <= TRIVIAL_BLOCK_CHARS) continue;
    if (!compiled.includes(body)) violations.push(`Code block missing: "${body.slice(0, 60)}..."`);
  }

  const fmBefore = original.match(FRONT_MATTER)?.[0].trimEnd();
  const fmAfter = compiled.match(FRONT_MATTER)?.[0].trimEnd();
  if (fmBefore !== undefined && fmBefore !== fmAfter) violations.push('Frontmatter modified');

  violations.push(...headingViolations(headings(original), headings(compiled)));
  return { passed: violations.length === 0, violations };
}

function codeBlocks(text: string): string[] {
  return [...text.matchAll(FENCE_BLOCK)].map((m) => m[1]!.trim());
}

/** Heading lines outside fenced code, trailing space trimmed. */
export function headings(text: string): string[] {
  const out: string[] = [];
  let inFence = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('```')) {
      inFence = !inFence;
      continue;
    }
    if (!inFence && HEADING.test(line)) out.push(line.trimEnd());
  }
  return out;
}

function headingViolations(before: string[], after: string[]): string[] {
  if (before.length === after.length) {
    return before.flatMap((h, i) => (h === after[i] ? [] : [`Heading changed: "${h}" -> "${after[i]}"`]));
  }
  const had = multiset(before);
  const has = multiset(after);
  const out: string[] = [];
  for (const [h, n] of has) if (n > (had.get(h) ?? 0)) out.push(`Heading added: "${h}"`);
  for (const [h, n] of had) if (n > (has.get(h) ?? 0)) out.push(`Heading removed: "${h}"`);
  return out;
}

function multiset(xs: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
  return m;
}
