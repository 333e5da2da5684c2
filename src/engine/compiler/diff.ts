import { FILE_HEADERS_ONLY, formatPatch, structuredPatch } from 'diff';

/**
 * The unified diff of SKILL.md, original → compiled, with its size. Counts come from the hunks,
 * not from scanning the text, so a removed line that itself starts with "--" is not mistaken
 * for a file header.
 */
export interface SkillDiff {
  /** Unified diff (`--- a/SKILL.md` / `+++ b/SKILL.md`); empty when nothing changed. */
  patch: string;
  added: number;
  removed: number;
}

const CONTEXT_LINES = 3;

export function skillDiff(original: string, compiled: string, file = 'SKILL.md'): SkillDiff {
  const structured = structuredPatch(`a/${file}`, `b/${file}`, original, compiled, undefined, undefined, { context: CONTEXT_LINES });
  let added = 0;
  let removed = 0;
  for (const hunk of structured.hunks) {
    for (const line of hunk.lines) {
      if (line.startsWith('+')) added++;
      else if (line.startsWith('-')) removed++;
    }
  }
  return { patch: structured.hunks.length === 0 ? '' : formatPatch(structured, FILE_HEADERS_ONLY), added, removed };
}
