/**
 * How many separate places of SKILL.md an edit touched: maximal runs of inserted or deleted lines
 * between unchanged ones, from a longest-common-subsequence line diff. The rewrite is asked to
 * stay within three; the count is reported so a person can see whether it did.
 */

/** Past this many cells the middle part is counted as one region (keeps memory bounded). */
const MAX_CELLS = 4_000_000;

export function editedRegions(before: string, after: string): number {
  const a = before.split('\n');
  const b = after.split('\n');
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const x = a.slice(start, endA);
  const y = b.slice(start, endB);
  if (x.length === 0 && y.length === 0) return 0;
  if (x.length === 0 || y.length === 0 || (x.length + 1) * (y.length + 1) > MAX_CELLS) return 1;

  // lcs[i * w + j] = length of the LCS of x[i..] and y[j..].
  const w = y.length + 1;
  const lcs = new Uint32Array((x.length + 1) * w);
  for (let i = x.length - 1; i >= 0; i--) {
    for (let j = y.length - 1; j >= 0; j--) {
      lcs[i * w + j] = x[i] === y[j] ? lcs[(i + 1) * w + j + 1]! + 1 : Math.max(lcs[(i + 1) * w + j]!, lcs[i * w + j + 1]!);
    }
  }
  let regions = 0;
  let inRegion = false;
  let i = 0;
  let j = 0;
  const edit = () => {
    if (!inRegion) regions++;
    inRegion = true;
  };
  while (i < x.length && j < y.length) {
    if (x[i] === y[j]) {
      i++;
      j++;
      inRegion = false;
    } else {
      edit();
      if (lcs[(i + 1) * w + j]! >= lcs[i * w + j + 1]!) i++;
      else j++;
    }
  }
  if (i < x.length || j < y.length) edit();
  return regions;
}
