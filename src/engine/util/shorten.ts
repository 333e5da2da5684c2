/** `text` cut to at most `max` characters, the cut marked with "…". */
export function shorten(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
