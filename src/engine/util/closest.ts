/** Edit distance (Levenshtein), small and allocation-light; used for "did you mean" hints. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let prev = new Array<number>(b.length + 1);
  let cur = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length]!;
}

/**
 * The candidates closest to `name`: substring matches first, then by edit distance,
 * keeping only those within half the longer length so unrelated names are not offered.
 */
export function closestMatches(name: string, candidates: Iterable<string>, limit = 3): string[] {
  const needle = name.toLowerCase();
  const scored: Array<{ c: string; score: number }> = [];
  for (const c of new Set(candidates)) {
    const hay = c.toLowerCase();
    let score: number;
    if (needle.length > 0 && (hay.includes(needle) || needle.includes(hay))) score = -1 + Math.abs(hay.length - needle.length) / 1000;
    else {
      // The distance is at least the length difference: skip hopeless pairs before the O(n·m) walk.
      if (Math.abs(needle.length - hay.length) > Math.max(needle.length, hay.length) / 2) continue;
      const d = editDistance(needle, hay);
      if (d > Math.max(needle.length, hay.length) / 2) continue;
      score = d;
    }
    scored.push({ c, score });
  }
  scored.sort((x, y) => x.score - y.score || x.c.localeCompare(y.c));
  return scored.slice(0, limit).map((s) => s.c);
}
