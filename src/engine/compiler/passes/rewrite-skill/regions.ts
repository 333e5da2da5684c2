import { diffLines } from 'diff';

/**
 * How many separate places of SKILL.md an edit touched: maximal runs of inserted or deleted lines
 * between unchanged ones, from the same line diff as the variant's SKILL.md diff (jsdiff). The
 * rewrite is asked to stay within three; the count is reported so a person can see whether it did.
 */
export function editedRegions(before: string, after: string): number {
  let regions = 0;
  let inRegion = false;
  for (const part of diffLines(before, after)) {
    const edited = part.added || part.removed;
    if (edited && !inRegion) regions++;
    inRegion = edited;
  }
  return regions;
}
