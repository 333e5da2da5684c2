/**
 * Cut a string into a few pieces for streaming, as real vendors deliver text and tool
 * arguments in many small deltas; clients must reassemble them. Cuts fall on code points,
 * never inside a surrogate pair.
 */
export function splitForStream(text: string, maxPieces = 3): string[] {
  const chars = Array.from(text);
  if (chars.length === 0) return [];
  const count = Math.max(1, Math.min(maxPieces, chars.length));
  const size = Math.ceil(chars.length / count);
  const pieces: string[] = [];
  for (let i = 0; i < chars.length; i += size) pieces.push(chars.slice(i, i + size).join(''));
  return pieces;
}
